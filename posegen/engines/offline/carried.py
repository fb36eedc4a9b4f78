"""Things a hand may hold against the body (a bag on the thigh, a purse on a coat), and what feasibility
does about the ones the rig cannot move.

regions.find_carried finds only a compact blob hanging free of the body: a bag held against the skirt
or the thigh lies inside another part's seed, so the rig gives it to the skirt or the leg and the hand
leaves it behind (or tears it) when it moves. ``find_held`` looks for such a thing at a hand:

* pieces of the photo's own over-segmentation (a graph segmentation of Lab colour) that the hand
  touches, grown over neighbours of a close colour (a bag's lit and shaded sides);
* a bag's size and shape (compact, a share of the person's area), reaching beyond the hand;
* standing out from the cloth right around it, not the face's (skin) colour;
* the mirror image across the spine another colour: a coat's or skirt's panel has its twin on the
  other side of the body, a bag does not.

On the 31 accepted seller photos this is not reliable enough to cut a bag out and carry it (bench/
bench_carried_finder.py: IoU >= 0.3 with the bag labels on 1 of 13 photos whose bag the rig misses,
and a find on several photos without one), so the rig does not use it.

Nor is it reliable evidence that a hand holds something (as the flag ``held_traits`` reports, it was right
on 7 of 14 hands and found 7 of 14 bags at a hand: it finds the hand itself on a dark coat, a fur's tuft, a
pocket's edge). ``held_traits`` asks instead what the *other side of the body* shows (``_unmatched``): a
bag, purse or magazine at a hand brings colours the mirror image of that place across the spine does not
have, while a hand on a skirt, in a pocket or on a fur finds its cloth there too. Hands that meet in front
(a clutch in both hands) are their own mirror, so there find_held's evidence stands. Feasibility keeps
the hands flagged where they are (a pose that moves one far is made with that arm kept, or refused, never
charged). All at the rig's label scale; nothing here imports Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import cv2
import numpy as np
from scipy.spatial import cKDTree

from posegen.engines.offline.held_arm import body_frame
from posegen.engines.offline.parts import PART_INDEX
from posegen.engines.offline.regions import CARRIED_MAX, CARRIED_MIN, Carried, _compact, face_oval
from posegen.engines.offline.retarget import SEEN, pelvis

if TYPE_CHECKING:
    from posegen.engines.offline.rig import Rig

__all__ = ["find_held", "held_traits"]

# Graph segmentation of the label-scale Lab image: scale (bigger merges more) and the smallest piece.
SEG_K, SEG_MIN = 150.0, 12
# Lab distance between a candidate and the person's pixels just around it / its mirror image / the face.
RING_CONTRAST, MIRROR_CONTRAST, SKIN_DELTA = 22.0, 18.0, 15.0
# Growing a candidate over neighbouring segments: at most this many steps, each this close in colour.
GROW_STEPS, GROW_DELTA = 12, 18.0
# The candidate reaches this many forearm radii beyond the hand at least, and at most this share of
# the torso length from it.
MIN_REACH, MAX_REACH = 2.5, 1.1
# held_traits' cue (_unmatched): person pixels within HELD_DISC forearm radii of the hand, not of the skin's
# colour (a, b within SKIN_AB of the face's: hands show on either side), that differ by more than
# HELD_DELTA (Lab, lightness at half weight: shade differs between the sides) from every person pixel of
# the mirror image of that disc (widened by a forearm radius: the two sides never match exactly); the
# largest such blob, as a share of a forearm radius' disc, at least HELD_BLOB flags the hand. Seller photos
# (bench_carried_finder, hands the rig gives no carried thing): 8 of the 14 with a bag label at the hand
# 0.23-0.77 (0676's two hands on one clutch 0: HANDS_MEET; 0476's dark purse on a dark coat 0.11, 0585's
# tan bag beside a bare hand, 0672's black bag on a black coat, 0241's tote strap at the chest 0), the 45
# without one 0-0.13 but 0447 (a bracelet on an orange sleeve, 0.86) and 0783's unseen left wrist (0.32,
# not judged); 0661's magazines 1.43. Mirror images with fewer than MIRROR_LEAST pixels (a profile) flag
# nothing.
HELD_DISC, HELD_DELTA, SKIN_AB, HELD_BLOB, MIRROR_LEAST = 1.8, 15.0, 6.0, 0.18, 20
SOLID = 230  # cut-out alpha of a solid pixel: the mesh's rim beyond the matte is darkened by it
# Hands meeting in front (wrists closer than this share of the torso: 0676's clutch in both hands 0.24,
# 0726's hands in two pockets 0.36) are their own mirror image: find_held's find at either flags both.
HANDS_MEET = 0.3
SIDES = (("right", (3, 4), "r_forearm"), ("left", (6, 7), "l_forearm"))


def _lab(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(cv2.GaussianBlur(rgb, (3, 3), 0), cv2.COLOR_RGB2LAB).astype(np.float32)


def _segments(lab: np.ndarray, mask: np.ndarray) -> np.ndarray:
    img = lab.astype(np.uint8).copy()
    img[~mask] = 0
    seg = cv2.ximgproc.segmentation.createGraphSegmentation(sigma=0.6, k=SEG_K, min_size=SEG_MIN)
    out = seg.processImage(img).astype(np.int32)
    out[~mask] = -1
    return out


def _mirror(blob: np.ndarray, kp: np.ndarray) -> np.ndarray:
    """``blob`` reflected across the spine (neck to mid-hip) line."""
    a, b = kp[1, :2], pelvis(kp)
    d = (b - a) / max(float(np.hypot(*(b - a))), 1e-9)
    ys, xs = np.nonzero(blob)
    p = np.stack([xs, ys], axis=1) - a
    along = p @ d
    q = a + 2.0 * along[:, None] * d - p
    h, w = blob.shape
    out = np.zeros_like(blob)
    qx, qy = q[:, 0].round().astype(int), q[:, 1].round().astype(int)
    ok = (qx >= 0) & (qx < w) & (qy >= 0) & (qy < h)
    out[qy[ok], qx[ok]] = True
    return out


def _hand(kp: np.ndarray, elbow: int, wrist: int) -> np.ndarray:
    return kp[wrist, :2] + (kp[wrist, :2] - kp[elbow, :2]) * 0.3


def _adjacency(seg: np.ndarray) -> dict[int, set[int]]:
    adj: dict[int, set[int]] = {}
    for a, b in ((seg[:, :-1], seg[:, 1:]), (seg[:-1, :], seg[1:, :])):
        m = (a != b) & (a >= 0) & (b >= 0)
        for x, y in set(zip(a[m].tolist(), b[m].tolist(), strict=True)):
            adj.setdefault(x, set()).add(y)
            adj.setdefault(y, set()).add(x)
    return adj


@dataclass(frozen=True, eq=False)
class _Scene:
    lab: np.ndarray
    seg: np.ndarray
    mask: np.ndarray
    kp: np.ndarray
    torso_len: float
    area: float
    adj: dict[int, set[int]]
    means: np.ndarray  # (n, 3) mean Lab per segment
    sizes: np.ndarray  # (n,) pixels per segment
    skin: np.ndarray | None  # median Lab of the face


def _scene(rgb: np.ndarray, mask: np.ndarray, kp: np.ndarray) -> _Scene:
    lab = _lab(rgb)
    seg = _segments(lab, mask)
    n = int(seg.max()) + 1
    flat, inside = seg.ravel(), seg.ravel() >= 0
    sizes = np.bincount(flat[inside], minlength=n).astype(np.float64)
    means = np.stack([np.bincount(flat[inside], weights=lab.reshape(-1, 3)[inside, c], minlength=n)
                      for c in range(3)], axis=1) / np.maximum(sizes, 1.0)[:, None]
    torso_len = float(np.hypot(*(kp[1, :2] - pelvis(kp))))
    face = face_oval(shape=mask.shape, kp=kp, torso_len=torso_len) & mask
    skin = np.median(lab[face], axis=0) if face.sum() >= 10 else None
    return _Scene(lab=lab, seg=seg, mask=mask, kp=kp, torso_len=torso_len, area=float(mask.sum()),
                  adj=_adjacency(seg), means=means, sizes=sizes, skin=skin)


def _grown(sc: _Scene, seed: int, max_area: float) -> list[list[int]]:
    """Regions grown from one segment by adding, one at a time, the neighbour closest in colour."""
    region, total = [seed], sc.sizes[seed]
    colour = sc.means[seed].copy()
    out = [list(region)]
    for _ in range(GROW_STEPS):
        around = set().union(*(sc.adj.get(r, set()) for r in region)) - set(region)
        if not around:
            break
        nxt = min(around, key=lambda s: float(np.linalg.norm(sc.means[s] - colour)))
        if float(np.linalg.norm(sc.means[nxt] - colour)) > GROW_DELTA or total + sc.sizes[nxt] > max_area:
            break
        colour = (colour * total + sc.means[nxt] * sc.sizes[nxt]) / (total + sc.sizes[nxt])
        total += sc.sizes[nxt]
        region.append(nxt)
        out.append(list(region))
    return out


def _judge(sc: _Scene, blob: np.ndarray, hand: np.ndarray, arm: np.ndarray, radius: float) -> float | None:
    """The candidate's ring contrast when it looks like a held thing, else None."""
    a = float(blob.sum())
    if not CARRIED_MIN * sc.area <= a <= CARRIED_MAX * sc.area:
        return None
    ys, xs = np.nonzero(blob)
    extent = float(np.hypot(xs - hand[0], ys - hand[1]).max())
    if not MIN_REACH * radius <= extent <= MAX_REACH * sc.torso_len or not _compact(blob):
        return None
    colour = np.median(sc.lab[blob], axis=0)
    if sc.skin is not None and float(np.linalg.norm(colour - sc.skin)) < SKIN_DELTA:
        return None  # the hand itself, or the bare leg under it
    size = 2 * max(2, round(radius)) + 1
    ring = (cv2.dilate(blob.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))) > 0)
    ring &= sc.mask & ~blob & ~arm
    if ring.sum() < 0.3 * a:
        return None
    contrast = float(np.linalg.norm(colour - np.median(sc.lab[ring], axis=0)))
    twin = _mirror(blob, sc.kp) & sc.mask & ~blob
    if twin.sum() >= 0.3 * a and float(np.linalg.norm(colour - np.median(sc.lab[twin], axis=0))) < MIRROR_CONTRAST:
        return None  # a garment's panel: the same cloth on the other side of the body
    return contrast if contrast >= RING_CONTRAST else None


