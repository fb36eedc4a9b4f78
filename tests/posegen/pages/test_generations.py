"""G4 pages: the live progress page / results gallery of a generation and its actions, on the real stack."""

import io
import json
import time
import uuid
import zipfile

import pytest

from lumiku.core.storage import storage_read, storage_url
from lumiku.credits.models import LedgerEntry
from lumiku.credits.selectors import credits_balance, credits_ledger_sum
from posegen.models import GeneratedPose, PoseGeneration
from posegen.models.generation import BackgroundJob
from posegen.services.pricing import price_per_image
from tests.factories import GenerationFactory, ProjectFactory, library_pose
from tests.images import upload
from tests.posegen.api.test_background_api import completed_pose
from tests.posegen.pages.helpers import signed_in
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def web(client, user):
    return signed_in(client, user)


def page_url(generation_id, suffix=""):
    return f"/generations/{generation_id}/{suffix}"


def pose_url(pose, suffix):
    return f"/generations/{pose.generation_id}/poses/{pose.pk}/{suffix}"


def _charges(user):
    return LedgerEntry.objects.filter(wallet_id=user.pk, kind="charge").count()


def running_generation(user):
    """Three images: one finished (a real stored image), one failed and refunded, one still waiting."""
    price = price_per_image(generation_type="GALLERY_REFERENCE", use_background_changer=False)
    generation = GenerationFactory(project=ProjectFactory(user=user), user=user, total_expected_poses=3,
                                   status="processing", progress=67, poses_completed=1, poses_failed=1,
                                   credit_charged=3 * price, credit_refunded=price)
    done = completed_pose(user, generation=generation, person=False)
    failed = GeneratedPose.objects.create(generation=generation, sequence=1, status="failed", refunded=True,
                                          error_message="The provider refused this image.")
    waiting = GeneratedPose.objects.create(generation=generation, sequence=2, status="pending")
    return generation, done, failed, waiting, price


