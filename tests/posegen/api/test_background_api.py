"""POST /poses/:id/background and friends: money, one job per image, validation, ownership, rate limit."""

import io
import uuid

import pytest
from PIL import Image

from lumiku.core.storage import storage_read, storage_save, storage_url, user_storage_key
from lumiku.credits.models import LedgerEntry
from lumiku.credits.selectors import credits_balance, credits_ledger_sum
from posegen.models import GeneratedPose
from posegen.models.generation import BackgroundJob
from posegen.services.backgrounds import background_job_fail, background_job_run
from tests.factories import GenerationFactory, ProjectFactory
from tests.images import image_bytes, upload
from tests.paths import FIXTURE_IMAGES
from tests.posegen.pipeline_helpers import fund

pytestmark = pytest.mark.django_db
BASE = "/api/apps/pose-generator"
PHOTO = FIXTURE_IMAGES / "fullbody_skier_snow_coco785.jpg"


def completed_pose(user, *, sequence=0, generation=None, person=True, export_formats=()):
    generation = generation or GenerationFactory(project=ProjectFactory(user=user), user=user,
                                                 total_expected_poses=2, export_formats=list(export_formats))
    if person:
        buf = io.BytesIO()
        Image.open(PHOTO).convert("RGB").save(buf, "PNG")
        content = buf.getvalue()
    else:
        content = image_bytes(width=96, height=144)
    name = storage_save(key=user_storage_key(user_id=user.pk, kind=f"generations/{generation.pk}", extension="PNG"),
                        content=content)
    return GeneratedPose.objects.create(generation=generation, sequence=sequence, status="completed",
                                        output_image=name, thumbnail=name, export_formats={"original": name})


def _charges(user):
    return LedgerEntry.objects.filter(wallet_id=user.pk, kind="charge").count()


