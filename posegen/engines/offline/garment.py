"""Cloth bridging the legs (dress, skirt, long coat, cape), found on the rig's label-scale silhouette.

Where the silhouette has no background between the legs below the hips, the legs are hidden under one
piece of cloth. Cut along the leg tubes it would become trouser legs, so it is one part that follows the
pelvis at the top and the legs at its hem (ARAP bends it in between: it flares or sways, the hem stays
continuous). Here: where that cloth ends (its hem), what kind it is, how far apart the legs may go
under it, and which pixels an arm's tube took that are the cloth beside the arm.

All at the rig's label scale; nothing here imports Django.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from posegen.engines.offline.regions import face_oval
from posegen.engines.offline.retarget import SEEN, pelvis

__all__ = ["L_LEG", "R_LEG", "Garment", "cloth_beside_arms", "find_garment", "leg_point", "leg_segment_at"]

# Hem fractions (of hip->ankle) below which a bridge is only the crotch of trousers or shorts.
MIN_HEM = 0.17
# A gap between the legs narrower than this many label pixels is a shadow line, not background.
MIN_GAP = 2
# A Lab distance from the cloth's colour at the top of the legs that means another garment or skin.
COLOUR_CHANGE = 28.0
# Cloth may stretch this much at the hem before it looks stretched (used for the leg-spread limit).
HEM_STRETCH = 1.12
# A skirt's hem: the silhouette this many times wider just above it than across the legs just below.
HEM_STEP = 1.25
# Cloth between legs that never part is a long dress's when it is this wide (torso lengths) near the
# ankles: two trouser legs or tights together are about 2 x LEG_WIDTH there.
MAXI_WIDTH = 0.7
# Hems above this share of hip->ankle leave the legs free (a mini skirt); a leg is this wide (torso lengths).
FREE_HEM, LEG_WIDTH = 0.3, 0.11
R_LEG, L_LEG = (8, 9, 10), (11, 12, 13)
# An arm's pixel goes to the cloth beside it when its colour is nearer the cloth's than the arm's by this
# share of the distance between the two (Lab); colours closer than CLOTH_APART cannot be told apart.
CLOTH_MARGIN, CLOTH_APART = 0.15, 12.0
# ... in pieces at least this many label pixels thick (about a mesh triangle).
CLOTH_THICK = 5
# Legs are bare where the colour between them is this near the face's skin (Lab) for BARE_RUN samples
# (0.02 of hip->ankle each); a hem found so lies above BARE_MAX (lower, it is a trouser's turn-up).
SKIN_NEAR, BARE_RUN, BARE_MAX = 15.0, 3, 0.6


@dataclass(frozen=True, eq=False)
class Garment:
    mask: np.ndarray  # (h, w) bool at label scale
    hem_ratio: float  # where the bridge ends, as a share of hip->ankle (arc length)
    kind: str  # "dress" | "skirt" | "coat"
    max_leg_spread_deg: float  # widest angle between the legs the hem can follow


def leg_point(kp: np.ndarray, leg: tuple[int, int, int], t: float) -> np.ndarray:
    """The point at arc-length share ``t`` (0 hip .. 1 ankle) along a leg's hip-knee-ankle line."""
    hip, knee, ankle = (kp[j, :2] for j in leg)
    thigh, shin = float(np.hypot(*(knee - hip))), float(np.hypot(*(ankle - knee)))
    s = t * (thigh + shin)
    if s <= thigh:
        return hip + (knee - hip) * (s / max(thigh, 1e-9))
    return knee + (ankle - knee) * min(1.0, (s - thigh) / max(shin, 1e-9))


def leg_segment_at(kp: np.ndarray, leg: tuple[int, int, int], t: float) -> str:
    """"thigh" or "shin": which bone the point at share ``t`` lies on."""
    hip, knee, ankle = (kp[j, :2] for j in leg)
    thigh, shin = float(np.hypot(*(knee - hip))), float(np.hypot(*(ankle - knee)))
    return "thigh" if t * (thigh + shin) <= thigh else "shin"