def _held(sc: _Scene, side: tuple, radius: float) -> tuple[np.ndarray, float] | None:
    _, (elbow, wrist), _ = side
    kp = sc.kp
    hand = _hand(kp, elbow, wrist)
    disc = np.zeros(sc.mask.shape, np.uint8)
    cv2.circle(disc, (round(hand[0]), round(hand[1])), max(2, round(radius * 1.6)), 1, -1)
    arm_img = np.zeros(sc.mask.shape, np.uint8)
    cv2.line(arm_img, tuple(round(v) for v in kp[elbow, :2]), tuple(round(v) for v in kp[wrist, :2]), 1,
             max(1, round(radius * 1.6)))
    arm = arm_img > 0
    best: tuple[np.ndarray, float] | None = None
    seen: set[tuple[int, ...]] = set()
    for seed in np.unique(sc.seg[(disc > 0) & sc.mask]).tolist():
        for region in _grown(sc, seed, CARRIED_MAX * sc.area):
            key = tuple(sorted(region))
            if key in seen:
                continue
            seen.add(key)
            blob = np.isin(sc.seg, region)
            if np.mean(arm[blob]) > 0.5:
                continue
            score = _judge(sc, blob, hand, arm, radius)
            if score is not None and (best is None or score > best[1]):
                best = (blob, score)
    return best


