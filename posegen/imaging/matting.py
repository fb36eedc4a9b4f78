"""Matte refinement helpers: an edge-aware (guided) filter and foreground colour estimation.

Pure NumPy/OpenCV; never imports Django.
"""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["estimate_foreground", "guided_filter"]


def guided_filter(
    *, guide: np.ndarray, src: np.ndarray, radius: int, eps: float, subsample: int = 1
) -> np.ndarray:
    """Colour guided filter (He et al.), optionally the "fast" variant (He & Sun 2015).

    ``guide`` is (H, W, 3) uint8 RGB, ``src`` (H, W) float in 0..1, ``eps`` the regulariser on
    0..1 intensities. With ``subsample`` s > 1 the linear coefficients are fitted on an s-times
    smaller grid and upsampled before being applied to the full-resolution guide, so the output
    keeps full-resolution edges at about 1/s^2 of the cost. With s = 1 it equals
    ``cv2.ximgproc.guidedFilter`` (tests check this), which is about 2x slower than s = 3 on an
    820x1024 photo; the thresholded masks differ by well under 1% IoU.
    """
    if guide.ndim != 3 or guide.shape[2] != 3 or guide.shape[:2] != src.shape:
        raise ValueError(f"guide {guide.shape} and src {src.shape} do not match")
    height, width = src.shape
    s = max(1, int(subsample))
    low = (max(1, round(width / s)), max(1, round(height / s)))
    if s > 1:
        g = cv2.resize(guide, low, interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
        p = cv2.resize(src.astype(np.float32), low, interpolation=cv2.INTER_AREA)
    else:
        g = guide.astype(np.float32) / 255.0
        p = src.astype(np.float32)
    r = max(1, round(radius / s))
    ksize = (2 * r + 1, 2 * r + 1)

    def box(x: np.ndarray) -> np.ndarray:
        return cv2.boxFilter(x, -1, ksize, borderType=cv2.BORDER_REFLECT)

    gr, gg, gb = g[:, :, 0], g[:, :, 1], g[:, :, 2]
    mr, mg, mb, mp = box(gr), box(gg), box(gb), box(p)
    cr = box(gr * p) - mr * mp
    cg = box(gg * p) - mg * mp
    cb = box(gb * p) - mb * mp
    vrr = box(gr * gr) - mr * mr + eps
    vrg = box(gr * gg) - mr * mg
    vrb = box(gr * gb) - mr * mb
    vgg = box(gg * gg) - mg * mg + eps
    vgb = box(gg * gb) - mg * mb
    vbb = box(gb * gb) - mb * mb + eps
    # Per-pixel inverse of the symmetric 3x3 colour covariance by cofactors: an order of
    # magnitude faster than np.linalg.solve over millions of tiny systems.
    i00 = vgg * vbb - vgb * vgb
    i01 = vrb * vgb - vrg * vbb
    i02 = vrg * vgb - vrb * vgg
    i11 = vrr * vbb - vrb * vrb
    i12 = vrb * vrg - vrr * vgb
    i22 = vrr * vgg - vrg * vrg
    det = vrr * i00 + vrg * i01 + vrb * i02
    ar = (i00 * cr + i01 * cg + i02 * cb) / det
    ag = (i01 * cr + i11 * cg + i12 * cb) / det
    ab = (i02 * cr + i12 * cg + i22 * cb) / det
    b = mp - ar * mr - ag * mg - ab * mb
    coef = [box(ar), box(ag), box(ab), box(b)]
    if s > 1:
        coef = [cv2.resize(c, (width, height), interpolation=cv2.INTER_LINEAR) for c in coef]
    # Applied plane by plane with OpenCV: a NumPy reduction over the interleaved channel axis
    # costs more than the whole low-resolution fit.
    out = coef[3]
    for plane, a in zip(cv2.split(guide), coef[:3], strict=True):
        out = cv2.add(out, cv2.multiply(plane, a, scale=1.0 / 255.0, dtype=cv2.CV_32F))
    return out


def estimate_foreground(*, image: np.ndarray, alpha: np.ndarray, sigma: float) -> np.ndarray:
    """Replace the colour of semi-transparent pixels with the nearby solid foreground's colour.

    An edge pixel's colour is a blend of person and old background; pasted on a new background
    with its alpha it shows a halo of the old one. A normalised convolution (the Gaussian-weighted
    mean of fully opaque pixels near each edge pixel) is a cheap stand-in for the foreground
    colour, good enough at the widths our mattes' soft edges have.
    """
    edge = (alpha > 0.01) & (alpha < 0.95)
    if not edge.any():
        return image
    solid = (alpha >= 0.95).astype(np.float32)
    weight = cv2.GaussianBlur(solid, (0, 0), sigma)
    summed = cv2.GaussianBlur(image.astype(np.float32) * solid[:, :, None], (0, 0), sigma)
    usable = edge & (weight > 1e-3)
    out = image.copy()
    out[usable] = np.clip(summed[usable] / weight[usable][:, None] + 0.5, 0, 255).astype(np.uint8)
    return out
