"""The LiteRT runtime for pose and segmentation and its model files.

The geometry and model-file tests run everywhere. The ones that run the models skip cleanly when
LiteRT (``ai-edge-litert``) or the fetched models are absent (`make test` fetches them; the whole of
test_extract.py and test_segmentation.py needs them too; docs/OPERATIONS.md, "Pose runtime").
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import zipfile

import numpy as np
import pytest
from PIL import Image

from posegen.posekit import extract
from posegen.posekit import landmarker_litert as litert_module
from posegen.posekit import model_files as mf
from posegen.posekit.extract_eval import gt_persons_to_coco18, pck
from tests.paths import FIXTURES


def _litert_ready() -> bool:
    try:
        import ai_edge_litert.interpreter  # noqa: F401
    except ImportError:
        return False
    try:
        for name in mf.MODELS:
            mf.model_path(name)
    except mf.ModelFileError:
        return False
    return True


needs_litert = pytest.mark.skipif(
    not _litert_ready(), reason=f"LiteRT or its models are absent (pip install ai-edge-litert; {mf.FETCH_COMMAND})"
)


@pytest.fixture
def fresh_engine(monkeypatch):
    """Each test builds its own engines; the process-wide ones are put back afterwards."""
    from posegen.imaging import segmentation
    from posegen.posekit.process_model import ProcessModel

    monkeypatch.setattr(extract, "_ENGINE", ProcessModel(extract._create_engine, what="pose model"))
    monkeypatch.setattr(segmentation, "_SELFIE", ProcessModel(segmentation._create_selfie, what="segmentation model"))


def test_no_shipped_code_uses_the_removed_mediapipe_package():
    """mediapipe 0.10.21 (mp.solutions) has no wheel past Python 3.12 and pins NumPy 1 (issue 20)."""
    from tests.paths import REPO

    offenders = [
        str(path.relative_to(REPO))
        for package in ("lumiku", "posegen", "requests_community", "bench")
        for path in (REPO / package).rglob("*.py")
        if re.search(r"^\s*(import|from) mediapipe\b", path.read_text(), re.MULTILINE)
    ]
    assert offenders == []


# ---------------------------------------------------------------------------------------------
# Model files: checksums, the fetch command named in every error


def test_missing_model_names_the_fetch_command(monkeypatch, tmp_path):
    monkeypatch.setenv("POSEKIT_MODEL_DIR", str(tmp_path))
    with pytest.raises(mf.ModelFileError) as caught:
        mf.model_path("pose_detection.tflite")
    assert str(caught.value) == (
        f"Model file {tmp_path / 'pose_detection.tflite'} is missing. "
        "Fetch the models with: python -m posegen.posekit.model_files fetch"
    )


def test_a_model_with_another_checksum_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("POSEKIT_MODEL_DIR", str(tmp_path))
    (tmp_path / "selfie_segmentation.tflite").write_bytes(b"not the model")
    with pytest.raises(mf.ModelFileError, match=r"has sha256 .* expected 9ee168ec.*fetch"):
        mf.model_path("selfie_segmentation.tflite")


def test_fetch_refuses_a_wheel_that_is_not_the_recorded_one(tmp_path):
    wheel = tmp_path / mf.WHEEL_FILE
    with zipfile.ZipFile(wheel, "w") as archive:
        for spec in mf.MODELS.values():
            archive.writestr(spec.member, b"forged")
    target = tmp_path / "models"
    with pytest.raises(mf.ModelFileError, match=r"is not mediapipe-0\.10\.21"):
        mf.fetch_models(target=target, wheel=wheel)
    assert not any(target.iterdir())


def test_fetch_cli_reports_a_bad_wheel_and_fails(tmp_path, capsys):
    wheel = tmp_path / "fake.whl"
    wheel.write_bytes(b"x")
    assert mf.main(["fetch", "--wheel", str(wheel)]) == 1
    assert "is not mediapipe-0.10.21-cp311-cp311-manylinux_2_28_x86_64.whl" in capsys.readouterr().err


def test_fetch_skips_the_download_when_the_models_are_in_place(monkeypatch, tmp_path):
    """`make run` and CI run the fetch every time; with the files in place it must not touch pip."""
    wheel = tmp_path / mf.WHEEL_FILE
    with zipfile.ZipFile(wheel, "w") as archive:
        for spec in mf.MODELS.values():
            archive.writestr(spec.member, b"forged")
    target = tmp_path / "models"
    target.mkdir()
    contents = {spec.name: f"model {spec.name}".encode() for spec in mf.MODELS.values()}
    for name, data in contents.items():
        (target / name).write_bytes(data)
    (target / "LICENSE").write_text("Apache License")
    (target / "MODELS.json").write_text("{}")
    recorded = {
        name: mf.ModelFile(spec.name, spec.member, hashlib.sha256(contents[name]).hexdigest(), len(contents[name]))
        for name, spec in mf.MODELS.items()
    }
    monkeypatch.setattr(mf, "MODELS", recorded)

    def no_download(into):
        raise AssertionError("pip was asked for the wheel although the models are in place")

    monkeypatch.setattr(mf, "_download_wheel", no_download)
    assert mf.models_in_place(target)
    assert mf.fetch_models(target=target) == target
    # One altered file is enough to fetch again (here: pip, refused by the stub).
    (target / "selfie_segmentation.tflite").write_bytes(b"truncated")
    assert not mf.models_in_place(target)
    with pytest.raises(AssertionError, match="pip was asked"):
        mf.fetch_models(target=target)
    # --force downloads even over good files.
    (target / "selfie_segmentation.tflite").write_bytes(contents["selfie_segmentation.tflite"])
    with pytest.raises(AssertionError, match="pip was asked"):
        mf.fetch_models(target=target, force=True)


def test_recorded_checksums_match_the_fetched_files():
    if not all((mf.model_dir() / name).is_file() for name in mf.MODELS):
        pytest.skip(f"models not fetched ({mf.FETCH_COMMAND})")
    provenance = json.loads((mf.model_dir() / "MODELS.json").read_text())
    assert provenance["licence"] == "Apache-2.0"
    for name, spec in mf.MODELS.items():
        data = (mf.model_dir() / name).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (spec.size, spec.sha256)
        assert provenance["files"][name]["sha256"] == spec.sha256
    assert "Apache License" in (mf.model_dir() / "LICENSE").read_text()


# ---------------------------------------------------------------------------------------------
# The graph's steps, written out (no runtime needed)


def test_ssd_anchors_are_the_detectors_2254_cells():
    anchors = litert_module._ssd_anchor_centres()
    assert anchors.shape == (2254, 2)
    # 28x28 cells at stride 8 (2 each), 14x14 at 16 (2 each), 7x7 at 32 (6 each: three layers).
    assert anchors[0].tolist() == anchors[1].tolist() == [0.5 / 28, 0.5 / 28]
    assert anchors[1568].tolist() == [0.5 / 14, 0.5 / 14]
    assert anchors[1960:1966].tolist() == [[0.5 / 7, 0.5 / 7]] * 6
    assert anchors[-1].tolist() == [6.5 / 7, 6.5 / 7]


def test_weighted_nms_averages_a_cluster_by_score_and_keeps_a_stranger():
    boxes = np.array([[0.0, 0.0, 1.0, 1.0], [0.1, 0.0, 1.1, 1.0], [3.0, 3.0, 4.0, 4.0]])
    keypoints = np.array([[[0.0, 0.0]] * 4, [[1.0, 1.0]] * 4, [[5.0, 5.0]] * 4])
    scores = np.array([0.9, 0.3, 0.6])
    (box, kps, score), (box2, kps2, score2) = litert_module._weighted_nms(boxes, keypoints, scores)
    assert score == 0.9 and score2 == 0.6
    np.testing.assert_allclose(box, [0.025, 0.0, 1.025, 1.0])
    np.testing.assert_allclose(kps, [[0.25, 0.25]] * 4)
    np.testing.assert_allclose(box2, boxes[2])
    np.testing.assert_allclose(kps2, [[5.0, 5.0]] * 4)


def test_region_is_centred_on_the_hips_and_turned_so_the_body_points_up():
    detection = litert_module.LiteRTDetection(
        box=(0, 0, 1, 1), keypoints=np.array([[0.5, 0.5], [0.5, 0.25], [0, 0], [0, 0]]), score=0.9
    )
    # Upright on a 200x100 photo: 25 px hip-to-top, so 2 x 25 x 1.25 = 62.5 px square.
    assert litert_module.LiteRTPoseEngine.region_for(detection, 200, 100) == pytest.approx(
        (0.5, 0.5, 62.5 / 200, 62.5 / 100, 0.0)
    )
    lying = litert_module.LiteRTDetection(
        box=(0, 0, 1, 1), keypoints=np.array([[0.5, 0.5], [0.75, 0.5], [0, 0], [0, 0]]), score=0.9
    )
    region = litert_module.LiteRTPoseEngine.region_for(lying, 100, 100)
    assert region == pytest.approx((0.5, 0.5, 0.625, 0.625, math.pi / 2))


def test_heatmap_refinement_moves_only_landmarks_the_heatmap_is_sure_of():
    heatmap = np.full((64, 64, 2), -20.0, dtype=np.float32)
    heatmap[10, 20:22, 0] = 20.0  # a sure peak between columns 20 and 21 on row 10
    heatmap[30, 30, 1] = -1.0  # unsure everywhere: sigmoid(-1) < 0.5
    x, y = litert_module._refine_on_heatmap(np.array([19 / 64, 30 / 64]), np.array([11 / 64, 30 / 64]), heatmap)
    assert x[0] == pytest.approx(20.5 / 64, abs=1e-6) and y[0] == pytest.approx(10 / 64, abs=1e-6)
    assert (x[1], y[1]) == (30 / 64, 30 / 64)


def test_heatmap_refinement_window_is_nine_cells_wide():
    """Four cells either side of the landmark's cell count, the fifth does not (the legacy graph's 9x9)."""
    heatmap = np.full((64, 64, 2), -20.0, dtype=np.float32)
    heatmap[32, 32, :] = 20.0  # the landmark's own cell, sure
    heatmap[32, 36, 0] = 20.0  # four cells to the right: inside a 9x9 window, outside a 7x7 one
    heatmap[32, 37, 1] = 20.0  # five cells to the right: outside
    x, y = litert_module._refine_on_heatmap(np.array([32.5 / 64] * 2), np.array([32.5 / 64] * 2), heatmap)
    assert x[0] == pytest.approx(34 / 64, abs=1e-6) and y[0] == pytest.approx(32 / 64, abs=1e-6)
    assert x[1] == pytest.approx(32 / 64, abs=1e-6) and y[1] == pytest.approx(32 / 64, abs=1e-6)


# ---------------------------------------------------------------------------------------------
# Running the models (skipped where LiteRT or the models are absent)


@needs_litert
def test_litert_skier_matches_the_coco_ground_truth(fresh_engine):
    result = extract.extract_pose(image=(FIXTURES / "images" / "fullbody_skier_snow_coco785.jpg").read_bytes())
    assert type(extract._ENGINE.get()).__name__ == "LiteRTPoseEngine"
    gt_entry = json.loads((FIXTURES / "annotations" / "fullbody_skier_snow_coco785__coco.json").read_text())
    (gt,) = gt_persons_to_coco18(entry=gt_entry)
    score = pck(predicted_px=result.keypoints_px(), gt=gt, alpha=0.2)
    assert score is not None and score.correct == 17 and score.total == 18  # as the legacy graph
    assert result.people_detected == 1 and result.landmark_region is not None


@needs_litert
def test_litert_blank_photo_has_nobody(fresh_engine):
    with pytest.raises(extract.NoPersonDetected):
        extract.extract_pose(image=np.full((300, 300, 3), 200, dtype=np.uint8))


@needs_litert
def test_litert_refuses_a_tampered_model_and_names_the_fix(monkeypatch, tmp_path, fresh_engine):
    for name in mf.MODELS:
        (tmp_path / name).write_bytes((mf.model_dir() / name).read_bytes())
    (tmp_path / "pose_landmark_full.tflite").write_bytes(b"\0" * 64)
    monkeypatch.setenv("POSEKIT_MODEL_DIR", str(tmp_path))
    with pytest.raises(extract.ModelUnavailable, match=r"pose_landmark_full.tflite has sha256 .*model_files fetch"):
        extract.warm_up()


@needs_litert
def test_litert_portrait_matte_matches_the_annotated_mask(fresh_engine):
    from posegen.imaging.segmentation import segment_person
    from tests.paths import TESTDATA

    mask_path = TESTDATA / "annotations" / "upper_arms_crossed_portrait__mask_blue_person.png"
    if not mask_path.is_file():
        pytest.skip(f"shared test data not available: {mask_path}")
    rgba = np.asarray(Image.open(mask_path).convert("RGBA"))
    gt = (rgba[:, :, 3] > 0) & np.all(rgba[:, :, :3] == (0, 0, 255), axis=2)  # blue = person

    matte = segment_person(image=(FIXTURES / "images" / "upper_arms_crossed_portrait.jpg").read_bytes())
    ours = matte.mask()
    assert (ours & gt).sum() / (ours | gt).sum() >= 0.985  # legacy 0.989, LiteRT 0.989


@needs_litert
def test_litert_gives_the_legacy_graphs_landmarks_on_the_skier(fresh_engine):
    """The same models on another runtime: the recorded legacy output, to a fraction of a pixel.

    The region comes from the detector alone and matches to float precision. The landmarks match
    because the heatmap refinement uses the 9x9 window the legacy Python graph really used; with the
    7x7 window its graph file names they were up to 3.2 px apart on this photo.
    """
    legacy = json.loads((FIXTURES / "annotations" / "fullbody_skier_snow_coco785__legacy_blazepose33.json").read_text())
    result = extract.extract_pose(image=(FIXTURES / "images" / "fullbody_skier_snow_coco785.jpg").read_bytes())
    assert [result.image_width, result.image_height] == legacy["image_size"]
    np.testing.assert_allclose(result.landmark_region, legacy["landmark_region"], atol=1e-5)
    expected = np.asarray(legacy["landmarks33"])
    off_px = np.hypot(*((result.landmarks33[:, :2] - expected[:, :2]) * legacy["image_size"]).T)
    assert np.median(off_px) <= 0.05 and off_px.max() <= 0.25, off_px.round(2)
    np.testing.assert_allclose(result.landmarks33[:, 3], expected[:, 3], atol=0.01)  # visibility