def find_held(*, rgb: np.ndarray, mask: np.ndarray, kp: np.ndarray, radii: dict[str, float],
              forearms: dict[str, bool]) -> Carried | None:
    """A bag, purse or clutch the hand holds against the body (label-scale ``rgb``, ``mask`` and
    keypoints ``kp``), or None. The more contrasted of the two hands' finds wins."""
    best, best_score = None, 0.0
    for (name, _, forearm), (blob, score) in _finds(rgb=rgb, mask=mask, kp=kp, radii=radii, forearms=forearms):
        if score > best_score:
            best, best_score = Carried(mask=blob, side=name, forearm=forearm), score
    return best


def holding_forearms(*, rgb: np.ndarray, mask: np.ndarray, kp: np.ndarray, radii: dict[str, float],
                     forearms: dict[str, bool]) -> set[str]:
    """The forearms (names) at whose hand find_held sees a held thing, each hand judged on its own
    (one scene for both: building it is most of the cost)."""
    return {side[2] for side, _ in _finds(rgb=rgb, mask=mask, kp=kp, radii=radii, forearms=forearms)}


def _finds(*, rgb: np.ndarray, mask: np.ndarray, kp: np.ndarray, radii: dict[str, float],
           forearms: dict[str, bool]) -> list[tuple[tuple, tuple[np.ndarray, float]]]:
    """(side, (blob, score)) for each seen hand of a present forearm where _held finds something."""
    sc = _scene(rgb, mask, kp)
    out = []
    for side in SIDES:
        _, (elbow, wrist), forearm = side
        if not forearms.get(forearm) or min(kp[elbow, 2], kp[wrist, 2]) <= SEEN:
            continue
        found = _held(sc, side, float(radii[forearm]))
        if found is not None:
            out.append((side, found))
    return out


