"""Project services. Locks: project_delete locks the project row while it checks active generations."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from lumiku.avatars.selectors import avatar_get
from lumiku.core.errors import Conflict, ValidationFailed
from lumiku.core.images import image_clean_upload
from lumiku.core.storage import storage_delete_on_commit, storage_save, user_storage_key
from lumiku.core.text import name_clean
from lumiku.core.uploads import storage_url_names, user_image_input
from posegen.models import PoseGeneratorProject
from posegen.models.choices import ACTIVE_GENERATION_STATUSES, AvatarSource, ProjectStatus

logger = logging.getLogger(__name__)


def _avatar_resolve(*, user, avatar_source: str, avatar_image=None, avatar_id=None,
                    avatar_image_url: str = "") -> tuple[object, str]:
    """(Avatar or None, stored image name) for an uploaded photo (validated by content) or a saved avatar.

    UPLOAD takes the photo as a file or as the URL of the user's own `POST /uploads` (kind `avatars`).
    AVATAR_CREATOR uses the avatar's photo; an `avatarImageUrl` sent with it (spec 000 §API example) must
    be that photo's URL, anything else is a 400 rather than silently ignored.
    """
    avatar_image_url = (avatar_image_url or "").strip()
    if avatar_source == AvatarSource.UPLOAD:
        avatar_image = user_image_input(user=user, upload=avatar_image, url=avatar_image_url, kind="avatars",
                                        field="avatarImage", url_field="avatarImageUrl")
        if avatar_image is None:
            raise ValidationFailed(
                _("avatarImage is required when avatarSource is UPLOAD."),
                fields={"avatarImage": [_("This field is required when avatarSource is UPLOAD.")]},
            )
        clean = image_clean_upload(upload=avatar_image, field="avatarImage")
        key = user_storage_key(user_id=user.pk, kind="projects/avatars", extension=clean.format)
        return None, storage_save(key=key, content=clean.content)
    if avatar_source == AvatarSource.AVATAR_CREATOR:
        if not avatar_id:
            raise ValidationFailed(
                _("avatarId is required when avatarSource is AVATAR_CREATOR."),
                fields={"avatarId": [_("This field is required when avatarSource is AVATAR_CREATOR.")]},
            )
        avatar = avatar_get(user=user, avatar_id=avatar_id)
        if avatar_image_url and not storage_url_names(value=avatar_image_url, name=avatar.image.name):
            message = _("avatarImageUrl must be the chosen avatar's photo, or left out.")
            raise ValidationFailed(message, code="INVALID_IMAGE_URL", fields={"avatarImageUrl": [message]})
        return avatar, avatar.image.name
    raise ValidationFailed(_("avatarSource must be one of %(choices)s.") % {"choices": ", ".join(AvatarSource.values)})


def project_create(*, user, project_name: str, avatar_source: str, description: str = "",
                   avatar_image=None, avatar_id=None, avatar_image_url: str = "") -> PoseGeneratorProject:
    """Create a project from an uploaded photo (UPLOAD) or one of the user's avatars (AVATAR_CREATOR)."""
    project_name = name_clean(value=project_name, field="projectName")  # before the photo is stored
    avatar, image_name = _avatar_resolve(user=user, avatar_source=avatar_source, avatar_image=avatar_image,
                                         avatar_id=avatar_id, avatar_image_url=avatar_image_url)
    project = PoseGeneratorProject.objects.create(
        user=user,
        project_name=project_name,
        description=description.strip(),
        avatar_source=avatar_source,
        avatar=avatar,
        avatar_image=image_name,
    )
    transaction.on_commit(lambda: _enqueue_avatar_check(project.pk))
    return project


def project_avatar_change(*, project: PoseGeneratorProject, avatar_source: str, avatar_image=None,
                          avatar_id=None) -> PoseGeneratorProject:
    """Give the project a new avatar photo; the old check no longer applies, so it is cleared and rerun.
    Earlier generations keep the avatar they were made with (they store their own reference)."""
    avatar, image_name = _avatar_resolve(user=project.user, avatar_source=avatar_source,
                                         avatar_image=avatar_image, avatar_id=avatar_id)
    project.avatar_source = avatar_source
    project.avatar = avatar
    project.avatar_image = image_name
    project.avatar_check = {}
    project.save(update_fields=["avatar_source", "avatar", "avatar_image", "avatar_check", "updated_at"])
    transaction.on_commit(lambda: _enqueue_avatar_check(project.pk))
    return project


def _enqueue_avatar_check(project_id) -> None:
    from posegen.tasks import project_check_avatar

    try:
        project_check_avatar.delay(str(project_id))
    except Exception:  # the check is advice for the UI; a broker outage must not fail the upload
        logger.warning("could not enqueue the avatar check for project %s", project_id, exc_info=True)


_UPDATABLE_STATUSES = (ProjectStatus.ACTIVE, ProjectStatus.ARCHIVED)


def project_update(*, project: PoseGeneratorProject, project_name: str | None = None,
                   description: str | None = None, status: str | None = None) -> PoseGeneratorProject:
    fields = []
    if project_name is not None:
        project.project_name = name_clean(value=project_name, field="projectName")
        fields.append("project_name")
    if description is not None:
        project.description = description.strip()
        fields.append("description")
    if status is not None:
        if status not in _UPDATABLE_STATUSES:
            raise ValidationFailed(_("status must be 'active' or 'archived'; use DELETE to delete a project."))
        project.status = status
        fields.append("status")
    if fields:
        project.save(update_fields=[*fields, "updated_at"])
    return project


def project_delete(*, project: PoseGeneratorProject) -> None:
    """Soft delete (status=deleted); refused with 409 while a generation is pending or processing."""
    with transaction.atomic():
        locked = PoseGeneratorProject.objects.select_for_update().get(pk=project.pk)
        if locked.generations.filter(status__in=ACTIVE_GENERATION_STATUSES).exists():
            raise Conflict(
                _("This project has a generation in progress. Wait for it to finish or cancel it first."),
                code="GENERATION_IN_PROGRESS",
            )
        locked.status = ProjectStatus.DELETED
        locked.save(update_fields=["status", "updated_at"])
        # The rows stay (soft delete) but the photos go: the project's own photo unless an avatar or another
        # project still uses it, and every file of its generations (kept under users/<id>/generations/<id>/).
        storage_delete_on_commit(
            names=[locked.avatar_image.name],
            prefixes=[f"users/{locked.user_id}/generations/{generation_id}/"
                      for generation_id in locked.generations.values_list("pk", flat=True)],
        )
