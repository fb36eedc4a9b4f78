"""What the drawn person shows beyond each pixel's top triangle: the one another part drew under it,
and the holes the mesh opened inside the person. A part's matte is soft at its outline (a sleeve's
edge, loose hair: the photo's background blended in); drawn alone over the backdrop that edge let the
backdrop through where the part now lies over the body. No Django."""

from __future__ import annotations

import cv2
import numpy as np

from posegen.engines.offline.parts import ARMS, GARMENT, LEGS
from posegen.engines.offline.shading import arm_window, part_lut

__all__ = ["composite_under", "fill_pinholes", "fill_tears", "firm_limbs", "under_layer"]


def under_layer(ids: np.ndarray, draw: np.ndarray, local: np.ndarray, tris: np.ndarray,
                triangle_part: np.ndarray, shift: int) -> np.ndarray:
    """The triangle drawn under each pixel's top one by another part (-1: none): the second layer.
    Drawn part by part in the same order; a part never lies under itself."""
    under = np.full(ids.shape, -1, dtype=np.int32)
    covered = ids >= 0
    if not covered.any():
        return under
    top_part = np.where(covered, triangle_part[np.maximum(ids, 0)], -1)
    scratch = np.full(ids.shape, -1, dtype=np.int32)
    parts = triangle_part[draw]
    cuts = np.flatnonzero(np.diff(parts)) + 1
    for group in np.split(draw, cuts):
        part = int(triangle_part[group[0]])
        pts = local[tris[group]]
        lo = np.maximum((pts.reshape(-1, 2).min(axis=0) >> shift) - 1, 0)
        hi = (pts.reshape(-1, 2).max(axis=0) >> shift) + 2
        win = (slice(lo[1], hi[1]), slice(lo[0], hi[0]))
        scratch[win] = -1
        for t, tri in zip(group, pts, strict=True):
            cv2.fillConvexPoly(scratch, tri, int(t), lineType=cv2.LINE_8, shift=shift)
        s = scratch[win]
        take = (s >= 0) & (top_part[win] != part)
        under[win][take] = s[take]
    return under


def composite_under(warped: np.ndarray, under: np.ndarray, m: np.ndarray, texture: np.ndarray) -> None:
    """Where the top part's own matte is soft (a sleeve's or the hair's edge, the background the photo
    had beside it), the part drawn under it shows through, not the backdrop: drawn alone, an arm over
    the body had a pale rim (the "white cracks" between arm and body), the hair over a raised arm a
    white halo. ``warped`` (premultiplied RGBA) is composited in place."""
    soft = (warped[:, :, 3] < 250) & (under >= 0)
    if not soft.any():
        return
    yy, xx = np.nonzero(soft)
    mt = m[under[yy, xx]]
    xf, yf = xx.astype(np.float32), yy.astype(np.float32)
    mx = (mt[:, 0, 0] * xf + mt[:, 0, 1] * yf + mt[:, 0, 2]).reshape(1, -1)
    my = (mt[:, 1, 0] * xf + mt[:, 1, 1] * yf + mt[:, 1, 2]).reshape(1, -1)
    below = cv2.remap(texture, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)[0]
    top = warped[yy, xx].astype(np.float32)
    out = top + below.astype(np.float32) * (1.0 - top[:, 3:4] * (1.0 / 255.0))
    warped[yy, xx] = np.clip(out + 0.5, 0, 255).astype(np.uint8)


_ARM = part_lut(ARMS)
# Below this matte (of 255) a pixel inside an arm is left as it is: its colour, divided by so little
# coverage, is noise.
FIRM_LEAST = 32


def firm_limbs(warped: np.ndarray, part: np.ndarray, depth: float) -> None:
    """An arm is opaque: inside its drawn outline its matte rises to 1 over ``depth`` pixels (the colour
    divided by the matte: decontaminated, it is the arm's own). The cut-out's matte is soft on thin bare
    arms (0688: half of a forearm under 0.7); drawn over the dress it let the dress through, a ghost
    arm, and over the backdrop a pale one. Its outline keeps the photo's soft edge. ``warped``
    (premultiplied RGBA, the person's window) is changed in place; ``part``: the part drawn per pixel."""
    box = arm_window(part, ARMS, 1)
    if box is None:
        return
    arm = _ARM[part[box].astype(np.intp) + 1]
    inside = cv2.distanceTransform(np.pad(arm, 1).astype(np.uint8), cv2.DIST_L2, 3)[1:-1, 1:-1]
    win = warped[box]
    a = win[:, :, 3].astype(np.float32)
    soft = (inside > 0) & (a < 255) & (a >= FIRM_LEAST)
    if not soft.any():
        return
    a = a[soft]
    gain = 1.0 + np.minimum(inside[soft] / max(depth, 1.0), 1.0) * (255.0 / a - 1.0)
    win[soft] = np.clip(win[soft].astype(np.float32) * gain[:, None] + 0.5, 0, 255).astype(np.uint8)


_LEG_RIM = part_lut((*LEGS, GARMENT))


