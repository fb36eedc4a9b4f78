"""Platform tasks: removing stored files nothing references any more."""

from __future__ import annotations

import logging

from celery import shared_task

from lumiku.core.storage import storage_files_remove

logger = logging.getLogger(__name__)


@shared_task(name="lumiku.core.tasks.storage_files_delete", ignore_result=True, acks_late=True,
             autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def storage_files_delete(*, names: list[str] | None = None, prefixes: list[str] | None = None) -> int:
    """Idempotent: files already gone are skipped, so a retry or a second delivery is harmless."""
    return storage_files_remove(names=names or [], prefixes=prefixes or [])
