import time

import pytest
from django.conf import settings

from lumiku.core.models import WorkerHeartbeat

URL = "/api/apps/pose-generator/health"


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

    WorkerHeartbeat.objects.create(hostname="w1", queues=["default", "export"], started_at=timezone.now(),
                                   last_seen=timezone.now())
    body = api_client.get(URL).json()
    assert body["failing"] == ["workers"]
    assert body["checks"]["workers"]["missingQueues"] == ["engine"]


@pytest.mark.django_db
def test_stale_heartbeats_do_not_count(api_client):
    from datetime import timedelta

    from django.utils import timezone

    old = timezone.now() - timedelta(minutes=5)
    WorkerHeartbeat.objects.create(hostname="dead", queues=["default", "engine", "export"], started_at=old,
                                   last_seen=old)
    assert api_client.get(URL).json()["failing"] == ["workers"]


@pytest.mark.django_db
def test_health_reports_unreachable_redis(api_client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    body = api_client.get(URL).json()
    assert body["checks"]["redis"]["status"] == "fail"
    assert "redis" in body["failing"]
