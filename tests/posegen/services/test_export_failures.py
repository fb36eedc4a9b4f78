"""Exports keep the formats that worked: a failing format is recorded per image, shown on the results page and
named in the ZIP; the person's box is found once per image and reused by re-exports and ZIP renders."""

import io
import zipfile

import pytest
from PIL import Image

from lumiku.core.storage import storage_read, storage_save, user_storage_key
from posegen.imaging import export as export_module
from posegen.models import GeneratedPose, PoseGeneration
from posegen.services import exports as exports_service
from posegen.services.exports import pose_export_regenerate, pose_exports_run
from tests.images import image_bytes
from tests.posegen.api.test_background_api import BASE, completed_pose
from tests.posegen.pages.helpers import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing(monkeypatch):
    """Make the encoder fail for the format names put in the returned set (an encoder error, not bad input)."""
    names: set[str] = set()
    real = export_module._encode

    def encode(image, spec):
        if spec.name in names:
            raise export_module._vips().Error("VipsForeignSave: out of memory")
        return real(image, spec)

    monkeypatch.setattr(export_module, "_encode", encode)
    return names


@pytest.fixture
def published(monkeypatch):
    seen = []
    monkeypatch.setattr(exports_service, "realtime_publish",
                        lambda *, user_id, event_type, payload: seen.append({"type": event_type, **payload}))
    return seen


def test_a_failing_format_leaves_the_others_delivered_and_is_recorded(auth_client, failing, published):
    failing.add("tiktok")
    pose = completed_pose(auth_client.user, person=False,
                          export_formats=["instagram_feed", "tiktok", "shopee_product_webp"])
    stored = pose_exports_run(pose_id=pose.pk)
    assert set(stored) == {"instagram_feed", "shopee_product_webp"}
    pose.refresh_from_db()
    assert set(pose.export_formats) == {"original", "instagram_feed", "shopee_product_webp"}
    assert pose.export_failures == {"tiktok": "TikTok could not be encoded."}
    assert Image.open(io.BytesIO(storage_read(stored["shopee_product_webp"]))).format == "WEBP"
    assert published[-1]["type"] == "pose.exports_ready"
    assert published[-1]["exportFailures"] == {"tiktok": "TikTok could not be encoded."}

    results = auth_client.get(f"{BASE}/generations/{pose.generation_id}/results").json()["results"]
    assert results[0]["exportFailures"] == {"tiktok": "TikTok could not be encoded."}
    assert set(results[0]["exportFormats"]) == {"original", "instagram_feed", "shopee_product_webp"}

    failing.clear()  # the encoder recovers: making the format again clears its failure
    pose_export_regenerate(user=auth_client.user, pose_id=pose.pk, format_name="tiktok")
    pose.refresh_from_db()
    assert pose.export_failures == {}
    assert Image.open(io.BytesIO(storage_read(pose.export_formats["tiktok"]))).size == (1080, 1920)


def test_an_unreadable_image_records_every_format_as_failed(auth_client):
    pose = completed_pose(auth_client.user, person=False, export_formats=["instagram_feed", "tiktok"])
    broken = storage_save(key=user_storage_key(user_id=auth_client.user.pk, kind="generations/x", extension="png"),
                          content=b"\x89PNG\r\n\x1a\n broken")
    GeneratedPose.objects.filter(pk=pose.pk).update(output_image=broken)
    assert pose_exports_run(pose_id=pose.pk) == {}
    pose.refresh_from_db()
    assert pose.export_failures == {"instagram_feed": "The image could not be read.",
                                    "tiktok": "The image could not be read."}
    assert set(pose.export_formats) == {"original"}


def test_the_results_page_says_which_format_failed(client, user, failing):
    failing.add("tiktok")
    pose = completed_pose(user, person=False, export_formats=["instagram_feed", "tiktok"])
    PoseGeneration.objects.filter(pk=pose.generation_id).update(status="completed", progress=100,
                                                                total_expected_poses=1, poses_completed=1)
    pose_exports_run(pose_id=pose.pk)
    web = signed_in(client, user)
    html = web.get(f"/generations/{pose.generation_id}/").content.decode()
    assert ('data-testid="export-failed-tiktok">TikTok · <span class="badge badge-danger">could not be made</span>'
            in html)
    assert 'data-testid="download-instagram_feed"' in html
    assert 'data-testid="export-failed-instagram_feed"' not in html
    user.language = "id"  # the account's language
    user.save(update_fields=["language"])
    html_id = web.get(f"/generations/{pose.generation_id}/").content.decode()
    assert "TikTok · <span class=\"badge badge-danger\">gagal dibuat</span>" in html_id


def test_the_zip_keeps_the_formats_that_worked_and_names_the_failure(auth_client, failing):
    user = auth_client.user
    pose = completed_pose(user, person=False, export_formats=["instagram_feed"])
    pose_exports_run(pose_id=pose.pk)
    failing.add("custom:320x200")
    response = auth_client.get(f"{BASE}/generations/{pose.generation_id}/export-zip"
                               "?formats=instagram_feed,custom:320x200,tiktok_webp,original")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == ["pose_1_instagram_feed.jpg", "pose_1_tiktok_webp.webp", "pose_1_original.png",
                                  "EXPORT-FAILURES.txt"]
    assert archive.read("EXPORT-FAILURES.txt").decode() == (
        "These files could not be made; every other file is in this ZIP.\n\n"
        "pose_1_custom-320x200.jpg: Custom 320×200 could not be encoded.\n")
    assert Image.open(io.BytesIO(archive.read("pose_1_tiktok_webp.webp"))).size == (1080, 1920)
    failing.clear()
    clean = auth_client.get(f"{BASE}/generations/{pose.generation_id}/export-zip?formats=custom:320x200")
    assert zipfile.ZipFile(io.BytesIO(b"".join(clean.streaming_content))).namelist() == [
        "pose_1_custom-320x200.jpg"]


def test_the_person_is_found_once_per_image_and_reused(auth_client, monkeypatch):
    calls = []

    def counting_subject_box(data):
        calls.append(len(data))
        return (10, 20, 60, 120)

    monkeypatch.setattr(exports_service, "subject_box", counting_subject_box)
    pose = completed_pose(auth_client.user, person=False, export_formats=["instagram_feed"])
    pose_exports_run(pose_id=pose.pk)
    pose.refresh_from_db()
    assert pose.export_subject == {"image": pose.output_image.name, "box": [10, 20, 60, 120]}
    pose_export_regenerate(user=auth_client.user, pose_id=pose.pk, format_name="custom:300x300")
    auth_client.get(f"{BASE}/generations/{pose.generation_id}/export-zip?formats=tiktok,facebook_post")
    b"".join(auth_client.get(f"{BASE}/generations/{pose.generation_id}/export-zip?formats=tiktok")
             .streaming_content)
    pose_exports_run(pose_id=pose.pk)
    assert len(calls) == 1
    # A new image (a background change stores a new name) is segmented again.
    other = storage_save(key=user_storage_key(user_id=auth_client.user.pk, kind="generations/x", extension="png"),
                         content=image_bytes(width=96, height=144))
    GeneratedPose.objects.filter(pk=pose.pk).update(output_image=other)
    pose_exports_run(pose_id=pose.pk)
    assert len(calls) == 2
    pose.refresh_from_db()
    assert pose.export_subject["image"] == other
