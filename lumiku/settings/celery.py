"""Celery: broker, limits, queues and the beat schedule, each set once here.

Queues are named by `lumiku.core.queues.Queue` (the one list; GPU machines subscribe only to ENGINE).
Every periodic task of every app is in the one CELERY_BEAT_SCHEDULE below, with the environment variable
that sets its interval.
"""

from __future__ import annotations

from lumiku.core.queues import Queue

from .connections import REDIS_URL
from .environment import env

CELERY_BROKER_URL = REDIS_URL or "memory://"  # no Redis: an in-process broker (the embedded run)
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_DEFAULT_QUEUE = Queue.DEFAULT.value
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Hard limits stay below the visibility timeout so a task is never re-delivered while still running.
CELERY_BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=3600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=600)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=900)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
    if REDIS_URL
    else {"polling_interval": 0.1}
)
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=3.0)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # workers log through LOGGING (JSON in production) like the web
WORKER_HEARTBEAT_INTERVAL = env.float("WORKER_HEARTBEAT_INTERVAL", default=10.0)
WORKER_HEARTBEAT_TTL = env.float("WORKER_HEARTBEAT_TTL", default=35.0)

# Every task names its queue on its decorator (queue_name=Queue.X, lumiku.core.queues); this router reads
# it, for apply_async and for a task sent by name alike. No task name is spelled here.
CELERY_TASK_ROUTES = ["lumiku.core.queues.queue_route"]

CELERY_BEAT_SCHEDULE = {
    "posegen-sweep-stale-generations": {
        "task": "posegen.tasks.generation_sweep_stale",
        "schedule": env.float("POSEGEN_SWEEP_INTERVAL_SECONDS", default=60.0),
    },
    "accounts-purge-refresh-families": {
        "task": "lumiku.accounts.tasks.refresh_families_purge",
        "schedule": 24 * 3600.0,
    },
    # Orders still pending after PAYMENT_PENDING_EXPIRE_HOURS are asked about once more (billing.py).
    "billing-sweep-pending-orders": {
        "task": "lumiku.billing.tasks.orders_sweep_pending",
        "schedule": env.float("PAYMENT_SWEEP_INTERVAL_SECONDS", default=900.0),
    },
    "webhooks-deliveries-sweep": {
        "task": "lumiku.webhooks.tasks.webhook_deliveries_sweep",
        "schedule": env.float("WEBHOOK_SWEEP_INTERVAL_SECONDS", default=15.0),
    },
    # Background jobs whose worker or message was lost: queued again, then failed and refunded (pose_generator.py).
    "posegen-sweep-stale-background-jobs": {
        "task": "posegen.tasks.background_jobs_sweep_stale",
        "schedule": env.float("POSEGEN_BACKGROUND_SWEEP_INTERVAL_SECONDS", default=60.0),
    },
    # Finished background jobs older than POSEGEN_BACKGROUND_JOB_KEEP_*_HOURS (pose_generator.py).
    "posegen-purge-background-jobs": {
        "task": "posegen.tasks.background_jobs_purge",
        "schedule": env.float("POSEGEN_BACKGROUND_PURGE_INTERVAL_SECONDS", default=3600.0),
    },
}
