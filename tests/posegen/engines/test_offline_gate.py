"""The quality gate on real detections (MediaPipe, bundled): a whole person passes; an erased face, a
torn garment mask or a person the detector cannot find fail with the check's code and reason."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from posegen.engines.base import QualityGateFailed
from posegen.engines.offline.gate import GATE_REASONS, GateThresholds, quality_checks, quality_gate
from posegen.posekit.extract import extract_pose
from tests.paths import FIXTURE_IMAGES


@pytest.fixture(scope="module")
def skier():
    """The licensed skier photo and its own detected pose as the skeleton the 'engine' aimed at."""
    rgb = np.asarray(Image.open(FIXTURE_IMAGES / "fullbody_skier_snow_coco785.jpg").convert("RGB")).copy()
    reference = extract_pose(image=rgb).keypoints_px()
    return rgb, np.full(rgb.shape[:2], 255, np.uint8), reference


def _erase_face(rgb: np.ndarray, reference: np.ndarray) -> np.ndarray:
    out = rgb.copy()
    x, y = reference[0, :2].round().astype(int)
    out[y - 22:y + 22, x - 18:x + 18] = 255  # the "white blob" seen on a three-quarter photo
    return out


def test_a_whole_person_in_the_aimed_pose_passes(skier):
    rgb, alpha, reference = skier
    result = quality_gate(rgb=rgb, alpha=alpha, reference=reference)
    assert result["passed"] is True and result["failed"] is None
    assert result["checks"]["pose"]["pck"] == 1.0
    face = result["checks"]["face"]
    assert face["checked"] is True and face["ok"] is True and face["visibility"] > 0.9 and face["detail"] > 10


def test_an_erased_face_fails_with_the_face_reason(skier):
    rgb, alpha, reference = skier
    with pytest.raises(QualityGateFailed) as caught:
        quality_gate(rgb=_erase_face(rgb, reference), alpha=alpha, reference=reference)
    error = caught.value
    assert error.code == "face"
    assert error.user_message == GATE_REASONS["face"]
    assert error.checks["passed"] is False and error.checks["checks"]["face"]["ok"] is False
    assert error.checks["checks"]["face"]["detail"] < 4.0
    assert error.retryable is False


def test_a_pose_far_from_the_target_fails(skier):
    rgb, alpha, reference = skier
    moved = reference.copy()
    moved[[3, 4, 6, 7], 1] -= 120  # the target raised both arms; the image did not
    moved[[9, 10, 12, 13], 0] += 90
    result = quality_checks(rgb=rgb, alpha=alpha, reference=moved)
    assert result["passed"] is False and result["failed"] == "pose"
    assert result["checks"]["pose"]["pck"] < 0.5


def test_no_person_found_fails_the_pose():
    blank = np.full((300, 200, 3), 200, np.uint8)
    reference = np.zeros((18, 3))
    reference[:14] = [[100, 50 + 15 * i, 1] for i in range(14)]
    result = quality_checks(rgb=blank, alpha=np.zeros((300, 200), np.uint8), reference=reference)
    assert result["failed"] == "pose" and result["checks"]["pose"]["personFound"] is False


def test_warped_garment_and_carried_masks_must_be_whole(skier):
    rgb, alpha, reference = skier
    garment = np.zeros(alpha.shape, bool)
    garment[200:320, 380:460] = True
    area = float(garment.sum())
    whole = quality_checks(rgb=rgb, alpha=alpha, reference=reference, masks={"garment": garment},
                           source_areas={"garment": area * 1.05})
    assert whole["passed"] is True and whole["checks"]["garment"] == {"checked": True, "ok": True, "pieces": 1,
                                                                      "areaRatio": 0.952}
    torn = garment.copy()
    torn[255:265, :] = False  # cut in two, as trouser legs would cut it
    result = quality_checks(rgb=rgb, alpha=alpha, reference=reference, masks={"garment": torn},
                            source_areas={"garment": area})
    assert result["failed"] == "garment" and result["checks"]["garment"]["pieces"] == 2
    stretched = quality_checks(rgb=rgb, alpha=alpha, reference=reference, masks={"carried": garment},
                               source_areas={"carried": area / 1.5})
    assert stretched["failed"] == "carried" and stretched["checks"]["carried"]["areaRatio"] == 1.5
    # No masks (an engine version without them): the region checks are skipped, not failed.
    assert "garment" not in quality_checks(rgb=rgb, alpha=alpha, reference=reference)["checks"]


def test_a_face_partly_covered_by_a_hand_passes_an_erased_one_fails(skier):
    rgb, alpha, reference = skier
    face = np.zeros(alpha.shape, bool)
    x, y = reference[0, :2].round().astype(int)
    face[y - 15:y + 15, x - 12:x + 12] = True
    area = float(face.sum())
    covered = face.copy()
    covered[y:y + 15, x - 12:x + 4] = True
    covered[y + 2:y + 15, x - 12:x + 4] = False  # a hand on the chin hides a third of it
    result = quality_checks(rgb=rgb, alpha=alpha, reference=reference, masks={"face": covered},
                            source_areas={"face": area})
    assert result["passed"] is True and 0.5 < result["checks"]["faceRegion"]["areaRatio"] < 0.85
    mostly_gone = face.copy()
    mostly_gone[y - 15:y + 5, :] = False
    failed = quality_checks(rgb=rgb, alpha=alpha, reference=reference, masks={"face": mostly_gone},
                            source_areas={"face": area})
    assert failed["failed"] == "face" and failed["checks"]["faceRegion"]["areaRatio"] < 0.5


def _with_hole(rgb: np.ndarray, alpha: np.ndarray, centre: np.ndarray, diameter: float):
    """The output with a round hole through the person at ``centre``: the backdrop shows there."""
    import cv2

    out_rgb, out_alpha = rgb.copy(), alpha.copy()
    at, radius = tuple(int(v) for v in np.round(centre)), round(diameter / 2)
    cv2.circle(out_alpha, at, radius, 0, thickness=-1)
    cv2.circle(out_rgb, at, radius, (228, 226, 222), thickness=-1)
    return out_rgb, out_alpha


def test_a_hole_through_the_body_fails_with_the_holes_reason_a_gap_between_limbs_passes(skier):
    rgb, alpha, reference = skier
    torso = float(np.hypot(*(reference[1, :2] - (reference[8, :2] + reference[11, :2]) / 2)))
    whole = quality_checks(rgb=rgb, alpha=alpha, reference=reference)
    assert whole["passed"] is True and whole["checks"]["holes"] == {"checked": True, "ok": True, "holes": 0,
                                                                    "widest": 0.0, "onBone": 0.0}
    # The backdrop through the middle of the right thigh (the photo's background enclosed by the mesh).
    thigh = (reference[8, :2] + reference[9, :2]) / 2
    torn_rgb, torn_alpha = _with_hole(rgb, alpha, thigh, 0.15 * torso)
    with pytest.raises(QualityGateFailed) as caught:
        quality_gate(rgb=torn_rgb, alpha=torn_alpha, reference=reference)
    error = caught.value
    assert error.code == "holes" and error.user_message == GATE_REASONS["holes"]
    holes = error.checks["checks"]["holes"]
    assert holes["ok"] is False and holes["holes"] == 1 and 0.14 <= holes["widest"] <= 0.16
    assert holes["onBone"] >= 0.5 and abs(holes["at"][0] - thigh[0]) <= 1 and abs(holes["at"][1] - thigh[1]) <= 1
    assert error.checks["checks"]["pose"]["ok"] is True and error.checks["checks"]["face"]["ok"] is True
    # The same hole off every bone (the gap a hand on the hip leaves between arm and body) passes, and so
    # does a hole on the bone narrower than hole_min (0.1 torso).
    limits = GateThresholds()
    beside = thigh.copy()
    beside[0] = min(reference[2:14, 0]) - 0.25 * torso  # left of every joint
    gap_rgb, gap_alpha = _with_hole(rgb, alpha, beside, 0.15 * torso)
    gap = quality_checks(rgb=gap_rgb, alpha=gap_alpha, reference=reference)
    assert (gap_alpha == 0).sum() > 0 and gap["checks"]["holes"]["ok"] is True and gap["passed"] is True
    small_rgb, small_alpha = _with_hole(rgb, alpha, thigh, 0.6 * limits.hole_min * torso)
    assert quality_checks(rgb=small_rgb, alpha=small_alpha, reference=reference)["checks"]["holes"]["ok"] is True


def test_every_gate_reason_reads_in_indonesian():
    from django.utils import translation

    from posegen.services.feasibility import QUALITY_GATE_TEXTS

    assert set(GATE_REASONS.values()) == set(QUALITY_GATE_TEXTS)
    with translation.override("id"):
        assert translation.gettext(GATE_REASONS["holes"]) == ("Ada lubang yang tembus di badan dalam pose ini, "
                                                              "jadi foto tidak dikirimkan.")
        for english in GATE_REASONS.values():
            assert translation.gettext(english) != english
