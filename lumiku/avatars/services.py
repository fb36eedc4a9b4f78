from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from lumiku.avatars.models import Avatar, AvatarUsageHistory
from lumiku.core.errors import ValidationFailed
from lumiku.core.images import image_clean_upload
from lumiku.core.storage import storage_delete_on_commit, storage_save, user_storage_key
from lumiku.core.text import name_clean
from lumiku.core.uploads import user_image_input


def avatar_create(*, user, name: str, gender: str, image=None, image_url: str = "", age_range: str = "",
                  ethnicity: str = "", body_type: str = "", style: str = "") -> Avatar:
    """Store a validated, re-encoded avatar photo under a generated key and record its attributes.

    The photo is a file (``image``) or the URL of this user's own `avatars` upload (``image_url``, read from
    storage, never fetched); the avatar keeps its own copy either way."""
    name = name_clean(value=name, field="name")
    image = user_image_input(user=user, upload=image, url=image_url, kind="avatars", field="image",
                             url_field="imageUrl")
    if image is None:
        message = _("Send the photo as image (a file) or imageUrl (a URL that POST /uploads returned).")
        raise ValidationFailed(message, fields={"image": [message]})
    clean = image_clean_upload(upload=image, field="image")
    key = user_storage_key(user_id=user.pk, kind="avatars", extension=clean.format)
    stored = storage_save(key=key, content=clean.content)
    return Avatar.objects.create(
        user=user,
        name=name,
        image=stored,
        image_width=clean.width,
        image_height=clean.height,
        gender=gender,
        age_range=age_range,
        ethnicity=ethnicity.strip(),
        body_type=body_type,
        style=style,
    )


_UPDATABLE = {"name", "gender", "age_range", "ethnicity", "body_type", "style"}


def avatar_update(*, avatar: Avatar, **changes) -> Avatar:
    fields = [field for field in changes if field in _UPDATABLE]
    for field in fields:
        value = changes[field]
        if field == "name":
            value = name_clean(value=value, field="name")
        setattr(avatar, field, value.strip() if isinstance(value, str) else value)
    if fields:
        avatar.save(update_fields=[*fields, "updated_at"])
    return avatar


def avatar_delete(*, avatar: Avatar) -> None:
    # Projects keep their own copy of the image key (SET_NULL on the link), so they survive this; the file
    # goes after commit unless such a project still uses it.
    with transaction.atomic():
        name = avatar.image.name
        avatar.delete()
        storage_delete_on_commit(names=[name])


def avatar_record_usage(*, avatar_id, user_id, app_id: str, app_name: str, action: str,
                        reference_type: str, reference_id: str, metadata: dict) -> AvatarUsageHistory:
    with transaction.atomic():
        Avatar.objects.filter(pk=avatar_id).update(usage_count=F("usage_count") + 1)
        return AvatarUsageHistory.objects.create(
            avatar_id=avatar_id,
            user_id=user_id,
            app_id=app_id,
            app_name=app_name,
            action=action,
            reference_type=reference_type,
            reference_id=str(reference_id),
            metadata=metadata,
        )
