"""CPU-heavy endpoints that cost no credits have scoped limits (issue 18 §10): 429 in the envelope with
Retry-After past the limit, nothing stored for the refused request; page forms share the API's counters."""

import pytest

from lumiku.avatars.models import Avatar
from posegen.models import GeneratedPose, PoseGeneratorProject
from tests.factories import GenerationFactory, ProjectFactory, stored_image
from tests.images import image_bytes, upload

pytestmark = pytest.mark.django_db
BASE = "/api/apps/pose-generator"


@pytest.fixture
def limits(settings):
    def set_limits(**rates):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, **rates}

    return set_limits


def _assert_429(response):
    assert response.status_code == 429, response.content
    assert response.json()["error"]["code"] == "RATE_LIMITED"
    assert response.json()["error"]["statusCode"] == 429
    assert 0 < int(response["Retry-After"]) <= 3600


def test_library_extract(auth_client, limits):
    limits(library_extract="2/hour")
    body = {"openposeJson": {"people": [{"pose_keypoints_2d": [0.0] * 54}]}}
    codes = [auth_client.post(f"{BASE}/library/extract", body, format="json").status_code for _ in range(2)]
    assert 429 not in codes
    _assert_429(auth_client.post(f"{BASE}/library/extract", body, format="json"))


def test_text_to_pose_api_and_wizard_preview_share_a_counter(auth_client, client, limits):
    limits(text_to_pose="2/hour")
    assert auth_client.post(f"{BASE}/library/text-to-pose", {"textPrompt": "standing"},
                            format="json").status_code == 200
    client.force_login(auth_client.user)
    preview = client.post("/generate/text-preview/", {"text_prompt": "standing, hands on hips"})
    assert b"text-preview-error" not in preview.content
    _assert_429(auth_client.post(f"{BASE}/library/text-to-pose", {"textPrompt": "standing"}, format="json"))
    refused = client.post("/generate/text-preview/", {"text_prompt": "standing, hands on hips"})
    assert b"text-preview-error" in refused.content


def test_regenerate_export(auth_client, limits):
    limits(export_regenerate="1/hour")
    project = ProjectFactory(user=auth_client.user)
    generation = GenerationFactory(project=project, user=auth_client.user, status="completed")
    output = stored_image(user_id=auth_client.user.pk, kind=f"generations/{generation.pk}")
    pose = GeneratedPose.objects.create(generation=generation, sequence=0, status="completed", output_image=output,
                                        thumbnail=output, export_formats={"original": output})
    url = f"{BASE}/poses/{pose.pk}/regenerate-export"
    assert auth_client.post(url, {"format": "shopee_product"}, format="json").status_code == 200
    _assert_429(auth_client.post(url, {"format": "tiktok"}, format="json"))
    assert set(GeneratedPose.objects.get(pk=pose.pk).export_formats) == {"original", "shopee_product"}


def test_uploads_projects_and_avatars_share_the_upload_limit(auth_client, limits):
    limits(upload="3/hour")
    assert auth_client.post(f"{BASE}/uploads", {"kind": "logos", "image": upload("logo.png", image_bytes())},
                            format="multipart").status_code == 201
    assert auth_client.post(f"{BASE}/projects", {"projectName": "Lebaran", "avatarSource": "UPLOAD",
                                                 "avatarImage": upload("me.png", image_bytes())},
                            format="multipart").status_code == 201
    assert auth_client.post("/api/avatars/", {"name": "Ayu", "gender": "female",
                                              "image": upload("me.png", image_bytes())},
                            format="multipart").status_code == 201
    _assert_429(auth_client.post(f"{BASE}/uploads", {"kind": "logos", "image": upload("l.png", image_bytes())},
                                 format="multipart"))
    _assert_429(auth_client.post(f"{BASE}/projects", {"projectName": "Ramadan", "avatarSource": "UPLOAD",
                                                      "avatarImage": upload("me.png", image_bytes())},
                                 format="multipart"))
    _assert_429(auth_client.post("/api/avatars/", {"name": "Sari", "gender": "female",
                                                   "image": upload("me.png", image_bytes())}, format="multipart"))
    assert PoseGeneratorProject.objects.count() == 1 and Avatar.objects.count() == 1
    assert auth_client.get(f"{BASE}/projects").status_code == 200  # reading is not limited
