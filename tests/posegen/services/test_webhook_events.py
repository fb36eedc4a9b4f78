"""The products' webhook events (issue 17): a generation's images and its end, and a background change, reach
a user's signed endpoint with the same fields as the WebSocket events."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from lumiku.core.storage import storage_url
from lumiku.webhooks.models import WebhookDelivery
from lumiku.webhooks.services import webhook_delivery_attempt, webhook_endpoint_create
from posegen.models.generation import BackgroundJob
from posegen.services.backgrounds import background_job_run
from tests.factories import ProjectFactory, library_pose
from tests.lumiku.webhooks.receiver import receiver_start
from tests.posegen.api.test_background_api import completed_pose
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body, wait_for_terminal

ALL_EVENTS = ["generation.completed", "generation.failed", "pose.completed", "background.completed"]


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    server = receiver_start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def _events(received, secret: str) -> list[dict]:
    events = []
    for request in received:
        t, v1 = (part.split("=", 1)[1] for part in request.headers["Lumiku-Signature"].split(","))
        assert v1 == hmac.new(secret.encode(), f"{t}.".encode() + request.body, hashlib.sha256).hexdigest()
        events.append(json.loads(request.body))
    return events


@pytest.mark.django_db(transaction=True)
def test_a_generation_sends_pose_completed_then_generation_completed(auth_client, receiver, celery_worker, engine):
    engine("counting")
    user = auth_client.user
    endpoint = webhook_endpoint_create(user=user, url=receiver.url, events=ALL_EVENTS)
    fund(user, 500)
    project = ProjectFactory(user=user)
    response = auth_client.post(GENERATE_URL, gallery_body(project, [library_pose(name="W")], batchSize=2, seed=4),
                                format="json")
    assert response.status_code == 202, response.content
    generation = wait_for_terminal(response.json()["generationId"])
    events = _events(receiver.wait_for(3), endpoint.secret)
    assert sorted(e["type"] for e in events) == ["generation.completed", "pose.completed", "pose.completed"]
    assert len({e["id"] for e in events}) == 3
    final = next(e for e in events if e["type"] == "generation.completed")["data"]
    assert final == {"generationId": str(generation.pk), "status": "completed", "percentage": 100,
                     "posesCompleted": 2, "posesFailed": 0, "totalPosesExpected": 2, "creditCharged": 60,
                     "creditRefunded": 0}
    images = {str(p.pk): p for p in generation.poses.all()}
    for event in (e for e in events if e["type"] == "pose.completed"):
        pose = images[event["data"]["poseId"]]
        assert event["data"]["outputImageUrl"] == storage_url(pose.output_image.name)
        assert event["data"]["thumbnailUrl"] == storage_url(pose.thumbnail.name)
        assert event["data"]["generationId"] == str(generation.pk)


@pytest.mark.django_db(transaction=True)
def test_a_generation_with_no_image_sends_generation_failed(auth_client, receiver, celery_worker, engine):
    engine("odd-fail")
    user = auth_client.user
    endpoint = webhook_endpoint_create(user=user, url=receiver.url, events=["generation.failed", "pose.completed"])
    fund(user, 500)
    project = ProjectFactory(user=user)
    response = auth_client.post(GENERATE_URL, gallery_body(project, [library_pose(name="F")], batchSize=1, seed=7),
                                format="json")
    generation = wait_for_terminal(response.json()["generationId"])
    assert generation.status == "failed"
    [event] = _events(receiver.wait_for(1), endpoint.secret)
    assert event["type"] == "generation.failed"
    assert event["data"]["status"] == "failed"
    assert (event["data"]["creditCharged"], event["data"]["creditRefunded"]) == (30, 30)


@pytest.mark.django_db
def test_a_background_change_sends_background_completed(auth_client, receiver):
    user = auth_client.user
    endpoint = webhook_endpoint_create(user=user, url=receiver.url, events=["background.completed"])
    fund(user, 100)
    pose = completed_pose(user)
    response = auth_client.post(f"/api/apps/pose-generator/poses/{pose.pk}/background",
                                {"backgroundMode": "solid_color", "backgroundColor": "#ffffff"}, format="json")
    assert response.status_code == 202, response.content
    assert background_job_run(job_id=BackgroundJob.objects.get().pk) == "completed"
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert webhook_delivery_attempt(delivery_id=delivery.pk) == "succeeded"
    [event] = _events(receiver.requests, endpoint.secret)
    pose.refresh_from_db()
    assert event["type"] == "background.completed"
    assert event["data"] == {
        "poseId": str(pose.pk), "jobId": f"bg-{pose.pk}", "generationId": str(pose.generation_id),
        "outputImageUrl": storage_url(pose.output_image.name),
        "originalImageUrl": storage_url(pose.original_image.name),
        "thumbnailUrl": storage_url(pose.thumbnail.name), "backgroundPrompt": "Solid colour #FFFFFF"}