def fill_pinholes(closed: np.ndarray, across: float, part: np.ndarray | None = None,
                  leg_across: float = 0.0) -> None:
    """Marks as covered (in place) each hole inside the drawn person no larger than a disc ``across``
    pixels wide: a seam between two parts that ARAP pulled open (0447's skirt showed a white dot in every
    pose); and, given the ``part`` drawn per pixel, a hole up to ``leg_across`` that only legs and cloth
    border (no arm, head or torso: a gap inside a bent arm shows the background). Filled like the closed
    cracks, by the nearest triangle's mapping, so where the photo itself had background beside that
    triangle the backdrop still shows; where it had the other leg (crossed knees) that leg's cloth does."""
    count, comp, stats, _ = cv2.connectedComponentsWithStats((closed == 0).astype(np.uint8), connectivity=4)
    if count <= 1:
        return
    h, w = closed.shape
    x, y, bw, bh, area = stats[1:].T
    inner = (x > 0) & (y > 0) & (x + bw < w) & (y + bh < h)
    fill = inner & (area <= np.pi * (across / 2.0) ** 2)
    if part is not None:
        for i in np.flatnonzero(inner & ~fill & (area <= np.pi * (leg_across / 2.0) ** 2)):
            win = (slice(max(y[i] - 1, 0), y[i] + bh[i] + 1), slice(max(x[i] - 1, 0), x[i] + bw[i] + 1))
            hole = (comp[win] == i + 1).astype(np.uint8)
            ring = (cv2.dilate(hole, np.ones((3, 3), np.uint8)) > 0) & (hole == 0)
            rim = part[win][ring]
            rim = rim[rim >= 0]  # pixels the crack closing added have no part yet
            fill[i] = len(rim) > 0 and bool(_LEG_RIM[rim + 1].all())
    if fill.any():
        closed[np.isin(comp, np.flatnonzero(fill) + 1)] = 1


# A hole in the drawn matte at least this share of whose pixels a triangle drew is a tear: the mesh spans
# it, only the texture there is the photo's background (the gap under the chin, between arm and body:
# the cut-out's soft matte, in the mesh). A gap the pose opens (a hand on the hip, shins apart below
# crossed ankles) is space between parts that no triangle drew; the photo's own enclosed gaps are not
# in the mesh either (rig: only matte above 24 is meshed).
TEAR_DRAWN = 0.6
# ... and the body around it is firm: at least this share of a ring a few pixels out from its rim is
# opaque. The gaps between loose hair strands or a fringe's threads (0016) are ringed by soft matte.
TEAR_FIRM = 0.5


def fill_tears(warped: np.ndarray, coverage: np.ndarray, drawn: np.ndarray, across: float, rim: int) -> None:
    """Paints over (in place) each tear the pose enclosed inside the drawn person: a hole of the matte
    (``warped`` premultiplied RGBA times ``coverage``, at most half opaque) not reaching the window's
    edge, no larger than a disc ``across`` pixels wide, that triangles drew (``drawn``) on at least
    TEAR_DRAWN of it, inside firm matte (TEAR_FIRM). Raised arms close the photo's background gap beside
    the neck into a white notch, 0.06-0.08 torso wide (bench_gate --narrow-holes). The hole and its pale
    rim (``rim`` pixels around it where the matte is not yet opaque) take the body's colour around them
    (inpainted), opaque; ``coverage`` is raised to 1 there."""
    a = cv2.multiply(cv2.extractChannel(warped, 3), coverage, dtype=cv2.CV_32F)  # 5x numpy's, whole window
    count, comp, stats, _ = cv2.connectedComponentsWithStats(cv2.compare(a, 127.5, cv2.CMP_LE), connectivity=4)
    if count <= 1:
        return
    h, w = a.shape
    x, y, bw, bh, area = stats[1:].T
    inner = (x > 0) & (y > 0) & (x + bw < w) & (y + bh < h) & (area <= np.pi * (across / 2.0) ** 2)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * rim + 1, 2 * rim + 1))
    pad = rim + 4  # the inpainting and the firm ring read a few pixels of body beyond the rim
    for i in np.flatnonzero(inner):
        win = (slice(max(y[i] - pad, 0), min(y[i] + bh[i] + pad, h)),
               slice(max(x[i] - pad, 0), min(x[i] + bw[i] + pad, w)))
        hole = comp[win] == i + 1
        if drawn[win][hole].mean() < TEAR_DRAWN:
            continue
        # The rim stays on the body's side: another hole or the backdrop next to it is not painted.
        band = cv2.dilate(hole.astype(np.uint8), disc) > 0
        ring = (cv2.dilate(band.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0) & ~band
        if (a[win][ring] >= 250.0).mean() < TEAR_FIRM:
            continue
        fill = hole | (band & (a[win] > 127.5) & (a[win] < 250.0))
        rgba = warped[win]
        alpha = np.maximum(rgba[:, :, 3:4].astype(np.float32), 1.0)
        straight = np.clip(rgba[:, :, :3].astype(np.float32) * (255.0 / alpha) + 0.5, 0, 255).astype(np.uint8)
        painted = cv2.inpaint(straight, fill.astype(np.uint8), rim, cv2.INPAINT_TELEA)
        rgba[fill, :3] = painted[fill]
        rgba[fill, 3] = 255
        coverage[win][fill] = 1.0