def _samples(a: np.ndarray, b: np.ndarray, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    n = max(2, int(np.hypot(*(b - a))) + 2)
    pts = a + np.linspace(0.0, 1.0, n)[:, None] * (b - a)
    xs = np.clip(pts[:, 0].round().astype(int), 0, shape[1] - 1)
    ys = np.clip(pts[:, 1].round().astype(int), 0, shape[0] - 1)
    return ys, xs


def _longest_run(values: np.ndarray) -> int:
    best = run = 0
    for v in values:
        run = run + 1 if v else 0
        best = max(best, run)
    return best


def _legs_seen(kp: np.ndarray) -> bool:
    return all(kp[j, 2] > SEEN * 0.5 for j in R_LEG + L_LEG)


def find_garment(*, mask: np.ndarray, kp: np.ndarray, rgb: np.ndarray | None = None,
                 arm_pixels: np.ndarray | None = None) -> Garment | None:
    """The cloth bridging the legs (label-scale ``mask`` and keypoints ``kp``), or None.

    Walks down both legs together and looks between them for background: the first gap is the hem."""
    if not _legs_seen(kp):
        return None
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32) if rgb is not None else None
    gap, colours = None, []  # the first background between the legs; the cloth's colour down to it
    for t in np.linspace(0.08, 1.0, 47):
        r, left = leg_point(kp, R_LEG, t), leg_point(kp, L_LEG, t)
        ys, xs = _samples(r, left, mask.shape)
        if _longest_run(~mask[ys, xs]) >= MIN_GAP:
            gap = float(t)
            break
        if lab is not None:
            n = len(ys)
            mid = slice(n // 4, max(n // 4 + 1, 3 * n // 4))
            colours.append((float(t), np.median(lab[ys[mid], xs[mid]], axis=0)))
    # The cloth between the legs ends where its colour does (a skirt over thighs that touch).
    hem = _colour_hem(colours)
    if hem is None:
        # legs together all the way down: a maxi dress (or trousers with the feet together)
        hem = gap if gap is not None else 1.0
    if hem < MIN_HEM and _long_cloth_below(mask, kp, hem):
        hem = 1.0  # a coat or top hanging over a long dress changed the colour, not a hem
    if hem < MIN_HEM and lab is not None:
        hem = _bare_legs_hem(colours, lab, mask, kp) or hem
    if hem < MIN_HEM:
        return None
    h, w = mask.shape
    ys, xs = np.mgrid[0:h, 0:w]
    pts = np.stack([xs, ys], axis=-1).astype(np.float64)
    hip_r, hip_l = kp[8, :2], kp[11, :2]
    hem_r, hem_l = leg_point(kp, R_LEG, hem), leg_point(kp, L_LEG, hem)
    # Between the hip line and the hem line (each extended sideways), on the person.
    down = (hem_r + hem_l) / 2.0 - pelvis(kp)
    down /= max(float(np.hypot(*down)), 1e-9)

    def below(p0: np.ndarray, p1: np.ndarray) -> np.ndarray:
        edge = p1 - p0
        normal = np.array([-edge[1], edge[0]])
        if normal @ down < 0:
            normal = -normal
        return (pts - p0) @ normal >= 0

    torso_len = float(np.hypot(*(kp[1, :2] - pelvis(kp))))
    hem_margin = down * 0.03 * torso_len  # the hem's own edge (it curves a little below the line)
    # From a little above the hip joints (the thighs' tubes reach up there; the rest is torso anyway).
    lift = -down * 0.2 * torso_len
    region = mask & below(hip_r + lift, hip_l + lift) & ~below(hem_r + hem_margin, hem_l + hem_margin)
    # Sideways: no further out than the hips and hem (plus a flare allowance) from the middle line.
    across = np.array([-down[1], down[0]])
    mid_top, u_len = pelvis(kp), float((((hem_r + hem_l) / 2.0) - pelvis(kp)) @ down)
    u = np.clip((pts - mid_top) @ down / max(u_len, 1e-9), 0.0, 1.0)
    half_top = abs(float((hip_l - hip_r) @ across)) / 2.0 + 0.3 * torso_len
    half_hem = abs(float((hem_l - hem_r) @ across)) / 2.0 + 0.45 * torso_len
    centre = mid_top + u[..., None] * (((hem_r + hem_l) / 2.0) - mid_top)
    region &= np.abs((pts - centre) @ across) <= half_top + (half_hem - half_top) * u
    if arm_pixels is not None:
        region &= ~arm_pixels
    # Only the piece that actually bridges the legs (a hand beside the hip is not cloth).
    count, comp = cv2.connectedComponents(region.astype(np.uint8), connectivity=4)
    if count <= 1:
        return None
    bridge_t = max(MIN_HEM * 0.8, hem * 0.6)
    by, bx = _samples(leg_point(kp, R_LEG, bridge_t), leg_point(kp, L_LEG, bridge_t), mask.shape)
    ids = np.unique(comp[by, bx])
    ids = ids[ids > 0]
    if len(ids) == 0:
        return None
    region = np.isin(comp, ids)
    if rgb is not None and hem < 0.95 and _same_cloth_below(rgb, region, mask, kp, hem, torso_len):
        return None  # trousers whose legs touch: the "hem" is only where they part
    return Garment(mask=region, hem_ratio=hem, kind=_kind(rgb, region, kp, hem),
                   max_leg_spread_deg=_max_spread(region, kp, hem))


def _colour_hem(colours: list[tuple[float, np.ndarray]]) -> float | None:
    """Where the colour between the legs first leaves the colour at their top for good (two samples in a
    row more than COLOUR_CHANGE away), or None."""
    changed = 0
    for t, colour in colours[1:]:
        changed = changed + 1 if float(np.linalg.norm(colour - colours[0][1])) > COLOUR_CHANGE else 0
        if changed >= 2:
            return t - 0.02
    return None


def _bare_legs_hem(colours: list[tuple[float, np.ndarray]], lab: np.ndarray, mask: np.ndarray,
                   kp: np.ndarray) -> float | None:
    """Where bare legs begin between the legs (the face's skin colour, BARE_RUN samples in a row), as a
    share of hip->ankle, when that share is between MIN_HEM and BARE_MAX: a printed skirt's hem. Its
    stripes change the colour just under the crotch (a colour hem too short for a skirt); trouser legs
    never turn to skin that high and shorts turn to skin before MIN_HEM."""
    torso_len = float(np.hypot(*(kp[1, :2] - pelvis(kp))))
    face = face_oval(shape=mask.shape, kp=kp, torso_len=torso_len) & mask
    if face.sum() < 10:
        return None
    skin = np.median(lab[face], axis=0)
    near = [float(np.linalg.norm(c - skin)) < SKIN_NEAR for _, c in colours]
    for i in range(len(colours) - BARE_RUN + 1):
        if all(near[i:i + BARE_RUN]):
            t = colours[i][0] - 0.02
            return t if MIN_HEM <= t <= BARE_MAX else None
    return None


def cloth_beside_arms(*, lab: np.ndarray, garment: np.ndarray, labels: np.ndarray,
                      arms: dict[int, tuple[np.ndarray, np.ndarray, float]],
                      skin: np.ndarray | None = None, free_hands: set[int] | None = None) -> np.ndarray:
    """(h, w) bool: pixels an arm's tube took that are the garment's cloth beside it.

    A hand hidden in a pocket or behind the skirt, or an arm hanging against it, has a tube that
    reaches over the skirt's edge; that strip would leave with the arm (the garment in two pieces, a
    skirt patch hanging on the arm). Only pixels outside the arm's core, next to the garment, whose
    colour (``lab``: blurred Lab, float32) is clearly nearer the cloth's beside them than the arm's own
    are given back; ``labels`` (h, w) part per pixel, ``arms`` part -> (bone start, end, radius), ``skin``
    the face's Lab colour (a hand is skin, not the sleeve's colour: a bare hand beside a cream skirt is
    the hand's)."""
    h, w = labels.shape
    out = np.zeros((h, w), bool)
    if not garment.any():
        return out
    ys, xs = np.mgrid[0:h, 0:w]
    pts = np.stack([xs, ys], axis=-1).astype(np.float64)
    for part, (a, b, radius) in arms.items():
        mine = labels == part
        if not mine.any():
            continue
        grow = max(3, 2 * round(radius) + 1)
        near = cv2.dilate(garment.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (grow, grow))) > 0
        if not (mine & near).any():
            continue
        ab = b - a
        t = ((pts - a) @ ab) / max(float(ab @ ab), 1e-9)
        closest = a + np.clip(t, 0.0, 1.0)[..., None] * ab
        d = np.hypot(*(pts - closest).transpose(2, 0, 1))
        core = mine & (d < 0.5 * radius) & (t > 0.1) & (t < 0.9)
        cloth = garment & near & (d < 3.0 * radius)
        if core.sum() < 5 or cloth.sum() < 5:
            continue
        arm_colour, cloth_colour = np.median(lab[core], axis=0), np.median(lab[cloth], axis=0)
        apart = float(np.linalg.norm(arm_colour - cloth_colour))
        # Past the wrist of a hand that holds nothing the tube holds the bare hand, whatever the sleeve:
        # there what is nearer the cloth than the skin is the cloth's (tulle beside and below a hand
        # hanging against the skirt, a black sleeve over a black dress). A bag in the hand the colour of
        # the skirt cannot be told from it: only free hands (``free_hands``).
        bare = float(np.linalg.norm(skin - cloth_colour)) if skin is not None else 0.0
        by_skin = free_hands is not None and part in free_hands and bare >= CLOTH_APART
        if apart < CLOTH_APART and not by_skin:
            continue
        to_cloth = np.linalg.norm(lab - cloth_colour, axis=2)
        give = np.zeros((h, w), bool)
        if apart >= CLOTH_APART:
            to_arm = np.linalg.norm(lab - arm_colour, axis=2)
            if skin is not None:
                to_arm = np.minimum(to_arm, np.linalg.norm(lab - skin, axis=2))
            give = mine & near & ~core & (to_cloth < to_arm - CLOTH_MARGIN * apart)
        if by_skin:
            to_skin = np.linalg.norm(lab - skin, axis=2)
            give = (give & (t <= 1.0)) | (mine & near & (t > 1.0) & (to_cloth < to_skin - CLOTH_MARGIN * bare))
        give = cv2.medianBlur(give.astype(np.uint8), 5) > 0
        if by_skin:  # the smoothing rounds corners: a hand's edge stays the hand's
            give &= to_cloth < to_skin
        # What is left of the arm is the piece holding its core; islands cut off by the cloth go with it.
        _, comp = cv2.connectedComponents((mine & ~give).astype(np.uint8), connectivity=4)
        keep = np.isin(comp, np.unique(comp[core & ~give]))
        give = mine & near & ~keep & ~core
        out |= give
    # Only pieces at least a mesh triangle thick (a thinner strip becomes lone garment triangles among
    # the arm's, cut from both and drawn apart), and only what joins the garment.
    out = cv2.morphologyEx(out.astype(np.uint8), cv2.MORPH_OPEN,
                           cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (CLOTH_THICK, CLOTH_THICK))) > 0
    _, comp = cv2.connectedComponents((garment | out).astype(np.uint8), connectivity=4)
    return out & np.isin(comp, np.unique(comp[garment]))


