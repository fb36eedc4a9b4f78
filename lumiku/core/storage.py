"""Storage keys and helpers. Keys are generated here, never taken from client input."""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "ZIP": "zip", "JSON": "json"}


def storage_key(*, owner: str, kind: str, extension: str) -> str:
    """`users/<id>/<kind>/<uuid>.<ext>` (or `library/...` for shared assets)."""
    ext = _EXTENSIONS.get(extension.upper(), extension.lower()).lstrip(".")
    if not ext.isalnum() or not all(part.replace("-", "").replace("_", "").isalnum() for part in kind.split("/")):
        raise ValueError("unsafe storage key component")
    return f"{owner}/{kind}/{uuid.uuid4().hex}.{ext}"


def user_storage_key(*, user_id: object, kind: str, extension: str) -> str:
    return storage_key(owner=f"users/{user_id}", kind=kind, extension=extension)


def storage_save(*, key: str, content: bytes) -> str:
    """Save bytes under `key` and return the stored name (the storage may adjust it)."""
    return default_storage.save(key, ContentFile(content))


def storage_url(name: str | None) -> str | None:
    return default_storage.url(name) if name else None


def storage_read(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()
