"""The pose generator's jobs: image size, retries, stale-job sweeps, claims, and how long finished
background jobs are kept (the engines themselves: engines.py; the sweeps' intervals: celery.py)."""

from __future__ import annotations

from .celery import CELERY_TASK_TIME_LIMIT
from .environment import env

POSEGEN_OUTPUT_WIDTH = env.int("POSEGEN_OUTPUT_WIDTH", default=1024)
POSEGEN_OUTPUT_HEIGHT = env.int("POSEGEN_OUTPUT_HEIGHT", default=1536)
POSEGEN_ENGINE_MAX_ATTEMPTS = env.int("POSEGEN_ENGINE_MAX_ATTEMPTS", default=3)  # per image, transient errors
POSEGEN_RETRY_BACKOFF_SECONDS = env.float("POSEGEN_RETRY_BACKOFF_SECONDS", default=2.0)
POSEGEN_STALE_AFTER_SECONDS = env.int("POSEGEN_STALE_AFTER_SECONDS", default=600)  # no progress for this long
POSEGEN_MAX_ENQUEUE_ATTEMPTS = env.int("POSEGEN_MAX_ENQUEUE_ATTEMPTS", default=3)  # then fail and refund
# A claimed image whose worker vanished may be taken over after this (above the task hard limit).
POSEGEN_CLAIM_LEASE_SECONDS = env.int("POSEGEN_CLAIM_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 60)
POSEGEN_ESTIMATED_SECONDS_PER_IMAGE = env.float("POSEGEN_ESTIMATED_SECONDS_PER_IMAGE", default=1.5)

# Background changer and exports (issue 7)
POSEGEN_BACKGROUND_MAX_ATTEMPTS = env.int("POSEGEN_BACKGROUND_MAX_ATTEMPTS", default=3)  # transient errors
# The stale sweep (posegen.services.background_sweep): a job no worker claimed this long after its last message,
# or whose claim outlived POSEGEN_CLAIM_LEASE_SECONDS, is queued again until it has had this many messages
# (the start's included); then it fails and is refunded.
POSEGEN_BACKGROUND_STALE_AFTER_SECONDS = env.int("POSEGEN_BACKGROUND_STALE_AFTER_SECONDS", default=600)
POSEGEN_BACKGROUND_MAX_ENQUEUE_ATTEMPTS = env.int("POSEGEN_BACKGROUND_MAX_ENQUEUE_ATTEMPTS", default=3)
# Finished jobs are purged by beat after this long (spec 003 §4; the issue asks 7 days for both).
POSEGEN_BACKGROUND_JOB_KEEP_COMPLETED_HOURS = env.float("POSEGEN_BACKGROUND_JOB_KEEP_COMPLETED_HOURS", default=7 * 24)
POSEGEN_BACKGROUND_JOB_KEEP_FAILED_HOURS = env.float("POSEGEN_BACKGROUND_JOB_KEEP_FAILED_HOURS", default=7 * 24)