def _same_cloth_below(rgb: np.ndarray, region: np.ndarray, mask: np.ndarray, kp: np.ndarray, hem: float,
                      torso_len: float) -> bool:
    """True when the legs just below the found hem are the same colour as the cloth just above it:
    trouser legs that touch down to the knees, not a skirt's hem over legs, tights or boots.

    A hem the silhouette steps in at (the cloth HEM_STEP times wider than the legs just below it) is a
    skirt's whatever the colours: a black skirt over black tights. Trouser legs taper without a step."""
    legs = max(_width_at(mask, kp, min(1.0, hem + t)) for t in (0.06, 0.1))
    if _width_at(mask, kp, hem - 0.04) >= HEM_STEP * max(legs, 1):
        return False
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    above, below = np.zeros(mask.shape, np.uint8), np.zeros(mask.shape, np.uint8)
    radius = max(1, round(0.05 * torso_len))
    for leg in (R_LEG, L_LEG):
        for t in np.linspace(max(0.0, hem - 0.12), hem - 0.03, 4):
            p = leg_point(kp, leg, t)
            cv2.circle(above, (round(p[0]), round(p[1])), radius, 1, -1)
        for t in np.linspace(hem + 0.04, min(1.0, hem + 0.16), 4):
            p = leg_point(kp, leg, t)
            cv2.circle(below, (round(p[0]), round(p[1])), radius, 1, -1)
    a, b = (above > 0) & region, (below > 0) & mask & ~region
    if a.sum() < 10 or b.sum() < 10:
        return False
    return float(np.linalg.norm(np.median(lab[a], axis=0) - np.median(lab[b], axis=0))) < 14.0


