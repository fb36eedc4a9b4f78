"""Page actions share the API's rate limits (same scopes, same counters): over the limit, the page says so
in place with 429, and nothing is created or charged."""

from __future__ import annotations

import uuid

import pytest

from lumiku.credits.selectors import credits_balance
from posegen.models import PoseGeneration
from posegen.models.generation import BackgroundJob
from requests_community.models import PoseRequest, PoseRequestVote
from requests_community.services.requests import pose_request_create
from tests.factories import ProjectFactory, UserFactory, library_pose
from tests.posegen.api.test_background_api import completed_pose
from tests.posegen.pages.helpers import signed_in
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    def set_limit(scope: str, rate: str) -> None:
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, scope: rate}

    return set_limit


@pytest.fixture
def web(client, user):
    return signed_in(client, user)


def _wizard_body(pose) -> dict:
    return {"generation_type": "GALLERY_REFERENCE", "pose_ids": [str(pose.pk)], "batch_size": 1,
            "variation_count": 4, "background": "none", "idempotency_key": str(uuid.uuid4())}


def test_wizard_submits_count_against_the_generate_limit_shared_with_the_api(web, limits, auth_client, user):
    limits("generate", "2/minute")
    fund(user, 1000)
    project = ProjectFactory(user=user)
    pose = library_pose()
    assert web.post(f"/projects/{project.pk}/generate/", _wizard_body(pose)).status_code == 302
    assert auth_client.post(GENERATE_URL, gallery_body(project, [pose]), format="json").status_code == 202
    balance = credits_balance(user_id=user.pk)

    refused = web.post(f"/projects/{project.pk}/generate/", _wizard_body(pose))

    assert refused.status_code == 429
    assert 'data-code="RATE_LIMITED"' in refused.content.decode()
    assert "Request was throttled. Expected available in" in refused.content.decode()
    assert PoseGeneration.objects.count() == 2 and credits_balance(user_id=user.pk) == balance


def test_background_changes_from_the_page_are_rate_limited(web, limits, user):
    limits("background_change", "1/minute")
    fund(user, 100)
    pose = completed_pose(user)
    body = {"scope": "pose", "pose": str(pose.pk), "mode": "solid_color", "color": "#FFFFFF"}
    assert web.post(f"/generations/{pose.generation_id}/background/", body).status_code == 302
    assert credits_balance(user_id=user.pk) == 90

    refused = web.post(f"/generations/{pose.generation_id}/background/", body)

    assert refused.status_code == 200 and "Request was throttled" in refused.content.decode()
    assert BackgroundJob.objects.count() == 1 and credits_balance(user_id=user.pk) == 90


def test_request_submissions_and_votes_from_the_pages_are_rate_limited(web, limits, user):
    limits("pose_request_create", "1/hour")
    limits("vote", "1/minute")
    body = {"pose_name": "Sitting on a scooter", "description": "Side view, one hand on the handlebar."}
    assert web.post("/pose-requests/new/", body).status_code == 302
    refused = web.post("/pose-requests/new/", {**body, "pose_name": "Holding a parcel"})
    assert "Request was throttled" in refused.content.decode()
    assert PoseRequest.objects.filter(user=user).count() == 1

    theirs = pose_request_create(user=UserFactory(), pose_name="Coffee by the window",
                                 description="Seated, both hands on a cup.").request
    web.post(f"/pose-requests/{theirs.pk}/vote/")
    assert PoseRequestVote.objects.filter(request=theirs, user=user).count() == 1
    web.post(f"/pose-requests/{theirs.pk}/vote/")  # would take the vote back, but is refused
    assert PoseRequestVote.objects.filter(request=theirs, user=user).count() == 1
    theirs.refresh_from_db()
    assert theirs.votes_count == 1
