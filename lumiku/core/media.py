"""User media on local storage: served only to its owner or through a short-lived signed URL.

Everything under `users/<id>/` is personal data (UU PDP): `storage_url()` hands out
`/media/users/...?s=<expiry>-<hmac>`, the same contract as the S3 backend's presigned URLs. The expiry
is rounded up to a 10-minute step so a page rendered twice in a row links the same URL (browser cache).
Shared assets (`library/...`) stay public and unsigned. /media (lumiku.core.views.media) serves a user
file for a valid unexpired signature or to the signed-in owner; anyone else gets 404.
"""

from __future__ import annotations

import hmac
import math
import time

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.crypto import salted_hmac

PRIVATE_PREFIX = "users/"
SIGNATURE_PARAM = "s"
_STEP_SECONDS = 600
_SALT = "lumiku.core.media.url"


def _signature(name: str, expires: int) -> str:
    return salted_hmac(_SALT, f"{name}\x00{expires}", algorithm="sha256").hexdigest()[:40]


def media_signature(*, name: str, now: float | None = None) -> str:
    """`<expiry>-<hmac>` valid for at least MEDIA_URL_EXPIRE_SECONDS."""
    now = time.time() if now is None else now
    expires = math.ceil((now + settings.MEDIA_URL_EXPIRE_SECONDS) / _STEP_SECONDS) * _STEP_SECONDS
    return f"{expires}-{_signature(name, expires)}"


def media_signature_valid(*, name: str, value: str, now: float | None = None) -> bool:
    expires_text, _, signature = (value or "").partition("-")
    if not expires_text.isdigit() or len(expires_text) > 12 or not signature:
        return False
    expires = int(expires_text)
    if expires < (time.time() if now is None else now):
        return False
    return hmac.compare_digest(signature.encode(), _signature(name, expires).encode())


def media_is_private(name: str) -> bool:
    return name.startswith(PRIVATE_PREFIX)


def media_access_allowed(*, request, name: str) -> bool:
    if not media_is_private(name):
        return True
    if media_signature_valid(name=name, value=request.GET.get(SIGNATURE_PARAM, "")):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and name.startswith(f"{PRIVATE_PREFIX}{user.pk}/"))


class SignedFileSystemStorage(FileSystemStorage):
    """Local storage whose URLs for user files carry a short-lived signature."""

    def url(self, name):
        url = super().url(name)
        if name and media_is_private(name):
            url = f"{url}?{SIGNATURE_PARAM}={media_signature(name=name)}"
        return url
