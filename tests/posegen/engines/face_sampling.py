"""How far an offline image's face departs from a rigid (similarity) copy of the photo's face."""

from __future__ import annotations

import numpy as np


def similarity_residual(rendered) -> float:
    """Texture pixels by which the face's sampling departs from the best similarity transform."""
    smp = rendered.sampling
    ys, xs = np.nonzero(rendered.masks["face"])
    sx = smp.map_x[ys - smp.y0, xs - smp.x0].astype(float)
    sx[sx >= smp.tex_width - 0.5] -= smp.tex_width
    sy = smp.map_y[ys - smp.y0, xs - smp.x0].astype(float)
    a = np.zeros((2 * len(xs), 4))
    a[0::2] = np.stack([xs, -ys, np.ones_like(xs), np.zeros_like(xs)], axis=1)
    a[1::2] = np.stack([ys, xs, np.zeros_like(xs), np.ones_like(xs)], axis=1)
    b = np.empty(2 * len(xs))
    b[0::2], b[1::2] = sx, sy
    fit, *_ = np.linalg.lstsq(a, b, rcond=None)
    return float(np.sqrt(np.mean((a @ fit - b) ** 2)))
