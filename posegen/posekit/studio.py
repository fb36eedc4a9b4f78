"""The photo-studio setting behind a mannequin: a soft backdrop and a shadow on the floor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

# Working resolution of the floor shadow relative to the canvas: it is blurred heavily anyway.
_SHADOW_DOWNSCALE = 4
_SUBPIXEL_BITS = 4  # cv2.line takes fixed-point coordinates with this many fraction bits


@dataclass(frozen=True)
class ShadowStroke:
    """A stretch of the body's footprint on the floor, in canvas pixels; ``strength`` 0..1."""

    start: tuple[float, float]
    end: tuple[float, float]
    radius: float
    strength: float


@lru_cache(maxsize=8)
def _backdrop(width: int, height: int, top: tuple[int, int, int], bottom: tuple[int, int, int]) -> np.ndarray:
    ys = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    xs = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :]
    # Cyclorama: the wall tone holds over the upper part, then eases into the floor tone.
    blend = np.clip((ys - 0.35) / 0.65, 0.0, 1.0) ** 1.5
    base = np.asarray(top, np.float32) * (1.0 - blend[..., None]) + np.asarray(bottom, np.float32) * blend[..., None]
    # A wide pool of light behind the figure and darker corners draw the eye to the centre.
    spot = np.exp(-((xs / 0.9) ** 2 + ((ys - 0.42) / 0.55) ** 2))
    image = np.clip(base * (0.9 + 0.1 * spot[..., None]) + 0.5, 0, 255).astype(np.uint8)
    image.setflags(write=False)
    return image


def studio_backdrop(
    *,
    width: int,
    height: int,
    top: tuple[int, int, int] = (236, 234, 230),
    bottom: tuple[int, int, int] = (200, 196, 190),
) -> np.ndarray:
    """(height, width, 3) uint8 RGB backdrop, cached and read-only: copy before drawing on it."""
    return _backdrop(width, height, top, bottom)


def darken_floor(
    *,
    image: np.ndarray,
    layers: Sequence[tuple[Sequence[ShadowStroke], float]],
    max_density: float,
) -> None:
    """Darken ``image`` (H, W, 3) uint8 in place by a floor shadow: each layer's strokes blurred
    by that layer's softness (px), summed and capped at ``max_density``.

    The shadow is drawn and blurred at a quarter of the size, and only over the strokes' reach."""
    height, width = image.shape[:2]
    ends = np.array([p for strokes, _ in layers for s in strokes for p in (s.start, s.end)]).reshape(-1, 2)
    if ends.size == 0:
        return
    # Work only where a blurred stroke can reach: three blur radii past its edge.
    reach = max(3.0 * softness + stroke.radius for strokes, softness in layers for stroke in strokes)
    x0, y0 = (max(0, int(v)) for v in np.floor(ends.min(axis=0) - reach))
    x1, y1 = min(width, int(np.ceil(ends[:, 0].max() + reach))), min(height, int(np.ceil(ends[:, 1].max() + reach)))
    if x1 <= x0 or y1 <= y0:
        return
    small = (max(1, -(-(x1 - x0) // _SHADOW_DOWNSCALE)), max(1, -(-(y1 - y0) // _SHADOW_DOWNSCALE)))
    total = np.zeros((small[1], small[0]), dtype=np.float32)
    for strokes, softness in layers:
        mask = np.zeros_like(total)
        for stroke in sorted(strokes, key=lambda s: s.strength):
            thickness = max(1, round(2.0 * stroke.radius / _SHADOW_DOWNSCALE))
            cv2.line(mask, _small_point(stroke.start, x0, y0), _small_point(stroke.end, x0, y0), float(stroke.strength),
                     thickness=thickness, lineType=cv2.LINE_AA, shift=_SUBPIXEL_BITS)
        total += cv2.GaussianBlur(mask, (0, 0), max(softness / _SHADOW_DOWNSCALE, 0.5))
    np.minimum(total, max_density, out=total)
    light = cv2.convertScaleAbs(total, alpha=-255.0, beta=255.0)  # 255 * (1 - density)
    light = cv2.resize(light, (small[0] * _SHADOW_DOWNSCALE, small[1] * _SHADOW_DOWNSCALE),
                       interpolation=cv2.INTER_LINEAR)[: y1 - y0, : x1 - x0]
    window = image[y0:y1, x0:x1]
    window[:] = cv2.multiply(window, cv2.cvtColor(light, cv2.COLOR_GRAY2RGB), scale=1.0 / 255.0)


def _small_point(point: tuple[float, float], x0: int, y0: int) -> tuple[int, int]:
    """A canvas point in the quarter-size shadow window, as cv2 fixed point. Low-res pixel i
    covers canvas pixels 4i..4i+3, so its centre is canvas 4i + 1.5."""
    centre = (_SHADOW_DOWNSCALE - 1) / 2.0
    return tuple(round((v - origin - centre) / _SHADOW_DOWNSCALE * (1 << _SUBPIXEL_BITS))  # type: ignore[return-value]
                 for v, origin in ((point[0], x0), (point[1], y0)))
