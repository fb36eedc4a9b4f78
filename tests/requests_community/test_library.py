"""A request becomes a library pose: extraction from the reference photo, the four pictures, the
PoseLibrary row, the category count and the completed request."""

from __future__ import annotations

import io

import numpy as np
import pytest
from django.core.files.storage import default_storage
from PIL import Image

from lumiku.core.errors import Conflict, InvalidTransition, UnprocessableEntity, ValidationFailed
from posegen.models import PoseCategory, PoseLibrary
from posegen.posekit.fit import fit_keypoints_to_canvas, fit_pose
from posegen.services.library import PosePictures
from requests_community.models import PoseRequestTransition
from requests_community.services import library
from requests_community.services.library import pose_request_create_library_pose
from tests.factories import CategoryFactory
from tests.images import image_bytes
from tests.paths import TESTDATA
from tests.requests_community.factories import PoseRequestFactory

pytestmark = pytest.mark.django_db
TESTDATA_IMAGES = TESTDATA / "images"


def _mannequin_photo() -> bytes:
    """A photo the project renders itself: a posed mannequin (MediaPipe finds it as a person)."""
    from posegen.posekit.render_mannequin import render_mannequin
    from posegen.posekit.skeleton import Root, make_pose

    pose = make_pose(angles={"l_shoulder.abduction": 80, "r_shoulder.flexion": 60, "r_elbow.flexion": 40,
                             "l_hip.flexion": 20}, root=Root(yaw=20))
    out = io.BytesIO()
    Image.fromarray(render_mannequin(pose=pose, width=480, height=640)).save(out, "JPEG", quality=92)
    return out.getvalue()


def _request_with_photo(content: bytes, status="approved", **kwargs):
    from lumiku.core.storage import storage_save, user_storage_key

    request = PoseRequestFactory(status=status, **kwargs)
    request.reference_image = storage_save(
        key=user_storage_key(user_id=request.user_id, kind="pose-requests", extension="JPEG"), content=content)
    request.save()
    return request


def _fake_assets(**_):
    def png(w, h):
        out = io.BytesIO()
        Image.new("RGB", (w, h)).save(out, "PNG")
        return out.getvalue()

    return PosePictures(keypoints=[[0.5, 0.5, 1.0]] * 18, openpose_json={"people": []}, pose_structure={"angles": {}},
                        controlnet_png=png(768, 1024), reference_jpeg=png(768, 1024), preview_jpeg=png(512, 683),
                        thumbnail_jpeg=png(192, 256))


def _library_files():
    try:
        return {f"{kind}/{name}" for kind in ("controlnet", "reference", "preview", "thumbnail")
                for name in default_storage.listdir(f"library/poses/{kind}")[1]}
    except FileNotFoundError:
        return set()


@pytest.mark.slow
def test_creates_the_pose_with_four_pictures_and_completes_the_request(moderator, published):
    category = CategoryFactory(pose_count=4)
    request = _request_with_photo(_mannequin_photo(), status="approved", pose_name="Waving hello")
    pose = pose_request_create_library_pose(request_id=request.pk, actor=moderator, name="Friendly wave",
                                            category_id=category.pk, description="Waving, weight on one leg")
    pose = PoseLibrary.objects.get(pk=pose.pk)
    assert (pose.name, pose.description, pose.category_id) == ("Friendly wave", "Waving, weight on one leg",
                                                               category.pk)
    assert pose.source_type == "user_contributed"
    assert pose.source_credit == "Community request “Waving hello”"
    sizes = {}
    for field in ("controlnet_image", "reference_image", "preview_image", "thumbnail"):
        name = getattr(pose, field).name
        assert name.startswith("library/poses/"), name
        with default_storage.open(name) as handle:
            sizes[field] = Image.open(handle).size
    assert sizes == {"controlnet_image": (768, 1024), "reference_image": (768, 1024),
                     "preview_image": (512, 683), "thumbnail": (192, 256)}
    keypoints = np.array(pose.keypoints)
    assert keypoints.shape == (18, 3)
    assert ((keypoints[:, :2] >= 0) & (keypoints[:, :2] <= 1)).all()
    assert len(pose.openpose_json["people"][0]["pose_keypoints_2d"]) == 54
    assert pose.openpose_json["canvas_width"] == 768
    assert pose.pose_structure["source"] == "photo"
    # The ControlNet map is drawn: colour where the joints are.
    with default_storage.open(pose.controlnet_image.name) as handle:
        assert np.asarray(Image.open(handle).convert("RGB")).max() == 255

    category.refresh_from_db()
    assert category.pose_count == 5
    request.refresh_from_db()
    assert (request.status, request.completed_pose_id) == ("completed", pose.pk)
    assert list(PoseRequestTransition.objects.filter(request=request).values_list("from_status", "to_status")) == [
        ("approved", "in_progress"), ("in_progress", "completed")]
    assert [e[2]["toStatus"] for e in published] == ["in_progress", "completed"]
    assert published[-1][2]["completedPoseId"] == str(pose.pk)