# --- the page and its status endpoint -----------------------------------------------------------------
def test_page_renders_the_current_state_for_its_owner(web):
    generation, done, _failed, _waiting, price = running_generation(web.user)
    response = web.get(page_url(generation.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="pose-card"') == 3
    assert 'aria-valuenow="67"' in html and 'data-testid="progress-percent">67%<' in html
    assert 'data-testid="count-completed">1<' in html and 'data-testid="count-failed">1<' in html
    assert f'src="{storage_url(done.thumbnail.name)}"' in html
    assert f"Refunded {price} credits" in html and "The provider refused this image." in html
    assert 'data-testid="generation-cancel"' in html
    assert f'data-status-url="/generations/{generation.pk}/status/"' in html
    assert 'data-testid="zip-form"' not in html  # the gallery's bulk actions come once it has finished


def test_finished_generation_shows_the_gallery(web):
    pose = completed_pose(web.user, person=False, export_formats=["instagram_feed"])
    PoseGeneration.objects.filter(pk=pose.generation_id).update(status="completed", progress=100,
                                                                total_expected_poses=1, poses_completed=1)
    html = web.get(page_url(pose.generation_id)).content.decode()
    assert 'data-testid="generation-cancel"' not in html
    assert 'data-testid="zip-form"' in html
    assert 'value="instagram_feed" checked' in html and 'value="original" ' in html
    assert f'href="/generations/{pose.generation_id}/poses/{pose.pk}/download/?format=original"' in html
    assert "Instagram Feed · preparing…" in html  # asked for, not exported yet


def test_login_required_and_other_users_objects_are_404(client, web, other_user):
    generation, done, *_ = running_generation(web.user)
    urls_get = [page_url(generation.pk), page_url(generation.pk, "status/"), page_url(generation.pk, "cards/"),
                page_url(generation.pk, "download/"), page_url(generation.pk, "background/"),
                pose_url(done, "download/")]
    urls_post = [page_url(generation.pk, "cancel/"), page_url(generation.pk, "background/"),
                 pose_url(done, "favorite/"), pose_url(done, "export/"), pose_url(done, "revert-background/")]
    web.logout()
    for url in urls_get:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    client.force_login(other_user)
    fund(other_user, 100)
    for url in urls_get:
        assert client.get(url).status_code == 404, url
    for url in urls_post:
        assert client.post(url, {"favorite": "1", "format": "tiktok", "scope": "all", "mode": "solid_color",
                                 "color": "#FFFFFF"}).status_code == 404, url
    assert client.get(page_url(uuid.uuid4())).status_code == 404
    generation.refresh_from_db()
    done.refresh_from_db()
    assert (generation.status, generation.cancel_requested, done.is_favorite) == ("processing", False, False)
    assert BackgroundJob.objects.count() == 0 and credits_balance(user_id=other_user.pk) == 100


def test_pose_of_another_generation_of_the_same_user_is_404_on_this_page(web):
    generation, *_ = running_generation(web.user)
    elsewhere = completed_pose(web.user, person=False)
    response = web.post(f"/generations/{generation.pk}/poses/{elsewhere.pk}/favorite/", {"favorite": "1"})
    assert response.status_code == 404
    assert web.get(f"/generations/{generation.pk}/background/?pose={elsewhere.pk}").status_code == 404
    assert GeneratedPose.objects.get(pk=elsewhere.pk).is_favorite is False


def test_status_endpoint_is_the_absolute_state_and_cards_come_by_id(web):
    generation, done, failed, waiting, price = running_generation(web.user)
    body = web.get(page_url(generation.pk, "status/")).json()
    assert {k: body[k] for k in ("generationId", "status", "percentage", "posesCompleted", "posesFailed",
                                 "posesCancelled", "totalPosesExpected", "active", "creditRefunded")} == {
        "generationId": str(generation.pk), "status": "processing", "percentage": 67, "posesCompleted": 1,
        "posesFailed": 1, "posesCancelled": 0, "totalPosesExpected": 3, "active": True, "creditRefunded": price}
    assert [(p["id"], p["status"]) for p in body["poses"]] == [
        (str(done.pk), "completed"), (str(failed.pk), "failed"), (str(waiting.pk), "pending")]
    assert 'data-testid="progress-percent">67%<' in body["summaryHtml"]

    # The waiting image completes: only its state changes, and its card fragment shows the image.
    GeneratedPose.objects.filter(pk=waiting.pk).update(status="completed", output_image=done.output_image.name,
                                                       thumbnail=done.thumbnail.name)
    after = web.get(page_url(generation.pk, "status/")).json()
    changed = [p["id"] for p, q in zip(body["poses"], after["poses"], strict=True) if p["state"] != q["state"]]
    assert changed == [str(waiting.pk)]
    cards = web.get(page_url(generation.pk, f"cards/?ids={waiting.pk},not-a-uuid,{uuid.uuid4()}")).content.decode()
    assert cards.count('data-testid="pose-card"') == 1 and f'id="pose-{waiting.pk}"' in cards
    assert 'data-pose-status="completed"' in cards


# --- cancel ---------------------------------------------------------------------------------------------------
def test_cancel_stops_and_refunds_what_has_not_started(web, auth_client):
    user = web.user
    auth_client.force_authenticate(user=user)
    fund(user, 100)
    project = ProjectFactory(user=user)
    poses = [library_pose(name=f"Pose {i}") for i in range(3)]
    accepted = auth_client.post(GENERATE_URL, gallery_body(project, poses), format="json").json()
    charged = accepted["creditCharged"]
    assert charged == 3 * price_per_image(generation_type="GALLERY_REFERENCE", use_background_changer=False)
    assert credits_balance(user_id=user.pk) == 100 - charged

    response = web.post(page_url(accepted["generationId"], "cancel/"), follow=True)
    assert response.status_code == 200
    assert f"3 images not started yet were stopped and {charged} credits refunded" in response.content.decode()
    generation = PoseGeneration.objects.get(pk=accepted["generationId"])
    assert (generation.status, generation.poses_cancelled, generation.credit_refunded) == ("cancelled", 3, charged)
    assert credits_balance(user_id=user.pk) == 100 and credits_ledger_sum(user_id=user.pk) == 100

    again = web.post(page_url(generation.pk, "cancel/"), follow=True)
    assert "already cancelled" in again.content.decode()
    assert credits_balance(user_id=user.pk) == 100
    assert LedgerEntry.objects.filter(wallet_id=user.pk, kind="refund").count() == 1


# --- favourite, downloads, exports, ZIP ---------------------------------------------------------------------------
def test_favourite_toggle(web):
    pose = completed_pose(web.user, person=False)
    on = web.post(pose_url(pose, "favorite/"), {"favorite": "1"}, **HX)
    assert on.status_code == 200 and 'aria-pressed="true"' in on.content.decode()
    assert GeneratedPose.objects.get(pk=pose.pk).is_favorite is True
    off = web.post(pose_url(pose, "favorite/"), {"favorite": "0"})  # without JavaScript: back to the card
    assert off.status_code == 302 and off["Location"] == f"/generations/{pose.generation_id}/#pose-{pose.pk}"
    assert GeneratedPose.objects.get(pk=pose.pk).is_favorite is False


def test_download_is_counted_and_redirects_to_the_file(web):
    pose = completed_pose(web.user, person=False)
    response = web.get(pose_url(pose, "download/") + "?format=original")
    assert response.status_code == 302 and response["Location"] == storage_url(pose.output_image.name)
    assert web.get(pose_url(pose, "download/") + "?format=tiktok").status_code == 404
    assert GeneratedPose.objects.get(pk=pose.pk).download_count == 1


def test_regenerate_export_adds_the_format_and_errors_change_nothing(web):
    pose = completed_pose(web.user, person=False)
    response = web.post(pose_url(pose, "export/"), {"format": "instagram_feed"}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Instagram Feed is ready to download." in html and 'data-testid="download-instagram_feed"' in html
    pose.refresh_from_db()
    assert set(pose.export_formats) == {"original", "instagram_feed"}
    bad = web.post(pose_url(pose, "export/"), {"format": "poster"}, **HX)
    assert bad.status_code == 200 and 'data-testid="card-error"' in bad.content.decode()
    assert GeneratedPose.objects.get(pk=pose.pk).export_formats == pose.export_formats


def test_a_custom_size_export_is_announced_by_its_label_in_the_readers_language(web):
    pose = completed_pose(web.user, person=False)
    english = web.post(pose_url(pose, "export/"), {"format": "custom:320x200"}, **HX).content.decode()
    assert "Custom 320x200 is ready to download." in english and "custom:320x200 is ready" not in english
    web.user.language = "id"
    web.user.save(update_fields=["language"])
    indonesian = web.post(pose_url(pose, "export/"), {"format": "custom:320x200"}, **HX).content.decode()
    assert "Kustom 320x200" in indonesian and "Custom 320x200" not in indonesian


def test_zip_contains_exactly_the_chosen_formats(web):
    first = completed_pose(web.user, person=False)
    second = completed_pose(web.user, sequence=1, generation=first.generation, person=False)
    response = web.get(page_url(first.generation_id, "download/?chosen=1&formats=original&formats=instagram_feed"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="poses-{first.generation_id}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == ["pose_1_original.png", "pose_1_instagram_feed.jpg",
                                  "pose_2_original.png", "pose_2_instagram_feed.jpg"]
    assert archive.read("pose_2_original.png") == storage_read(second.output_image.name)

    none = web.get(page_url(first.generation_id, "download/?chosen=1"), follow=True)
    assert "Choose at least one format." in none.content.decode()
    bad = web.get(page_url(first.generation_id, "download/?chosen=1&formats=poster"), follow=True)
    assert "poster" in bad.content.decode() and bad.redirect_chain[-1][0].endswith("#downloads")


# --- background change --------------------------------------------------------------------------------------------
def _wait_job(pose, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = BackgroundJob.objects.filter(pose=pose).first()
        if job and job.status in ("completed", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError("background job did not finish")


@pytest.mark.django_db(transaction=True)
def test_background_change_charges_the_price_once_updates_the_card_and_reverts(web, celery_worker):
    user = web.user
    fund(user, 100)
    pose = completed_pose(user)  # a real photo of a person
    before = pose.output_image.name
    page = web.get(page_url(pose.generation_id)).content.decode()
    assert 'data-testid="background-price"' in page and "<strong data-bg-price>10</strong>" in page
    state_before = web.get(page_url(pose.generation_id, "status/")).json()["poses"][0]["state"]

    response = web.post(page_url(pose.generation_id, "background/"),
                        {"scope": "pose", "pose": str(pose.pk), "mode": "solid_color", "color": "#FFFFFF"}, **HX)
    assert response.status_code == 200
    trigger = json.loads(response["HX-Trigger"])["lumiku:background-started"]
    assert trigger["balance"] == 90 and "for 10 credits" in trigger["message"]
    assert credits_balance(user_id=user.pk) == 90 and _charges(user) == 1

    job = _wait_job(pose)
    assert job.status == "completed", job.error_message
    status = web.get(page_url(pose.generation_id, "status/")).json()
    assert status["poses"][0]["state"] != state_before and status["backgroundBusy"] is False
    card = web.get(page_url(pose.generation_id, f"cards/?ids={pose.pk}")).content.decode()
    assert 'data-testid="before-after-slider"' in card and storage_url(before) in card
    assert 'data-testid="background-revert"' in card
    assert credits_balance(user_id=user.pk) == 90 and _charges(user) == 1

    reverted = web.post(pose_url(pose, "revert-background/"), **HX)
    assert reverted.status_code == 200 and "The original background is back." in reverted.content.decode()
    pose.refresh_from_db()
    assert (pose.background_changed, pose.output_image.name) == (False, before)
    again = web.post(pose_url(pose, "revert-background/"), **HX)
    assert 'data-testid="card-error"' in again.content.decode()
    assert credits_balance(user_id=user.pk) == 90 and credits_ledger_sum(user_id=user.pk) == 90


def test_background_for_all_images_charges_each_once(web):
    user = web.user
    fund(user, 100)
    first = completed_pose(user, person=False)
    completed_pose(user, sequence=1, generation=first.generation, person=False)
    response = web.post(page_url(first.generation_id, "background/"),
                        {"scope": "all", "mode": "backdrop", "backdrop": "warm_beige"})
    assert response.status_code == 302
    jobs = BackgroundJob.objects.filter(user=user)
    assert jobs.count() == 2 and {j.mode for j in jobs} == {"ai_generate"}
    assert credits_balance(user_id=user.pk) == 80 and _charges(user) == 2


def test_insufficient_credits_shows_the_error_and_changes_nothing(web):
    user = web.user
    fund(user, 9)
    pose = completed_pose(user, person=False)
    response = web.post(page_url(pose.generation_id, "background/"),
                        {"scope": "pose", "pose": str(pose.pk), "mode": "solid_color", "color": "#000000"}, **HX)
    assert response.status_code == 200 and "HX-Trigger" not in response
    html = response.content.decode()
    assert 'data-testid="background-error"' in html and "You need 10 credits; you have 9. Top up to continue." in html
    assert 'href="/pricing" data-testid="background-topup"' in html  # buying credits is one tap away
    assert BackgroundJob.objects.count() == 0
    assert credits_balance(user_id=user.pk) == 9 and _charges(user) == 0


@pytest.mark.parametrize("data, message", [
    ({"mode": "backdrop"}, "Choose a backdrop."),
    ({"mode": "solid_color", "color": "white"}, "Pick a colour such as #FFFFFF."),
    ({"mode": "upload"}, "Choose an image to upload."),
    ({"mode": "upload", "image": "not-an-image"}, "not a valid image"),
    ({"mode": "solid_color", "color": "#FFFFFF", "pose": ""}, "Choose the image to change."),
])
def test_background_form_errors_are_shown_in_place_and_charge_nothing(web, data, message):
    fund(web.user, 100)
    pose = completed_pose(web.user, person=False)
    body = {"scope": "pose", "pose": str(pose.pk), **data}
    if body.get("image") == "not-an-image":
        body["image"] = upload("bg.png", b"GIF89a not really")
    response = web.post(page_url(pose.generation_id, "background/"), body)  # without JavaScript: the page
    assert response.status_code == 200 and 'data-testid="background-page"' in response.content.decode()
    assert message in response.content.decode()
    assert BackgroundJob.objects.count() == 0 and credits_balance(user_id=web.user.pk) == 100