def _long_cloth_below(mask: np.ndarray, kp: np.ndarray, hem: float) -> bool:
    """True when the legs never part below ``hem`` (no background between them down to the ankles) and
    the silhouette through them near the ankles is wider than MAXI_WIDTH torso lengths: cloth reaching
    the feet, not two trouser legs or tights (they narrow to the ankles, wide trousers' cuffs too). The
    colour step above it was another garment's edge (a fur coat over a black maxi dress)."""
    for t in np.linspace(hem, 1.0, max(2, round((1.0 - hem) / 0.02) + 1)):
        ys, xs = _samples(leg_point(kp, R_LEG, t), leg_point(kp, L_LEG, t), mask.shape)
        if _longest_run(~mask[ys, xs]) >= MIN_GAP:
            return False
    torso_len = float(np.hypot(*(kp[1, :2] - pelvis(kp))))
    return min(_width_at(mask, kp, t, joined=True) for t in (0.9, 0.95)) >= MAXI_WIDTH * torso_len


def _width_at(mask: np.ndarray, kp: np.ndarray, t: float, *, joined: bool = False) -> int:
    """The silhouette's width (label pixels) across both legs at share ``t`` of hip->ankle, along the
    line through the two legs' points extended three gaps to each side; ``joined``: only the run of
    silhouette through the point between the legs (not a bag hanging beside them)."""
    r, left = leg_point(kp, R_LEG, t), leg_point(kp, L_LEG, t)
    ys, xs = _samples(r + (r - left) * 3.0, left + (left - r) * 3.0, mask.shape)
    on = mask[ys, xs]
    if not joined:
        return int(on.sum())
    mid = len(on) // 2
    if not on[mid]:
        return 0
    lo, hi = mid, mid
    while lo > 0 and on[lo - 1]:
        lo -= 1
    while hi < len(on) - 1 and on[hi + 1]:
        hi += 1
    return hi - lo + 1


