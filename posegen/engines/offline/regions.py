"""Regions of the cut-out that must move as one piece, whatever the limbs do.

* **Bridging cloth** (dress, skirt, long coat, cape): found in garment.py (find_garment); the rig
  labels it REGION_GARMENT.
* **Carried things** (bag, purse, phone, cup): a blob hanging off a hand, outside every other limb,
  goes with that hand's forearm and gets its own pin, so it turns rigidly with the hand instead of
  being shared out between the arm, the thigh and the skirt (which stretched it like a tail).
* **The face**: an oval around the face keypoints that belongs to the head even where a hand or an
  arm's tube reaches into it (a hand near the face used to take the cheek with it: an erased face).

All at the rig's label scale; nothing here imports Django.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from posegen.engines.offline.retarget import SEEN, pelvis

__all__ = ["REGION_CARRIED", "REGION_FACE", "REGION_GARMENT", "Carried", "face_oval", "find_carried"]

REGION_GARMENT, REGION_CARRIED, REGION_FACE = 1, 2, 3
# A blob hanging off a hand counts as carried between these shares of the person's area.
CARRIED_MIN, CARRIED_MAX = 0.004, 0.12
# ... and compact: its tightest rectangle at most this elongated and at least this full.
CARRIED_ASPECT, CARRIED_FILL = 3.2, 0.45


@dataclass(frozen=True, eq=False)
class Carried:
    mask: np.ndarray  # (h, w) bool at label scale
    side: str  # "right" | "left" (the person's)
    forearm: str  # the part that carries it


def _compact(blob: np.ndarray) -> bool:
    ys, xs = np.nonzero(blob)
    if len(xs) < 5:
        return False
    (_, _), (rw, rh), _ = cv2.minAreaRect(np.stack([xs, ys], axis=1).astype(np.float32))
    return max(rw, rh) <= CARRIED_ASPECT * max(min(rw, rh), 1.0) and len(xs) >= CARRIED_FILL * rw * rh


def find_carried(*, mask: np.ndarray, others: np.ndarray, kp: np.ndarray, radii: dict[str, float],
                 forearms: dict[str, bool]) -> Carried | None:
    """A blob that hangs off a hand: pixels of ``mask`` outside ``others`` (every other part's seed)
    connected to the hand, a sensible size. The larger of the two hands' blobs wins."""
    area = float(mask.sum())
    free = (mask & ~others).astype(np.uint8)
    torso = np.zeros(mask.shape, np.uint8)
    quad = kp[[2, 5, 11, 8], :2]
    centre = quad.mean(axis=0)
    neck_up = (kp[1, :2] - pelvis(kp)) * 0.35  # and the collar above the shoulders
    corners = np.vstack([centre + (quad - centre) * 1.15, kp[[2, 5], :2] + neck_up])
    torso = cv2.fillPoly(torso, [cv2.convexHull(np.round(corners).astype(np.int32))], 1) > 0
    _, comp, stats, _ = cv2.connectedComponentsWithStats(free, connectivity=4)
    best: Carried | None = None
    best_area = 0
    for side, (elbow, wrist), forearm in (("right", (3, 4), "r_forearm"), ("left", (6, 7), "l_forearm")):
        if not forearms.get(forearm) or min(kp[elbow, 2], kp[wrist, 2]) <= SEEN:
            continue
        hand = kp[wrist, :2] + (kp[wrist, :2] - kp[elbow, :2]) * 0.3
        disc = np.zeros(mask.shape, np.uint8)
        cv2.circle(disc, (round(hand[0]), round(hand[1])), max(2, round(radii[forearm] * 1.6)), 1, -1)
        for cid in np.unique(comp[(disc > 0) & (free > 0)]):
            a = int(stats[cid, cv2.CC_STAT_AREA])
            if cid == 0 or not CARRIED_MIN * area <= a <= CARRIED_MAX * area or a <= best_area:
                continue
            blob = comp == cid
            ys, xs = np.nonzero(blob)
            # It hangs off the hand: most of it lies past the wrist along the forearm, or below the hand.
            fore = kp[wrist, :2] - kp[elbow, :2]
            along = ((np.stack([xs, ys], axis=1) - kp[elbow, :2]) @ fore) / max(float(fore @ fore), 1e-9)
            if np.mean((along > 0.75) | (ys > kp[wrist, 1])) < 0.7:
                continue
            # Not the body between the arms (a collar, the waist beside a bent arm).
            if np.mean(torso[ys, xs]) > 0.3:
                continue
            # Compact, as bags, purses, phones and cups are: not a long strip of coat tail or hair.
            if not _compact(blob):
                continue
            # A carried thing reaches beyond the hand; a sleeve's cuff or a few hair strands do not.
            extent = float(np.hypot(*(np.stack([xs, ys], axis=1) - hand).T).max())
            if extent < radii[forearm] * 2.5:
                continue
            best, best_area = Carried(mask=blob, side=side, forearm=forearm), a
    return best


def face_oval(*, shape: tuple[int, int], kp: np.ndarray, torso_len: float) -> np.ndarray:
    """(h, w) bool: the face (eyes, nose, ears, chin) as an upright-to-the-head oval, or all False
    when the face is not seen."""
    out = np.zeros(shape, np.uint8)
    seen = [j for j in (0, 14, 15, 16, 17) if kp[j, 2] > SEEN]
    if 0 not in seen or len(seen) < 2:
        return out.astype(bool)
    pts = kp[seen, :2]
    eyes = [kp[j, :2] for j in (14, 15) if kp[j, 2] > SEEN]
    ears = [kp[j, :2] for j in (16, 17) if kp[j, 2] > SEEN]
    size = 0.08 * torso_len
    if len(eyes) == 2:
        size = max(size, 1.15 * float(np.hypot(*(eyes[0] - eyes[1]))))
    if len(ears) == 2:
        size = max(size, 0.55 * float(np.hypot(*(ears[0] - ears[1]))))
    size = min(size, 0.3 * torso_len)
    up = kp[0, :2] - kp[1, :2]
    angle = float(np.degrees(np.arctan2(up[1], up[0]))) + 90.0
    centre = pts.mean(axis=0) - up / max(float(np.hypot(*up)), 1e-9) * 0.15 * size
    cv2.ellipse(out, (round(centre[0]), round(centre[1])), (max(1, round(0.85 * size)), max(1, round(1.15 * size))),
                angle, 0, 360, 1, -1)
    return out.astype(bool)
