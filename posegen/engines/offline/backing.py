"""Backing: the body that continues under a limb lying in front of it. Its pixels are painted in (the
colour from around them, the texture from the body's own cloth, see _fill) on a copy of the cut-out that
the torso, the cloth and a leg under a hand sample, so moving the limb away shows painted body, not a
hole or the old hand."""

from __future__ import annotations

import cv2
import numpy as np

from posegen.engines.offline.parts import ARMS, TORSO, segment_distance, torso_quad

__all__ = ["TORSO_BAND", "arm_pixels", "atlas", "torso_region"]

# Half-width of the torso's seed band along the spine, as a share of the torso length.
TORSO_BAND = 0.26


def torso_region(shape: tuple[int, int], kp: np.ndarray, bones: np.ndarray, torso_len: float,
                  grow: float) -> np.ndarray:
    """(h, w) bool at label scale: the shoulder-hip quad and the band along the spine (see
    _label_parts), grown by ``grow``: where the torso continues under an arm lying in front of it."""
    h, w = shape
    region = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(region, np.round(torso_quad(kp, grow)).astype(np.int32), 1)
    ys, xs = np.mgrid[0:h, 0:w]
    d, t = segment_distance(np.stack([xs, ys], axis=-1).astype(np.float64), bones[TORSO, 0], bones[TORSO, 1])
    # Only the spine band's own width here, not the shoulders': the waist is narrower than the
    # shoulders, and an arm hanging beside it must not leave a painted flap of body behind.
    half = TORSO_BAND * torso_len * grow
    return (region > 0) | ((d <= half) & (t >= 0.05) & (t <= 1.0))


def arm_pixels(labels: np.ndarray) -> np.ndarray:
    return np.isin(labels, ARMS)


