"""An arm the cut-out lost: where a thin bare arm hangs against a dress, the matte can keep only a sliver of
it (0688), and the arm's tube (its width from the skeleton's proportions) is then filled with the dress
panel beside it. Moved, that arm was a tube of dress with a ghost hand. Seen from the front, such an arm
takes its texture from the other arm, mirrored, when that one is whole. No Django."""

from __future__ import annotations

import cv2
import numpy as np

from posegen.engines.offline.parts import LIMB_EDGE, PART_INDEX, PARTS, TORSO

__all__ = ["LOST", "OWN_HAND", "WHOLE", "borrow_arm", "lend_arm", "lost_arm"]

# An upper arm whose opaque pixels are this share or more the torso's colour is lost (its tube holds the
# body beside it); the other upper arm, this share or less, is whole (its own sleeve or skin). Over the 34
# seller photos only 0688 (0.87 against 0.12) is lost; the nearest others, coats and jumpers whose sleeves
# are the body's colour on both sides, are 0.67 or more on the side that would give.
LOST, WHOLE = 0.75, 0.3
_SIDES = ((PART_INDEX["r_upper_arm"], PART_INDEX["r_forearm"]), (PART_INDEX["l_upper_arm"], PART_INDEX["l_forearm"]))
_SOLID = 200  # the matte (of 255) above which a pixel's colour is its own, not blended
# A lost forearm keeps its own pixels from this share of its bone on: its own hand and wrist (what the
# other hand holds often reaches up its wrist; 0688's clutch at 0.85 drew pink shards).
OWN_HAND = 0.8


def _torso_like(lab: np.ndarray, own: np.ndarray, ref: np.ndarray) -> float:
    if not own.any():
        return float("nan")
    return float((np.linalg.norm(lab[own] - ref, axis=1) < LIMB_EDGE).mean())


def lost_arm(*, labels: np.ndarray, rgba: np.ndarray) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """(the lost arm's (upper arm, forearm) parts, the whole arm's), or None. ``labels``: the part per pixel
    (-1 outside); ``rgba``: the cut-out (premultiplied) at the same scale. The caller checks that the
    photo shows the person from the front (mirroring one arm into the other needs both sides seen)."""
    solid = rgba[:, :, 3] > _SOLID
    torso = solid & (labels == TORSO)
    if torso.sum() < 20:
        return None
    lab = cv2.cvtColor(np.ascontiguousarray(rgba[:, :, :3]), cv2.COLOR_RGB2LAB).astype(np.float32)
    ref = np.median(lab[torso], axis=0)
    like = [_torso_like(lab, solid & (labels == upper), ref) for upper, _ in _SIDES]
    for lost, whole in ((0, 1), (1, 0)):
        if like[lost] >= LOST and like[whole] <= WHOLE:
            return _SIDES[lost], _SIDES[whole]
    return None


def _reach(labels: np.ndarray, part: int, a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """How far the part's pixels reach to each side of its bone a-b (left of a->b, right), in bone lengths:
    the 90th percentile over its middle (a share 0.2-0.8 along the bone)."""
    ys, xs = np.nonzero(labels == part)
    d = b - a
    length = float(np.hypot(*d))
    rel = np.stack([xs, ys], axis=1) - a
    t = rel @ d / (length * length)
    s = rel @ (np.array([-d[1], d[0]]) / length) / length
    s = s[(t >= 0.2) & (t <= 0.8)]
    left, right = s[s > 0], -s[s < 0]
    return tuple(float(np.percentile(side, 90)) if len(side) else 0.0 for side in (left, right))


def borrow_arm(src: np.ndarray, tri_part: np.ndarray, bones: np.ndarray, lost: tuple[int, ...],
               whole: tuple[int, ...], reach: dict[int, tuple[float, float]] | None = None) -> np.ndarray:
    """``src`` (T, 3, 2: where each triangle's corners sample the texture) with each ``lost`` part's
    triangles sampling the matching ``whole`` part instead, mirrored: a corner a share t along its bone
    and s bone lengths to one side of it samples t along the other bone and s to the other side (the
    outer edge of one arm is the outer edge of the other). ``reach`` (_reach, per part), when given,
    stretches each side of the lost part across the same side of the whole one: the lost arm keeps its
    own width (its tube's, from the skeleton) and shows no more of what lies beside the other arm (0688:
    the dress beside it, a navy stripe). ``bones``: (parts, 2, 2) in texture pixels."""
    out = src.copy()
    for thin, donor in zip(lost, whole, strict=True):
        pick = tri_part == thin
        if not pick.any():
            continue
        a, b = bones[thin]
        a2, b2 = bones[donor]
        d, d2 = b - a, b2 - a2
        length, length2 = float(np.hypot(*d)), float(np.hypot(*d2))
        if length < 1e-6 or length2 < 1e-6:
            continue
        n, n2 = np.array([-d[1], d[0]]) / length, np.array([-d2[1], d2[0]]) / length2
        rel = src[pick] - a
        t = rel @ d / (length * length)
        s = rel @ n / length
        if reach is not None:
            (left, right), (left2, right2) = reach[thin], reach[donor]
            # Mirrored: this bone's left is the other bone's right.
            s = np.where(s > 0, s * (right2 / max(left, 1e-6)), s * (left2 / max(right, 1e-6)))
        out[pick] = a2 + t[..., None] * d2 - (s * length2)[..., None] * n2
    return out


def lend_arm(src: np.ndarray, tri_part: np.ndarray, *, labels: np.ndarray, rgba: np.ndarray, front: bool,
             bones: np.ndarray, to_tex: float, carried: str | None) -> np.ndarray:
    """The rig's triangle sources with a lost arm (lost_arm) textured from the other (borrow_arm); ``src``
    itself when none is lost or the photo is not a front view. A forearm that carries a thing (``carried``:
    its part name), on either side, keeps its own pixels: the bag would be drawn twice. ``labels``,
    ``rgba`` and ``bones`` at the label scale; ``to_tex``: texture pixels per label pixel."""
    found = lost_arm(labels=labels, rgba=rgba) if front else None
    if found is None:
        return src
    pairs = [(thin, donor) for thin, donor in zip(*found, strict=True)
             if (labels == thin).any() and (labels == donor).any()
             and carried not in (PARTS[thin].name, PARTS[donor].name)]
    if not pairs:
        return src
    lost, whole = zip(*pairs, strict=True)
    reach = {p: _reach(labels, p, *bones[p]) for p in (*lost, *whole)}
    if any(min(r) <= 0.0 for r in reach.values()):
        return src
    tex_bones = (bones + 0.5) * to_tex - 0.5
    lent = borrow_arm(src, tri_part, tex_bones, lost, whole, reach)
    # The hand is the photo's own (OWN_HAND): round the other wrist its tube holds whatever that hand holds
    # (0688's clutch), drawn in pink shards at the lost hand. A lost hand the matte kept thin is still a
    # hand (render's firm_limbs makes it opaque).
    for thin in lost:
        if PARTS[thin].extend > 0.0:
            a, b = tex_bones[thin]
            d = b - a
            past = (tri_part == thin) & ((src.mean(axis=1) - a) @ d / max(float(d @ d), 1e-9) > OWN_HAND)
            lent[past] = src[past]
    return lent