def test_in_progress_request_completes_with_one_transition(moderator, monkeypatch):
    monkeypatch.setattr(library, "library_pictures_from_photo", lambda **kw: _fake_assets())
    category = CategoryFactory()
    request = _request_with_photo(image_bytes(fmt="JPEG"), status="in_progress")
    pose = pose_request_create_library_pose(request_id=request.pk, actor=moderator, name="  Lean  ",
                                            category_id=category.pk, notes="Enjoy")
    assert pose.name == "Lean"
    assert pose.description == request.description
    request.refresh_from_db()
    assert (request.status, request.admin_notes) == ("completed", "Enjoy")
    assert list(PoseRequestTransition.objects.values_list("from_status", "to_status", "notes")) == [
        ("in_progress", "completed", "Enjoy")]
    assert PoseCategory.objects.get(pk=category.pk).pose_count == 1


@pytest.mark.parametrize("status", ["pending", "completed", "rejected"])
def test_refused_unless_approved_or_in_progress(moderator, monkeypatch, status):
    monkeypatch.setattr(library, "library_pictures_from_photo", lambda **kw: pytest.fail("must not extract"))
    from tests.factories import PoseFactory

    request = _request_with_photo(image_bytes(fmt="JPEG"), status=status,
                                  completed_pose=PoseFactory() if status == "completed" else None)
    count = PoseLibrary.objects.count()
    with pytest.raises(InvalidTransition):
        pose_request_create_library_pose(request_id=request.pk, actor=moderator, name="X",
                                         category_id=CategoryFactory().pk)
    assert PoseLibrary.objects.count() == count
    assert PoseRequestTransition.objects.count() == 0


def test_refused_without_a_reference_photo(moderator):
    request = PoseRequestFactory(status="approved")
    with pytest.raises(Conflict) as caught:
        pose_request_create_library_pose(request_id=request.pk, actor=moderator, name="X",
                                         category_id=CategoryFactory().pk)
    assert caught.value.code == "NO_REFERENCE_IMAGE"


def test_bad_name_or_category_is_400(moderator):
    request = PoseRequestFactory(status="approved")
    with pytest.raises(ValidationFailed):
        pose_request_create_library_pose(request_id=request.pk, actor=moderator, name="  ",
                                         category_id=CategoryFactory().pk)
    with pytest.raises(ValidationFailed):
        pose_request_create_library_pose(request_id=request.pk, actor=moderator, name="X",
                                         category_id="00000000-0000-0000-0000-000000000000")
    assert PoseLibrary.objects.count() == 0


@pytest.mark.slow
def test_photo_without_a_person_is_422_and_nothing_is_stored(moderator):
    request = _request_with_photo(image_bytes(width=320, height=480, fmt="JPEG"))
    before = _library_files()
    with pytest.raises(UnprocessableEntity) as caught:
        pose_request_create_library_pose(request_id=request.pk, actor=moderator, name="X",
                                         category_id=CategoryFactory().pk)
    assert caught.value.code == "NO_PERSON_DETECTED"
    assert PoseLibrary.objects.count() == 0
    assert _library_files() == before
    request.refresh_from_db()
    assert request.status == "approved"


