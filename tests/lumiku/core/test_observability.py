"""Request ids, JSON logs and /metrics, measured through real requests and a real Celery worker."""

from __future__ import annotations

import io
import json
import logging

import pytest
from prometheus_client.parser import text_string_to_metric_families

from lumiku.core.logging import JsonFormatter
from tests.clients import api_client_for
from tests.factories import ProjectFactory, UserFactory, library_pose
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body, wait_for_terminal

TOKEN = "metrics-test-token-7f3a"


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


@pytest.mark.django_db
def test_metrics_need_the_token_or_a_staff_session(client, metrics_token):
    assert client.get("/metrics").status_code == 404
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer not-the-token")
    assert wrong.status_code == 401 and wrong["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 404
    client.force_login(UserFactory())
    assert client.get("/metrics").status_code == 404
    client.force_login(UserFactory(is_staff=True))
    staff = client.get("/metrics")
    assert staff.status_code == 200 and staff["Content-Type"].startswith("text/plain")
    client.logout()
    ok = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert ok.status_code == 200 and b"lumiku_http_requests_total" in ok.content


@pytest.mark.django_db
def test_an_empty_token_setting_never_opens_metrics(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer x").status_code == 401


@pytest.mark.django_db
def test_http_counters_move_by_exactly_the_requests_made(client, auth_client, metrics_token):
    route = "/api/apps/pose-generator/projects/<uuid:project_id>"
    project = ProjectFactory(user=auth_client.user)
    before = scrape(client)
    for _ in range(3):
        assert auth_client.get(f"/api/apps/pose-generator/projects/{project.pk}").status_code == 200
    other = ProjectFactory()
    assert auth_client.get(f"/api/apps/pose-generator/projects/{other.pk}").status_code == 404
    assert auth_client.get("/no/such/page").status_code == 404
    after = scrape(client)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("lumiku_http_requests_total", route=route, method="GET", status="200") == 3
    assert delta("lumiku_http_requests_total", route=route, method="GET", status="404") == 1
    assert delta("lumiku_http_requests_total", route="unmatched", method="GET", status="404") == 1
    assert delta("lumiku_http_request_duration_seconds_count", route=route, method="GET") == 4
    # the first scrape itself is counted too, exactly once
    assert delta("lumiku_http_requests_total", route="/metrics", method="GET", status="200") == 1


@pytest.mark.django_db(transaction=True)
def test_a_real_generation_moves_task_generation_credit_and_engine_metrics(client, celery_worker, engine,
                                                                           metrics_token):
    engine("counting")
    user = UserFactory()
    fund(user, 100)
    project = ProjectFactory(user=user)
    poses = [library_pose(), library_pose()]
    before = scrape(client)
    response = api_client_for(user).post(GENERATE_URL, gallery_body(project, poses), format="json")
    assert response.status_code == 202, response.content
    generation = wait_for_terminal(response.json()["generationId"])
    assert generation.status == "completed"
    charged = response.json()["creditCharged"]
    after = scrape(client)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("lumiku_generations_finished_total", status="completed") == 1
    assert delta("lumiku_generations_finished_total", status="failed") == 0
    assert delta("lumiku_credits_total", kind="charge") == charged > 0
    assert delta("lumiku_credits_total", kind="refund") == 0
    assert delta("lumiku_celery_tasks_total", task="posegen.tasks.generation_run", outcome="success") == 1
    assert delta("lumiku_celery_tasks_total", task="posegen.tasks.pose_generate", outcome="success") == 2
    assert delta("lumiku_celery_task_duration_seconds_count", task="posegen.tasks.pose_generate") == 2
    assert delta("lumiku_engine_duration_seconds_count", engine="counting") == 2


@pytest.mark.django_db
def test_queue_depth_is_read_from_redis_at_scrape_time(client, metrics_token, settings):
    if not settings.REDIS_URL:
        pytest.skip("queue depth needs the Redis broker (REDIS_URL)")
    import redis

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("export")
    broker.rpush("export", "a", "b", "c")
    try:
        samples = scrape(client)
    finally:
        broker.delete("export")
        broker.close()
    assert value(samples, "lumiku_queue_depth", queue="export") == 3


@pytest.fixture
def json_log():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


@pytest.mark.django_db
def test_request_id_is_echoed_and_every_log_line_is_json_with_it(auth_client, json_log):
    response = auth_client.get("/api/apps/pose-generator/projects/00000000-0000-0000-0000-000000000000",
                               HTTP_X_REQUEST_ID="trace-abc.123:xyz")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "trace-abc.123:xyz"
    lines = json_log.getvalue().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["request_id"] == "trace-abc.123:xyz"
    assert entry["user_id"] == str(auth_client.user.pk)
    assert entry["level"] == "WARNING" and entry["logger"] == "django.request"
    assert entry["message"] == "Not Found: /api/apps/pose-generator/projects/00000000-0000-0000-0000-000000000000"
    assert set(entry) >= {"time", "level", "logger", "message", "request_id", "user_id"}


@pytest.mark.django_db
@pytest.mark.parametrize("incoming", ["", "short", "has space in it", "x" * 129, 'quote"inject\nnewline'])
def test_an_insane_incoming_request_id_is_replaced(client, incoming):
    response = client.get("/api/apps/pose-generator/health", HTTP_X_REQUEST_ID=incoming)
    made = response["X-Request-ID"]
    assert made != incoming and len(made) == 32 and all(c in "0123456789abcdef" for c in made)


@pytest.mark.django_db
def test_pending_pose_requests_are_counted_at_scrape_time(client, metrics_token):
    from requests_community.models import PoseRequest
    from requests_community.services.requests import pose_request_create

    for name in ("Coffee by the window", "Holding a parcel", "Sitting on a scooter"):
        pose_request_create(user=UserFactory(), pose_name=name, description="A pose our shop needs.")
    PoseRequest.objects.filter(pose_name="Holding a parcel").update(status="approved")

    assert value(scrape(client), "lumiku_pose_requests_pending") == 2


@pytest.mark.django_db(transaction=True)
def test_background_job_outcomes_are_counted_once_committed(client, metrics_token):
    from posegen.models.generation import BackgroundJob
    from posegen.services.backgrounds import background_job_fail
    from tests.posegen.api.test_background_api import completed_pose

    user = UserFactory()
    fund(user, 20)
    pose = completed_pose(user)
    before = scrape(client)
    job = BackgroundJob.objects.create(user=user, pose=pose, mode="solid_color", color="#FFFFFF",
                                       credit_charged=0, status="pending")

    assert background_job_fail(job_id=job.pk, token=None, reason="test: engine refused") is True
    assert background_job_fail(job_id=job.pk, token=None, reason="again") is False  # already final

    after = scrape(client)
    assert value(after, "lumiku_background_jobs_finished_total", status="failed") - value(
        before, "lumiku_background_jobs_finished_total", status="failed") == 1
    assert value(after, "lumiku_background_jobs_finished_total", status="completed") == value(
        before, "lumiku_background_jobs_finished_total", status="completed")
