"""Scoring pose extraction against ground truth in other keypoint formats (PCK, torso-normalised).

Used by bench/bench_extract.py and the accuracy tests. Ground truth comes in several formats
(COCO-17, MPII-16, Human3.6M-17, BlazePose-33); each is mapped onto the COCO-18 joints it can
express, and only joints that exist in both are compared.

PCK@a: a predicted joint is correct when it lies within a x torso of the ground-truth joint, where
torso = the pixel distance between the ground truth's shoulder midpoint (the COCO-18 neck) and its
hip midpoint. A joint whose ground truth is unlabelled is not scored; a labelled joint that we
report with zero confidence still counts, as a miss if its position is wrong.

Never imports Django.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posegen.posekit.keypoints import BLAZEPOSE_TO_COCO18, COCO18_INDEX, NUM_KEYPOINTS

__all__ = [
    "GroundTruthPerson",
    "PckScore",
    "gt_persons_to_coco18",
    "pck",
    "torso_length",
]

# Source joint name -> COCO-18 joint name, per format. Names not listed (pelvis, spine, head top,
# H36M "head", which is the crown, not the nose) have no COCO-18 counterpart.
_COCO17 = {
    "nose": "nose", "left_eye": "l_eye", "right_eye": "r_eye", "left_ear": "l_ear",
    "right_ear": "r_ear", "left_shoulder": "l_shoulder", "right_shoulder": "r_shoulder",
    "left_elbow": "l_elbow", "right_elbow": "r_elbow", "left_wrist": "l_wrist",
    "right_wrist": "r_wrist", "left_hip": "l_hip", "right_hip": "r_hip", "left_knee": "l_knee",
    "right_knee": "r_knee", "left_ankle": "l_ankle", "right_ankle": "r_ankle",
}
_COCO17_ORDER = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle",
)
_MPII16_ORDER = (
    "r_ankle", "r_knee", "r_hip", "l_hip", "l_knee", "l_ankle", None, None, None, None,
    "r_wrist", "r_elbow", "r_shoulder", "l_shoulder", "l_elbow", "l_wrist",
)
# Human3.6M-17 in its canonical order (as in mmpose's h36m dataset): the right leg comes first.
# The names shipped with our ground-truth file list the left leg first, but in both H36M photos
# that "left hip" lies on the same side as the right shoulder, and with the canonical order all
# four leg joints of the reclining S5 subject land on the model's predictions, so the index order
# is trusted, not the names. The mocap "foot" joint is the ankle; mocap hips sit inside the pelvis,
# a little off the COCO annotators' hips, which PCK@0.2 tolerates. Pelvis, spine, thorax and the
# head (crown, not nose) have no COCO-18 counterpart; the neck is rebuilt from the shoulders.
_H36M17_ORDER = (
    None, "r_hip", "r_knee", "r_ankle", "l_hip", "l_knee", "l_ankle", None, None, None, None,
    "l_shoulder", "l_elbow", "l_wrist", "r_shoulder", "r_elbow", "r_wrist",
)

_NECK = COCO18_INDEX["neck"]


@dataclass(frozen=True, eq=False)
class GroundTruthPerson:
    """A ground-truth person as COCO-18 pixels: (18, 3) with x, y, labelled (1) or not (0)."""

    keypoints: np.ndarray

    @property
    def labelled(self) -> np.ndarray:
        return self.keypoints[:, 2] > 0


@dataclass(frozen=True)
class PckScore:
    correct: int
    total: int
    torso_px: float

    @property
    def value(self) -> float:
        return self.correct / self.total if self.total else float("nan")


def _from_named(points: list, names: list[str], mapping: dict[str, str]) -> np.ndarray:
    out = np.zeros((NUM_KEYPOINTS, 3), dtype=np.float64)
    for name, point in zip(names, points, strict=True):
        target = mapping.get(name)
        if target is None:
            continue
        x, y = float(point[0]), float(point[1])
        labelled = float(point[2]) > 0 if len(point) > 2 else True
        if labelled:
            out[COCO18_INDEX[target]] = (x, y, 1.0)
    return out


def _from_order(points: list, order: tuple[str | None, ...]) -> np.ndarray:
    names = [name or "" for name in order]
    return _from_named(points, names, {name: name for name in order if name})


def _add_neck(kps: np.ndarray) -> np.ndarray:
    # Same definition as extraction: neck = shoulders' midpoint, only if both are labelled.
    r_sh, l_sh = kps[COCO18_INDEX["r_shoulder"]], kps[COCO18_INDEX["l_shoulder"]]
    if r_sh[2] > 0 and l_sh[2] > 0:
        kps[_NECK] = ((r_sh[0] + l_sh[0]) / 2, (r_sh[1] + l_sh[1]) / 2, 1.0)
    return kps


def gt_persons_to_coco18(*, entry: dict) -> list[GroundTruthPerson]:
    """One image's entry of gt_keypoints_by_fixture.json -> its people in COCO-18 pixels."""
    fmt = str(entry.get("keypoint_format", "")).lower()
    names = list(entry.get("keypoint_names") or [])
    persons = []
    for person in entry.get("persons", []):
        points = person["keypoints"]
        if fmt.startswith("coco17"):
            kps = _from_named(points, names or list(_COCO17_ORDER), _COCO17)
        elif fmt.startswith("h36m"):
            kps = _from_order(points, _H36M17_ORDER)
        elif fmt.startswith("mpii"):
            kps = _from_order(points, _MPII16_ORDER)
        elif fmt.startswith("blazepose33"):
            kps = np.zeros((NUM_KEYPOINTS, 3), dtype=np.float64)
            for coco_index, blaze_index in enumerate(BLAZEPOSE_TO_COCO18):
                if blaze_index is not None:
                    x, y = points[blaze_index][:2]
                    kps[coco_index] = (float(x), float(y), 1.0)
        else:
            raise ValueError(f"Unknown ground-truth keypoint format: {entry.get('keypoint_format')!r}")
        persons.append(GroundTruthPerson(keypoints=_add_neck(kps)))
    return persons


def torso_length(*, gt: GroundTruthPerson) -> float | None:
    """Neck (shoulder midpoint) to hip midpoint, in pixels; None when a shoulder or hip is missing."""
    k = gt.keypoints
    need = [COCO18_INDEX[n] for n in ("r_shoulder", "l_shoulder", "r_hip", "l_hip")]
    if not all(k[i, 2] > 0 for i in need):
        return None
    neck = (k[need[0], :2] + k[need[1], :2]) / 2
    hips = (k[need[2], :2] + k[need[3], :2]) / 2
    return float(np.linalg.norm(neck - hips))


def pck(
    *, predicted_px: np.ndarray, gt: GroundTruthPerson, alpha: float = 0.2, joints: tuple[int, ...] | None = None
) -> PckScore | None:
    """PCK@alpha of (18, 2+) predicted pixels against one ground-truth person (None: no torso)."""
    torso = torso_length(gt=gt)
    if torso is None or torso <= 0:
        return None
    idx = np.array(joints if joints is not None else range(NUM_KEYPOINTS))
    idx = idx[gt.labelled[idx]]
    dist = np.linalg.norm(np.asarray(predicted_px)[idx, :2] - gt.keypoints[idx, :2], axis=1)
    return PckScore(correct=int((dist <= alpha * torso).sum()), total=int(idx.size), torso_px=torso)