def atlas(texture: np.ndarray, labels: np.ndarray, scale: float, region: np.ndarray,
           arm_pixels: np.ndarray) -> np.ndarray:
    """Premultiplied RGBA: the cut-out beside a copy whose arm pixels over the torso are painted
    over from the body's own texture (see _fill)."""
    th, tw = texture.shape[:2]
    t16 = texture.astype(np.uint16)
    premult = np.dstack([(t16[:, :, :3] * t16[:, :, 3:4] + 127) // 255, t16[:, :, 3]]).astype(np.uint8)
    hole = (arm_pixels & region).astype(np.uint8)
    copy = premult.copy()
    if hole.any():
        hole = cv2.dilate(hole, np.ones((5, 5), np.uint8))
        big_hole = cv2.resize(hole * 255, (tw, th), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255.0
        fill = _fill(texture, labels, region, hole > 0, big_hole)
        w = big_hole[..., None]
        rgb = copy[:, :, :3].astype(np.float32) * (1.0 - w) + fill * w
        a = np.maximum(copy[:, :, 3].astype(np.float32), big_hole * 255.0)
        copy = np.dstack([np.clip(rgb, 0, 255), a]).astype(np.uint8)
    return np.ascontiguousarray(np.hstack([premult, copy]))


# The painted body's texture (weave, folds, print) comes from this far around: detail finer than it is
# copied from the source pixels, colour coarser than it from the smooth painting. Label pixels.
DETAIL_SIGMA = 2.0
# A mirrored pixel is the same cloth only if its coarse colour is within this (Lab, OpenCV 8-bit units)
# of the painting's at the hole.
SAME_CLOTH = 18.0
# Copied detail is limited to this many of the surrounding cloth's detail deviations (a seam or a
# button is not copied as a hard edge); grain where no mirror exists has one deviation.
DETAIL_CLIP = 2.5
# The grain's strength, a share of the surrounding cloth's detail deviation: noise is no cloth, only a
# hint of its weave that keeps the painting from reading as a smear.
GRAIN = 0.4


def _fill(texture: np.ndarray, labels: np.ndarray, region: np.ndarray, hole: np.ndarray,
          big_hole: np.ndarray) -> np.ndarray:
    """(th, tw, 3) float32 colour for the painted body. A smooth painting (OpenCV Telea at the label scale)
    alone is a visible smear where a hand or a bag covered a palm-sized patch, so it gives only the colour
    (the coarse part); the fine part is the garment's own texture, from the pixel mirrored across the spine
    (a jacket or top is nearly symmetric) where that is the same cloth and not covered too, else a grain of
    the surrounding cloth's own strength."""
    th, tw = texture.shape[:2]
    lh, lw = labels.shape
    to_tex = tw / lw
    small = cv2.resize(texture[:, :, :3], (lw, lh), interpolation=cv2.INTER_AREA)
    painted = cv2.inpaint(small, hole.astype(np.uint8), 5, cv2.INPAINT_TELEA)
    usable = region & ~hole & (labels >= 0) & ~np.isin(labels, ARMS)
    ys, xs = np.nonzero(hole)
    off = np.zeros((lh, lw, 2), np.float32)
    weight = np.zeros((lh, lw), np.float32)
    axis = _spine_axis(labels, hole)
    if axis is not None:
        centre, direction = axis
        rel = np.stack([xs, ys], axis=1) - centre
        mirrored = centre + 2.0 * (rel @ direction)[:, None] * direction - rel
        mx, my = np.round(mirrored).astype(int).T
        ok = (mx >= 0) & (mx < lw) & (my >= 0) & (my < lh)
        ok[ok] = usable[my[ok], mx[ok]]
        lab = cv2.cvtColor(cv2.GaussianBlur(small, (0, 0), DETAIL_SIGMA), cv2.COLOR_RGB2LAB).astype(np.float32)
        lab_painted = cv2.cvtColor(cv2.GaussianBlur(painted, (0, 0), DETAIL_SIGMA),
                                   cv2.COLOR_RGB2LAB).astype(np.float32)
        ok[ok] = np.linalg.norm(lab[my[ok], mx[ok]] - lab_painted[ys[ok], xs[ok]], axis=1) <= SAME_CLOTH
        off[ys[ok], xs[ok]] = (mirrored[ok] - np.stack([xs[ok], ys[ok]], axis=1)).astype(np.float32)
        weight[ys[ok], xs[ok]] = 1.0
    rgb = np.ascontiguousarray(texture[:, :, :3])
    sigma = DETAIL_SIGMA * to_tex
    detail_of = rgb.astype(np.float32) - cv2.GaussianBlur(rgb, (0, 0), sigma).astype(np.float32)
    # How strong the cloth's own detail is around the hole (per channel), to scale the grain and clip.
    ring = cv2.dilate(hole.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool) & usable
    ring_big = cv2.resize(ring.astype(np.uint8), (tw, th), interpolation=cv2.INTER_NEAREST).astype(bool)
    # (A robust deviation: the ring also crosses seams, a bag's edge or the arm's own outline.)
    if ring_big.any():
        near = detail_of[ring_big]
        spread = 1.48 * np.median(np.abs(near - np.median(near, axis=0)), axis=0)
    else:
        spread = np.full(3, 3.0, np.float32)
    spread = np.maximum(spread, 1.0).astype(np.float32)
    # Mirror offsets (an affine map: smooth) and where they hold, feathered, at texture size.
    off_big = cv2.resize(off, (tw, th), interpolation=cv2.INTER_LINEAR) * to_tex
    keep = cv2.GaussianBlur(cv2.resize(weight, (tw, th), interpolation=cv2.INTER_LINEAR), (0, 0), to_tex)
    gx, gy = np.meshgrid(np.arange(tw, dtype=np.float32), np.arange(th, dtype=np.float32))
    copied = cv2.remap(detail_of, gx + off_big[..., 0], gy + off_big[..., 1], cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_REFLECT)
    np.clip(copied, -DETAIL_CLIP * spread, DETAIL_CLIP * spread, out=copied)
    # Grain: fine noise, seeded by the picture itself so the same photo paints the same way.
    rng = np.random.default_rng(int(rgb[::97, ::89].sum()) & 0xFFFFFFFF)
    grain = rng.standard_normal((th, tw, 1)).astype(np.float32)
    grain = cv2.GaussianBlur(grain, (0, 0), 0.6 * to_tex)[..., None]
    grain = grain * (GRAIN * spread / max(float(grain.std()), 1e-6))
    detail = copied * keep[..., None] + grain * (1.0 - keep[..., None])
    coarse = cv2.GaussianBlur(cv2.resize(painted, (tw, th), interpolation=cv2.INTER_LINEAR).astype(np.float32),
                              (0, 0), sigma)
    del big_hole
    return np.clip(coarse + detail, 0, 255)


def _spine_axis(labels: np.ndarray, hole: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(a point, a unit direction) of the torso's long axis at the label scale: the torso part's pixels
    and those the arms hide, whose shape is nearly symmetric about the spine."""
    ys, xs = np.nonzero((labels == TORSO) | hole)
    if len(xs) < 20:
        return None
    pts = np.stack([xs, ys], axis=1).astype(np.float64)
    centre = pts.mean(axis=0)
    cov = np.cov((pts - centre).T)
    vals, vecs = np.linalg.eigh(cov)
    direction = vecs[:, int(np.argmax(vals))]
    if abs(direction[1]) < 0.7:  # a torso wider than tall (lying, cropped): no clear spine
        return None
    return centre, direction
