"""Finished background-change jobs are forgotten after a while (spec 003 §4: the queue cleans up after
itself), run by beat.

Only the job rows go: the image a job made is the pose's own picture now (and its `original_image` keeps the
one before), the ledger keeps the charge and any refund with the job id as reference, and an uploaded
background picture may be shared with the generation, so no file is deleted here. Active jobs
(pending/processing) are never touched, whatever their age: the stale-job sweep owns those
(posegen.services.background_sweep).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from posegen.models.generation import BackgroundJob, BackgroundJobStatus

PURGE_BATCH = 1000


def background_jobs_purge(*, now=None) -> dict[str, int]:
    """Delete completed jobs finished more than POSEGEN_BACKGROUND_JOB_KEEP_COMPLETED_HOURS ago and failed
    ones finished more than POSEGEN_BACKGROUND_JOB_KEEP_FAILED_HOURS ago, in batches. Returns the counts."""
    now = now or timezone.now()
    rules = {
        BackgroundJobStatus.COMPLETED: now - timedelta(hours=settings.POSEGEN_BACKGROUND_JOB_KEEP_COMPLETED_HOURS),
        BackgroundJobStatus.FAILED: now - timedelta(hours=settings.POSEGEN_BACKGROUND_JOB_KEEP_FAILED_HOURS),
    }
    purged: dict[str, int] = {}
    for status, cutoff in rules.items():
        # A finished job without completed_at (rows from before it was always set) ages from its creation.
        old = Q(status=status) & (Q(completed_at__lt=cutoff) | Q(completed_at__isnull=True, created_at__lt=cutoff))
        total = 0
        while True:
            ids = list(BackgroundJob.objects.filter(old).values_list("pk", flat=True)[:PURGE_BATCH])
            if not ids:
                break
            deleted, _ = BackgroundJob.objects.filter(pk__in=ids).filter(old).delete()
            total += deleted
        purged[str(status)] = total
    return purged
