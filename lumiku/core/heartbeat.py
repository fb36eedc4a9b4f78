"""Worker liveness: a worker bootstep that records a heartbeat row, and the reader used by health."""

from __future__ import annotations

import logging
import os
import threading
import uuid
from datetime import timedelta

from celery import bootsteps
from celery.signals import worker_shutting_down
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

logger = logging.getLogger(__name__)


# A row whose process died without removing it (SIGKILL, lost machine) stays visible to health and the
# age metric for this long, then the next worker to start forgets it.
FORGET_AFTER = timedelta(days=1)


def heartbeat_record(*, worker_id: str, hostname: str, pid: int, queues: list[str], started_at) -> None:
    from lumiku.core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(
        id=worker_id,
        defaults={"hostname": hostname, "pid": pid, "queues": sorted(queues), "started_at": started_at,
                  "last_seen": timezone.now()},
    )


def heartbeat_remove(*, worker_id: str) -> None:
    from lumiku.core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.filter(id=worker_id).delete()


def heartbeat_forget_dead() -> int:
    from lumiku.core.models import WorkerHeartbeat

    deleted, _ = WorkerHeartbeat.objects.filter(last_seen__lt=timezone.now() - FORGET_AFTER).delete()
    return deleted


def workers_alive() -> list[dict]:
    from lumiku.core.models import WorkerHeartbeat

    cutoff = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_TTL)
    return [
        {"id": hb.id, "hostname": hb.hostname, "pid": hb.pid, "queues": hb.queues,
         "lastSeen": hb.last_seen.isoformat()}
        for hb in WorkerHeartbeat.objects.filter(last_seen__gte=cutoff)
    ]


def heartbeat_ages() -> dict[str, tuple[str, float]]:
    """Worker id → (a readable label, seconds since its last heartbeat), stale ones included: that is
    the alert."""
    from lumiku.core.models import WorkerHeartbeat

    now = timezone.now()
    return {hb.id: (f"{hb.hostname}/{hb.pid}", round((now - hb.last_seen).total_seconds(), 3))
            for hb in WorkerHeartbeat.objects.all()}


class WorkerHeartbeatStep(bootsteps.StartStopStep):
    """Runs a small thread beside the worker; independent of the pool and the transport."""

    def __init__(self, worker, **kwargs) -> None:
        super().__init__(worker, **kwargs)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, worker) -> None:
        hostname = worker.hostname
        # Per process: the node name alone is not unique (two `celery@host` from one Procfile).
        worker_id = uuid.uuid4().hex
        pid = os.getpid()
        queues = [q.name for q in worker.app.amqp.queues.consume_from.values()] if worker.app.amqp.queues else []
        started_at = timezone.now()
        self._stop.clear()

        def run() -> None:
            try:
                heartbeat_forget_dead()
            except Exception:
                logger.warning("forgetting dead workers' heartbeats failed", exc_info=True)
            while True:
                try:
                    close_old_connections()
                    heartbeat_record(worker_id=worker_id, hostname=hostname, pid=pid, queues=queues,
                                     started_at=started_at)
                except Exception:
                    logger.warning("worker heartbeat failed", exc_info=True)
                if self._stop.wait(settings.WORKER_HEARTBEAT_INTERVAL):
                    break
            try:
                heartbeat_remove(worker_id=worker_id)
            except Exception:
                logger.warning("worker heartbeat removal failed", exc_info=True)
            finally:
                connection.close()

        self._thread = threading.Thread(target=run, name="worker-heartbeat", daemon=True)
        self._thread.start()
        # A warm shutdown stops consuming at once but may take a while to finish (the pool, running tasks):
        # the worker leaves the heartbeat table as the shutdown begins, so health names its queues at once.
        worker_shutting_down.connect(self._on_shutting_down, weak=False)

    def _on_shutting_down(self, sender=None, **kwargs) -> None:
        self._stop.set()

    def stop(self, worker) -> None:
        self._stop.set()
        worker_shutting_down.disconnect(self._on_shutting_down)
        if self._thread is not None:
            self._thread.join(timeout=5)

    # Warm shutdown calls stop(), a forced one terminate(); both must end the thread.
    terminate = stop
    shutdown = stop
