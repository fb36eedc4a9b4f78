"""One rule for images sent to the API: a multipart file, or a URL that `POST /uploads` returned to this user.

- `user_asset_upload` validates an uploaded image by content and stores it under `users/<id>/<kind>/`
  (what `POST /uploads` does); the URL of that stored name is what clients send back later.
- `user_asset_resolve` turns such a URL (or the bare stored name) back into the stored name. Only our
  storage is accepted: the key must be `users/<this user>/<kind>/<uuid>.<ext>`, the URL must be exactly
  what our storage serves for that key (scheme, host and path; a signature's query is ignored) and the
  file must exist. Foreign hosts, other users' files, other kinds and `..` never pass. Nothing is ever
  fetched over the network: the stored file is read from storage.
- `user_image_input` is the rule for one image field that takes either: the file, or the upload the URL
  names read from storage as a file, so the caller validates and stores it like any upload (its object
  owns its own copy: deleting a project never deletes an upload another request still uses). Both at once,
  or a URL that is not the user's own upload, is a 400 naming the field — never a silent drop.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from lumiku.core.errors import ValidationFailed
from lumiku.core.images import image_clean_upload
from lumiku.core.storage import storage_read, storage_save, storage_url, user_storage_key

# What `POST /uploads` stores: backgrounds and logos (background changer, exports), avatars (a project's
# model photo), references (a pose reference photo: generation from a photo, community requests).
ASSET_KINDS = ("backgrounds", "logos", "avatars", "references")
_ASSET_KEY = re.compile(
    r"users/(?P<user>[0-9a-zA-Z-]+)/(?P<kind>backgrounds|logos|avatars|references)/[0-9a-f]{32}\.(?:jpg|png|webp)")
_CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def user_asset_upload(*, user, upload, kind: str) -> str:
    """Validate an uploaded image by content and store it under `users/<id>/<kind>/`; returns the name."""
    if kind not in ASSET_KINDS:
        raise ValidationFailed(_("kind must be one of %(choices)s.") % {"choices": ", ".join(ASSET_KINDS)},
                               code="VALIDATION_ERROR", fields={"kind": [_("Invalid choice.")]})
    clean = image_clean_upload(upload=upload, field="image")
    return storage_save(key=user_storage_key(user_id=user.pk, kind=kind, extension=clean.format),
                        content=clean.content)


def user_asset_resolve(*, user, url_or_name: str, kind: str, field: str) -> str:
    """The stored name behind a URL (or name) of the user's own `kind` upload; 400 naming `field` otherwise."""
    def reject() -> ValidationFailed:
        # Backgrounds kept the code they always had; every other field says what it is.
        code = "INVALID_BACKGROUND_URL" if kind == "backgrounds" else "INVALID_IMAGE_URL"
        return ValidationFailed(_("%(field)s must be an image you uploaded to this app.") % {"field": field},
                                code=code, fields={field: [_("Not an image you uploaded here.")]})

    value = (url_or_name or "").strip()
    if not value or len(value) > 2000 or ".." in value or "\\" in value:
        raise reject()
    path = urlsplit(value).path
    match = None
    for candidate in re.finditer(_ASSET_KEY, path):
        match = candidate
    if match is None or match.group("user") != str(user.pk) or match.group("kind") != kind:
        raise reject()
    name = match.group(0)
    if not path.endswith(name) or not storage_url_names(value=value, name=name):
        raise reject()
    try:
        exists = default_storage.exists(name)
    except Exception:
        exists = False
    if not exists:
        raise reject()
    return name


def storage_url_names(*, value: str, name: str) -> bool:
    """Whether ``value`` is the stored ``name`` itself or exactly the URL our storage serves for it."""
    if value == name:
        return True
    ours = urlsplit(storage_url(name) or "")
    given = urlsplit(value)
    # Scheme and host together: `file:/media/...` or `http:///media/...` share our empty host.
    same_origin = (given.scheme, given.netloc) == (ours.scheme, ours.netloc) or (
        not given.netloc and not given.scheme)
    return same_origin and given.path == ours.path


def image_input_url(*, upload, url: str, field: str, url_field: str) -> str:
    """The URL of a field pair that takes a file (``field``) or a URL (``url_field``), stripped; both at once
    is a 400 naming both (one of them would otherwise be dropped)."""
    url = (url or "").strip()
    if upload is not None and url:
        message = _("Send %(file)s or %(url)s, not both.") % {"file": field, "url": url_field}
        raise ValidationFailed(message, fields={field: [message], url_field: [message]})
    return url


def user_image_input(*, user, upload=None, url: str = "", kind: str, field: str, url_field: str):
    """The image of one field that takes a file (``field``) or an own-upload URL (``url_field``), as a file.

    Returns the uploaded file, the stored upload the URL names (read from storage, never fetched), or None
    when neither was sent. Both at once is a 400: one of them would otherwise be dropped.
    """
    url = image_input_url(upload=upload, url=url, field=field, url_field=url_field)
    if not url:
        return upload
    name = user_asset_resolve(user=user, url_or_name=url, kind=kind, field=url_field)
    extension = name.rsplit(".", 1)[-1]
    return SimpleUploadedFile(name.rsplit("/", 1)[-1], storage_read(name),
                              content_type=_CONTENT_TYPES.get(extension, "application/octet-stream"))
