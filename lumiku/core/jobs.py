"""One lifecycle for work a worker does on one row (a product's image to generate, a background to change).

- **Claim with a token.** A conditional UPDATE takes a job that is pending, or processing whose lease has
  run out (its worker died), and stamps a fresh token. Only the holder of that token may complete, fail
  or release the job, so a re-delivered task (acks_late) or a swept one that lost the race changes
  nothing: its run comes to ``Outcome.SKIPPED``.
- **Outcome.** What one run came to. ``RETRY`` means the service put the job back to pending
  (:func:`job_release`); :class:`JobTask` turns it into a Celery retry with a doubling backoff. The
  attempt limit stays the service's, which knows which errors are worth another try.
- **Enqueue with a retry policy.** Publishing retries a broker blip briefly; a failure that outlasts it
  is raised for the caller, which knows whether the row is an outbox (swept later) or must be refunded.
- **Store the image and its thumbnail** under the user's storage prefix.

- **Sweep what was lost.** :func:`job_stale` names the jobs whose worker died (lease lapsed) or whose message
  was lost (pending, unclaimed for a while); a product's beat sweep puts them back (:func:`job_requeue`) a
  bounded number of times, then claims and fails them (the claim's token makes the failure its own).

The job's model needs ``status``, ``claim_token``, ``claimed_at`` and ``attempts`` columns (a swept one also
``enqueued_at`` and ``enqueue_attempts``); which values mean pending and processing is the product's (passed
in), as is the lease (a product setting).
"""

from __future__ import annotations

import io
import uuid
from datetime import datetime, timedelta
from enum import StrEnum

from celery import Task
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from PIL import Image

from lumiku.core.storage import storage_save, user_storage_key

THUMBNAIL_WIDTH = 384
# Two quick retries (0 s, then 0.5 s) on a broker connection error before the publish is given up.
ENQUEUE_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}


class Outcome(StrEnum):
    COMPLETED = "completed"
    FAILED = "failed"
    RETRY = "retry"
    SKIPPED = "skipped"


def job_lease_lapsed(*, processing: str, lease_seconds: float, now: datetime) -> Q:
    """Processing jobs whose claim is older than the lease: their worker died (the lease sits above the
    task's hard time limit, so a live worker never holds a claim that long)."""
    return Q(status=processing, claimed_at__lt=now - timedelta(seconds=lease_seconds))


def job_claimable(*, pending: str, processing: str, lease_seconds: float, now: datetime) -> Q:
    """Jobs a worker may take now: pending ones, and processing ones whose claim is older than the lease."""
    return Q(status=pending) | job_lease_lapsed(processing=processing, lease_seconds=lease_seconds, now=now)


def job_stale(*, pending: str, processing: str, lease_seconds: float, pending_seconds: float, now: datetime) -> Q:
    """Jobs a stale sweep acts on, a subset of the claimable ones: processing ones whose lease lapsed, and
    pending ones nobody claimed for ``pending_seconds`` since they were last queued (``enqueued_at``) or
    handed back (the released claim's ``claimed_at``): their message was lost. A job waiting out a retry's
    backoff or a short queue is fresh, so the sweep leaves it alone."""
    waited = now - timedelta(seconds=pending_seconds)
    unclaimed = Q(status=pending, enqueued_at__lt=waited) & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=waited))
    return unclaimed | job_lease_lapsed(processing=processing, lease_seconds=lease_seconds, now=now)


def job_claim(*, jobs: QuerySet, pending: str, processing: str, lease_seconds: float) -> uuid.UUID | None:
    """Claim the job in ``jobs`` (one row, filtered by the caller) if it is claimable; its token, else None."""
    token = uuid.uuid4()
    now = timezone.now()
    claimed = jobs.filter(job_claimable(pending=pending, processing=processing, lease_seconds=lease_seconds,
                                        now=now)).update(status=processing, claim_token=token, claimed_at=now,
                                                         attempts=F("attempts") + 1)
    return token if claimed else None


def job_release(*, jobs: QuerySet, token: uuid.UUID, pending: str) -> int:
    """Hand a claimed job back for a later attempt (only while ``token`` still holds it)."""
    return jobs.filter(claim_token=token).update(status=pending, claim_token=None)


def job_requeue(*, jobs: QuerySet, pending: str) -> int:
    """Put a stale job (``jobs``: one row, filtered by the caller with :func:`job_stale`) back to pending
    before a new message is published, counting the attempt. The conditional UPDATE waits for a worker
    holding the row and then re-reads it, so a job that finished meanwhile is left alone; the old token
    stops counting, so a worker that still held it completes nothing. Returns the rows moved (0 or 1)."""
    return jobs.update(status=pending, claim_token=None, enqueued_at=timezone.now(),
                       enqueue_attempts=F("enqueue_attempts") + 1)


def job_relaxed_durability() -> None:
    """Inside a transaction that moves no money (a claim, a completion mark): let PostgreSQL skip the
    commit's fsync wait. A crash can lose only the last few such commits; the job is then claimed again
    after its lease, and the ledger's idempotency keys keep any money moved once."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def job_enqueue(task, *, args: list, task_id: str | None = None) -> None:
    """Publish ``task`` on the queue its decorator names, retrying a broker blip; raises if that fails."""
    task.apply_async(args=args, task_id=task_id, retry=True, retry_policy=ENQUEUE_RETRY_POLICY)


def job_thumbnail_store(*, user_id, kind: str, image: Image.Image) -> str:
    """A JPEG at most THUMBNAIL_WIDTH wide (and twice that high) of ``image``; its stored name."""
    thumb = image.copy()
    thumb.thumbnail((THUMBNAIL_WIDTH, THUMBNAIL_WIDTH * 2), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    thumb.convert("RGB").save(buf, "JPEG", quality=85, optimize=True)
    return storage_save(key=user_storage_key(user_id=user_id, kind=kind, extension="JPEG"), content=buf.getvalue())


def job_image_store(*, user_id, kind: str, image: Image.Image) -> tuple[str, str]:
    """The result as a PNG and its thumbnail; their stored names (output, thumbnail)."""
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=3)
    output = storage_save(key=user_storage_key(user_id=user_id, kind=kind, extension="PNG"), content=out.getvalue())
    return output, job_thumbnail_store(user_id=user_id, kind=kind, image=image)


class JobTask(Task):
    """The base of a task whose body runs one claimed job and returns its :class:`Outcome` (Saleor's
    csv/tasks.py: the base task, not each task, owns what happens to the job after the body).

    ``RETRY`` becomes a Celery retry after ``retry_backoff_seconds() * 2 ** retries``; every other outcome is
    the task's result (its value). The body reads its attempt number from :attr:`attempt`.
    """

    max_retries = None  # the service stops retrying (its attempt limit); Celery never gives up first

    def retry_backoff_seconds(self) -> float:
        raise NotImplementedError

    @property
    def attempt(self) -> int:
        return self.request.retries + 1

    def __call__(self, *args, **kwargs):
        outcome = Outcome(super().__call__(*args, **kwargs))
        if outcome == Outcome.RETRY:
            raise self.retry(countdown=self.retry_backoff_seconds() * (2 ** self.request.retries))
        return outcome.value
