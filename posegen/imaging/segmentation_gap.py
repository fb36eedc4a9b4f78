"""The scene between a person's legs that the matte holds as person (the offline engine's cut-out, issue 14).

Both segmentation models fill a narrow gap between the thighs or shins with person: on H36M S1 a red-brown
block of carpet between her thighs sat inside the matte at alpha ~1, so no edge setting reached it, and the
offline engine carried it along with the legs in every pose. Here the gap is judged by colour: inside the
quadrilaterals between the two thighs and between the two shins, matte pixels away from the bones whose colour
is common in the scene (the clear background near the legs) and rare on the person beside the gap (the legs'
bone lines, and the sure person just outside the quadrilaterals) are dropped. A dress or skirt that bridges
the legs covers the bone lines and reaches past them, so its colours are the person's and it stays; a gap
the colours cannot tell from the person stays too.

Pure NumPy/OpenCV; never imports Django.
"""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["leg_gap"]

# COCO-18 indices (posekit.keypoints.COCO18_NAMES): neck, hips, knees, ankles.
_NECK, _R_HIP, _R_KNEE, _R_ANKLE, _L_HIP, _L_KNEE, _L_ANKLE = 1, 8, 9, 10, 11, 12, 13
# A keypoint counts as seen from this visibility.
SEEN = 0.3
# Pixels nearer a leg's bone line than this share of the torso are leg, whatever their colour.
BONE_REACH = 0.05
# The clear scene sampled for the comparison: alpha under CLEAR, within SCENE_REACH torso lengths of the gap.
CLEAR = 0.05
SCENE_REACH = 0.35
# A gap pixel's colour is common in the scene and rare on the person beside the gap: the share of the scene
# samples within NEAR (CIE76) of it is at least SCENE_SHARE and at least ODDS times the share of the person's
# samples, which is under PERSON_RARE (shading on skin reaches a dark floor's colour here and there: on S1
# 5 % of her samples are near the carpet's colour, so one sample near it does not decide; a skirt whose
# print shows the floor's colour over a fifth of it does).
NEAR = 8.0
SCENE_SHARE = 0.02
ODDS = 4.0
PERSON_RARE = 0.08
# Gap pieces smaller than this share of the torso length squared are noise (texture on a leg).
MIN_PIECE = 0.004


def _lab(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)


def _share_near(colours: np.ndarray, samples: np.ndarray, chunk: int = 2048) -> np.ndarray:
    """For each colour (N, 3), the share of the samples (M, 3) within NEAR of it (CIE76)."""
    out = np.empty(len(colours), dtype=np.float32)
    s2 = (samples * samples).sum(axis=1)
    for start in range(0, len(colours), chunk):
        c = colours[start:start + chunk]
        d2 = (c * c).sum(axis=1)[:, None] - 2.0 * c @ samples.T + s2[None, :]
        out[start:start + chunk] = (d2 <= NEAR * NEAR).mean(axis=1)
    return out


def _thin(samples: np.ndarray, limit: int = 1500) -> np.ndarray:
    """At most ``limit`` samples, evenly spread (deterministic)."""
    if len(samples) <= limit:
        return samples
    return samples[np.linspace(0, len(samples) - 1, limit).astype(int)]


def leg_gap(*, image: np.ndarray, alpha: np.ndarray, keypoints: np.ndarray) -> np.ndarray:
    """Boolean mask of the matte's pixels (alpha >= 0.5) that are scene seen between the legs.

    ``image`` RGB uint8, ``alpha`` 0..1 of the same size, ``keypoints`` COCO-18 (18, 3) in its pixels.
    Empty when the hips, knees, ankles or neck are not seen."""
    h, w = alpha.shape
    gap = np.zeros((h, w), dtype=bool)
    joints = (_NECK, _R_HIP, _R_KNEE, _R_ANKLE, _L_HIP, _L_KNEE, _L_ANKLE)
    if (keypoints[list(joints), 2] < SEEN).any():
        return gap
    xy = keypoints[:, :2].astype(np.float32)
    torso = float(np.hypot(*((xy[_R_HIP] + xy[_L_HIP]) / 2.0 - xy[_NECK])))
    if torso < 8.0:
        return gap
    # Only the legs' surroundings are looked at (a 2048-px photo took 0.17 s whole, most of it colour
    # conversion and distances far from the legs).
    legs = xy[[_R_HIP, _R_KNEE, _R_ANKLE, _L_HIP, _L_KNEE, _L_ANKLE]]
    margin = SCENE_REACH * torso + 2.0
    x0, y0 = (max(0, int(np.floor(v - margin))) for v in legs.min(axis=0))
    x1, y1 = min(w, int(np.ceil(legs[:, 0].max() + margin))), min(h, int(np.ceil(legs[:, 1].max() + margin)))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return gap
    gap[y0:y1, x0:x1] = _leg_gap(image[y0:y1, x0:x1], alpha[y0:y1, x0:x1], xy - np.float32((x0, y0)), torso)
    return gap


def _leg_gap(image: np.ndarray, alpha: np.ndarray, xy: np.ndarray, torso: float) -> np.ndarray:
    h, w = alpha.shape
    none = np.zeros((h, w), dtype=bool)
    between = np.zeros((h, w), dtype=np.uint8)
    for quad in ((_R_HIP, _R_KNEE, _L_KNEE, _L_HIP), (_R_KNEE, _R_ANKLE, _L_ANKLE, _L_KNEE)):
        cv2.fillPoly(between, [np.round(xy[list(quad)]).astype(np.int32)], 1)
    bones = np.zeros((h, w), dtype=np.uint8)
    for a, b in ((_R_HIP, _R_KNEE), (_R_KNEE, _R_ANKLE), (_L_HIP, _L_KNEE), (_L_KNEE, _L_ANKLE)):
        cv2.line(bones, tuple(int(v) for v in np.round(xy[a])), tuple(int(v) for v in np.round(xy[b])), 1, 3)
    to_bone = cv2.distanceTransform(1 - bones, cv2.DIST_L2, 3)
    candidates = (between > 0) & (alpha >= 0.5) & (to_bone > BONE_REACH * torso)
    if not candidates.any():
        return none
    near_gap = cv2.distanceTransform(1 - between, cv2.DIST_L2, 3) <= SCENE_REACH * torso
    scene = near_gap & (alpha < CLEAR)
    # The person's own colours: the bone lines and the sure person beside the gap (a striped skirt bridging
    # the legs shows its stripes outside the quadrilaterals too: 0506's green hem stripe matched the scene).
    legs = ((bones > 0) | (near_gap & (between == 0))) & (alpha >= 0.95)
    if scene.sum() < 50 or legs.sum() < 20:
        return none
    colours = _lab(image)
    scene_samples, leg_samples = _thin(colours[scene]), _thin(colours[legs])
    values = colours[candidates]
    in_scene = _share_near(values, scene_samples)
    on_legs = _share_near(values, leg_samples)
    gap = none.copy()
    gap[candidates] = (in_scene >= SCENE_SHARE) & (in_scene >= ODDS * on_legs) & (on_legs < PERSON_RARE)
    # Texture on a leg can match the scene here and there: only pieces of some size count.
    gap = cv2.morphologyEx(gap.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(gap, connectivity=8)
    big = np.flatnonzero(stats[1:, cv2.CC_STAT_AREA] >= MIN_PIECE * torso * torso) + 1
    return np.isin(labels, big)