def _unmatched(sc: _Scene, solid: np.ndarray, hand: np.ndarray, radius: float) -> float | None:
    """The largest blob near ``hand`` whose colours the mirror image of that place lacks, in discs of one
    forearm radius (see HELD_DISC); None when there is nothing to compare (no face colour, no mirror).
    Only ``solid`` pixels (opaque in the cut-out) count: the mesh's soft rim is darkened by the matte, and
    every dark bag would find its colour there."""
    if sc.skin is None:
        return None
    disc = np.zeros(sc.mask.shape, np.uint8)
    cv2.circle(disc, (round(hand[0]), round(hand[1])), max(2, round(radius * HELD_DISC)), 1, -1)
    skin = np.linalg.norm(sc.lab[..., 1:] - sc.skin[1:], axis=-1) < SKIN_AB
    near = (disc > 0) & solid & ~skin
    size = 2 * max(1, round(radius)) + 1
    twin = _mirror(cv2.dilate(disc, np.ones((size, size), np.uint8)) > 0, sc.kp) & solid
    if twin.sum() < MIRROR_LEAST or not near.any():
        return None
    weighted = sc.lab * np.array([0.5, 1.0, 1.0], np.float32)
    other = weighted[twin][:: max(1, int(twin.sum()) // 3000)]  # a few thousand are plenty to match against
    gap, _ = cKDTree(other).query(weighted[near])
    odd = np.zeros(sc.mask.shape, np.uint8)
    odd[near] = gap > HELD_DELTA
    n, _, stats, _ = cv2.connectedComponentsWithStats(odd)
    return float(stats[1:, cv2.CC_STAT_AREA].max() if n > 1 else 0) / (np.pi * max(radius, 1.0) ** 2)


def held_traits(*, rig: Rig) -> dict:
    """Traits for feasibility (engine.avatar_traits): "carried_forearm_deg", the direction (degrees in the
    picture, y up) of the forearm holding the carried thing the rig found (None without one), and
    "held_unsure", {side: [x, y]} for each hand the rig did not give a carried thing that seems to hold
    something all the same (_unmatched, HANDS_MEET): the wrist's place from the shoulder in arm lengths
    (y up), where feasibility keeps that hand; "pose_frame", the photo's 14 body joints in held_arm's spine
    frame."""
    kp = rig.keypoints.copy()
    kp[:, :2] *= rig.label_scale
    mask = rig.labels >= 0
    # The photo's body in the spine frame: where a holding arm kept as in the photo sits (held_arm.py).
    out: dict = {"carried_forearm_deg": None, "held_unsure": {},
                 "pose_frame": [[round(float(x), 4), round(float(y), 4)] for x, y in body_frame(rig.keypoints)]}
    if rig.carried is not None:
        elbow, wrist = (3, 4) if rig.carried.side == "right" else (6, 7)
        fore = kp[wrist, :2] - kp[elbow, :2]
        out["carried_forearm_deg"] = round(float(np.degrees(np.arctan2(-fore[1], fore[0]))), 1)
    rgb = cv2.resize(np.ascontiguousarray(rig.texture[:, : rig.tex_width, :3]), mask.shape[::-1],
                     interpolation=cv2.INTER_AREA)
    solid = mask & (cv2.resize(np.ascontiguousarray(rig.texture[:, : rig.tex_width, 3]), mask.shape[::-1],
                               interpolation=cv2.INTER_AREA) >= SOLID)
    sides = [side for side in SIDES
             if not (rig.carried is not None and rig.carried.side == side[0]) and rig.present[PART_INDEX[side[2]]]
             and min(kp[side[1][0], 2], kp[side[1][1], 2]) > SEEN]
    if not sides:
        return out
    scene = _scene(rgb, mask, kp)
    radii = {side[0]: float(rig.radii[PART_INDEX[side[2]]] * rig.label_scale) for side in sides}
    holding = {name for name, (elbow, wrist), _ in sides
               if (_unmatched(scene, solid, _hand(kp, elbow, wrist), radii[name]) or 0.0) >= HELD_BLOB}
    if len(sides) == 2 and float(np.hypot(*(kp[4, :2] - kp[7, :2]))) < HANDS_MEET * scene.torso_len \
            and any(_held(scene, side, radii[side[0]]) is not None for side in sides):
        holding = {"right", "left"}
    for name, (elbow, wrist), _ in sides:
        if name not in holding:
            continue
        shoulder = 2 if name == "right" else 5
        arm = float(np.hypot(*(kp[elbow, :2] - kp[shoulder, :2])) + np.hypot(*(kp[wrist, :2] - kp[elbow, :2])))
        rel = (kp[wrist, :2] - kp[shoulder, :2]) / max(arm, 1e-6)
        out["held_unsure"][name] = [round(float(rel[0]), 3), round(float(-rel[1]), 3)]
    return out
