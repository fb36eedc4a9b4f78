"""One rule for every API field that takes an image: a multipart file, or a URL that `POST /uploads` returned to
this user. Each field × (file, own upload URL, another user's upload URL, a foreign URL): the first two are
accepted, the others are a 400 naming the field with nothing created or charged. The foreign URL points at a
real loopback server that would serve an image at exactly that path: it is never contacted (no SSRF), because
an own upload is read from storage, never fetched. Sending the file and a URL at once is a 400 too: one of them
would otherwise be dropped."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from lumiku.core.storage import storage_read, storage_url
from lumiku.credits.models import LedgerEntry
from lumiku.credits.selectors import credits_balance
from posegen.models import GeneratedPose, PoseGeneration, PoseGeneratorProject
from posegen.models.generation import BackgroundJob
from requests_community.models import PoseRequest
from tests.factories import AvatarFactory, ProjectFactory, library_pose
from tests.images import image_bytes, upload
from tests.paths import FIXTURE_IMAGES
from tests.posegen.api.test_background_api import completed_pose
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body
from tests.security.test_user_urls import loopback  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db
BASE = "/api/apps/pose-generator"
SKIER = FIXTURE_IMAGES / "fullbody_skier_snow_coco785.jpg"


def _png(color=(200, 120, 80), size=(64, 96)) -> bytes:
    return image_bytes(width=size[0], height=size[1], color=color)


def _upload(client, kind: str, content: bytes | None = None, name: str = "a.png", content_type="image/png") -> str:
    response = client.post(f"{BASE}/uploads", {"kind": kind, "image": upload(name, content or _png(), content_type)},
                           format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == kind
    return response.json()["url"]


def _refused(response, field: str, code: str = "INVALID_IMAGE_URL") -> None:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert (error["code"], error["statusCode"]) == (code, 400)
    assert list(error["fields"]) == [field]
    assert error["message"] == f"{field} must be an image you uploaded to this app."


def _pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def _urls(auth_client, other_client, loopback, kind: str, **own) -> dict[str, str]:  # noqa: F811
    mine = _upload(auth_client, kind, **own)
    return {"mine": mine, "theirs": _upload(other_client, kind),
            "foreign": f"http://127.0.0.1:{loopback.server_address[1]}{mine}",
            "other_kind": _upload(auth_client, "logos" if kind != "logos" else "backgrounds")}


# --- avatarImageUrl: POST /projects ---------------------------------------------------------------------------
def test_project_avatar_as_file_or_own_upload_url(auth_client, other_client, loopback):  # noqa: F811
    urls = _urls(auth_client, other_client, loopback, "avatars", content=_png((10, 200, 30)))
    body = {"projectName": "Lebaran", "avatarSource": "UPLOAD"}

    by_file = auth_client.post(f"{BASE}/projects", {**body, "avatarImage": upload("me.png", _png((10, 200, 30)))},
                               format="multipart")
    assert by_file.status_code == 201, by_file.content
    by_url = auth_client.post(f"{BASE}/projects", {**body, "avatarImageUrl": urls["mine"]}, format="json")
    assert by_url.status_code == 201, by_url.content
    project = PoseGeneratorProject.objects.get(pk=by_url.json()["project"]["id"])
    # The project owns a copy of the upload (deleting the project never deletes the upload).
    assert project.avatar_image.name.startswith(f"users/{auth_client.user.pk}/projects/avatars/")
    assert project.avatar_image.name not in urls["mine"]
    assert np.array_equal(_pixels(storage_read(project.avatar_image.name)),
                          _pixels(storage_read(urls["mine"][urls["mine"].index("users/"):].split("?")[0])))

    for case in ("theirs", "foreign", "other_kind", "https://images.example.com/me.png"):
        url = urls.get(case, case)
        _refused(auth_client.post(f"{BASE}/projects", {**body, "avatarImageUrl": url}, format="json"),
                 "avatarImageUrl")
    both = auth_client.post(f"{BASE}/projects", {**body, "avatarImageUrl": urls["mine"],
                                                 "avatarImage": upload("me.png", _png())}, format="multipart")
    assert both.status_code == 400
    assert set(both.json()["error"]["fields"]) == {"avatarImage", "avatarImageUrl"}
    assert PoseGeneratorProject.objects.filter(user=auth_client.user).count() == 2
    assert loopback.hits == []


def test_avatar_creator_project_takes_only_that_avatars_own_url(auth_client, loopback):  # noqa: F811
    avatar = AvatarFactory(user=auth_client.user)
    body = {"projectName": "Catalog", "avatarSource": "AVATAR_CREATOR", "avatarId": str(avatar.pk)}
    ok = auth_client.post(f"{BASE}/projects", {**body, "avatarImageUrl": storage_url(avatar.image.name)},
                          format="json")
    assert ok.status_code == 201, ok.content  # the spec's example sends the avatar's URL along
    foreign = auth_client.post(f"{BASE}/projects", {
        **body, "avatarImageUrl": f"http://127.0.0.1:{loopback.server_address[1]}/{avatar.image.name}"}, format="json")
    assert foreign.status_code == 400
    assert foreign.json()["error"]["fields"] == {
        "avatarImageUrl": ["avatarImageUrl must be the chosen avatar's photo, or left out."]}
    assert PoseGeneratorProject.objects.filter(user=auth_client.user).count() == 1
    assert loopback.hits == []


# --- imageUrl: POST /api/avatars (the platform's saved avatars) -----------------------------------------------------
def test_saved_avatar_as_file_or_own_upload_url(auth_client, other_client, loopback):  # noqa: F811
    from lumiku.avatars.models import Avatar

    urls = _urls(auth_client, other_client, loopback, "avatars", content=_png((200, 30, 90)))
    body = {"name": "Model A", "gender": "female"}

    by_file = auth_client.post("/api/avatars/", {**body, "image": upload("me.png", _png((200, 30, 90)))},
                               format="multipart")
    assert by_file.status_code == 201, by_file.content
    by_url = auth_client.post("/api/avatars/", {**body, "imageUrl": urls["mine"]}, format="json")
    assert by_url.status_code == 201, by_url.content
    avatar = Avatar.objects.get(pk=by_url.json()["avatar"]["id"])
    # The avatar owns a copy of the upload, with the same pixels.
    uploaded = urls["mine"][urls["mine"].index("users/"):].split("?")[0]
    assert avatar.image.name != uploaded
    assert np.array_equal(_pixels(storage_read(avatar.image.name)), _pixels(storage_read(uploaded)))

    for case in ("theirs", "foreign", "other_kind", "https://images.example.com/me.png"):
        _refused(auth_client.post("/api/avatars/", {**body, "imageUrl": urls.get(case, case)}, format="json"),
                 "imageUrl")
    both = auth_client.post("/api/avatars/", {**body, "imageUrl": urls["mine"], "image": upload("me.png", _png())},
                            format="multipart")
    assert both.status_code == 400
    assert set(both.json()["error"]["fields"]) == {"image", "imageUrl"}
    neither = auth_client.post("/api/avatars/", body, format="json")
    assert neither.status_code == 400
    assert list(neither.json()["error"]["fields"]) == ["image"]
    assert Avatar.objects.filter(user=auth_client.user).count() == 2
    assert loopback.hits == []


# --- backgroundImageUrl and referenceImageUrl: POST /generate -----------------------------------------------------
def _nothing_charged(user, balance):
    assert PoseGeneration.objects.filter(user=user).count() == 0
    assert credits_balance(user_id=user.pk) == balance
    assert LedgerEntry.objects.filter(wallet_id=user.pk, kind="charge").count() == 0


def test_generation_background_as_file_or_own_upload_url(auth_client, other_client, loopback):  # noqa: F811
    user = auth_client.user
    urls = _urls(auth_client, other_client, loopback, "backgrounds", content=_png((0, 0, 250)))
    project, pose = ProjectFactory(user=user), library_pose()
    body = gallery_body(project, [pose], useBackgroundChanger=True, backgroundMode="upload")
    fund(user, 1000)

    for case in ("theirs", "foreign", "other_kind"):
        _refused(auth_client.post(GENERATE_URL, {**body, "backgroundImageUrl": urls[case]}, format="json"),
                 "backgroundImageUrl", code="INVALID_BACKGROUND_URL")
    both = auth_client.post(GENERATE_URL, {**body, "backgroundImageUrl": urls["mine"],
                                           "backgroundImage": upload("bg.png", _png())}, format="multipart")
    assert both.status_code == 400
    _nothing_charged(user, 1000)

    by_url = auth_client.post(GENERATE_URL, {**body, "backgroundImageUrl": urls["mine"]}, format="json")
    assert by_url.status_code == 202, by_url.content
    generation = PoseGeneration.objects.get(pk=by_url.json()["generationId"])
    assert generation.background_mode == "upload"
    assert generation.background_image.name.startswith(f"users/{user.pk}/backgrounds/")
    assert _pixels(storage_read(generation.background_image.name))[-1, -1].tolist() == [0, 0, 250]
    price = by_url.json()["creditCharged"]
    by_file = auth_client.post(GENERATE_URL, {**body, "backgroundImage": upload("bg.png", _png((0, 0, 250)))},
                               format="multipart")
    assert by_file.status_code == 202, by_file.content
    assert credits_balance(user_id=user.pk) == 1000 - 2 * price
    assert loopback.hits == []


def test_generation_reference_photo_as_file_or_own_upload_url(auth_client, other_client, loopback):  # noqa: F811
    user = auth_client.user
    photo = SKIER.read_bytes()
    urls = _urls(auth_client, other_client, loopback, "references", content=photo, name="skier.jpg",
                 content_type="image/jpeg")
    project = ProjectFactory(user=user)
    body = {"projectId": str(project.pk), "generationType": "POSE_FROM_PHOTO", "variationCount": 1}
    fund(user, 1000)

    for case in ("theirs", "foreign", "other_kind"):
        _refused(auth_client.post(GENERATE_URL, {**body, "referenceImageUrl": urls[case]}, format="json"),
                 "referenceImageUrl")
    _nothing_charged(user, 1000)

    by_url = auth_client.post(GENERATE_URL, {**body, "referenceImageUrl": urls["mine"]}, format="json")
    assert by_url.status_code == 202, by_url.content
    by_file = auth_client.post(GENERATE_URL, {**body, "referenceImage": upload("skier.jpg", photo, "image/jpeg")},
                               format="multipart")
    assert by_file.status_code == 202, by_file.content
    first, second = (PoseGeneration.objects.get(pk=r.json()["generationId"]) for r in (by_url, by_file))
    # The same skier by URL (re-encoded once more by POST /uploads) and by file: the pose read from both.
    for generation in (first, second):
        assert (generation.generated_pose_structure["source"], generation.generated_pose_structure["peopleDetected"],
                generation.generation_type) == ("photo", 1, "POSE_FROM_PHOTO")
    assert credits_balance(user_id=user.pk) == 1000 - first.credit_charged - second.credit_charged
    assert loopback.hits == []


# --- referenceImageUrl: POST /requests -------------------------------------------------------------------------
def test_pose_request_reference_as_file_or_own_upload_url(auth_client, other_client, loopback):  # noqa: F811
    urls = _urls(auth_client, other_client, loopback, "references", content=_png((250, 250, 0)))
    url = f"{BASE}/requests"

    def body(name):
        return {"poseName": name, "description": "Holding a phone up for a selfie with the product"}

    for i, case in enumerate(("theirs", "foreign", "other_kind")):
        _refused(auth_client.post(url, {**body(f"Refused {i}"), "referenceImageUrl": urls[case]}, format="json"),
                 "referenceImageUrl")
    assert PoseRequest.objects.count() == 0

    by_url = auth_client.post(url, {**body("Selfie with product"), "referenceImageUrl": urls["mine"]}, format="json")
    assert by_url.status_code == 201, by_url.content
    stored = PoseRequest.objects.get(pk=by_url.json()["request"]["id"])
    assert stored.reference_image.name.startswith(f"users/{auth_client.user.pk}/pose-requests/")
    assert _pixels(storage_read(stored.reference_image.name))[50, 50].tolist() == [250, 250, 0]
    assert by_url.json()["request"]["referenceImageUrl"]
    by_file = auth_client.post(url, {**body("Selfie two"), "referenceImage": upload("r.png", _png())},
                               format="multipart")
    assert by_file.status_code == 201, by_file.content
    # The spec's form sends an empty referenceImageUrl when there is no photo: no image, not an error.
    empty = auth_client.post(url, {**body("No photo"), "referenceImageUrl": ""}, format="json")
    assert empty.status_code == 201 and empty.json()["request"]["referenceImageUrl"] is None
    assert PoseRequest.objects.count() == 3
    assert loopback.hits == []


# --- the logo: POST /poses/:id/regenerate-export ------------------------------------------------------------------
def _blue_logo() -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA", (80, 40), (0, 0, 255, 255)).save(buf, "PNG")
    return buf.getvalue()


def test_export_logo_as_file_or_own_upload_url(auth_client, other_client, loopback):  # noqa: F811
    pose = completed_pose(auth_client.user, person=False)
    urls = _urls(auth_client, other_client, loopback, "logos", content=_blue_logo())
    url = f"{BASE}/poses/{pose.pk}/regenerate-export"
    body = {"format": "custom:600x600", "corner": "top_left", "opacity": 1.0}
    for case in ("theirs", "foreign", "other_kind"):
        _refused(auth_client.post(url, {**body, "logoUrl": urls[case]}, format="json"), "logoUrl")
    both = auth_client.post(url, {**body, "logoUrl": urls["mine"], "logo": upload("l.png", _blue_logo())},
                            format="multipart")
    assert both.status_code == 400
    pose.refresh_from_db()
    assert "custom:600x600" not in pose.export_formats

    for sent in ({"logoUrl": urls["mine"]}, {"logo": upload("l.png", _blue_logo())}):
        response = auth_client.post(url, {**body, **sent}, format="multipart" if "logo" in sent else "json")
        assert response.status_code == 200, response.content
        pose.refresh_from_db()
        r, _g, b = Image.open(io.BytesIO(storage_read(pose.export_formats["custom:600x600"]))).convert(
            "RGB").getpixel((30, 25))
        assert b > 200 and r < 60, sent  # the logo, top left
    bad = auth_client.post(url, {**body, "logo": upload("l.png", b"%PDF-1.4 not an image")}, format="multipart")
    assert bad.status_code == 400 and list(bad.json()["error"]["fields"]) == ["logo"]
    assert loopback.hits == []


# --- backgroundImageUrl: POST /poses/:id/background -------------------------------------------------------------
def test_background_change_as_file_or_own_upload_url(auth_client, other_client, loopback):  # noqa: F811
    user = auth_client.user
    fund(user, 100)
    urls = _urls(auth_client, other_client, loopback, "backgrounds")
    first, second = completed_pose(user), None
    second = completed_pose(user, sequence=1, generation=first.generation)
    for case in ("theirs", "foreign", "other_kind"):
        _refused(auth_client.post(f"{BASE}/poses/{first.pk}/background",
                                  {"backgroundMode": "upload", "backgroundImageUrl": urls[case]}, format="json"),
                 "backgroundImageUrl", code="INVALID_BACKGROUND_URL")
    assert BackgroundJob.objects.count() == 0 and credits_balance(user_id=user.pk) == 100
    by_url = auth_client.post(f"{BASE}/poses/{first.pk}/background",
                              {"backgroundMode": "upload", "backgroundImageUrl": urls["mine"]}, format="json")
    by_file = auth_client.post(f"{BASE}/poses/{second.pk}/background",
                               {"backgroundMode": "upload", "backgroundImage": upload("bg.png", _png())},
                               format="multipart")
    assert (by_url.status_code, by_file.status_code) == (202, 202), (by_url.content, by_file.content)
    assert BackgroundJob.objects.count() == 2
    assert GeneratedPose.objects.filter(generation=first.generation).count() == 2
    assert loopback.hits == []


def test_uploads_take_every_image_kind_and_refuse_others(auth_client):
    for kind in ("backgrounds", "logos", "avatars", "references"):
        assert f"/users/{auth_client.user.pk}/{kind}/" in _upload(auth_client, kind)
    response = auth_client.post(f"{BASE}/uploads", {"kind": "projects", "image": upload("a.png", _png())},
                                format="multipart")
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["kind"]


def test_refusals_are_said_in_the_readers_language(auth_client):
    mine = _upload(auth_client, "avatars")
    both = auth_client.post(f"{BASE}/projects", {"projectName": "Lebaran", "avatarSource": "UPLOAD",
                                                 "avatarImageUrl": mine, "avatarImage": upload("me.png", _png())},
                            format="multipart", HTTP_ACCEPT_LANGUAGE="id")
    assert both.json()["error"]["message"] == "Kirim avatarImage atau avatarImageUrl, jangan keduanya."
    avatar = AvatarFactory(user=auth_client.user)
    wrong = auth_client.post(f"{BASE}/projects", {"projectName": "Katalog", "avatarSource": "AVATAR_CREATOR",
                                                  "avatarId": str(avatar.pk), "avatarImageUrl": mine},
                             format="json", HTTP_ACCEPT_LANGUAGE="id")
    assert wrong.json()["error"]["message"] == (
        "avatarImageUrl harus berupa foto model yang dipilih, atau dikosongkan.")


def test_background_change_with_a_file_and_a_url_at_once_is_refused(auth_client):
    fund(auth_client.user, 100)
    pose = completed_pose(auth_client.user)
    mine = _upload(auth_client, "backgrounds")
    response = auth_client.post(f"{BASE}/poses/{pose.pk}/background",
                                {"backgroundMode": "upload", "backgroundImageUrl": mine,
                                 "backgroundImage": upload("bg.png", _png())}, format="multipart")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"backgroundImage", "backgroundImageUrl"}
    assert BackgroundJob.objects.count() == 0 and credits_balance(user_id=auth_client.user.pk) == 100


# --- imageUrl: POST /library/extract ----------------------------------------------------------------------------
def test_library_extract_photo_as_file_or_own_upload_url(auth_client, other_client, loopback, settings):  # noqa: F811
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "library_extract": "1000/minute"}
    photo = SKIER.read_bytes()
    urls = _urls(auth_client, other_client, loopback, "references", content=photo, name="skier.jpg",
                 content_type="image/jpeg")
    url = f"{BASE}/library/extract"
    for case in ("theirs", "foreign", "other_kind"):
        _refused(auth_client.post(url, {"imageUrl": urls[case]}, format="json"), "imageUrl")
    by_url = auth_client.post(url, {"imageUrl": urls["mine"]}, format="json")
    by_file = auth_client.post(url, {"image": upload("skier.jpg", photo, "image/jpeg")}, format="multipart")
    assert (by_url.status_code, by_file.status_code) == (200, 200), (by_url.content, by_file.content)
    assert by_url.json()["peopleDetected"] == by_file.json()["peopleDetected"] == 1
    assert (by_url.json()["imageWidth"], by_url.json()["imageHeight"]) == (
        by_file.json()["imageWidth"], by_file.json()["imageHeight"])
    assert loopback.hits == []
