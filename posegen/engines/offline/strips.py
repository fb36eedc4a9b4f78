"""The strips of body cloth a forearm's tube takes beside it, given back to the body.

A limb's tube (rig._label_parts) is a straight band of the limb's measured width; the body's outline
beside a forearm is not straight (a skirt's hips, a coat's front), so the tube takes a strip of that
cloth a few pixels wide along the arm, and the strip leaves with the arm when it moves: the skirt in two
pieces, its print riding on the moved forearm (seller photos 0506, 0672). Label scale; no Django.
"""

from __future__ import annotations

import cv2
import numpy as np

from posegen.engines.offline.backing import FOREARMS, skin_tone
from posegen.engines.offline.parts import GARMENT, TORSO

__all__ = ["HAND_ALONG", "HAND_CORE", "HAND_MARGIN", "HAND_SKIN", "STRIP_ALONG", "STRIP_MARGIN", "STRIP_WIDE",
           "cloth_strips", "forearm_strips"]

# A strip is at most STRIP_WIDE label pixels from the body part it goes back to, and its colour is
# nearer that part's own colours beside it than the arm's (or the skin's) by STRIP_MARGIN (Lab).
STRIP_WIDE, STRIP_MARGIN = 4, 4.0
# ... from the elbow to this share of the forearm (the wrist's end holds the hand, a bag's handle).
STRIP_ALONG = 0.9
# Past it, to the tube's end (parts' forearm extend 0.45), the arm's own colours are the hand's: the palette
# of the tube's middle there (HAND_CORE of the radius), not the sleeve's. A bare hand resting on a black
# skirt under a charcoal sleeve (seller 0807) kept the skirt's dark edge below it (nearer the sleeve than the
# skirt by less than the margin): a sliver of skirt on the moved hand, the skirt in two pieces in every pose.
# A hand holding a strap or handle has its colour in that palette, so the handle stays with the hand. Only a
# bare hand: at least HAND_SKIN of that middle skin-toned (0807's pale hands 0.22-0.29; the hands holding a
# thing or cuffed in 0241 and 0661, which the rig does not find as carried, 0.0-0.1: 0661's skirt beside the
# hand went to the body, 2 pieces). The hand's outline mixes its own colour with what it rests on or
# holds (0241's left hand on a bag's handle gave 5 bag pixels away at STRIP_MARGIN, 1 at 12), so there a
# pixel must be nearer the body's colours than the hand's by HAND_MARGIN (0807's shadowed skirt edge: by 35
# and more; at 20 a sliver stayed on its raised hand).
HAND_ALONG, HAND_CORE, HAND_SKIN, HAND_MARGIN = 1.45, 0.5, 0.15, 12.0



def _palette(colours: np.ndarray, k: int) -> np.ndarray:
    """Up to ``k`` main colours of (n, 3) Lab ``colours`` (a few k-means rounds seeded along the
    lightness, so the same pixels give the same palette); colours of under 8 % of them are dropped: a
    striped skirt is several colours, and its median is none of them."""
    x = colours.reshape(-1, 3).astype(np.float32)
    if len(x) < 4 * k:
        return np.median(x, axis=0)[None]
    order = np.argsort(x[:, 0], kind="stable")
    centres = np.stack([x[order[int((i + 0.5) * len(x) / k)]] for i in range(k)])
    for _ in range(8):
        nearest = np.linalg.norm(x[:, None] - centres[None], axis=2).argmin(axis=1)
        centres = np.stack([x[nearest == j].mean(axis=0) if (nearest == j).any() else centres[j] for j in range(k)])
    return centres[np.bincount(nearest, minlength=k) >= 0.08 * len(x)]


def _to_palette(colours: np.ndarray, palette: np.ndarray) -> np.ndarray:
    return np.min(np.linalg.norm(colours[:, None, :] - palette[None], axis=2), axis=1)


