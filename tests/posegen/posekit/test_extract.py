"""Pose from a photo (posegen.posekit.extract) and its scoring helpers (extract_eval).

Committed fixtures live in tests/fixtures; the research-only photos and their ground truth are read
from <repo>/../shared/testdata and those tests skip when it is absent (a user's clone).
"""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from posegen.posekit.extract import (
    NO_PERSON_MESSAGE,
    InvalidImage,
    NoPersonDetected,
    PoseExtraction,
    blazepose_to_coco18,
    extract_pose,
    load_rgb_image,
    warm_up,
)
from posegen.posekit.extract_eval import GroundTruthPerson, gt_persons_to_coco18, pck, torso_length
from posegen.posekit.keypoints import COCO18_INDEX, NUM_KEYPOINTS
from tests.offline_check import assert_runs_offline_without_django
from tests.paths import FIXTURES, TESTDATA


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / "images" / name).read_bytes()


def shared_file(*parts: str) -> Path:
    path = TESTDATA.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"shared test data not available: {path}")
    return path


@pytest.fixture(scope="module")
def skier() -> PoseExtraction:
    return extract_pose(image=fixture_bytes("fullbody_skier_snow_coco785.jpg"))


@pytest.fixture(scope="module")
def astronaut() -> PoseExtraction:
    return extract_pose(image=fixture_bytes("upper_astronaut_portrait_pd.png"))


# ---------------------------------------------------------------------------------------------
# BlazePose-33 -> COCO-18