def test_stored_files_are_removed_when_the_transaction_fails(moderator, monkeypatch):
    monkeypatch.setattr(library, "library_pictures_from_photo", lambda **kw: _fake_assets())
    request = _request_with_photo(image_bytes(fmt="JPEG"))
    before = _library_files()

    def fail(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(library, "pose_request_transition_locked", fail)
    category = CategoryFactory()
    with pytest.raises(RuntimeError):
        pose_request_create_library_pose(request_id=request.pk, actor=moderator, name="X", category_id=category.pk)
    assert _library_files() == before
    assert PoseLibrary.objects.count() == 0
    assert PoseCategory.objects.get(pk=category.pk).pose_count == 0


def test_api_create_pose(mod_client, monkeypatch):
    monkeypatch.setattr(library, "library_pictures_from_photo", lambda **kw: _fake_assets())
    category = CategoryFactory()
    request = _request_with_photo(image_bytes(fmt="JPEG"))
    response = mod_client.post(f"/api/apps/pose-generator/admin/pose-requests/{request.pk}/create-pose",
                               {"name": "Lean", "categoryId": str(category.pk)}, format="json")
    assert response.status_code == 201
    body = response.json()["request"]
    assert body["status"] == "completed"
    assert body["completedPoseId"] == str(PoseLibrary.objects.get().pk)
    bad = mod_client.post(f"/api/apps/pose-generator/admin/pose-requests/{request.pk}/create-pose",
                          {"categoryId": str(category.pk)}, format="json")
    assert bad.status_code == 400


@pytest.mark.slow
@pytest.mark.skipif(not (TESTDATA_IMAGES / "fullbody_skier_snow_coco785.jpg").exists(),
                    reason="needs ../shared/testdata")
def test_real_photo_gives_a_close_fit():
    from posegen.posekit.extract import extract_pose

    extraction = extract_pose(image=(TESTDATA_IMAGES / "fullbody_skier_snow_coco785.jpg").read_bytes())
    fit = fit_pose(keypoints=extraction.keypoints, image_width=extraction.image_width,
                   image_height=extraction.image_height, landmarks33=extraction.landmarks33)
    assert fit.error < 0.15


# --- the fit alone (no photo) ------------------------------------------------------------------------------


def _synthetic(pose, width=600, height=800):
    from posegen.posekit.keypoints import BLAZEPOSE_TO_COCO18
    from posegen.posekit.skeleton import Camera, pose_joints_3d
    from posegen.posekit.skeleton.projection import camera_axes

    pts = pose_joints_3d(pose=pose).coco18() @ camera_axes(Camera(distance=None)).T
    low, high = pts[:, :2].min(0), pts[:, :2].max(0)
    scale = 0.8 * min(width / (high - low)[0], height / (high - low)[1])
    centre = (low + high) / 2
    x = ((pts[:, 0] - centre[0]) * scale + width / 2) / width
    y = (-(pts[:, 1] - centre[1]) * scale + height / 2) / height
    landmarks = np.zeros((33, 4))
    for i, source in enumerate(BLAZEPOSE_TO_COCO18):
        if source is not None:
            landmarks[source] = (x[i], y[i], -(pts[i, 2] * scale) / width, 1.0)
    return np.stack([x, y, np.ones(18)], axis=1), landmarks


@pytest.mark.parametrize("angles", [
    {"shoulder.abduction": 45, "shoulder.flexion": -20, "shoulder.rotation": 80, "elbow.flexion": 100},
    {"l_shoulder.abduction": 160, "r_shoulder.flexion": 90, "r_elbow.flexion": 60, "spine.lateral": 10},
    {"l_hip.flexion": 30, "r_hip.flexion": -15, "r_knee.flexion": 30, "l_shoulder.flexion": -20},
])
def test_fit_recovers_a_known_pose(angles):
    from posegen.posekit.skeleton import Root, make_pose

    keypoints, landmarks = _synthetic(make_pose(angles=angles, root=Root(yaw=30)))
    fit = fit_pose(keypoints=keypoints, image_width=600, image_height=800, landmarks33=landmarks)
    assert fit.error < 0.01
    assert np.abs(fit.keypoints[:, :2] - keypoints[:, :2]).max() < 0.01
    assert abs(fit.pose.root.yaw - 30) < 5


def test_fit_keypoints_to_canvas_centres_and_keeps_missing_joints_missing():
    keypoints = np.zeros((18, 3))
    keypoints[0] = (0.1, 0.2, 0.9)
    keypoints[10] = (0.3, 0.6, 0.8)
    placed = fit_keypoints_to_canvas(keypoints=keypoints, image_width=1000, image_height=500, width=768,
                                     height=1024, margin=0.1)
    assert placed[1].tolist() == [0.0, 0.0, 0.0]
    assert placed[[0, 10], 2].tolist() == [0.9, 0.8]
    xs, ys = placed[[0, 10], 0] * 768, placed[[0, 10], 1] * 1024
    assert (xs.mean(), ys.mean()) == pytest.approx((384, 512))
    # 200 x 200 px of photo; the canvas's width is the tighter side, and the scale is uniform.
    assert xs.max() - xs.min() == pytest.approx(768 * 0.8)
    assert ys.max() - ys.min() == pytest.approx(768 * 0.8)
