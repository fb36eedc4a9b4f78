import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from lumiku.credits.models import LedgerEntry
from lumiku.credits.selectors import credits_balance
from posegen.models import GeneratedPose, PoseGeneration, PoseSelection
from posegen.services.generations.sweep import generation_sweep_stale
from tests.factories import ProjectFactory, library_pose
from tests.paths import FIXTURE_IMAGES
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(auth_client):
    return ProjectFactory(user=auth_client.user)


def _nothing_written(user, balance):
    assert PoseGeneration.objects.count() == 0
    assert GeneratedPose.objects.count() == 0
    assert PoseSelection.objects.count() == 0
    assert credits_balance(user_id=user.pk) == balance
    assert LedgerEntry.objects.filter(wallet_id=user.pk, kind="charge").count() == 0


def test_accepted_generation_creates_every_row_in_one_go(auth_client, project):
    fund(auth_client.user, 1000)
    poses = [library_pose() for _ in range(2)]
    formats = ["instagram_story", "shopee_product", "custom:800x600"]
    body = gallery_body(project, poses, batchSize=3, useBackgroundChanger=True, backgroundMode="solid_color",
                        backgroundColor="#ffffff", outputFormats=formats, seed=5)
    response = auth_client.post(GENERATE_URL, body, format="json")
    assert response.status_code == 202
    data = response.json()
    assert data["totalPosesExpected"] == 6
    assert data["creditCharged"] == 6 * 40
    assert data["estimatedCompletionTime"] > 0
    generation = PoseGeneration.objects.get(pk=data["generationId"])
    assert generation.background_color == "#FFFFFF"
    assert generation.export_formats == ["instagram_story", "shopee_product", "custom:800x600"]
    assert GeneratedPose.objects.filter(generation=generation).count() == 6
    assert PoseSelection.objects.filter(generation=generation).count() == 2
    assert credits_balance(user_id=auth_client.user.pk) == 760
    charge = LedgerEntry.objects.get(wallet_id=auth_client.user.pk, kind="charge")
    assert (charge.amount, charge.idempotency_key) == (-240, f"charge:generation:{generation.pk}")


def test_insufficient_credits_is_402_and_nothing_is_created(auth_client, project):
    fund(auth_client.user, 50)
    response = auth_client.post(GENERATE_URL, gallery_body(project, [library_pose(), library_pose()]), format="json")
    assert response.status_code == 402
    assert response.json()["error"] == {
        "message": "You need 60 credits for these 2 photos; you have 50. Top up or choose fewer poses.",
        "code": "INSUFFICIENT_CREDITS",
        "statusCode": 402, "required": 60, "available": 50, "pricingUrl": "/pricing",
    }
    _nothing_written(auth_client.user, 50)


def test_unlimited_tier_pays_with_quota_then_429_when_short(auth_client, project):
    user = auth_client.user
    user.unlimited_pose_active = True
    user.unlimited_pose_daily_quota = 3
    user.save()
    pose = library_pose()
    ok = auth_client.post(GENERATE_URL, gallery_body(project, [pose], batchSize=2), format="json")
    assert ok.status_code == 202
    assert ok.json()["creditCharged"] == 0
    generation = PoseGeneration.objects.get()
    assert (generation.payment_method, generation.quota_charged) == ("unlimited_quota", 2)
    short = auth_client.post(GENERATE_URL, gallery_body(project, [pose], batchSize=2), format="json")
    assert short.status_code == 429
    assert short.json()["error"]["code"] == "QUOTA_EXCEEDED"
    user.refresh_from_db()
    assert user.unlimited_pose_quota_used == 2
    assert PoseGeneration.objects.count() == 1


