"""Who a part of the matte belongs to: the main person, or someone beside or behind them.

The pose model's mask is per person, but it spills onto a passer-by who overlaps the main person (the
neighbour's raised arm behind the seated man's head in the three-people photo; 0447's passer-by behind
the model; 0001's behind her sleeve), and the fusion in imaging.segmentation keeps what it is sure of.
Neither the selfie model's confidence nor the distance from the main person's bones tells such a part
from the person's own (measured against the 34 seller photos' labels: a bag hanging from the elbow, a
coat draped over the shoulders, are as unsure and as far from a bone as 0447's passer-by). What does
tell them apart is the other person: found by the pose detector (other_people), their own landmark
model's mask and skeleton claim their pixels (claimed_by_others).

Never imports Django.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

if TYPE_CHECKING:
    from posegen.posekit.extract import PoseExtraction

__all__ = ["SKELETON", "claimed_by_others", "other_people", "skeleton_distance"]

# BlazePose landmark pairs: the skeleton whose reach decides what is whose.
SKELETON: tuple[tuple[int, int], ...] = (
    (11, 12), (11, 13), (13, 15), (12, 14), (14, 16), (15, 17), (15, 19), (15, 21), (16, 18), (16, 20),
    (16, 22), (11, 23), (12, 24), (23, 24), (23, 25), (25, 27), (27, 29), (27, 31), (29, 31), (24, 26),
    (26, 28), (28, 30), (28, 32), (30, 32), (0, 7), (0, 8), (7, 8),
)
# Both models are sure of the main person from this value: that core is painted BLANK grey for the
# detector's second pass.
SURE = 0.9
BLANK = 127
# A find whose mask lies on the main person's (or an earlier find's) over this share of it is them again.
MAIN_OVERLAP = 0.5
# Another person's pose mask claims a pixel from this value.
OTHER_SURE = 0.5
# ... but never within this share of the torso length of the main person's skeleton (their own limb in
# front of someone: the other person's mask does not stop at an occluder).
OWN_REACH = 0.1
# The main person's head: a disc HEAD_DISC ear-to-ear distances in radius, HEAD_LIFT of them above the ears.
HEAD_DISC = 0.8
HEAD_LIFT = 0.3


def _torso(points: np.ndarray) -> float:
    shoulders = (points[11] + points[12]) / 2.0
    hips = (points[23] + points[24]) / 2.0
    return float(np.hypot(*(shoulders - hips)))


def skeleton_distance(points: np.ndarray, shape: tuple[int, int], *, without: frozenset[int] = frozenset()
                      ) -> np.ndarray:
    """Pixel distance to the skeleton (bones as lines, the shoulder-hip quadrilateral filled, the nose to
    the shoulders' midpoint) for BlazePose ``points`` (33, 2) in pixels of ``shape``; the bones that end
    at a landmark in ``without`` are left out."""
    canvas = np.full(shape, 255, np.uint8)
    pts = np.round(np.clip(points, -1e5, 1e5)).astype(np.int32)
    for a, b in SKELETON:
        if a not in without and b not in without:
            cv2.line(canvas, (int(pts[a, 0]), int(pts[a, 1])), (int(pts[b, 0]), int(pts[b, 1])), 0, 2)
    neck = np.round((points[11] + points[12]) / 2.0).astype(np.int32)
    cv2.line(canvas, (int(pts[0, 0]), int(pts[0, 1])), (int(neck[0]), int(neck[1])), 0, 2)
    cv2.fillConvexPoly(canvas, pts[[11, 12, 24, 23]], 0)
    return cv2.distanceTransform(canvas, cv2.DIST_L2, 3)


def other_people(rgb: np.ndarray, main: PoseExtraction, core: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The other people in ``rgb``: each one's BlazePose landmarks (33, 2) in pixels and soft mask (H, W).

    The pose detector finds them in two passes: on the photo (when ``main.people_detected`` > 1), and on
    the photo with the main person's ``core`` (where both models are sure of them, any size) painted
    grey, which uncovers a passer-by it skipped beside the main person (0001's, whose face is in the
    blur behind the model's sleeve; 0447's legs behind her skirt). A find whose mask lies mostly on the
    main person's pose mask is the main person again (their hair around the grey), and is skipped."""
    from posegen.posekit.extract import _engine, _working_copy

    height, width = rgb.shape[:2]
    work = _working_copy(rgb)
    work_size = (work.shape[1], work.shape[0])
    mine = cv2.resize(main.person_mask, work_size, interpolation=cv2.INTER_AREA) > 0.5 \
        if main.person_mask is not None else np.zeros(work.shape[:2], dtype=bool)
    blanked = work.copy()
    blanked[cv2.resize(core.astype(np.uint8), work_size, interpolation=cv2.INTER_NEAREST) > 0] = BLANK
    engine = _engine()
    found: list[tuple[np.ndarray, np.ndarray]] = []
    with engine.lock:
        for image in (work, blanked) if main.people_detected > 1 else (blanked,):
            for detection in engine.detect(image):
                fitted = engine.landmarks(image, detection, with_mask=True)
                if fitted is None:
                    continue
                landmarks33, mask, _ = fitted
                theirs = mask > 0.5
                # The main person (the first pass's own find, or their remnant round the grey), or someone
                # the first pass found already.
                if not theirs.any() or any((theirs & seen).sum() > MAIN_OVERLAP * theirs.sum()
                                           for seen in [mine] + [m > 0.5 for _, m in found]):
                    continue
                found.append((landmarks33[:, :2] * (width, height), mask))
    return [(points, cv2.resize(mask, (width, height), interpolation=cv2.INTER_LINEAR)) for points, mask in found]


def _head_disc(points: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A disc over the head (HEAD_LIFT ear-to-ear distances above the ears, HEAD_DISC of them in radius): the
    skull and hair above the landmarks, which a neighbour's arm behind the head runs close to."""
    ears = (points[7] + points[8]) / 2.0
    span = float(np.hypot(*(points[7] - points[8])))
    up = ears - (points[11] + points[12]) / 2.0
    # The skull's centre is above the ears (away from the shoulders).
    centre = ears + HEAD_LIFT * span * up / max(1e-6, float(np.hypot(*up)))
    radius = HEAD_DISC * span
    disc = np.zeros(shape, np.uint8)
    cv2.circle(disc, (round(float(centre[0])), round(float(centre[1]))), max(1, round(radius)), 1, -1)
    return disc > 0


def _misplaced(points: np.ndarray, theirs: np.ndarray, core: np.ndarray) -> frozenset[int]:
    """The main person's landmarks that lie on another person (their mask sure there) outside the main
    person's sure ``core``: 0001's hidden hand (in her pocket) was put on the passer-by behind her sleeve,
    with visibility 0.93, and its bones would have kept the passer-by as her arm."""
    height, width = theirs.shape
    out = set()
    for index, (x, y) in enumerate(np.round(points).astype(np.int64)):
        if 0 <= x < width and 0 <= y < height and theirs[y, x] > OTHER_SURE and not core[y, x]:
            out.add(index)
    return frozenset(out)


def claimed_by_others(*, mine: np.ndarray, core: np.ndarray, points: np.ndarray,
                      others: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Pixels another person claims: their pose mask is sure there, and either surer than the main
    person's (``mine``) or their skeleton is nearer than the main person's (both in torso lengths: the
    neighbour's raised arm behind the seated man's head, which his own mask is just as sure of). Never
    the main person's own: within OWN_REACH of their skeleton (less the bones of landmarks that lie on
    the other person, see _misplaced) or on their head. ``core``: where both models are sure of the main
    person. ``points`` and each other's points are BlazePose (33, 2) in pixels of the masks; ``others``
    from other_people."""
    shape = mine.shape
    claimed = np.zeros(shape, dtype=bool)
    if not others:
        return claimed
    torso = max(1.0, _torso(points))
    everyone = np.max([theirs for _, theirs in others], axis=0)
    my_reach = skeleton_distance(points, shape, without=_misplaced(points, everyone, core)) / torso
    for their_points, theirs in others:
        their_reach = skeleton_distance(their_points, shape) / max(1.0, _torso(their_points))
        claimed |= (theirs > OTHER_SURE) & ((theirs > mine) | (their_reach < my_reach))
    if not claimed.any():
        return claimed
    return claimed & (my_reach > OWN_REACH) & ~_head_disc(points, shape)
