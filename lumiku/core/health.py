"""Health checks for the database, Redis, the Celery broker and live workers."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection

from lumiku.core.heartbeat import heartbeat_ages, workers_alive
from lumiku.core.metrics import queue_depths
from lumiku.core.queues import Queue


def _timed(check: Callable[[], dict]) -> dict:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as exc:  # a health check reports failures, it never raises them
        result = {"status": "fail", "detail": f"{type(exc).__name__}: {exc}"[:300]}
    result.setdefault("status", "ok")
    result["latencyMs"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": "ok", "vendor": connection.vendor}


def _check_redis() -> dict:
    if not settings.REDIS_URL:
        return {"status": "ok", "mode": "embedded", "detail": "REDIS_URL not set; in-process broker and layer"}
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1.5, socket_connect_timeout=1.5)
    try:
        client.ping()
    finally:
        client.close()
    return {"status": "ok", "mode": "redis"}


def _check_broker() -> dict:
    from lumiku.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=1.5)
        transport = conn.transport_cls
    return {"status": "ok", "transport": str(transport)}


def _check_workers() -> dict:
    alive = workers_alive()
    ages = heartbeat_ages()
    for worker in alive:
        worker["heartbeatAgeSeconds"] = ages[worker["id"]][1] if worker["id"] in ages else None
    # The freshest heartbeat of any worker: grows without bound when every worker is gone.
    newest = min(age for _, age in ages.values()) if ages else None
    if not alive:
        return {"status": "fail", "detail": "no live Celery worker", "workers": [], "heartbeatAgeSeconds": newest}
    served = {q for worker in alive for q in worker["queues"]}
    missing = sorted(q.value for q in Queue if q.value not in served)
    result = {"status": "ok", "workers": alive, "count": len(alive), "heartbeatAgeSeconds": newest}
    if missing:
        result.update(status="fail", detail=f"no worker consumes queue(s): {', '.join(missing)}")
    result["missingQueues"] = missing
    return result


def _check_queues() -> dict:
    """Messages waiting per queue; informative (alerts use the metric), never failing the check."""
    depths = queue_depths()
    if depths is None:
        return {"status": "ok", "mode": "embedded", "depth": None}
    return {"status": "ok", "depth": depths, "total": sum(depths.values())}


CHECKS: dict[str, Callable[[], dict]] = {
    "database": _check_database,
    "redis": _check_redis,
    "broker": _check_broker,
    "workers": _check_workers,
    "queues": _check_queues,
}


def health_report() -> tuple[bool, dict]:
    checks = {name: _timed(check) for name, check in CHECKS.items()}
    failing = [name for name, result in checks.items() if result["status"] != "ok"]
    return not failing, {"checks": checks, "failing": failing}