def test_idempotency_key_replays_and_never_charges_twice(auth_client, project):
    fund(auth_client.user, 200)
    body = gallery_body(project, [library_pose()])
    first = auth_client.post(GENERATE_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    again = auth_client.post(GENERATE_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    assert first.status_code == again.status_code == 202
    assert first.json()["generationId"] == again.json()["generationId"]
    assert credits_balance(user_id=auth_client.user.pk) == 170
    other = auth_client.post(GENERATE_URL, {**body, "batchSize": 2}, format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert PoseGeneration.objects.count() == 1
    assert credits_balance(user_id=auth_client.user.pk) == 170


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"generationType": "MAGIC"}, "generationType"),
        ({"selectedPoseIds": []}, "selectedPoseIds"),
        ({"batchSize": 11}, "batchSize"),
        ({"batchSize": 0}, "batchSize"),
        ({"batchSize": "many"}, "batchSize"),
        ({"outputFormats": ["myspace"]}, "outputFormats"),
        ({"outputFormats": ["custom:10x10"]}, "outputFormats"),
        ({"outputFormats": ["custom:5000x5000"]}, "outputFormats"),
        ({"outputFormats": ["instagram_story"] * 2 + ["tiktok", "facebook_post", "twitter_post", "linkedin_post",
                                                       "shopee_product", "tokopedia_product", "lazada_product",
                                                       "print_a4", "print_4x6", "original"]}, "outputFormats"),
        ({"useBackgroundChanger": True, "backgroundMode": "solid_color", "backgroundColor": "white"},
         "backgroundColor"),
        ({"useBackgroundChanger": True, "backgroundMode": "ai_generate"}, "backgroundPrompt"),
        ({"useBackgroundChanger": True, "backgroundMode": "ai_generate", "backgroundPrompt": "x" * 301},
         "backgroundPrompt"),
        ({"useBackgroundChanger": True, "backgroundMode": "upload"}, "backgroundImage"),
        ({"useBackgroundChanger": True, "backgroundMode": "lava"}, "backgroundMode"),
        ({"projectId": "nope"}, "projectId"),
    ],
)
def test_bad_requests_are_400_and_charge_nothing(auth_client, project, changes, field):
    fund(auth_client.user, 10_000)
    response = auth_client.post(GENERATE_URL, {**gallery_body(project, [library_pose()]), **changes}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    _nothing_written(auth_client.user, 10_000)


def test_too_many_images_in_total_is_400(auth_client, project):
    fund(auth_client.user, 100_000)
    ids = [str(uuid.uuid4()) for _ in range(60)]
    response = auth_client.post(GENERATE_URL, {**gallery_body(project, []), "selectedPoseIds": ids, "batchSize": 10},
                                format="json")
    assert response.status_code == 400
    assert "At most 500 images" in response.json()["error"]["message"]
    _nothing_written(auth_client.user, 100_000)


@pytest.mark.parametrize(
    ("prompt", "code"),
    [("Naked standing pose on a beach", "PROMPT_NOT_ALLOWED"), ("SPIDERMAN sitting", "PROMPT_NOT_ALLOWED"),
     ("a bowl of fruit", "PROMPT_NOT_POSE_RELATED"), ("hi", "PROMPT_LENGTH"), ("x" * 501, "PROMPT_LENGTH")],
)
def test_text_prompt_rules(auth_client, project, prompt, code):
    fund(auth_client.user, 1000)
    response = auth_client.post(
        GENERATE_URL, {"projectId": str(project.pk), "generationType": "TEXT_DESCRIPTION", "textPrompt": prompt},
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert "naked" not in error["message"].lower() and "spider" not in error["message"].lower()
    _nothing_written(auth_client.user, 1000)


def test_unknown_or_private_pose_is_404_and_charges_nothing(auth_client, project):
    fund(auth_client.user, 1000)
    private = library_pose()
    private.is_public = False
    private.save()
    missing = uuid.uuid4()
    response = auth_client.post(GENERATE_URL, {**gallery_body(project, [private]),
                                               "selectedPoseIds": [str(private.pk), str(missing)]}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "POSE_NOT_FOUND"
    assert set(response.json()["error"]["poseIds"]) == {str(private.pk), str(missing)}
    _nothing_written(auth_client.user, 1000)


def test_other_users_project_is_404(auth_client, other_user):
    fund(auth_client.user, 1000)
    foreign = ProjectFactory(user=other_user)
    response = auth_client.post(GENERATE_URL, gallery_body(foreign, [library_pose()]), format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "PROJECT_NOT_FOUND"
    _nothing_written(auth_client.user, 1000)


def test_archived_project_is_409(auth_client):
    fund(auth_client.user, 1000)
    archived = ProjectFactory(user=auth_client.user, status="archived")
    response = auth_client.post(GENERATE_URL, gallery_body(archived, [library_pose()]), format="json")
    assert response.status_code == 409
    _nothing_written(auth_client.user, 1000)


def test_generation_reads_are_owner_only(auth_client, other_client, project):
    fund(auth_client.user, 100)
    generation_id = auth_client.post(GENERATE_URL, gallery_body(project, [library_pose()]), format="json").json()[
        "generationId"]
    pose_id = GeneratedPose.objects.get().pk
    for url in (f"/api/apps/pose-generator/generations/{generation_id}",
                f"/api/apps/pose-generator/generations/{generation_id}/results",
                f"/api/apps/pose-generator/projects/{project.pk}/generations"):
        assert auth_client.get(url).status_code == 200
        assert other_client.get(url).status_code == 404
    assert other_client.post(f"/api/apps/pose-generator/generations/{generation_id}/cancel").status_code == 404
    assert other_client.post(f"/api/apps/pose-generator/poses/{pose_id}/favorite").status_code == 404
    assert PoseGeneration.objects.get().status == "pending"


def test_cancel_refunds_everything_not_started(auth_client, project):
    fund(auth_client.user, 300)
    poses = [library_pose() for _ in range(3)]
    generation_id = auth_client.post(GENERATE_URL, gallery_body(project, poses, batchSize=2), format="json").json()[
        "generationId"]
    assert credits_balance(user_id=auth_client.user.pk) == 120
    response = auth_client.post(f"/api/apps/pose-generator/generations/{generation_id}/cancel")
    assert response.status_code == 200
    generation = response.json()["generation"]
    assert (generation["status"], generation["posesCancelled"], generation["creditRefunded"]) == ("cancelled", 6, 180)
    assert credits_balance(user_id=auth_client.user.pk) == 300
    again = auth_client.post(f"/api/apps/pose-generator/generations/{generation_id}/cancel")
    assert again.status_code == 409
    assert credits_balance(user_id=auth_client.user.pk) == 300
    assert LedgerEntry.objects.filter(wallet_id=auth_client.user.pk, kind="refund").count() == 1


def test_stale_generation_is_requeued_then_failed_and_refunded(auth_client, project, settings):
    fund(auth_client.user, 100)
    generation_id = auth_client.post(GENERATE_URL, gallery_body(project, [library_pose()]), format="json").json()[
        "generationId"]
    old = timezone.now() - timedelta(seconds=settings.POSEGEN_STALE_AFTER_SECONDS + 5)
    PoseGeneration.objects.filter(pk=generation_id).update(last_progress_at=old, enqueue_attempts=1)
    assert generation_sweep_stale() == {"requeued": 1, "failed": 0}
    generation = PoseGeneration.objects.get(pk=generation_id)
    assert generation.enqueue_attempts == 2

    PoseGeneration.objects.filter(pk=generation_id).update(
        last_progress_at=old, enqueue_attempts=settings.POSEGEN_MAX_ENQUEUE_ATTEMPTS
    )
    assert generation_sweep_stale() == {"requeued": 0, "failed": 1}
    generation.refresh_from_db()
    assert (generation.status, generation.poses_failed, generation.credit_refunded) == ("failed", 1, 30)
    assert credits_balance(user_id=auth_client.user.pk) == 100
    assert generation_sweep_stale() == {"requeued": 0, "failed": 0}
    assert credits_balance(user_id=auth_client.user.pk) == 100


def test_favorite_and_download_counting(auth_client, project):
    fund(auth_client.user, 100)
    auth_client.post(GENERATE_URL, gallery_body(project, [library_pose()]), format="json")
    pose = GeneratedPose.objects.get()
    url = f"/api/apps/pose-generator/poses/{pose.pk}/favorite"
    assert auth_client.post(url).json()["pose"]["isFavorite"] is True
    assert auth_client.delete(url).json()["pose"]["isFavorite"] is False
    assert auth_client.get(f"/api/apps/pose-generator/poses/{pose.pk}/download").status_code == 404  # not ready
    GeneratedPose.objects.filter(pk=pose.pk).update(export_formats={"original": "users/x/y.png"})
    response = auth_client.get(f"/api/apps/pose-generator/poses/{pose.pk}/download")
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path.endswith("users/x/y.png")  # signed: ?s=...
    pose.refresh_from_db()
    assert pose.download_count == 1


FIXTURES = FIXTURE_IMAGES


def test_pose_from_photo_creates_one_image_per_variation(auth_client, project):
    from tests.images import upload

    fund(auth_client.user, 1000)
    photo = (FIXTURES / "fullbody_skier_snow_coco785.jpg").read_bytes()
    response = auth_client.post(GENERATE_URL, {
        "projectId": str(project.pk), "generationType": "POSE_FROM_PHOTO", "variationCount": "2",
        "referenceImage": upload("skier.jpg", photo, "image/jpeg"),
    }, format="multipart")
    assert response.status_code == 202, response.content
    assert response.json()["creditCharged"] == 60
    generation = PoseGeneration.objects.get()
    assert generation.generated_pose_structure["source"] == "photo"
    assert generation.generated_pose_structure["peopleDetected"] == 1
    rows = list(GeneratedPose.objects.filter(generation=generation).order_by("sequence"))
    assert len(rows) == 2
    assert all(r.pose_structure and r.pose_library_id is None for r in rows)
    assert rows[0].pose_structure != rows[1].pose_structure  # the variation is jittered


def test_pose_from_photo_without_a_person_is_422_and_charges_nothing(auth_client, project):
    from tests.images import image_bytes, upload

    fund(auth_client.user, 1000)
    response = auth_client.post(GENERATE_URL, {
        "projectId": str(project.pk), "generationType": "POSE_FROM_PHOTO",
        "referenceImage": upload("wall.png", image_bytes(width=300, height=400)),
    }, format="multipart")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "NO_PERSON_DETECTED"
    _nothing_written(auth_client.user, 1000)


def test_pose_from_photo_needs_the_photo(auth_client, project):
    fund(auth_client.user, 1000)
    response = auth_client.post(GENERATE_URL, {"projectId": str(project.pk), "generationType": "POSE_FROM_PHOTO"},
                                format="json")
    assert response.status_code == 400
    assert "referenceImage" in response.json()["error"]["fields"]
    _nothing_written(auth_client.user, 1000)


def test_text_description_generation_builds_one_pose_per_variation(auth_client, project):
    pytest.importorskip("posegen.posekit.text_to_pose")
    fund(auth_client.user, 1000)
    response = auth_client.post(GENERATE_URL, {
        "projectId": str(project.pk), "generationType": "TEXT_DESCRIPTION", "variationCount": 3,
        "textPrompt": "standing with arms crossed, 3/4 view, looking left", "seed": 9,
    }, format="json")
    assert response.status_code == 202, response.content
    assert (response.json()["totalPosesExpected"], response.json()["creditCharged"]) == (3, 90)
    generation = PoseGeneration.objects.get()
    assert generation.generated_pose_structure["understood"]
    rows = list(GeneratedPose.objects.filter(generation=generation).order_by("sequence"))
    assert [r.seed_used for r in rows] == [9, 10, 11]
    assert len({str(r.pose_structure) for r in rows}) == 3
