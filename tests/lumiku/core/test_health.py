import os
import time

import pytest
from django.conf import settings

from lumiku.core.models import WorkerHeartbeat

URL = "/api/apps/pose-generator/health"


@pytest.fixture
def api_client(settings):
    """The operators' view (anonymous callers get the status only): the METRICS_TOKEN bearer."""
    from rest_framework.test import APIClient

    settings.METRICS_TOKEN = "health-test-token"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer health-test-token")
    return client


@pytest.mark.django_db(transaction=True)
def test_health_is_green_with_a_live_worker(api_client, celery_worker):
    deadline = time.monotonic() + 10
    while not WorkerHeartbeat.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    response = api_client.get(URL)
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["app"] == "pose-generator"
    assert body["version"] == "1.0.0"
    assert set(body["checks"]) == {"database", "redis", "broker", "workers", "queues"}
    age = body["checks"]["workers"]["heartbeatAgeSeconds"]
    assert 0 <= age <= 5.0  # test settings: heartbeat every 0.5 s, TTL 5 s
    assert body["checks"]["workers"]["workers"][0]["heartbeatAgeSeconds"] == age
    expected_depth = {"default": 0, "engine": 0, "export": 0} if settings.REDIS_URL else None
    assert body["checks"]["queues"]["depth"] == expected_depth  # an idle worker leaves nothing waiting
    assert all(check["status"] == "ok" for check in body["checks"].values())
    assert body["failing"] == []
    assert body["checks"]["workers"]["count"] == 1
    assert sorted(body["checks"]["workers"]["workers"][0]["queues"]) == ["default", "engine", "export"]
    assert body["checks"]["workers"]["workers"][0]["pid"] == os.getpid()  # the in-process test worker
    assert "library" in body["endpoints"]


@pytest.mark.django_db
def test_health_names_missing_workers_with_503(api_client):
    response = api_client.get(URL)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["failing"] == ["workers"]
    assert body["checks"]["database"]["status"] == "ok"


@pytest.mark.django_db
def test_health_fails_when_no_worker_serves_the_engine_queue(api_client):
    from django.utils import timezone

    WorkerHeartbeat.objects.create(id="w1-1", hostname="w1", pid=1, queues=["default", "export"],
                                   started_at=timezone.now(), last_seen=timezone.now())
    body = api_client.get(URL).json()
    assert body["failing"] == ["workers"]
    assert body["checks"]["workers"]["missingQueues"] == ["engine"]


@pytest.mark.django_db
def test_stale_heartbeats_do_not_count(api_client):
    from datetime import timedelta

    from django.utils import timezone

    old = timezone.now() - timedelta(minutes=5)
    WorkerHeartbeat.objects.create(id="dead-1", hostname="dead", pid=1, queues=["default", "engine", "export"],
                                   started_at=old, last_seen=old)
    assert api_client.get(URL).json()["failing"] == ["workers"]


@pytest.mark.django_db
def test_health_reports_unreachable_redis(api_client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    body = api_client.get(URL).json()
    assert body["checks"]["redis"]["status"] == "fail"
    assert "redis" in body["failing"]


def _beat(worker_id: str, *, hostname: str, queues: list[str], age: float = 0.0) -> None:
    from datetime import timedelta

    from django.utils import timezone

    seen = timezone.now() - timedelta(seconds=age)
    WorkerHeartbeat.objects.create(id=worker_id, hostname=hostname, pid=100 + len(worker_id), queues=queues,
                                   started_at=seen, last_seen=seen)


@pytest.mark.django_db
def test_two_workers_with_the_same_name_are_both_seen(api_client):
    """The Procfile once started `worker` and `engine` both as celery@host: one row per process keeps them
    apart, so neither hides the other's queues."""
    from django.utils import timezone

    from lumiku.core.heartbeat import heartbeat_record

    heartbeat_record(worker_id="a", hostname="celery@box", pid=11, queues=["export", "default"],
                     started_at=timezone.now())
    heartbeat_record(worker_id="b", hostname="celery@box", pid=12, queues=["engine"], started_at=timezone.now())
    heartbeat_record(worker_id="a", hostname="celery@box", pid=11, queues=["export", "default"],
                     started_at=timezone.now())  # a later beat updates its own row only
    assert WorkerHeartbeat.objects.count() == 2
    response = api_client.get(URL)
    workers = response.json()["checks"]["workers"]
    assert response.status_code == 200, workers
    assert workers["count"] == 2
    assert sorted((w["hostname"], w["pid"], tuple(w["queues"])) for w in workers["workers"]) == [
        ("celery@box", 11, ("default", "export")), ("celery@box", 12, ("engine",))]


@pytest.mark.django_db
def test_a_dead_worker_of_the_same_name_cannot_hide_its_queue(api_client):
    _beat("live", hostname="celery@box", queues=["default", "export"])
    _beat("dead", hostname="celery@box", queues=["engine"], age=60)  # older than the TTL (5 s in tests)
    response = api_client.get(URL)
    assert response.status_code == 503
    assert response.json()["checks"]["workers"]["missingQueues"] == ["engine"]
    assert response.json()["checks"]["workers"]["detail"] == "no worker consumes queue(s): engine"


@pytest.mark.django_db
def test_rows_of_workers_dead_for_a_day_are_forgotten():
    from lumiku.core.heartbeat import heartbeat_forget_dead

    _beat("recent", hostname="w@a", queues=["default"], age=3600)
    _beat("ancient", hostname="w@a", queues=["default"], age=86400 + 60)
    assert heartbeat_forget_dead() == 1
    assert list(WorkerHeartbeat.objects.values_list("id", flat=True)) == ["recent"]
