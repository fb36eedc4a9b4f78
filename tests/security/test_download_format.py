"""GET /poses/:id/download?format=<export> (issue 18 §5): the documented parameter, not DRF's override."""

import pytest

from posegen.models import GeneratedPose
from tests.factories import GenerationFactory, ProjectFactory, stored_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def pose(auth_client):
    user = auth_client.user
    generation = GenerationFactory(project=ProjectFactory(user=user), user=user, total_expected_poses=1)
    name = stored_image(user_id=user.pk, kind="generations")
    pose = GeneratedPose.objects.create(generation=generation, sequence=0, status="completed", output_image=name,
                                        thumbnail=name)
    feed = stored_image(user_id=auth_client.user.pk, kind="exports")
    original = stored_image(user_id=auth_client.user.pk, kind="exports")
    GeneratedPose.objects.filter(pk=pose.pk).update(export_formats={"original": original, "instagram_feed": feed})
    pose.refresh_from_db()
    return pose


def test_format_names_the_export(auth_client, pose):
    response = auth_client.get(f"/api/apps/pose-generator/poses/{pose.pk}/download?format=instagram_feed")
    assert response.status_code == 302
    assert pose.export_formats["instagram_feed"] in response["Location"]
    assert "original" not in pose.export_formats["instagram_feed"]
    pose.refresh_from_db()
    assert pose.download_count == 1


def test_an_unknown_format_is_a_404_in_the_envelope(auth_client, pose):
    response = auth_client.get(f"/api/apps/pose-generator/poses/{pose.pk}/download?format=tiktok_story")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "EXPORT_NOT_FOUND"
    pose.refresh_from_db()
    assert pose.download_count == 0


def test_another_users_pose_is_404(other_client, pose):
    response = other_client.get(f"/api/apps/pose-generator/poses/{pose.pk}/download?format=instagram_feed")
    assert response.status_code == 404
