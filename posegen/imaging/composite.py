"""Put a cut-out person on a new background so it looks photographed there, not pasted.

``composite_person`` takes the photo, the person's soft matte (posegen.imaging.segmentation) and a
background, and:
1. cover-fits the background to the photo's size;
2. refines the matte's soft edge and decontaminates its colours (posegen.imaging.matting.refine_edges:
   background-coloured bleed and the soft tail go, the old background's share is taken out of edge
   pixels, so no rim of the old scene or of white remains; bench/bench_halo.py measures it);
3. harmonises the subject's light and colour towards the new background (a partial shift of the mean
   L*a*b* of the person towards the background's, bounded so skin never turns blue or grey);
4. wraps a little of the blurred new background over the subject's edge (light wrap): the edge blends
   with what is now behind it, as a lens would blur it;
5. darkens the floor under the feet with a soft contact shadow (an ellipse at the lowest part of the
   silhouette plus a short, squashed cast of the silhouette), only when the feet are in frame;
6. blends with the soft matte.

``blurred_scene`` makes the ``blur`` mode's background: the photo with the person filled in from the
surroundings (inpainted at low resolution) and softened like a wide aperture would.

Never imports Django.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from posegen.imaging.matting import refine_edges

__all__ = ["CompositeOptions", "blurred_scene", "composite_person", "contact_shadow", "fit_cover", "harmonise"]


# How far either side of the matte's edge colours are estimated from (share of the long side; the bench
# bench/bench_halo.py gives the same figures from 0.005 to 0.012).
EDGE_RADIUS_SHARE = 0.008


@dataclass(frozen=True)
class CompositeOptions:
    harmonise: float = 0.35  # 0..1 share of the colour/light difference taken over
    light_wrap: float = 0.5  # 0..1
    shadow: float = 0.45  # 0..1 contact-shadow darkness (0: none)


def fit_cover(background: np.ndarray, width: int, height: int) -> np.ndarray:
    """Scale and centre-crop an RGB background to exactly width × height."""
    bh, bw = background.shape[:2]
    scale = max(width / bw, height / bh)
    new_w, new_h = max(width, round(bw * scale)), max(height, round(bh * scale))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(background, (new_w, new_h), interpolation=interp) if (new_w, new_h) != (bw, bh) else background
    x0, y0 = (new_w - width) // 2, (new_h - height) // 2
    return np.ascontiguousarray(resized[y0:y0 + height, x0:x0 + width, :3])


def _lab(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)


def harmonise(*, foreground: np.ndarray, alpha: np.ndarray, background: np.ndarray, amount: float) -> np.ndarray:
    """Shift the subject's mean lightness and colour part of the way to the background's."""
    if amount <= 0:
        return foreground
    solid = alpha > 0.5
    if solid.sum() < 16:
        return foreground
    fg_lab = _lab(foreground)
    bg_lab = _lab(background)
    near = cv2.dilate(solid.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=1) == 0
    subject_mean = fg_lab[solid].mean(axis=0)
    scene_mean = bg_lab[near].mean(axis=0) if near.any() else bg_lab.reshape(-1, 3).mean(axis=0)
    shift = (scene_mean - subject_mean) * amount
    shift[0] = float(np.clip(shift[0] * 0.6, -12.0, 12.0))  # lightness: gentle
    shift[1:] = np.clip(shift[1:], -8.0, 8.0)  # colour cast: bounded
    fg_lab += shift.astype(np.float32)
    fg_lab[..., 0] = np.clip(fg_lab[..., 0], 0.0, 100.0)
    rgb = cv2.cvtColor(fg_lab, cv2.COLOR_LAB2RGB)
    return np.clip(rgb * 255.0 + 0.5, 0, 255).astype(np.uint8)


def contact_shadow(alpha: np.ndarray, *, light_x: float = 0.5) -> np.ndarray:
    """A soft shadow map (0..1, float32) under the subject's feet; zeros when the feet are out of frame."""
    height, width = alpha.shape
    solid = alpha > 0.5
    rows = np.flatnonzero(solid.any(axis=1))
    if rows.size == 0:
        return np.zeros_like(alpha, dtype=np.float32)
    top, bottom = int(rows[0]), int(rows[-1])
    if bottom >= height - 2:  # cut off by the frame: there is no floor contact to show
        return np.zeros_like(alpha, dtype=np.float32)
    subject_h = bottom - top + 1
    cols = np.flatnonzero(solid.any(axis=0))
    subject_w = int(cols[-1] - cols[0] + 1)
    band = solid[max(top, bottom - max(2, subject_h // 25)):bottom + 1]
    feet_cols = np.flatnonzero(band.any(axis=0))
    feet_x0, feet_x1 = int(feet_cols[0]), int(feet_cols[-1])
    shadow = np.zeros((height, width), np.float32)
    centre = ((feet_x0 + feet_x1) // 2, bottom)
    axes = (max(4, int(max(feet_x1 - feet_x0, subject_w * 0.35) * 0.62)), max(2, int(subject_h * 0.025)))
    cv2.ellipse(shadow, centre, axes, 0, 0, 360, 1.0, thickness=-1)
    shadow = cv2.GaussianBlur(shadow, (0, 0), max(1.5, axes[1] * 1.2))
    # A short cast of the silhouette on the floor, leaning away from the light.
    squash = 0.12
    lean = (0.5 - light_x) * 0.6
    matrix = np.float32([[1.0, lean * squash * -1.0, 0.0], [0.0, -squash, bottom * (1.0 + squash)]])
    matrix[0, 2] = -matrix[0, 1] * bottom
    cast = cv2.warpAffine(alpha.astype(np.float32), matrix, (width, height), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)
    cast = cv2.GaussianBlur(cast, (0, 0), max(2.0, subject_h * 0.012)) * 0.5
    out = np.maximum(shadow, cast)
    out *= 1.0 - np.clip(alpha, 0.0, 1.0)  # nothing on the subject itself
    return np.clip(out, 0.0, 1.0)


def composite_person(*, image: np.ndarray, alpha: np.ndarray, background: np.ndarray,
                     options: CompositeOptions = CompositeOptions(), light_x: float = 0.5) -> np.ndarray:
    """The person of ``image`` (RGB uint8) under matte ``alpha`` (float 0..1) on ``background`` (RGB)."""
    height, width = image.shape[:2]
    if alpha.shape != (height, width):
        raise ValueError(f"matte is {alpha.shape}, image is {(height, width)}")
    bg = fit_cover(background, width, height).astype(np.float32)
    a = np.clip(alpha.astype(np.float32), 0.0, 1.0)
    long_side = max(height, width)
    # The matte's soft tail and the old background's tint in edge colours go (no pale or dark rim).
    a, fg = refine_edges(image=image, alpha=a, radius=EDGE_RADIUS_SHARE * long_side)
    fg = harmonise(foreground=fg, alpha=a, background=bg.astype(np.uint8), amount=options.harmonise)
    fg = fg.astype(np.float32)
    if options.light_wrap > 0:
        # A hint, not a rim: at up to 60 % over a 0.6 %-wide edge the new colour tinted the person's edge
        # (Delta E ~50 from the photo 2-6 px inside the mask on a saturated colour; lavender ears on blue).
        sigma = max(1.5, 0.004 * long_side)
        blurred_bg = cv2.GaussianBlur(bg, (0, 0), sigma)
        inner = cv2.GaussianBlur(a, (0, 0), sigma)
        wrap = (a * np.clip(1.0 - inner, 0.0, 1.0) * options.light_wrap).clip(0.0, 0.3)[:, :, None]
        fg = fg * (1.0 - wrap) + blurred_bg * wrap
    if options.shadow > 0:
        shade = contact_shadow(a, light_x=light_x) * options.shadow
        bg = bg * (1.0 - shade[:, :, None])
    a3 = a[:, :, None]
    out = fg * a3 + bg * (1.0 - a3)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def blurred_scene(*, image: np.ndarray, alpha: np.ndarray, strength: float = 0.018) -> np.ndarray:
    """The photo without the person, softened: the background of the ``blur`` mode."""
    height, width = image.shape[:2]
    scale = min(1.0, 512 / max(height, width))
    small = cv2.resize(image, (max(1, round(width * scale)), max(1, round(height * scale))),
                       interpolation=cv2.INTER_AREA) if scale < 1 else image.copy()
    hole = cv2.resize((alpha > 0.1).astype(np.uint8), (small.shape[1], small.shape[0]),
                      interpolation=cv2.INTER_NEAREST)
    hole = cv2.dilate(hole, np.ones((7, 7), np.uint8), iterations=2)
    filled = cv2.inpaint(small, hole, 5, cv2.INPAINT_TELEA)
    sigma = max(1.0, strength * max(small.shape[:2]))
    filled = cv2.GaussianBlur(filled, (0, 0), sigma)
    return cv2.resize(filled, (width, height), interpolation=cv2.INTER_CUBIC)
