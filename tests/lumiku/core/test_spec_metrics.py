"""The metrics spec 003 §11 lists that were missing (issue 17): processing time per background mode, the
moderators' approval/rejection ratio, popular request categories and export-format usage — each on /metrics,
counted once committed (or read from the database at scrape time)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import CategoryFactory, ProjectFactory, UserFactory, library_pose
from tests.lumiku.core.test_observability import metrics_token, scrape, value  # noqa: F401 - the fixture
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body


def _delta(before, after, name, **labels) -> float:
    return round(value(after, name, **labels) - value(before, name, **labels), 6)


@pytest.mark.django_db(transaction=True)
def test_background_processing_time_per_mode(client, metrics_token):  # noqa: F811
    from posegen.models.generation import BackgroundJob
    from posegen.services.backgrounds import background_job_fail, background_job_run
    from tests.posegen.api.test_background_api import completed_pose

    user = UserFactory()
    before = scrape(client)
    done = BackgroundJob.objects.create(user=user, pose=completed_pose(user), mode="solid_color", color="#FFFFFF",
                                        status="pending")
    assert background_job_run(job_id=done.pk) == "completed"
    token = uuid.uuid4()
    failed = BackgroundJob.objects.create(user=user, pose=completed_pose(user, sequence=1), mode="blur",
                                          status="processing", claim_token=token,
                                          claimed_at=timezone.now() - timedelta(seconds=3))
    assert background_job_fail(job_id=failed.pk, token=token, reason="engine refused") is True
    never_claimed = BackgroundJob.objects.create(user=user, pose=completed_pose(user, sequence=2), mode="blur",
                                                 status="pending")
    assert background_job_fail(job_id=never_claimed.pk, token=None, reason="broker down") is True
    after = scrape(client)

    name = "lumiku_background_job_duration_seconds"
    assert _delta(before, after, f"{name}_count", mode="solid_color", status="completed") == 1
    assert 0 < _delta(before, after, f"{name}_sum", mode="solid_color", status="completed") < 60
    assert _delta(before, after, f"{name}_count", mode="blur", status="failed") == 1  # the never-claimed one: no time
    assert 3 <= _delta(before, after, f"{name}_sum", mode="blur", status="failed") < 60
    assert _delta(before, after, "lumiku_background_jobs_finished_total", status="failed") == 2


@pytest.mark.django_db(transaction=True)
def test_approval_and_rejection_decisions_are_counted(client, metrics_token):  # noqa: F811
    from requests_community.services.moderation import pose_request_approve, pose_request_reject
    from requests_community.services.requests import pose_request_create
    from tests.requests_community.factories import ModeratorFactory

    moderator = ModeratorFactory()
    ids = [pose_request_create(user=UserFactory(), pose_name=f"Pose number {n}", description="For my shop.")
           .request.pk for n in range(3)]
    before = scrape(client)
    pose_request_approve(request_id=ids[0], actor=moderator)
    pose_request_approve(request_id=ids[1], actor=moderator)
    pose_request_reject(request_id=ids[2], actor=moderator, notes="Already in the library.")
    after = scrape(client)
    assert _delta(before, after, "lumiku_pose_request_decisions_total", decision="approved") == 2
    assert _delta(before, after, "lumiku_pose_request_decisions_total", decision="rejected") == 1


@pytest.mark.django_db
def test_request_categories_are_read_at_scrape_time(client, metrics_token):  # noqa: F811
    from requests_community.models import PoseRequest
    from requests_community.services.requests import pose_request_create

    sitting, standing = CategoryFactory(slug="sitting"), CategoryFactory(slug="standing")
    for n, category in enumerate([sitting, sitting, standing, None]):
        pose_request_create(user=UserFactory(), pose_name=f"Request {n}", description="For my shop.",
                            category_id=category.pk if category else None)
    PoseRequest.objects.filter(pose_name="Request 0").update(votes_count=5)
    PoseRequest.objects.filter(pose_name="Request 1").update(votes_count=7, status="rejected")  # closed: no votes
    PoseRequest.objects.filter(pose_name="Request 2").update(votes_count=2)
    samples = scrape(client)
    assert value(samples, "lumiku_pose_requests_by_category", category="sitting") == 2
    assert value(samples, "lumiku_pose_requests_by_category", category="standing") == 1
    assert value(samples, "lumiku_pose_requests_by_category", category="none") == 1
    assert value(samples, "lumiku_pose_request_votes_by_category", category="sitting") == 5
    assert value(samples, "lumiku_pose_request_votes_by_category", category="standing") == 2
    assert value(samples, "lumiku_pose_request_votes_by_category", category="none") == 0


@pytest.mark.django_db(transaction=True)
def test_export_format_usage_is_counted_per_generation(client, metrics_token, auth_client):  # noqa: F811
    user = auth_client.user
    fund(user, 1000)
    project, poses = ProjectFactory(user=user), [library_pose(name="Export me")]
    before = scrape(client)
    body = gallery_body(project, poses, batchSize=2, outputFormats=["instagram_story", "print_4x6"])
    assert auth_client.post(GENERATE_URL, body, format="json").status_code == 202
    refused = gallery_body(project, poses, outputFormats=["instagram_story", "myspace"])
    assert auth_client.post(GENERATE_URL, refused, format="json").status_code == 400  # nothing counted
    after = scrape(client)
    name = "lumiku_export_formats_requested_total"
    assert _delta(before, after, name, format="instagram_story") == 1  # per generation, not per image
    assert _delta(before, after, name, format="print_4x6") == 1
    assert _delta(before, after, name, format="myspace") == 0