def cloth_strips(*, labels: np.ndarray, lab: np.ndarray, arms: dict[int, tuple[np.ndarray, np.ndarray, float]],
                 body: tuple[int, ...], skin: np.ndarray | None = None, keep: np.ndarray | None = None) -> np.ndarray:
    """``labels`` (h, w) part per pixel with the strips of body cloth an arm's tube took given back.

    An arm's tube is a straight band; where the skirt's hips or a coat's front bulge into it, it takes a
    strip of their cloth a few pixels wide along the arm, and the strip leaves with the arm (the skirt in
    two pieces, its print riding on the moved forearm: 0506, 0672). Each arm pixel at most STRIP_WIDE
    from a ``body`` part (torso, garment) whose colour is nearer that part's own colours beside the arm
    than the arm's (or the face's ``skin``) by STRIP_MARGIN goes to that part, if it joins it. Colours
    are palettes, not medians: a striped skirt. ``keep``: pixels never given (a bag in the hand)."""
    out = labels.copy()
    h, w = labels.shape
    ys, xs = np.mgrid[0:h, 0:w]
    pts = np.stack([xs, ys], axis=-1).astype(np.float64)
    for part, (a, b, radius) in arms.items():
        mine = labels == part
        if keep is not None:
            mine &= ~keep
        if mine.sum() < 10:
            continue
        ab = b - a
        t = ((pts - a) @ ab) / max(float(ab @ ab), 1e-9)
        d = np.hypot(*(pts - (a + np.clip(t, 0.0, 1.0)[..., None] * ab)).transpose(2, 0, 1))
        core = mine & (d < 0.5 * radius) & (t > 0.1) & (t < 0.9)
        if core.sum() < 5:
            continue
        arm_palette = _palette(lab[core], 2)
        if skin is not None:
            arm_palette = np.vstack([arm_palette, skin[None]])
        # The hand: its own palette, or (too little of it in the tube, not bare) no pixel past STRIP_ALONG given.
        hand_core = mine & (d < HAND_CORE * radius) & (t > 1.0) & (t <= HAND_ALONG)
        hand_palette = None
        if hand_core.sum() >= 5 and skin_tone(lab[hand_core]).mean() >= HAND_SKIN:
            hand_palette = _palette(lab[hand_core], 2)
            if skin is not None:
                hand_palette = np.vstack([hand_palette, skin[None]])
        past = (t > STRIP_ALONG) & (t <= HAND_ALONG)
        for other in body:
            theirs = labels == other
            if not theirs.any():
                continue
            # Along the bone, no skin (a bare forearm); past STRIP_ALONG against the hand's own colours
            # only (no skin guard: the skin is in its palette; a handle in the hand is too).
            along = (~skin_tone(lab) & (t >= 0.0) & (t <= STRIP_ALONG)) | (past if hand_palette is not None else False)
            band = (mine & ~core & along
                    & (cv2.distanceTransform((~theirs).astype(np.uint8), cv2.DIST_L2, 3) <= STRIP_WIDE))
            if not band.any():
                continue
            beside = theirs & (cv2.distanceTransform((~band).astype(np.uint8), cv2.DIST_L2, 3) <= 2 * STRIP_WIDE)
            if beside.sum() < 5:
                continue
            by, bx = np.nonzero(band)
            colours = lab[by, bx]
            own = _to_palette(colours, arm_palette)
            at_hand = past[by, bx]
            if at_hand.any():
                own[at_hand] = _to_palette(colours[at_hand], hand_palette)
            give = _to_palette(colours, _palette(lab[beside], 3)) < own - np.where(at_hand, HAND_MARGIN, STRIP_MARGIN)
            strip = np.zeros((h, w), bool)
            strip[by[give], bx[give]] = True
            # Only what joins the part it goes to (through the strip itself).
            _, comp = cv2.connectedComponents((theirs | strip).astype(np.uint8), connectivity=4)
            strip &= np.isin(comp, np.unique(comp[theirs]))
            out[strip] = other
            mine &= ~strip
    return out


def forearm_strips(labels: np.ndarray, lab: np.ndarray, bones: np.ndarray, radii: np.ndarray, present: np.ndarray,
                   face: np.ndarray, carried) -> np.ndarray:
    """cloth_strips for the rig: both forearms (bone, tube radius; present ones), given back to the torso or
    the garment; the face oval's median colour as the skin (``face``: its pixels on the person), a carried
    thing's pixels (``carried``: regions.Carried or None) never given."""
    arms = {f: (bones[f, 0], bones[f, 1], float(radii[f])) for f, _ in FOREARMS if present[f]}
    return cloth_strips(labels=labels, lab=lab, arms=arms, body=(TORSO, GARMENT),
                        skin=np.median(lab[face], axis=0) if face.sum() >= 10 else None,
                        keep=carried.mask if carried is not None else None)
