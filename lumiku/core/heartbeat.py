"""Worker liveness: a worker bootstep that records a heartbeat row, and the reader used by health."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from celery import bootsteps
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

logger = logging.getLogger(__name__)


def heartbeat_record(*, hostname: str, queues: list[str], started_at) -> None:
    from lumiku.core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(
        hostname=hostname,
        defaults={"queues": sorted(queues), "started_at": started_at, "last_seen": timezone.now()},
    )


def heartbeat_remove(*, hostname: str) -> None:
    from lumiku.core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.filter(hostname=hostname).delete()


def workers_alive() -> list[dict]:
    from lumiku.core.models import WorkerHeartbeat

    cutoff = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_TTL)
    return [
        {"hostname": hb.hostname, "queues": hb.queues, "lastSeen": hb.last_seen.isoformat()}
        for hb in WorkerHeartbeat.objects.filter(last_seen__gte=cutoff)
    ]


def heartbeat_ages() -> dict[str, float]:
    """Seconds since each recorded worker's last heartbeat (stale ones included: that is the alert)."""
    from lumiku.core.models import WorkerHeartbeat

    now = timezone.now()
    return {hb.hostname: round((now - hb.last_seen).total_seconds(), 3) for hb in WorkerHeartbeat.objects.all()}


class WorkerHeartbeatStep(bootsteps.StartStopStep):
    """Runs a small thread beside the worker; independent of the pool and the transport."""

    def __init__(self, worker, **kwargs) -> None:
        super().__init__(worker, **kwargs)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, worker) -> None:
        hostname = worker.hostname
        queues = [q.name for q in worker.app.amqp.queues.consume_from.values()] if worker.app.amqp.queues else []
        started_at = timezone.now()
        self._stop.clear()

        def run() -> None:
            while True:
                try:
                    close_old_connections()
                    heartbeat_record(hostname=hostname, queues=queues, started_at=started_at)
                except Exception:
                    logger.warning("worker heartbeat failed", exc_info=True)
                if self._stop.wait(settings.WORKER_HEARTBEAT_INTERVAL):
                    break
            try:
                heartbeat_remove(hostname=hostname)
            except Exception:
                logger.warning("worker heartbeat removal failed", exc_info=True)
            finally:
                connection.close()

        self._thread = threading.Thread(target=run, name="worker-heartbeat", daemon=True)
        self._thread.start()

    def stop(self, worker) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # Warm shutdown calls stop(), a forced one terminate(); both must end the thread.
    terminate = stop
    shutdown = stop