def test_change_is_accepted_charged_once_and_completed_by_the_worker(auth_client, events):
    user = auth_client.user
    fund(user, 100)
    pose = completed_pose(user)
    before = pose.output_image.name
    response = auth_client.post(f"{BASE}/poses/{pose.pk}/background",
                                {"backgroundMode": "solid_color", "backgroundColor": "#ffffff"}, format="json")
    assert response.status_code == 202, response.content
    assert response.json() == {"poseId": str(pose.pk), "outputImageUrl": storage_url(before), "creditCharged": 10,
                               "creditBalance": 90}
    job = BackgroundJob.objects.get()
    assert (job.status, job.mode, job.color, job.credit_charged) == ("pending", "solid_color", "#FFFFFF", 10)

    # A second request while the first is pending: 409, never a second charge.
    again = auth_client.post(f"{BASE}/poses/{pose.pk}/background",
                             {"backgroundMode": "solid_color", "backgroundColor": "#000000"}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "BACKGROUND_JOB_ACTIVE"
    assert credits_balance(user_id=user.pk) == 90
    assert BackgroundJob.objects.count() == 1 and _charges(user) == 1

    assert background_job_run(job_id=job.pk) == "completed"
    assert background_job_run(job_id=job.pk) == "skipped"  # a re-delivered task does nothing
    pose.refresh_from_db()
    assert pose.background_changed is True
    assert pose.background_prompt == "Solid colour #FFFFFF"
    assert pose.original_image.name == before and pose.output_image.name != before
    assert pose.export_formats == {"original": pose.output_image.name}
    out = Image.open(io.BytesIO(storage_read(pose.output_image.name)))
    assert out.size == Image.open(PHOTO).size
    assert out.convert("RGB").getpixel((3, 3)) == (255, 255, 255)  # a corner of the new, white background
    assert [e["type"] for e in events] == ["background.completed"]
    assert events[0]["outputImageUrl"] == storage_url(pose.output_image.name)
    assert events[0]["originalImageUrl"] == storage_url(before)
    assert credits_balance(user_id=user.pk) == 90 and credits_ledger_sum(user_id=user.pk) == 90

    result = auth_client.get(f"{BASE}/generations/{pose.generation_id}/results").json()["results"][0]
    assert result["backgroundChanged"] is True and result["originalImageUrl"] == storage_url(before)

    # Revert is free and restores the original.
    reverted = auth_client.post(f"{BASE}/poses/{pose.pk}/background/revert")
    assert reverted.status_code == 200
    assert reverted.json()["pose"]["outputImageUrl"] == storage_url(before)
    assert reverted.json()["pose"]["backgroundChanged"] is False
    assert credits_balance(user_id=user.pk) == 90
    assert auth_client.post(f"{BASE}/poses/{pose.pk}/background/revert").status_code == 409


def test_failure_refunds_exactly_once_and_publishes(auth_client, events):
    user = auth_client.user
    fund(user, 100)
    pose = completed_pose(user, person=False)  # a flat image: nobody to cut out
    response = auth_client.post(f"{BASE}/poses/{pose.pk}/background",
                                {"backgroundMode": "ai_generate", "backgroundPrompt": "beige studio"}, format="json")
    assert response.status_code == 202
    job = BackgroundJob.objects.get()
    assert background_job_run(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert (job.status, job.credit_refunded) == ("failed", 10)
    assert "person" in job.error_message.lower()
    assert background_job_fail(job_id=job.pk, token=None, reason="again") is False
    assert credits_balance(user_id=user.pk) == 100 and credits_ledger_sum(user_id=user.pk) == 100
    assert LedgerEntry.objects.filter(wallet_id=user.pk, kind="refund").count() == 1
    assert [e["type"] for e in events] == ["background.failed"]
    assert events[0]["creditRefunded"] == 10
    pose.refresh_from_db()
    assert pose.background_changed is False
    # The failed job no longer blocks a new one.
    assert auth_client.post(f"{BASE}/poses/{pose.pk}/background", {"backgroundMode": "blur"},
                            format="json").status_code == 202


def test_queueing_failure_refunds_and_is_503(auth_client, monkeypatch):
    from posegen import tasks

    user = auth_client.user
    fund(user, 100)
    pose = completed_pose(user)

    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.background_change, "apply_async", broken)
    response = auth_client.post(f"{BASE}/poses/{pose.pk}/background", {"backgroundMode": "blur"}, format="json")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "QUEUE_UNAVAILABLE"
    job = BackgroundJob.objects.get()
    assert (job.status, job.credit_charged, job.credit_refunded) == ("failed", 10, 10)
    assert credits_balance(user_id=user.pk) == 100 and credits_ledger_sum(user_id=user.pk) == 100


def test_enterprise_unlimited_pays_nothing(auth_client):
    user = auth_client.user
    user.enterprise_unlimited = True
    user.save(update_fields=["enterprise_unlimited"])
    pose = completed_pose(user)
    response = auth_client.post(f"{BASE}/poses/{pose.pk}/background", {"backgroundMode": "blur"}, format="json")
    assert response.status_code == 202
    assert response.json()["creditCharged"] == 0 and response.json()["creditBalance"] == 0
    assert _charges(user) == 0


def test_insufficient_credits_is_402_and_creates_nothing(auth_client):
    user = auth_client.user
    fund(user, 9)
    pose = completed_pose(user)
    response = auth_client.post(f"{BASE}/poses/{pose.pk}/background", {"backgroundMode": "blur"}, format="json")
    assert response.status_code == 402
    assert BackgroundJob.objects.count() == 0
    assert credits_balance(user_id=user.pk) == 9 and _charges(user) == 0


def test_price_comes_from_the_registry(auth_client, settings):
    settings.CREDIT_PRICE_OVERRIDES = {"pose-generator": {"backgroundChanger": 12}}
    fund(auth_client.user, 100)
    pose = completed_pose(auth_client.user)
    response = auth_client.post(f"{BASE}/poses/{pose.pk}/background", {"backgroundMode": "blur"}, format="json")
    assert response.json()["creditCharged"] == 12 and response.json()["creditBalance"] == 88


def test_another_users_pose_is_404_and_charges_nothing(auth_client, other_client):
    fund(other_client.user, 100)
    pose = completed_pose(auth_client.user)
    for url in (f"{BASE}/poses/{pose.pk}/background", f"{BASE}/poses/{uuid.uuid4()}/background"):
        response = other_client.post(url, {"backgroundMode": "blur"}, format="json")
        assert response.status_code == 404
    assert other_client.post(f"{BASE}/poses/{pose.pk}/background/revert").status_code == 404
    assert other_client.post(f"{BASE}/generations/{pose.generation_id}/background", {"backgroundMode": "blur"},
                             format="json").status_code == 404
    assert BackgroundJob.objects.count() == 0 and credits_balance(user_id=other_client.user.pk) == 100


def test_unfinished_pose_is_409(auth_client):
    fund(auth_client.user, 100)
    pose = completed_pose(auth_client.user)
    GeneratedPose.objects.filter(pk=pose.pk).update(status="processing")
    response = auth_client.post(f"{BASE}/poses/{pose.pk}/background", {"backgroundMode": "blur"}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "POSE_NOT_READY"
    assert credits_balance(user_id=auth_client.user.pk) == 100


@pytest.mark.parametrize("body, field", [
    ({"backgroundMode": "solid_color", "backgroundColor": "white"}, "backgroundColor"),
    ({"backgroundMode": "solid_color"}, "backgroundColor"),
    ({"backgroundMode": "ai_generate"}, "backgroundPrompt"),
    ({"backgroundMode": "ai_generate", "backgroundPrompt": "x" * 301}, "backgroundPrompt"),
    ({"backgroundMode": "upload"}, "backgroundImage"),
    ({"backgroundMode": "upload", "backgroundImageUrl": "https://evil.example/x.png"}, "backgroundImageUrl"),
    ({"backgroundMode": "upload", "backgroundImageUrl": "/media/../../etc/passwd"}, "backgroundImageUrl"),
    ({"backgroundMode": "sepia"}, "backgroundMode"),
    ({"backdropId": "nope"}, "backdropId"),
])
def test_bad_input_is_400_and_charges_nothing(auth_client, body, field):
    fund(auth_client.user, 100)
    pose = completed_pose(auth_client.user)
    response = auth_client.post(f"{BASE}/poses/{pose.pk}/background", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert BackgroundJob.objects.count() == 0 and credits_balance(user_id=auth_client.user.pk) == 100


def test_upload_mode_accepts_only_our_own_uploads(auth_client, other_client):
    fund(auth_client.user, 100)
    pose = completed_pose(auth_client.user)
    theirs = other_client.post(f"{BASE}/uploads", {"kind": "backgrounds", "image": upload("b.png", image_bytes())},
                               format="multipart")
    assert theirs.status_code == 201
    refused = auth_client.post(f"{BASE}/poses/{pose.pk}/background",
                               {"backgroundMode": "upload", "backgroundImageUrl": theirs.json()["url"]}, format="json")
    assert refused.status_code == 400
    bad = auth_client.post(f"{BASE}/uploads", {"kind": "backgrounds", "image": upload("b.png", b"<svg/>")},
                           format="multipart")
    assert bad.status_code == 400
    mine = auth_client.post(f"{BASE}/uploads", {"kind": "backgrounds", "image": upload("b.png", image_bytes())},
                            format="multipart").json()["url"]
    accepted = auth_client.post(f"{BASE}/poses/{pose.pk}/background",
                                {"backgroundMode": "upload", "backgroundImageUrl": mine}, format="json")
    assert accepted.status_code == 202
    assert BackgroundJob.objects.get().background_image.name in mine
    assert background_job_run(job_id=BackgroundJob.objects.get().pk) == "completed"
    assert credits_balance(user_id=auth_client.user.pk) == 90


def test_multipart_upload_in_the_request_itself(auth_client):
    fund(auth_client.user, 100)
    pose = completed_pose(auth_client.user)
    response = auth_client.post(f"{BASE}/poses/{pose.pk}/background",
                                {"backgroundMode": "upload", "backgroundImage": upload("b.jpg", image_bytes(fmt="JPEG"),
                                                                                      "image/jpeg")},
                                format="multipart")
    assert response.status_code == 202
    assert BackgroundJob.objects.get().background_image.name.startswith(f"users/{auth_client.user.pk}/backgrounds/")


def test_rate_limit_is_ten_per_minute_with_envelope(auth_client):
    pose_id = uuid.uuid4()
    for _ in range(10):
        assert auth_client.post(f"{BASE}/poses/{pose_id}/background", {"backgroundMode": "blur"},
                                format="json").status_code == 404
    response = auth_client.post(f"{BASE}/poses/{pose_id}/background", {"backgroundMode": "blur"}, format="json")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "RATE_LIMITED" and response.json()["error"]["statusCode"] == 429
    assert 0 < int(response["Retry-After"]) <= 60


def test_whole_generation_is_charged_per_image_and_refused_whole_when_busy(auth_client):
    user = auth_client.user
    fund(user, 100)
    first = completed_pose(user)
    second = completed_pose(user, sequence=1, generation=first.generation)
    url = f"{BASE}/generations/{first.generation_id}/background"
    response = auth_client.post(url, {"backdropId": "warm_beige"}, format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["creditCharged"] == 20 and body["creditBalance"] == 80
    assert [p["poseId"] for p in body["poses"]] == [str(first.pk), str(second.pk)]
    assert set(BackgroundJob.objects.values_list("mode", flat=True)) == {"ai_generate"}
    again = auth_client.post(url, {"backgroundMode": "blur"}, format="json")
    assert again.status_code == 409
    assert credits_balance(user_id=user.pk) == 80 and BackgroundJob.objects.count() == 2


def test_backdrop_library_lists_presets_with_previews(auth_client):
    body = auth_client.get(f"{BASE}/backgrounds").json()
    assert body["price"] == 10 and "ai_generate" in body["modes"]
    assert "studio backdrop" in body["aiGenerateNote"]
    first = body["backdrops"][0]
    assert set(first) == {"id", "name", "prompt", "description", "previewUrl"}
    preview = auth_client.get(first["previewUrl"])
    assert preview.status_code == 200 and preview["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(preview.content)).size == (240, 320)
    assert auth_client.get(f"{BASE}/backgrounds/nope/preview").status_code == 404
