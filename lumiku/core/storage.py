"""Storage keys and helpers. Keys are generated here, never taken from client input."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

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


# --- Deleting what nothing references any more (issue 18: deleted photos must not stay public) -------
# A user's files live under `users/<id>/`; a generation's under `users/<id>/generations/<id>/`. Only
# such folders may be removed whole.
_DELETABLE_PREFIX = re.compile(r"^users/[0-9a-f-]{32,36}/(generations/[0-9a-f-]{32,36}/)?$")


def storage_delete_on_commit(*, names: list[str] | tuple[str, ...] = (), prefixes: list[str] | tuple[str, ...] = ()):
    """After the deleting transaction commits, a task removes `names` that no app still references (see
    settings.STORAGE_REFERENCE_CHECKS) and the whole `prefixes` folders. Nothing happens on rollback."""
    names = sorted({name for name in names if name})
    prefixes = sorted(set(prefixes))
    for prefix in prefixes:
        if not _DELETABLE_PREFIX.match(prefix):
            raise ValueError(f"refusing to delete storage folder {prefix!r}")
    if not names and not prefixes:
        return

    def enqueue() -> None:
        from lumiku.core.tasks import storage_files_delete

        storage_files_delete.delay(names=names, prefixes=prefixes)

    transaction.on_commit(enqueue)


def storage_names_in_use(names: list[str]) -> set[str]:
    in_use: set[str] = set()
    for path in settings.STORAGE_REFERENCE_CHECKS:
        in_use |= set(import_string(path)(names))
    return in_use


def _delete_tree(prefix: str) -> int:
    try:
        folders, files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return 0
    removed = 0
    for name in files:
        default_storage.delete(prefix + name)
        removed += 1
    for folder in folders:
        removed += _delete_tree(f"{prefix}{folder}/")
    with contextlib.suppress(NotImplementedError, OSError):  # local storage keeps empty folders; S3 has none
        os.rmdir(default_storage.path(prefix))
    return removed


def storage_files_remove(*, names: list[str], prefixes: list[str]) -> int:
    removed = 0
    in_use = storage_names_in_use(names) if names else set()
    for name in names:
        if name in in_use:
            continue
        if default_storage.exists(name):
            default_storage.delete(name)
            removed += 1
    for prefix in prefixes:
        if _DELETABLE_PREFIX.match(prefix):
            removed += _delete_tree(prefix)
    logger.info("storage: removed %s file(s) (%s kept: still referenced)", removed, len(in_use))
    return removed
