"""Light on the posed person, worked from what was drawn (the part each output pixel shows and its
coverage), not from the mesh: the soft shadow an arm drawn over the body casts on it, and the contact
shadow under the feet. No Django."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from posegen.engines.offline.parts import ARMS, GARMENT, HEAD, LEGS, PART_INDEX, PARTS, TORSO

__all__ = ["Limb", "arm_limbs", "arm_window", "contact_shadow", "limb_shade", "overlap_shade", "part_lut"]

# What an arm part casts a soft shadow on: the body, the cloth, the legs and the other arm, each only
# where it lies under the arm (drawn before it): a far arm drawn behind the torso darkened the torso's
# edge beside it. An arm casts none on its own other half (a dark line across the elbow). The cloth's
# hem casts none on the legs: the garment part's border runs through the skin below the visible hem (the
# rig grows the cloth's region past it), so a shadow cast from it drew a hard zigzag band across the
# thighs above the knees, the "seams at the knees".
_BODY = (TORSO, GARMENT, HEAD, *LEGS)
_SIDES = (ARMS[:2], ARMS[2:])
_PARTS_N = len(PARTS)
SHADE_STRENGTH = 0.28
SHADE_SHARE = 0.006  # blur radius of the cast shadow, share of the canvas height
# An arm is a cylinder lit from the front: across its width the light falls off as the surface turns
# away, sqrt(1 - u^2) at u (0 on its axis, 1 at its outline). Its outline is this much darker than its
# axis: drawn flat, a forearm across a same-coloured top read as a paper strip pasted on it.
CYLINDER = 0.3
_STRIDE = 4


def part_lut(parts: tuple[int, ...]) -> np.ndarray:
    """Look-up table over part + 1 (-1 = nothing drawn): True for ``parts`` (faster than np.isin)."""
    out = np.zeros(_PARTS_N + 1, bool)
    out[np.asarray(parts, dtype=np.int64) + 1] = True
    return out


def _casters(rank: np.ndarray | None) -> list[tuple[int, tuple[int, ...]]]:
    """Each arm part and the parts it casts on: those drawn under it (``rank``: each part's place in the
    drawing order, -1 absent; None: arms over everything else)."""
    if rank is None:
        return [(arm, _BODY) for arm in ARMS]
    out = []
    for own, other in (_SIDES, _SIDES[::-1]):
        for arm in own:
            below = tuple(p for p in (*_BODY, *other) if 0 <= rank[p] < rank[arm])
            if rank[arm] >= 0 and below:
                out.append((arm, below))
    return out


def arm_window(part: np.ndarray, parts: tuple[int, ...], pad: int) -> tuple[slice, slice] | None:
    """The box (rows, columns) around ``parts`` in ``part``, ``pad`` pixels more each way, None without
    them: an arm's shading and shadow are worked on the arm's box, not the whole person's. Found on every
    _STRIDE-th pixel (and widened by as much), a few milliseconds less per image."""
    ys, xs = np.nonzero(part_lut(parts)[part[::_STRIDE, ::_STRIDE].astype(np.intp) + 1])
    if len(ys) == 0:
        return None
    h, w = part.shape
    pad += _STRIDE
    return (slice(max(0, int(ys.min()) * _STRIDE - pad), min(h, int(ys.max()) * _STRIDE + pad + 1)),
            slice(max(0, int(xs.min()) * _STRIDE - pad), min(w, int(xs.max()) * _STRIDE + pad + 1)))


def overlap_shade(part: np.ndarray, height: int, rank: np.ndarray | None = None) -> np.ndarray:
    """(h, w) float32 multiplier: 1 everywhere except just beside an arm drawn over the body (or over the
    other arm), where the part under it is darkened by a soft shadow that falls a little down and away
    from the light. Without it an arm across the body reads as a flat paper strip. ``rank``: each part's
    place in the drawing order (-1 absent); None: the arms are over everything else. Worked at a quarter
    of the size: a shadow this soft needs no more."""
    h, w = part.shape
    shade = np.ones((h, w), np.float32)
    if h < 8 or w < 8:
        return shade
    sigma = max(1.0, SHADE_SHARE * height / 4.0)
    drop = max(1, round(0.5 * sigma))
    for caster, receivers in _casters(rank):
        win = arm_window(part, (caster,), round(4 * (3 * sigma + drop)))
        if win is None:
            continue
        index = part[win].astype(np.intp) + 1
        recv = part_lut(receivers)[index]
        if not recv.any():
            continue
        cast = part_lut((caster,))[index]
        wh, ww = cast.shape
        c = cv2.resize(cast.astype(np.float32), (max(1, ww // 4), max(1, wh // 4)), interpolation=cv2.INTER_AREA)
        c = np.roll(c, (drop, drop // 2), axis=(0, 1))
        c = cv2.GaussianBlur(c, (0, 0), sigma)
        c = cv2.resize(c, (ww, wh), interpolation=cv2.INTER_LINEAR)
        # 1 - strength * min(2c, 1) on the receivers, 1 elsewhere.
        np.multiply(c, 2.0 * SHADE_STRENGTH, out=c)
        np.minimum(c, SHADE_STRENGTH, out=c)
        c *= recv
        shade[win] -= c * shade[win]
    return shade


@dataclass(frozen=True)
class Limb:
    """One arm as drawn: its parts, the joint where it hangs from the body (window pixels) and its
    radius (pixels)."""

    parts: tuple[int, ...]
    root: tuple[float, float]
    radius: float


def arm_limbs(order: tuple[int, ...], keypoints: np.ndarray, radii: np.ndarray) -> list[Limb]:
    """The arms drawn (``order``: the parts drawn), each hanging from its shoulder (``keypoints``: the
    posed skeleton in the window's pixels; ``radii``: each part's radius in the same pixels)."""
    out = []
    for upper, fore in _SIDES:
        parts = tuple(p for p in (upper, fore) if p in order)
        if parts:
            x, y = keypoints[PARTS[upper].joint_a]
            out.append(Limb(parts=parts, root=(float(x), float(y)), radius=float(max(radii[upper], radii[fore]))))
    return out


def limb_shade(part: np.ndarray, limbs: list[Limb] | tuple[Limb, ...], out: np.ndarray | None = None) -> np.ndarray:
    """(h, w) float32 multiplier (``out`` multiplied in place when given): each arm shaded across its width
    as a cylinder (module note, CYLINDER), 1 elsewhere. The width is read from what was drawn (the
    distance to the arm's outline, against the backdrop, the body or the other arm over it; its widest
    nearby is the axis), so a hand or a narrow wrist gets its own. Around the root the body continues the
    arm (the shoulder): no outline there."""
    shade = np.ones(part.shape, np.float32) if out is None else out
    for limb in limbs:
        win = arm_window(part, limb.parts, round(2 * limb.radius) + 2) if limb.radius >= 1.0 else None
        if win is None:
            continue
        sub = part[win]
        own = part_lut(limb.parts)[sub.astype(np.intp) + 1]
        body = own.astype(np.uint8)
        disc = np.zeros_like(body)
        root = (round(limb.root[0] - win[1].start), round(limb.root[1] - win[0].start))
        cv2.circle(disc, root, round(1.5 * limb.radius), 1, -1)
        body |= disc & (sub >= 0)
        dist = cv2.distanceTransform(body, cv2.DIST_L2, 3)
        size = 2 * round(limb.radius) + 1
        axis = cv2.dilate(dist, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
        u = 1.0 - dist[own] / np.maximum(axis[own], 1.0)
        np.clip(u, 0.0, 1.0, out=u)
        shade[win][own] *= 1.0 - CYLINDER * (1.0 - np.sqrt(1.0 - u * u))
    return shade


_SHINS = (PART_INDEX["r_shin"], PART_INDEX["l_shin"])
# Shares of the canvas height: the band of a foot above its lowest pixel whose outline is the sole's
# footprint; how far above the lowest foot another still stands on the floor; the blur of the tight
# contact shadow, of the softer one around it and of the faint pool spanning both feet.
SOLE_BAND, GROUNDED, CONTACT_BLUR, SOFT_BLUR, POOL_BLUR = 0.03, 0.03, 0.0025, 0.011, 0.02
# The footprint is the sole band seen from the camera's height: squashed to this share of its height.
FOOTPRINT_SQUASH = 0.3
CONTACT, SOFT, POOL, MAX_DENSITY = 0.6, 0.5, 0.14, 0.55


def _feet(part: np.ndarray, opaque: np.ndarray, height: int) -> tuple[list[tuple[np.ndarray, int, int]], int]:
    """Each foot's sole band as (mask, top row, left column) in the window, and the floor's row: the
    lowest foot. Without a visible foot near the lowest drawn row (sitting, lying, a hem over the
    shoes), the lowest rows of the whole figure stand on the floor."""
    rows = np.flatnonzero(opaque.any(axis=1))
    lowest = int(rows[-1])
    band = max(2, round(SOLE_BAND * height))
    feet = []
    for shin in _SHINS:
        own = opaque & (part == shin)
        own_rows = np.flatnonzero(own.any(axis=1))
        if len(own_rows):
            bottom = int(own_rows[-1])
            feet.append((own, bottom))
    floor = max((b for _, b in feet), default=-1)
    if floor < lowest - GROUNDED * height:
        feet, floor = [(opaque, lowest)], lowest
    out = []
    for own, bottom in feet:
        top = max(0, bottom - band + 1)
        sole = own[top:bottom + 1]
        cols = np.flatnonzero(sole.any(axis=0))
        out.append((sole[:, cols[0]:cols[-1] + 1], top, int(cols[0])))
    return out, floor


def contact_shadow(*, canvas: np.ndarray, part: np.ndarray, coverage: np.ndarray, x0: int, y0: int) -> None:
    """Darken the floor of ``canvas`` (H, W, 3 uint8, in place) under the person drawn in the window at
    (x0, y0) (``part``: the part per window pixel, -1 none; ``coverage``: its opacity 0..1): each foot's
    own sole outline, flattened onto the floor, as a tight dark contact shadow with a softer one
    around it, fainter and wider under a foot lifted off the floor, and a faint pool spanning them."""
    height, width = canvas.shape[:2]
    opaque = coverage > 0.5
    if not opaque.any():
        return
    feet, floor = _feet(part, opaque, height)
    pad = round(3.0 * POOL_BLUR * height)
    top = max(0, y0 + min(r for _, r, _ in feet) - pad)
    bottom = min(height, y0 + floor + pad)
    left = max(0, x0 + min(c for _, _, c in feet) - pad)
    right = min(width, x0 + max(c + m.shape[1] for m, _, c in feet) + pad)
    if bottom <= top or right <= left:
        return
    contact = np.zeros((bottom - top, right - left), np.float32)
    soft = np.zeros_like(contact)
    spread = []
    for sole, row, col in feet:
        sole_row = row + sole.shape[0] - 1
        # A foot a little higher than the lowest one stands farther back (a photo cannot tell the two
        # apart by less): its shadow is at its own sole. One clearly higher is lifted: a fainter, wider
        # shadow a little below it, on the floor at most.
        lift = max(0.0, float(floor - sole_row) - GROUNDED * height)
        fade = float(np.exp(-lift / (0.04 * height)))
        ground = min(floor, sole_row + round(min(lift, 0.02 * height)))
        flat_h = max(1, round(sole.shape[0] * FOOTPRINT_SQUASH * (1.0 + lift / (0.05 * height))))
        flat = cv2.resize(sole.astype(np.float32), (sole.shape[1], flat_h), interpolation=cv2.INTER_AREA)
        # Across the sole's line, a little more in front of the shoe (lower in the picture) than behind.
        fy = y0 + ground - flat_h // 3 - top
        fx = x0 + col - left
        ys, xs = slice(max(0, fy), min(contact.shape[0], fy + flat_h)), slice(max(0, fx), min(contact.shape[1],
                                                                                            fx + flat.shape[1]))
        piece = flat[ys.start - fy:ys.stop - fy, xs.start - fx:xs.stop - fx]
        if lift < 0.01 * height:
            np.maximum(contact[ys, xs], piece, out=contact[ys, xs])
        np.maximum(soft[ys, xs], piece * fade, out=soft[ys, xs])
        if lift == 0.0:
            spread += [fx, fx + flat.shape[1]]
    density = CONTACT * cv2.GaussianBlur(contact, (0, 0), max(1.0, CONTACT_BLUR * height))
    density += SOFT * cv2.GaussianBlur(soft, (0, 0), max(1.5, SOFT_BLUR * height))
    if spread:
        pool = np.zeros_like(contact)
        fy = y0 + floor - top
        cv2.ellipse(pool, (((min(spread) + max(spread)) / 2.0, float(fy)),
                           (float(max(spread) - min(spread)) + 0.02 * height, 0.012 * height), 0.0), 1.0, -1)
        density += POOL * cv2.GaussianBlur(pool, (0, 0), max(2.0, POOL_BLUR * height))
    np.minimum(density, MAX_DENSITY, out=density)
    region = canvas[top:bottom, left:right]
    region[:] = np.clip(region.astype(np.float32) * (1.0 - density[..., None]) + 0.5, 0, 255).astype(np.uint8)
