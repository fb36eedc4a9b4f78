"""Prometheus metrics of the platform: HTTP, Celery tasks, queue depth, worker heartbeats, credits, payments.
A product defines its own metrics beside its code (posegen/metrics.py, requests_community/metrics.py):
`/metrics` exposes every metric the process registered, and the scrape-time sources products register.

Web and worker processes are separate: with PROMETHEUS_MULTIPROC_DIR set (before the first import of
prometheus_client) every process writes its samples to files there and `/metrics` aggregates them
(prometheus_client's multiprocess mode; clear the directory when the service starts). Without it, each
process keeps its own registry and `/metrics` shows the web process only.

Queue depth and worker heartbeat age are read at scrape time (Redis LLEN, the heartbeat table), so they
are right whichever process answers the scrape.
"""

from __future__ import annotations

import logging
import os
import time

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.db import transaction
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY

from lumiku.core.queues import Queue

logger = logging.getLogger(__name__)
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
TASK_BUCKETS = (0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0)

HTTP_REQUESTS = Counter("lumiku_http_requests_total", "HTTP requests answered.", ["route", "method", "status"])
HTTP_LATENCY = Histogram("lumiku_http_request_duration_seconds", "HTTP request latency.", ["route", "method"],
                         buckets=_LATENCY_BUCKETS)
TASKS = Counter("lumiku_celery_tasks_total", "Celery task runs by outcome (success, failure, retry).",
                ["task", "outcome"])
TASK_DURATION = Histogram("lumiku_celery_task_duration_seconds", "Celery task run time.", ["task"],
                          buckets=TASK_BUCKETS)
CREDITS = Counter("lumiku_credits_total", "Credits moved, by ledger kind (charge, refund, grant, purchase, reversal).",
                  ["kind"])
# Spec 003 §11's "metrics to track" that the ones above do not cover.
PAYMENT_NOTIFICATIONS = Counter("lumiku_payment_notifications_total",
                                "Payment provider notifications answered, by provider and outcome (the order's status "
                                "after it, or the refusal's error code).", ["provider", "outcome"])
ORDERS = Counter("lumiku_orders_total", "Credit orders reaching a status (paid, expired, failed, refunded), on commit.",
                 ["status"])


def _after_commit(action) -> None:
    """Count what the transaction makes true only once it is committed (a rollback counts nothing)."""
    transaction.on_commit(action)


# Gauges read from the database at scrape time that belong to a product: the product registers a callable
# yielding prometheus_client metric families (in its AppConfig.ready), so the platform never imports it.
_SCRAPE_SOURCES: list = []


def metrics_scrape_source_register(source) -> None:
    if source not in _SCRAPE_SOURCES:
        _SCRAPE_SOURCES.append(source)


def payment_notification_observed(*, provider: str, outcome: str) -> None:
    PAYMENT_NOTIFICATIONS.labels(provider=provider, outcome=outcome).inc()


def order_status_changed(*, status: str) -> None:
    _after_commit(lambda: ORDERS.labels(status=str(status)).inc())


def credits_moved(*, kind: str, amount: int) -> None:
    _after_commit(lambda: CREDITS.labels(kind=str(kind)).inc(abs(amount)))


# --- HTTP -----------------------------------------------------------------------------------------
def _route(request) -> str:
    """The URL pattern, not the path: bounded label values whatever the ids in the URL."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return "/" + (match.route or match.view_name or "unknown").lstrip("^").rstrip("$")


class MetricsMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    @staticmethod
    def _record(request, status: int, started: float) -> None:
        route, method = _route(request), request.method
        HTTP_REQUESTS.labels(route=route, method=method, status=str(status)).inc()
        HTTP_LATENCY.labels(route=route, method=method).observe(time.perf_counter() - started)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        started = time.perf_counter()
        response = self.get_response(request)
        self._record(request, response.status_code, started)
        return response

    async def __acall__(self, request):
        started = time.perf_counter()
        response = await self.get_response(request)
        self._record(request, response.status_code, started)
        return response


# --- read at scrape time --------------------------------------------------------------------------
def queue_depths() -> dict[str, int] | None:
    """Messages waiting per Celery queue (Redis LLEN, priority sub-queues included); None when embedded."""
    from django.conf import settings

    if not settings.REDIS_URL:
        return None
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=1.5, socket_connect_timeout=1.5)
    try:
        pipe = client.pipeline(transaction=False)
        # kombu's Redis transport keeps priorities 3/6/9 in `<queue>\x06\x16<priority>` lists.
        for queue in Queue:
            for suffix in ("", "\x06\x163", "\x06\x166", "\x06\x169"):
                pipe.llen(queue.value + suffix)
        counts = pipe.execute()
    finally:
        client.close()
    return {queue.value: sum(counts[i * 4:(i + 1) * 4]) for i, queue in enumerate(Queue)}


class _ScrapeTimeCollector:
    def collect(self):
        depth = GaugeMetricFamily("lumiku_queue_depth", "Messages waiting in a Celery queue.", labels=["queue"])
        try:
            depths = queue_depths()
        except Exception:
            depths = None  # Redis down: no sample rather than a failed scrape (alert on absent())
        for queue, count in (depths or {}).items():
            depth.add_metric([queue], count)
        yield depth
        age = GaugeMetricFamily("lumiku_worker_heartbeat_age_seconds",
                                "Seconds since each Celery worker last wrote its heartbeat.", labels=["worker"])
        from lumiku.core.heartbeat import heartbeat_ages

        try:
            ages = heartbeat_ages()
        except Exception:
            ages = {}
        freshest: dict[str, float] = {}
        for label, seconds in ages.values():  # "<node name>/<pid>"; a clash keeps the freshest sample
            freshest[label] = min(seconds, freshest.get(label, seconds))
        for label, seconds in freshest.items():
            age.add_metric([label], seconds)
        yield age
        for source in _SCRAPE_SOURCES:
            try:
                families = list(source())
            except Exception:  # database down: no sample (the health check reports it)
                logger.warning("scrape-time metrics of %s unavailable", source.__name__, exc_info=True)
                continue
            yield from families


def metrics_exposition() -> bytes:
    """The text exposition: this process (or all of them in multiprocess mode) plus scrape-time values."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    scrape = CollectorRegistry()
    scrape.register(_ScrapeTimeCollector())
    return generate_latest(registry) + generate_latest(scrape)
