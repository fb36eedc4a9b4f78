"""Anonymous /health says ok or error and nothing else; operators see the checks (issue 18 §9)."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from lumiku.accounts.tokens import token_pair_issue
from lumiku.core.models import WorkerHeartbeat
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/apps/pose-generator/health"


@pytest.fixture
def live_worker():
    WorkerHeartbeat.objects.create(id="gpu-7-1", hostname="engine@gpu-host-7", pid=4242,
                                   queues=["default", "engine", "export"], started_at=timezone.now(),
                                   last_seen=timezone.now())


def test_anonymous_health_is_the_status_only(live_worker):
    response = APIClient().get(URL)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert b"gpu-host-7" not in response.content


def test_anonymous_health_failing_is_503_with_the_status_only():
    response = APIClient().get(URL)
    assert response.status_code == 503
    assert response.json() == {"status": "error"}


@pytest.mark.parametrize("credentials", ["garbage-token", "wrong-metrics-token"])
def test_a_bad_bearer_gets_the_anonymous_answer(live_worker, settings, credentials):
    settings.METRICS_TOKEN = "the-real-one"
    response = APIClient().get(URL, HTTP_AUTHORIZATION=f"Bearer {credentials}")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_a_plain_user_gets_the_anonymous_answer(live_worker, client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(URL).json() == {"status": "ok"}
    bearer = str(token_pair_issue(user=user).access_token)
    assert APIClient().get(URL, HTTP_AUTHORIZATION=f"Bearer {bearer}").json() == {"status": "ok"}


def _details(response) -> set[str]:
    assert response.status_code == 200
    assert b"engine@gpu-host-7" in response.content
    return set(response.json())


def test_operators_see_the_details(live_worker, client, settings):
    settings.METRICS_TOKEN = "the-real-one"
    expected = {"status", "app", "version", "checks", "failing", "endpoints"}
    assert _details(APIClient().get(URL, HTTP_AUTHORIZATION="Bearer the-real-one")) == expected
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert _details(client.get(URL)) == expected
    bearer = str(token_pair_issue(user=staff).access_token)
    assert _details(APIClient().get(URL, HTTP_AUTHORIZATION=f"Bearer {bearer}")) == expected