def _landmarks(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lms = np.zeros((33, 4))
    lms[:, :2] = rng.uniform(0.1, 0.9, size=(33, 2))
    lms[:, 2] = rng.normal(size=33)
    lms[:, 3] = rng.uniform(0.0, 1.0, size=33)
    return lms


def test_coco18_takes_each_joint_from_its_blazepose_landmark():
    lms = _landmarks()
    kps = blazepose_to_coco18(landmarks33=lms)
    assert kps.shape == (NUM_KEYPOINTS, 3)
    # Spot checks against the BlazePose numbering: 0 nose, 12 right shoulder, 27 left ankle, 8 right ear.
    for coco, blaze in (("nose", 0), ("r_shoulder", 12), ("l_ankle", 27), ("r_ear", 8), ("l_eye", 2)):
        np.testing.assert_allclose(kps[COCO18_INDEX[coco], :2], lms[blaze, :2])
        assert kps[COCO18_INDEX[coco], 2] == pytest.approx(lms[blaze, 3])


def test_neck_is_the_shoulder_midpoint_as_sure_as_the_weaker_shoulder():
    lms = _landmarks(1)
    lms[11, :2], lms[12, :2] = (0.6, 0.3), (0.4, 0.5)
    lms[11, 3], lms[12, 3] = 0.9, 0.4
    neck = blazepose_to_coco18(landmarks33=lms)[COCO18_INDEX["neck"]]
    np.testing.assert_allclose(neck, (0.5, 0.4, 0.4))


def test_joints_outside_the_photo_are_clamped_and_marked_missing():
    lms = _landmarks(2)
    lms[27, :2] = (0.5, 1.6)  # left ankle far below the frame
    lms[28, :2] = (0.5, 1.01)  # right ankle on the bottom edge: within the margin, kept
    lms[27, 3] = lms[28, 3] = 0.99
    kps = blazepose_to_coco18(landmarks33=lms)
    assert kps[COCO18_INDEX["l_ankle"]].tolist() == [0.5, 1.0, 0.0]
    assert kps[COCO18_INDEX["r_ankle"], 2] == pytest.approx(0.99)
    assert kps[:, :2].min() >= 0.0 and kps[:, :2].max() <= 1.0


def test_coco18_rejects_a_wrong_shape():
    with pytest.raises(ValueError):
        blazepose_to_coco18(landmarks33=np.zeros((17, 4)))


# ---------------------------------------------------------------------------------------------
# Decoding


def _encode(img: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def test_load_rgb_image_decodes_bytes_to_rgb_uint8():
    rgb = load_rgb_image(image=fixture_bytes("fullbody_skier_snow_coco785.jpg"))
    assert rgb.shape == (425, 640, 3) and rgb.dtype == np.uint8 and rgb.flags.c_contiguous


def test_load_rgb_image_applies_exif_orientation():
    upright = Image.new("RGB", (60, 40), (0, 0, 0))
    upright.paste((255, 0, 0), (0, 0, 10, 10))  # red mark in the top-left corner
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display": stored pixels are the displayed image turned CCW
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    rgb = load_rgb_image(image=_encode(stored, "JPEG", exif=exif.tobytes(), quality=95))
    assert rgb.shape == (40, 60, 3)
    assert rgb[2, 2, 0] > 200 and rgb[2, 2, 1] < 60  # the red mark is back in the top-left corner


def test_load_rgb_image_flattens_transparency_onto_white():
    rgba = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    rgba.paste((0, 0, 255, 255), (0, 0, 20, 40))
    rgb = load_rgb_image(image=_encode(rgba, "PNG"))
    assert rgb[5, 5].tolist() == [0, 0, 255]
    assert rgb[5, 35].tolist() == [255, 255, 255]


def test_load_rgb_image_accepts_grey_and_float_arrays():
    grey = np.full((40, 50), 128, dtype=np.uint8)
    assert load_rgb_image(image=grey).shape == (40, 50, 3)
    floats = np.full((40, 50, 3), 0.5, dtype=np.float32)
    assert load_rgb_image(image=floats)[0, 0].tolist() == [128, 128, 128]


def test_load_rgb_image_widens_16_bit_greyscale_instead_of_clipping():
    arr = np.tile(np.linspace(0, 65535, 64, dtype=np.uint16), (40, 1))
    rgb = load_rgb_image(image=_encode(Image.fromarray(arr), "PNG"))
    assert rgb[0, 0, 0] == 0 and rgb[0, -1, 0] == 255 and 100 < rgb[0, 32, 0] < 160


@pytest.mark.parametrize(
    "bad",
    [b"", b"definitely not a photo", np.zeros((10, 10, 3), np.uint8), np.zeros((40, 40, 2), np.uint8),
     np.zeros((40, 40, 3), np.int64), "photo.jpg"],
    ids=["empty", "garbage", "too-small", "two-channels", "int64", "str"],
)
def test_load_rgb_image_rejects_what_is_not_a_photo(bad):
    with pytest.raises(InvalidImage) as info:
        load_rgb_image(image=bad)
    assert isinstance(info.value, ValueError)
    assert info.value.user_message


def test_load_rgb_image_rejects_nan():
    arr = np.zeros((40, 40, 3), np.float32)
    arr[0, 0, 0] = np.nan
    with pytest.raises(InvalidImage):
        load_rgb_image(image=arr)


# ---------------------------------------------------------------------------------------------
# Extraction on the committed fixtures


def test_skier_pose_matches_coco_ground_truth(skier):
    gt_entry = json.loads((FIXTURES / "annotations" / "fullbody_skier_snow_coco785__coco.json").read_text())
    (gt,) = gt_persons_to_coco18(entry=gt_entry)
    score = pck(predicted_px=skier.keypoints_px(), gt=gt, alpha=0.2)
    assert score is not None and score.total == 18
    assert score.value >= 0.88, score  # measured 17/18


def test_result_shape_ranges_and_metadata(skier):
    assert skier.keypoints.shape == (18, 3) and skier.landmarks33.shape == (33, 4)
    assert skier.image_size == (640, 425)
    assert skier.people_detected == 1
    assert skier.keypoints[:, :2].min() >= 0 and skier.keypoints[:, :2].max() <= 1
    assert skier.keypoints[:, 2].min() >= 0 and skier.keypoints[:, 2].max() <= 1
    assert skier.person_mask is None
    px = skier.keypoints_px()
    np.testing.assert_allclose(px[:, 0], skier.keypoints[:, 0] * 640)
    np.testing.assert_allclose(px[:, 1], skier.keypoints[:, 1] * 425)
    assert skier.warnings == []  # one person, whole body in view, big enough


def test_astronaut_upper_body_marks_legs_missing(astronaut):
    k = astronaut.keypoints
    nose, neck = k[COCO18_INDEX["nose"]], k[COCO18_INDEX["neck"]]
    assert nose[2] > 0.9 and neck[2] > 0.9
    # The face is in the upper middle of the portrait, above the neck.
    assert 0.3 < nose[0] < 0.7 and 0.1 < nose[1] < 0.45 and nose[1] < neck[1]
    for joint in ("r_knee", "l_knee", "r_ankle", "l_ankle"):
        assert k[COCO18_INDEX[joint], 2] < 0.5
    assert any("left ankle" in w for w in astronaut.warnings)


def test_arrays_and_bytes_give_the_same_pose(skier):
    rgb = np.asarray(Image.open(FIXTURES / "images" / "fullbody_skier_snow_coco785.jpg").convert("RGB"))
    np.testing.assert_allclose(extract_pose(image=rgb).keypoints, skier.keypoints, atol=1e-6)


def test_exif_rotated_photo_gives_the_upright_pose(skier):
    stored = Image.open(FIXTURES / "images" / "fullbody_skier_snow_coco785.jpg").transpose(
        Image.Transpose.ROTATE_90
    )
    exif = Image.Exif()
    exif[0x0112] = 6
    rotated = extract_pose(image=_encode(stored, "JPEG", exif=exif.tobytes(), quality=95))
    assert rotated.image_size == (640, 425)
    body = list(range(14))
    assert np.abs(rotated.keypoints[body, :2] - skier.keypoints[body, :2]).max() < 0.03


def test_tiny_photo_works_and_says_it_is_small():
    result = extract_pose(image=fixture_bytes("fullbody_baseball_walking_lsp_tiny.jpg"))
    assert result.image_size == (153, 192)
    k = result.keypoints
    # Upright walker: head above the neck, above the hips, above the ankles.
    hips_y = (k[COCO18_INDEX["r_hip"], 1] + k[COCO18_INDEX["l_hip"], 1]) / 2
    ankles_y = (k[COCO18_INDEX["r_ankle"], 1] + k[COCO18_INDEX["l_ankle"], 1]) / 2
    assert k[COCO18_INDEX["nose"], 1] < k[COCO18_INDEX["neck"], 1] < hips_y < ankles_y
    assert k[:14, 2].mean() > 0.6
    assert any("small" in w for w in result.warnings)


def test_tiny_photo_agrees_with_real_openpose_output():
    ref = json.loads(shared_file("annotations", "fullbody_baseball_walking_lsp_tiny__openpose_body25.json").read_text())
    body25 = np.asarray(ref["people"][0]["pose_keypoints_2d"]).reshape(-1, 3)
    ours = extract_pose(image=fixture_bytes("fullbody_baseball_walking_lsp_tiny.jpg")).keypoints_px()
    # BODY_25 shares COCO-18's first 8 joints; compare those OpenPose found, nose..wrists.
    found = [i for i in range(8) if body25[i, 2] > 0 and i != 1]
    err = np.linalg.norm(ours[found, :2] - body25[found, :2], axis=1)
    assert err.max() < 8.0, err  # pixels, on a 153x192 photo (measured mean ~2 px)


def test_no_person_raises_a_clear_typed_error():
    rng = np.random.default_rng(0)
    sky = np.clip(rng.normal(170, 6, size=(300, 400, 3)), 0, 255).astype(np.uint8)
    with pytest.raises(NoPersonDetected) as info:
        extract_pose(image=sky)
    assert str(info.value) == NO_PERSON_MESSAGE
    assert info.value.user_message.startswith("No person found in the photo.")


def test_concurrent_calls_share_the_engine_safely(skier):
    data = fixture_bytes("fullbody_skier_snow_coco785.jpg")
    results: list[np.ndarray] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(3):
                results.append(extract_pose(image=data).keypoints)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 12
    for kps in results:
        np.testing.assert_allclose(kps, skier.keypoints, atol=1e-6)


_OFFLINE_BODY = """
from posegen.posekit.extract import extract_pose
assert extract_pose(image=data, with_person_mask=True).people_detected == 1
"""


def test_runs_offline_and_never_imports_django():
    """A fresh process: models load from the wheel with the network cut, and Django stays out."""
    image = FIXTURES / "images" / "fullbody_baseball_walking_lsp_tiny.jpg"
    assert_runs_offline_without_django(body=_OFFLINE_BODY, image=image)


def test_warm_up_is_idempotent():
    warm_up()
    warm_up(with_person_mask=True)
    warm_up()


def test_person_mask_and_landmark_region_on_request():
    result = extract_pose(image=fixture_bytes("fullbody_skier_snow_coco785.jpg"), with_person_mask=True)
    mask = result.person_mask
    assert mask is not None and mask.shape == (425, 640) and mask.dtype == np.float32
    nose = result.keypoints_px()[COCO18_INDEX["nose"]]
    assert mask[int(nose[1]), int(nose[0])] > 0.5
    assert mask[5, 5] < 0.1
    corners = result.landmark_region_px()
    assert corners is not None and corners.shape == (4, 2)
    # Every landmark the model placed in the photo lies inside the region it looked at.
    contour = corners.astype(np.float32).reshape(-1, 1, 2)
    for x, y, _ in result.keypoints_px():
        assert cv2.pointPolygonTest(contour, (float(x), float(y)), False) >= 0


# ---------------------------------------------------------------------------------------------
# Several people (research-only photos from shared testdata)


def test_three_people_office_takes_the_largest_and_says_so():
    result = extract_pose(image=shared_file("images", "upper_three_people_waving_office.jpg").read_bytes())
    assert result.people_detected == 3
    assert any("3 people" in w and "largest" in w for w in result.warnings)
    # The largest is the man seated in front, in the middle: his face is low and central.
    nose = result.keypoints[COCO18_INDEX["nose"]]
    assert 0.25 < nose[0] < 0.5 and 0.4 < nose[1] < 0.75, nose


def test_three_seated_women_are_counted():
    result = extract_pose(image=shared_file("images", "sitting_three_women_coco536.jpg").read_bytes())
    assert result.people_detected == 3
    assert any("3 people" in w for w in result.warnings)


def test_airport_crowd_picks_the_largest_annotated_walker():
    gt_all = json.loads(shared_file("annotations", "gt_keypoints_by_fixture.json").read_text())
    name = "fullbody_three_walking_airport_ochuman.jpg"
    result = extract_pose(image=shared_file("images", name).read_bytes())
    assert result.people_detected >= 2
    largest = gt_persons_to_coco18(entry=gt_all[name])[0]  # the woman in front, 703 px tall
    score = pck(predicted_px=result.keypoints_px(), gt=largest)
    assert score is not None and score.value >= 0.85, score  # Pose's own first pick is another man


# ---------------------------------------------------------------------------------------------
# Accuracy floors against the shared ground truth (bench/bench_extract.py prints the table)

# Measured 2026-11-21: skier 17/18, bw street 10/15, airport 16/17, H36M S1 11/13, S5 10/13, yoga
# 18/18. Each floor sits one joint below, so a different CPU's rounding cannot flake it.
PCK_FLOORS = {
    "fullbody_skier_snow_coco785.jpg": 0.88,
    "sitting_street_bw_coco40083.jpg": 0.60,
    "fullbody_three_walking_airport_ochuman.jpg": 0.88,
    "fullbody_standing_lab_h36m_S1.jpg": 0.76,
    "sitting_floor_lab_h36m_S5.jpg": 0.69,
    "fullbody_yoga_warrior2_beach.jpg": 0.94,
}


@pytest.mark.parametrize("name", sorted(PCK_FLOORS))
def test_pck_floor_against_shared_ground_truth(name):
    gt_all = json.loads(shared_file("annotations", "gt_keypoints_by_fixture.json").read_text())
    result = extract_pose(image=shared_file("images", name).read_bytes())
    scores = [pck(predicted_px=result.keypoints_px(), gt=p) for p in gt_persons_to_coco18(entry=gt_all[name])]
    best = max((s for s in scores if s is not None), key=lambda s: s.value)
    assert best.value >= PCK_FLOORS[name], best


def test_yoga_landmarks_within_mediapipe_tolerance():
    """MediaPipe's own test holds these 33 landmarks to 11 px; so do we (measured max 7 px)."""
    gt_all = json.loads(shared_file("annotations", "gt_keypoints_by_fixture.json").read_text())
    entry = gt_all["fullbody_yoga_warrior2_beach.jpg"]
    expected = np.asarray(entry["persons"][0]["keypoints"], dtype=float)
    result = extract_pose(image=shared_file("images", "fullbody_yoga_warrior2_beach.jpg").read_bytes())
    got = result.landmarks33[:, :2] * result.image_size
    assert np.abs(got - expected).max() <= 11.0


# ---------------------------------------------------------------------------------------------
# Scoring helpers


def _gt(points: dict[str, tuple[float, float]]) -> GroundTruthPerson:
    kps = np.zeros((NUM_KEYPOINTS, 3))
    for name, (x, y) in points.items():
        kps[COCO18_INDEX[name]] = (x, y, 1)
    return GroundTruthPerson(keypoints=kps)


def test_torso_is_shoulder_midpoint_to_hip_midpoint():
    gt = _gt({"r_shoulder": (0, 0), "l_shoulder": (20, 0), "r_hip": (0, 50), "l_hip": (20, 50)})
    assert torso_length(gt=gt) == pytest.approx(50.0)
    assert torso_length(gt=_gt({"r_shoulder": (0, 0), "l_shoulder": (20, 0)})) is None


def test_pck_counts_joints_within_a_fifth_of_the_torso():
    gt = _gt({"r_shoulder": (0, 0), "l_shoulder": (20, 0), "r_hip": (0, 50), "l_hip": (20, 50)})
    pred = gt.keypoints.copy()
    pred[COCO18_INDEX["r_hip"], 0] += 9.9  # inside 0.2 x 50 px
    pred[COCO18_INDEX["l_hip"], 0] += 10.1  # outside
    score = pck(predicted_px=pred, gt=gt)
    assert (score.correct, score.total) == (3, 4)


def test_h36m_ground_truth_uses_the_canonical_joint_order():
    # Canonical Human3.6M: index 1 is the RIGHT hip, 4 the left; 11 left shoulder, 14 right.
    pts = [[0, 0, 1]] * 17
    pts = [list(p) for p in pts]
    pts[1], pts[4], pts[11], pts[14] = [10, 50, 1], [30, 50, 1], [30, 0, 1], [10, 0, 1]
    entry = {"keypoint_format": "h36m17 [x,y,v]", "keypoint_names": [], "persons": [{"keypoints": pts}]}
    (gt,) = gt_persons_to_coco18(entry=entry)
    assert gt.keypoints[COCO18_INDEX["r_hip"], :2].tolist() == [10, 50]
    assert gt.keypoints[COCO18_INDEX["r_shoulder"], :2].tolist() == [10, 0]
    assert gt.keypoints[COCO18_INDEX["neck"], :2].tolist() == [20, 0]


def test_blazepose_ground_truth_maps_like_our_output():
    lms = [[i, 2 * i] for i in range(33)]
    (gt,) = gt_persons_to_coco18(entry={"keypoint_format": "blazepose33 [x,y]", "persons": [{"keypoints": lms}]})
    assert gt.keypoints[COCO18_INDEX["l_ankle"], :2].tolist() == [27, 54]
    assert gt.keypoints[COCO18_INDEX["neck"], :2].tolist() == [11.5, 23]
