"""Unsure matte judged by its own colour (the offline engine's cut-out, issue 14).

Pure NumPy/OpenCV; never imports Django.
"""

from __future__ import annotations

import cv2
import numpy as np

from posegen.imaging.matting import estimate_foreground

__all__ = ["judge_unsure"]

# judge_unsure: the matte is sure of the person from SURE, of the background up to CLEAR.
SURE = 0.95
CLEAR = 0.05
# Colours of the scene around the person, clustered (CIE L*a*b*); a pixel's colour counts as its nearest
# cluster's and as each other's with weight exp(-(d^2 - d_nearest^2) / 2 COLOUR_KERNEL^2) (Delta E).
PALETTE_SIZE = 24
COLOUR_KERNEL = 10.0
# How much evidence a colour that neither side shows needs: a held bag, a newspaper, a boot the segmenter
# was unsure of have colours the pavement around them does not, and stay.
NOVEL_PRIOR = 0.05
# Background share of the evidence from which an unsure pixel starts to fade, and where it is gone.
BACKGROUND_FADE = (0.75, 0.9)
# In the caller's kept zones (``held``: the head) unsure matte from this value is kept whatever its
# colour (fading in over 0.1 either side).
HELD_MATTE = 0.5
# ... less the more exclusively the scene shows the colour: the zone's hold fades from this background share
# of the evidence down over 0.04 (the share tops out near 0.95 with NOVEL_PRIOR, so about half stays there).
HELD_BACKGROUND = 0.97
# The scene model works on an image at most this many pixels on its long side (the means are smooth).
MODEL_SIDE = 900


def _palette(samples: np.ndarray, k: int, iterations: int = 8) -> np.ndarray:
    """k L*a*b* cluster centres of ``samples`` (N, 3): Lloyd's k-means from centres spread over the
    samples sorted by lightness; deterministic (the offline engine's output is byte-identical run to run)."""
    order = samples[np.argsort(samples[:, 0], kind="stable")]
    centres = order[np.linspace(0, len(order) - 1, k).astype(int)].astype(np.float32)
    for _ in range(iterations):
        labels = _nearest(samples, centres)
        for i in range(k):
            members = samples[labels == i]
            if len(members):
                centres[i] = members.mean(axis=0)
    return centres


def _sq_distances(colours: np.ndarray, centres: np.ndarray) -> np.ndarray:
    return np.maximum((colours * colours).sum(axis=1)[:, None] - 2.0 * colours @ centres.T
                      + (centres * centres).sum(axis=1)[None, :], 0.0)


def _nearest(colours: np.ndarray, centres: np.ndarray) -> np.ndarray:
    return _sq_distances(colours, centres).argmin(axis=1)


