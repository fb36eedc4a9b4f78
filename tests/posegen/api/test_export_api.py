"""Export API: the catalogue, ZIP streaming, re-export with custom sizes and a logo; exports in the pipeline."""

import io
import time
import uuid
import zipfile
from urllib.parse import urlsplit

import pytest
from PIL import Image

from lumiku.core.storage import storage_read
from lumiku.credits.selectors import credits_balance
from posegen.models import GeneratedPose
from posegen.services.exports import pose_exports_run
from tests.factories import ProjectFactory, library_pose
from tests.images import image_bytes, upload
from tests.posegen.api.test_background_api import BASE, completed_pose
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body, wait_for_terminal


@pytest.mark.django_db
def test_export_formats_catalogue_shape(auth_client):
    body = auth_client.get(f"{BASE}/export-formats").json()
    assert set(body) == {"formats", "categories", "recommended"}
    assert len(body["formats"]) == 24  # spec 000's 13 and a WebP twin of each but print
    feed = next(f for f in body["formats"] if f["name"] == "instagram_feed")
    assert feed == {"name": "instagram_feed", "displayName": "Instagram Feed", "width": 1080, "height": 1080,
                    "aspectRatio": "1:1", "format": "jpeg", "quality": 85, "category": "social",
                    "estimatedSize": feed["estimatedSize"]}
    webp = next(f for f in body["formats"] if f["name"] == "instagram_feed_webp")
    assert webp == {**feed, "name": "instagram_feed_webp", "displayName": "Instagram Feed (WebP)", "format": "webp",
                    "estimatedSize": webp["estimatedSize"]}
    assert "print_a4_webp" not in {f["name"] for f in body["formats"]}
    assert feed["estimatedSize"].startswith("~")
    assert body["categories"]["print"] == ["print_a4", "print_4x6"]
    assert body["recommended"]["ecommerce"] == ["shopee_product", "tokopedia_product", "lazada_product", "original"]


@pytest.mark.django_db
def test_zip_is_streamed_with_spec_names(auth_client, other_client):
    user = auth_client.user
    first = completed_pose(user, person=False)
    second = completed_pose(user, sequence=1, generation=first.generation, person=False)
    first.pose_library = library_pose(name="Hands on Hips")
    first.save(update_fields=["pose_library"])
    assert pose_exports_run(pose_id=first.pk) == {}  # the generation asked for no formats
    first.generation.export_formats = ["instagram_feed"]
    first.generation.save(update_fields=["export_formats"])
    stored = pose_exports_run(pose_id=first.pk)
    assert set(stored) == {"instagram_feed"}

    url = f"{BASE}/generations/{first.generation_id}/export-zip?formats=instagram_feed,custom:320x200,original"
    response = auth_client.get(url)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="poses-{first.generation_id}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == [
        "hands-on-hips_1_instagram_feed.jpg", "hands-on-hips_1_custom-320x200.jpg", "hands-on-hips_1_original.png",
        "pose_2_instagram_feed.jpg", "pose_2_custom-320x200.jpg", "pose_2_original.png",
    ]
    assert archive.read("hands-on-hips_1_instagram_feed.jpg") == storage_read(stored["instagram_feed"])
    assert Image.open(io.BytesIO(archive.read("pose_2_custom-320x200.jpg"))).size == (320, 200)
    assert archive.read("pose_2_original.png") == storage_read(second.output_image.name)

    assert other_client.get(url).status_code == 404
    assert auth_client.get(f"{BASE}/generations/{uuid.uuid4()}/export-zip").status_code == 404
    bad = auth_client.get(f"{BASE}/generations/{first.generation_id}/export-zip?formats=tiktok,poster")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "INVALID_EXPORT_FORMAT"


@pytest.mark.django_db
def test_regenerate_export_with_custom_size_and_logo(auth_client, other_client):
    fund(auth_client.user, 50)
    pose = completed_pose(auth_client.user)
    logo = io.BytesIO()
    Image.new("RGBA", (80, 40), (0, 0, 255, 255)).save(logo, "PNG")
    logo_url = auth_client.post(f"{BASE}/uploads", {"kind": "logos", "image": upload("logo.png", logo.getvalue())},
                                format="multipart").json()["url"]
    url = f"{BASE}/poses/{pose.pk}/regenerate-export"
    response = auth_client.post(url, {"format": "custom:600x600", "logoUrl": logo_url, "corner": "top_left",
                                      "opacity": 1.0}, format="json")
    assert response.status_code == 200, response.content
    pose.refresh_from_db()
    name = pose.export_formats["custom:600x600"]
    assert set(response.json()) == {"exportUrl"}
    assert urlsplit(response.json()["exportUrl"]).path.endswith(name)  # signed: ?s=...
    img = Image.open(io.BytesIO(storage_read(name))).convert("RGB")
    assert img.size == (600, 600)
    r, _g, b = img.getpixel((30, 25))
    assert b > 200 and r < 60  # the logo, top left
    plain = auth_client.post(url, {"format": "shopee_product"}, format="json")
    assert Image.open(io.BytesIO(storage_read(GeneratedPose.objects.get(pk=pose.pk)
                                              .export_formats["shopee_product"]))).size == (1000, 1000)
    assert plain.status_code == 200
    assert credits_balance(user_id=auth_client.user.pk) == 50  # exports are free

    for body in ({"format": "poster"}, {"format": "custom:9000x10"}, {"format": "tiktok", "corner": "middle"},
                 {"format": "tiktok", "logoUrl": "https://evil.example/logo.png"}):
        assert auth_client.post(url, body, format="json").status_code == 400, body
    theirs = other_client.post(f"{BASE}/uploads", {"kind": "logos", "image": upload("l.png", image_bytes())},
                               format="multipart").json()["url"]
    assert auth_client.post(url, {"format": "tiktok", "logoUrl": theirs}, format="json").status_code == 400
    assert other_client.post(url, {"format": "tiktok"}, format="json").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_generation_output_formats_are_exported_on_the_export_queue(auth_client, celery_worker, engine):
    engine("counting")
    fund(auth_client.user, 500)
    project = ProjectFactory(user=auth_client.user)
    poses = [library_pose(name=f"Pose {i}") for i in range(2)]
    body = auth_client.post(GENERATE_URL, gallery_body(project, poses, outputFormats=["instagram_story", "print_4x6"]),
                            format="json").json()
    generation = wait_for_terminal(body["generationId"])
    assert generation.status == "completed"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        rows = list(GeneratedPose.objects.filter(generation=generation))
        if all(set(r.export_formats) == {"original", "instagram_story", "print_4x6"} for r in rows):
            break
        time.sleep(0.1)
    for row in rows:
        assert set(row.export_formats) == {"original", "instagram_story", "print_4x6"}
        assert Image.open(io.BytesIO(storage_read(row.export_formats["instagram_story"]))).size == (1080, 1920)
        png = Image.open(io.BytesIO(storage_read(row.export_formats["print_4x6"])))
        assert png.size == (1800, 1200) and round(png.info["dpi"][0]) == 300
    results = auth_client.get(f"{BASE}/generations/{generation.pk}/results").json()["results"]
    assert set(results[0]["exportFormats"]) == {"original", "instagram_story", "print_4x6"}
    assert credits_balance(user_id=auth_client.user.pk) == 440
