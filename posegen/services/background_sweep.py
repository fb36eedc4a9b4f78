"""The stale background-job sweep (beat, every POSEGEN_BACKGROUND_SWEEP_INTERVAL_SECONDS): a paid background
change whose Celery message was lost (worker killed, broker flushed) would otherwise stay pending or
processing for ever — the user charged, and that image unable to start another change.

Which jobs are stale is lumiku.core.jobs.job_stale: processing ones whose claim outlived
POSEGEN_CLAIM_LEASE_SECONDS (their worker died), and pending ones no worker claimed for
POSEGEN_BACKGROUND_STALE_AFTER_SECONDS since their last message. A stale job that has had fewer than
POSEGEN_BACKGROUND_MAX_ENQUEUE_ATTEMPTS messages is put back to pending and queued again; one that has had
them all is failed and refunded through background_job_fail (`refund:background:<job id>`, the same refund,
`background.failed` event and metric as any failed change).

Concurrency (safe on any schedule, two sweeps at once included). Locks, in order:
1. the job row, taken by a conditional UPDATE that re-checks "stale" once it holds the row (PostgreSQL
   re-reads a row a concurrent writer changed): job_requeue, or job_claim for a job to fail, which stamps
   a fresh token so the failure is the sweep's own;
2. then the wallet row, inside background_job_fail's refund (same transaction as the claim).
The sweep never takes the pose row. A worker completing the job takes the pose row, then the job row
(its token-checked UPDATE), so there is no cycle. Whichever UPDATE reaches the job row first wins: a job the
worker completed is no longer stale and the sweep's UPDATE moves nothing (charged once, no refund); a job
the sweep claimed or re-queued has a new token or none, so the worker's completion moves nothing and its
run ends as SKIPPED (refunded once, never completed).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from lumiku.core.jobs import job_claim, job_enqueue, job_requeue, job_stale
from posegen.models.generation import BackgroundJob, BackgroundJobStatus
from posegen.services.backgrounds import background_job_fail

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500  # jobs per run; a longer backlog is the next run's
# Stored in English and translated where it is shown (the results card; the refund is shown beside it).
STALE_REASON = gettext_noop("The background change did not finish in time.")


def _stale_jobs():
    return BackgroundJob.objects.filter(job_stale(
        pending=BackgroundJobStatus.PENDING, processing=BackgroundJobStatus.PROCESSING,
        lease_seconds=settings.POSEGEN_CLAIM_LEASE_SECONDS,
        pending_seconds=settings.POSEGEN_BACKGROUND_STALE_AFTER_SECONDS, now=timezone.now()))


def _requeue(*, job_id, attempts: int) -> bool:
    """Back to pending (attempt ``attempts + 1``), then a new message. A publish that fails leaves the row
    pending: the row is the outbox, and the next sweep tries again or, out of attempts, refunds it."""
    from posegen.tasks import background_change

    if not job_requeue(jobs=_stale_jobs().filter(pk=job_id, enqueue_attempts=attempts),
                       pending=BackgroundJobStatus.PENDING):
        return False
    try:
        job_enqueue(background_change, args=[str(job_id)], task_id=f"bg-{job_id}-{attempts + 1}")
    except Exception:
        logger.warning("could not queue stale background job %s again; the next sweep retries", job_id,
                       exc_info=True)
        return False
    return True


def _fail(*, job_id) -> bool:
    with transaction.atomic():
        token = job_claim(jobs=_stale_jobs().filter(pk=job_id), pending=BackgroundJobStatus.PENDING,
                          processing=BackgroundJobStatus.PROCESSING,
                          lease_seconds=settings.POSEGEN_CLAIM_LEASE_SECONDS)
        return token is not None and background_job_fail(job_id=job_id, token=token, reason=STALE_REASON)


def background_jobs_sweep_stale() -> dict[str, int]:
    """Queue stale background jobs again (a bounded number of times), then fail and refund them. Returns
    how many were queued again and how many failed."""
    requeued = failed = 0
    stale = _stale_jobs().order_by("enqueued_at").values_list("pk", "enqueue_attempts")[:SWEEP_BATCH]
    for job_id, attempts in stale:
        if attempts < settings.POSEGEN_BACKGROUND_MAX_ENQUEUE_ATTEMPTS:
            requeued += _requeue(job_id=job_id, attempts=attempts)
        else:
            failed += _fail(job_id=job_id)
    return {"requeued": requeued, "failed": failed}