def _colour_shares(labels: np.ndarray, where: np.ndarray, k: int, sigma: float) -> list[np.ndarray]:
    """Per cluster, the share of the ``where`` pixels near each pixel that have its colour (Gaussian
    weighted, on a 4x smaller grid; where few are near, over a four times wider neighbourhood)."""
    height, width = where.shape
    step = 4 if min(height, width) >= 64 else 1
    small = (max(1, width // step), max(1, height // step))

    def down(mask: np.ndarray) -> np.ndarray:
        plane = mask.astype(np.float32)
        return cv2.resize(plane, small, interpolation=cv2.INTER_AREA) if step > 1 else plane

    total = down(where)
    members = [down(where & (labels == i)) for i in range(k)]
    shares = None
    for scale in (4.0, 1.0):
        s = max(0.5, sigma * scale / step)
        weight = cv2.GaussianBlur(total, (0, 0), s)
        these = [cv2.GaussianBlur(m, (0, 0), s) / np.maximum(weight, 1e-6) for m in members]
        if shares is None:
            shares = these
        else:
            near = weight > 0.05
            shares = [np.where(near, t, o) for t, o in zip(these, shares, strict=True)]
    return [cv2.resize(p, (width, height), interpolation=cv2.INTER_LINEAR) if step > 1 else p for p in shares]


def _fill_enclosed(keep: np.ndarray, clear: np.ndarray) -> np.ndarray:
    """Keep again what the colour test dropped where it touches no clear background: a patch that is
    scene-coloured but enclosed by the person (skin on a red carpet inside a leg, a shadow on a coat) is
    the person's own; background seen through a gap in the person is clear in the matte, not unsure.
    Pavement between the boots reaches the clear background through its own faint edge and still goes."""
    dropped = (keep < 0.5).astype(np.uint8)
    if not dropped.any():
        return keep
    count, comp = cv2.connectedComponents(dropped, connectivity=8)
    # A dropped piece next to clear background (within one pixel) is background.
    touching = np.unique(comp[(cv2.dilate(clear.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0) & (dropped > 0)])
    enclosed = np.setdiff1d(np.arange(1, count), touching)
    if len(enclosed) == 0:
        return keep
    out = keep.copy()
    out[np.isin(comp, enclosed)] = 1.0
    return out


def judge_unsure(*, image: np.ndarray, alpha: np.ndarray, sigma: float,
                 held: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The matte's unsure pixels judged by their own colour: (alpha, colour).

    A segmentation matte is unsure (between CLEAR and SURE) on soft edges, but also over whole patches:
    pavement between boots, a held bag, a newspaper, a boot on a dark crossing. Giving every unsure pixel
    the blurred colour of the sure person around it (``estimate_foreground``) painted such a patch with
    an invented colour, and making it opaque drew a pale blob between the boots, a skirt-coloured smear
    over a bag. Here each unsure pixel's ORIGINAL colour is compared with the colours of the sure person
    near it and of the clear background near it (local colour histograms over a small palette):

    - a colour the nearby background shows and the nearby person does not (the pavement) fades out;
    - a colour the person shows, or one neither side shows (a held thing), stays, with its own colour
      wherever it is more than ``sigma`` from clear background (no invented colour deep in a patch);
    - within ``sigma`` of clear background the pixel is a blend of person and scene, and gets the mean
      colour of the person pixels near it (sure and kept unsure ones), as before;
    - a dropped patch that touches no clear background (enclosed by the person) is kept after all.

    ``held`` (H, W) float 0..1, optional: zones where unsure matte of HELD_MATTE or more is kept whatever
    its colour, about half of it where the colour is the scene's alone (HELD_BACKGROUND); the cut-out
    passes the head (dark hair against a dark arcade).

    ``image`` (H, W, 3) uint8 RGB, ``alpha`` (H, W) float 0..1, ``sigma`` the decontamination width in
    pixels. Returns float32 alpha and uint8 RGB."""
    a = np.clip(alpha.astype(np.float32), 0.0, 1.0)
    sure, clear = a >= SURE, a <= CLEAR
    unsure = (a > 0.01) & ~sure
    if not unsure.any() or not sure.any() or not clear.any():
        return a, estimate_foreground(image=image, alpha=a, sigma=sigma)
    height, width = a.shape
    scale = min(1.0, MODEL_SIDE / max(height, width))
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        small_rgb = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        small_a = cv2.resize(a, size, interpolation=cv2.INTER_AREA)
    else:
        small_rgb, small_a = image, a
    colours = cv2.cvtColor(small_rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB).reshape(-1, 3)
    s_sure, s_clear = small_a >= SURE, small_a <= CLEAR
    s_unsure = (small_a > 0.01) & ~s_sure
    # The palette of the person and the scene near them (every third pixel of each row and column).
    around = cv2.dilate((small_a > 0.01).astype(np.uint8), np.ones((31, 31), np.uint8)).astype(bool)
    grid = np.zeros_like(around)
    grid[::3, ::3] = True
    centres = _palette(colours[(around & grid).ravel()], PALETTE_SIZE)
    labels = _nearest(colours, centres).reshape(small_a.shape)
    model_sigma = max(3.0, 2.5 * sigma * scale)
    person = _colour_shares(labels, s_sure, PALETTE_SIZE, model_sigma)
    scene = _colour_shares(labels, s_clear, PALETTE_SIZE, model_sigma)
    idx = np.flatnonzero(s_unsure.ravel())
    # Relative to the nearest palette colour: a colour far from every cluster still counts as its nearest
    # (a patterned bag the segmenter left out is scene, though the palette holds none of its colours).
    sq = _sq_distances(colours[idx], centres)
    kernel = np.exp(-(sq - sq.min(axis=1, keepdims=True)) / (2.0 * COLOUR_KERNEL ** 2))
    by_person = sum(kernel[:, i] * person[i].ravel()[idx] for i in range(PALETTE_SIZE))
    by_scene = sum(kernel[:, i] * scene[i].ravel()[idx] for i in range(PALETTE_SIZE))
    background = by_scene / (by_scene + by_person + NOVEL_PRIOR)
    lo, hi = BACKGROUND_FADE
    keep_small = np.ones(small_a.shape, np.float32)
    keep_small.ravel()[idx] = np.clip((hi - background) / (hi - lo), 0.0, 1.0)
    keep_small = _fill_enclosed(keep_small, small_a <= CLEAR)
    # How far a kept zone may overrule the colour test: less on colours only the scene shows (a red chair
    # behind a hand was kept and then taken for a held bag when the zones covered the hands).
    overrule = np.zeros(small_a.shape, np.float32)
    overrule.ravel()[idx] = np.clip((HELD_BACKGROUND - background) / 0.04, 0.0, 1.0)
    if scale < 1.0:
        keep_small, overrule = (cv2.resize(p, (width, height), interpolation=cv2.INTER_LINEAR)
                                for p in (keep_small, overrule))
    keep = keep_small
    if held is not None:  # only what the segmenter calls more person than not (not a passer-by's ghost)
        keep = np.maximum(keep, np.clip(held, 0.0, 1.0) * overrule
                          * np.clip((a - HELD_MATTE + 0.1) / 0.2, 0.0, 1.0))
    out_a = np.where(unsure, a * keep, a).astype(np.float32)
    # Colour: a kept unsure pixel deep in its patch is the person's (or the held thing's) own colour and
    # the source of the blended edge colours around it; near clear background it is a blend.
    to_clear = cv2.distanceTransform((~clear).astype(np.uint8), cv2.DIST_L2, 5)
    source = sure | (unsure & (keep > 0.5) & (to_clear > sigma))
    invented = estimate_foreground(image=image, alpha=a, sigma=sigma, solid=source)
    own = np.clip(to_clear / sigma - 1.0, 0.0, 1.0)[:, :, None]
    colour = np.where(unsure[:, :, None], own * image + (1.0 - own) * invented, image)
    return out_a, np.clip(colour + 0.5, 0, 255).astype(np.uint8)