def _kind(rgb: np.ndarray | None, region: np.ndarray, kp: np.ndarray, hem: float) -> str:
    """"dress" when the cloth below the waist matches the top's colour, "coat" when a long one does,
    else "skirt" (the top is another garment)."""
    if rgb is None:
        return "dress"
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    top = np.zeros(region.shape, np.uint8)
    quad = kp[[2, 5, 11, 8], :2]
    centre = quad.mean(axis=0)
    cv2.fillConvexPoly(top, np.round(centre + (quad - centre) * 0.6).astype(np.int32), 1)
    if not top.any() or not region.any():
        return "dress"
    diff = float(np.hypot(*np.median(lab[top > 0], axis=0)[1:] - np.median(lab[region], axis=0)[1:]))
    light = abs(float(np.median(lab[top > 0][:, 0]) - np.median(lab[region][:, 0])))
    if diff >= 12 or light >= 30:
        return "skirt"
    # Sleeves of the same cloth down to the elbows as well: a coat (a dress's arms are usually bare or
    # another colour; it matters little, both are one piece that follows the pelvis).
    top_colour = np.median(lab[top > 0], axis=0)
    sleeves = [lab[round(p[1]), round(p[0])] for p in ((kp[3, :2] * 2 + kp[2, :2]) / 3,
                                                                  (kp[6, :2] * 2 + kp[5, :2]) / 3)
               if 0 <= p[0] < region.shape[1] and 0 <= p[1] < region.shape[0]]
    if hem >= 0.35 and sleeves and all(float(np.linalg.norm(c - top_colour)) < 20 for c in sleeves):
        return "coat"
    return "dress"


def _max_spread(region: np.ndarray, kp: np.ndarray, hem: float) -> float:
    """The widest angle between the legs (degrees, hip to ankle) whose centres at the hem still fit
    inside the cloth's width near its hem (stretched at most HEM_STRETCH, less a leg's width each),
    never less than the photo's own spread. A short skirt's hem barely holds the legs: no limit."""
    if hem < FREE_HEM:
        return 180.0
    torso_len = float(np.hypot(*(kp[1, :2] - pelvis(kp))))
    top = pelvis(kp)
    hem_r, hem_l = leg_point(kp, R_LEG, hem), leg_point(kp, L_LEG, hem)
    width = 0
    for share in (0.7, 0.8, 0.9, 0.97):
        a, b = top + (hem_r - top) * share, top + (hem_l - top) * share
        ys, xs = _samples(a + (a - b) * 4.0, b + (b - a) * 4.0, region.shape)
        width = max(width, int(region[ys, xs].sum()))
    reach = float(np.hypot(*((hem_r + hem_l) / 2.0 - top)))
    room = max(0.0, width * HEM_STRETCH - 2.0 * LEG_WIDTH * torso_len)
    spread = 2.0 * np.degrees(np.arcsin(min(1.0, room / max(2.0 * reach, 1e-9))))
    right, left = kp[10, :2] - kp[8, :2], kp[13, :2] - kp[11, :2]
    cos = float(right @ left / max(np.linalg.norm(right) * np.linalg.norm(left), 1e-9))
    own = float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))
    return float(max(spread, min(own, 60.0)))
