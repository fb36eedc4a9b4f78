"""Submitting and withdrawing pose requests.

Duplicates: a user may hold one *open* request per normalised name. The check below gives the 409
with the existing request's name; the partial unique constraint `posereq_one_open_per_user_name`
is what makes it hold under concurrent submissions.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lumiku.core.errors import Conflict, NotFound, ValidationFailed
from lumiku.core.images import image_clean_upload
from lumiku.core.storage import storage_save, user_storage_key
from lumiku.core.text import name_is_visible
from lumiku.core.uploads import user_image_input
from posegen.selectors.library import library_category_get
from requests_community.models import OPEN_STATUSES, PoseRequest, RequestStatus, UseCase
from requests_community.naming import normalize_pose_name
from requests_community.selectors import request_similar, request_with_viewer

POSE_NAME_MAX = 100
DESCRIPTION_MAX = 500


@dataclass(frozen=True)
class SubmittedRequest:
    request: PoseRequest
    similar: list[PoseRequest]


def _duplicate_conflict(existing: PoseRequest) -> Conflict:
    return Conflict(
        _("You already have an open request “%(name)s” (%(status)s). "
          "Edit or wait for that one instead of submitting it again.")
        % {"name": existing.pose_name, "status": existing.get_status_display().lower()},
        code="DUPLICATE_REQUEST",
        existingRequestId=str(existing.pk),
        existingPoseName=existing.pose_name,
    )


def _clean_text(*, pose_name: str, description: str, use_case: str) -> tuple[str, str, str, str]:
    errors: dict[str, list[str]] = {}
    pose_name = " ".join((pose_name or "").split())
    description = (description or "").strip()
    normalized = normalize_pose_name(pose_name)
    if not name_is_visible(pose_name):  # also zero-width and other invisible characters only
        errors["poseName"] = [_("Give the pose a name.")]
    elif len(pose_name) > POSE_NAME_MAX:
        errors["poseName"] = [_("Keep the name to %(max)s characters or fewer.") % {"max": POSE_NAME_MAX}]
    elif not normalized:
        errors["poseName"] = [_("The name needs at least one letter or digit.")]
    if not description:
        errors["description"] = [_("Describe the pose you would like.")]
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = [_("Keep the description to %(max)s characters or fewer.") % {"max": DESCRIPTION_MAX}]
    if use_case and use_case not in UseCase.values:
        errors["useCase"] = [_("useCase must be one of %(choices)s.") % {"choices": ", ".join(UseCase.values)}]
    if errors:
        field, messages = next(iter(errors.items()))
        raise ValidationFailed(_("Invalid input. %(field)s: %(problem)s") % {"field": field, "problem": messages[0]},
                               fields=errors)
    return pose_name, normalized, description, use_case or ""


def pose_request_create(*, user, pose_name: str, description: str, category_id=None, use_case: str = "",
                        reference_image=None, reference_image_url: str = "") -> SubmittedRequest:
    """Submit a request. 400 on bad input (nothing stored), 409 if the user already has an open
    request with the same normalised name. Returns the request and similar open requests by others."""
    pose_name, normalized, description, use_case = _clean_text(
        pose_name=pose_name, description=description, use_case=use_case
    )
    category = None
    if category_id:
        category = library_category_get(category_id=category_id, active_only=True)
        if category is None:
            raise ValidationFailed(
                _("Invalid input. categoryId: no such category."), fields={"categoryId": [_("No such category.")]}
            )
    existing = PoseRequest.objects.filter(user=user, normalized_name=normalized, status__in=OPEN_STATUSES).first()
    if existing is not None:
        raise _duplicate_conflict(existing)

    image_name = ""
    # A file, or the URL of the user's own upload (read from storage, never fetched; a foreign URL is a 400).
    reference_image = user_image_input(user=user, upload=reference_image, url=reference_image_url,
                                       kind="references", field="referenceImage", url_field="referenceImageUrl")
    if reference_image is not None:
        try:
            clean = image_clean_upload(upload=reference_image, field="referenceImage")
        except ValidationFailed as exc:
            exc.extra.setdefault("fields", {"referenceImage": [exc.message]})
            raise
        key = user_storage_key(user_id=user.pk, kind="pose-requests", extension=clean.format)
        image_name = storage_save(key=key, content=clean.content)
    try:
        with transaction.atomic():
            request = PoseRequest.objects.create(
                user=user,
                pose_name=pose_name,
                normalized_name=normalized,
                description=description,
                category=category,
                use_case=use_case,
                reference_image=image_name,
            )
    except IntegrityError:
        if image_name:
            default_storage.delete(image_name)
        existing = PoseRequest.objects.filter(
            user=user, normalized_name=normalized, status__in=OPEN_STATUSES
        ).first()
        if existing is None:
            raise
        raise _duplicate_conflict(existing) from None
    except BaseException:
        if image_name:
            default_storage.delete(image_name)
        raise
    request = request_with_viewer(PoseRequest.objects.filter(pk=request.pk), viewer=user).select_related(
        "category"
    ).get()
    similar = request_similar(pose_name=pose_name, viewer=user, exclude_user=user)
    return SubmittedRequest(request=request, similar=similar)


def pose_request_delete(*, user, request_id) -> None:
    """Withdraw one of your own requests while it is still pending (404 for others', 409 after review)."""
    with transaction.atomic():
        request = PoseRequest.objects.select_for_update().filter(pk=request_id, user=user).first()
        if request is None:
            raise NotFound(_("Pose request not found."), code="REQUEST_NOT_FOUND")
        if request.status != RequestStatus.PENDING:
            raise Conflict(
                _("Only pending requests can be withdrawn; this one is %(status)s.")
                % {"status": request.get_status_display().lower()},
                code="REQUEST_NOT_PENDING",
            )
        image_name = request.reference_image.name
        request.delete()
        if image_name:
            transaction.on_commit(lambda: default_storage.delete(image_name), robust=True)
