"""Light on the posed person, worked from what was drawn (the part each output pixel shows and its
coverage), not from the mesh: the soft shadow an arm drawn over the body casts on it, and the contact
shadow under the feet. No Django."""

from __future__ import annotations

import cv2
import numpy as np

from posegen.engines.offline.parts import ARMS, GARMENT, HEAD, LEGS, PART_INDEX, PARTS, TORSO

__all__ = ["contact_shadow", "overlap_shade", "part_lut"]

# What casts a soft shadow on what: arms on the body, the cloth and the legs. The cloth's hem casts
# none on the legs: the garment part's border runs through the skin below the visible hem (the rig
# grows the cloth's region past it), so a shadow cast from it drew a hard zigzag band across the
# thighs above the knees, the "seams at the knees".
_OCCLUSION = ((ARMS, (TORSO, GARMENT, HEAD, *LEGS)),)
_PARTS_N = len(PARTS)
SHADE_STRENGTH = 0.28
SHADE_SHARE = 0.006  # blur radius of the cast shadow, share of the canvas height


def part_lut(parts: tuple[int, ...]) -> np.ndarray:
    """Look-up table over part + 1 (-1 = nothing drawn): True for ``parts`` (faster than np.isin)."""
    out = np.zeros(_PARTS_N + 1, bool)
    out[np.asarray(parts, dtype=np.int64) + 1] = True
    return out


def overlap_shade(part: np.ndarray, height: int) -> np.ndarray:
    """(h, w) float32 multiplier: 1 everywhere except just beside an arm drawn over the body, where the
    body behind is darkened by a soft shadow that falls a little down and away from the light. Without
    it an arm across the body reads as a flat paper strip. Worked at a quarter of the size: a shadow
    this soft needs no more."""
    h, w = part.shape
    shade = np.ones((h, w), np.float32)
    if h < 8 or w < 8:
        return shade
    small = (max(1, w // 4), max(1, h // 4))
    sigma = max(1.0, SHADE_SHARE * height / 4.0)
    drop = max(1, round(0.5 * sigma))
    index = part.astype(np.intp) + 1
    for casters, receivers in _OCCLUSION:
        cast = part_lut(casters)[index]
        if not cast.any():
            continue
        recv = part_lut(receivers)[index]
        c = cv2.resize(cast.astype(np.float32), small, interpolation=cv2.INTER_AREA)
        c = np.roll(c, (drop, drop // 2), axis=(0, 1))
        c = cv2.GaussianBlur(c, (0, 0), sigma)
        c = cv2.resize(c, (w, h), interpolation=cv2.INTER_LINEAR)
        # 1 - strength * min(2c, 1) on the receivers, 1 elsewhere.
        np.multiply(c, 2.0 * SHADE_STRENGTH, out=c)
        np.minimum(c, SHADE_STRENGTH, out=c)
        c *= recv
        shade -= c * shade
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
