"""The avatar cut-out keeps no unsure matte that no sure person pixel supports (issue 14: white shards
at the boots were a wide unsure patch of sunlit pavement, given the blurred colour of the pixels around
it and made opaque). Django-free: a synthetic photo and matte."""

from __future__ import annotations

import cv2
import numpy as np

from posegen.engines.offline.cutout import MATTE_SOLID, _refine_alpha, make_cutout
from posegen.imaging.segmentation import PersonMatte

H, W = 400, 300
SIGMA = max(2.0, 0.01 * max(H, W))  # cut_out_person's decontamination width for this photo


def _photo_and_matte() -> tuple[np.ndarray, np.ndarray]:
    rgb = np.full((H, W, 3), 250, np.uint8)  # pale pavement
    alpha = np.zeros((H, W), np.float32)
    rgb[40:360, 120:180] = (40, 50, 90)  # the person: a dark column
    alpha[40:360, 120:180] = 1.0
    rgb[340:360, 150:180] = 245  # a sunlit speck the segmenter is sure of, at the boot
    # The segmenter's unsure patch beside the boot: pavement, 0.9 (opaque once the contrast is stretched).
    alpha[300:380, 180:260] = 0.9
    return rgb, alpha


def test_unsure_patch_far_from_the_person_is_dropped_and_soft_edges_kept():
    rgb, alpha = _photo_and_matte()
    cut = make_cutout(image=rgb, matte=PersonMatte(alpha=alpha, keep="main", people_detected=1))
    x0, y0, _, _ = cut.box
    tex = cut.texture
    local = alpha[y0:y0 + tex.shape[0], x0:x0 + tex.shape[1]]
    ys, xs = np.mgrid[0:tex.shape[0], 0:tex.shape[1]]
    # Distance from the sure pixels, in the rows where the patch lies right of the person's edge (x = 180).
    dx = (xs + x0) - 179.5
    patch = (local > 0) & (local < MATTE_SOLID) & (ys + y0 >= 300) & (ys + y0 < 360)
    far = patch & (dx > 2.0 * SIGMA + 1.5)
    near = patch & (dx < SIGMA - 1.5)
    assert far.sum() > 1500 and near.sum() > 100
    assert int(tex[:, :, 3][far].max()) == 0
    # Within one width of the person the unsure edge is what it was (stretched to opaque).
    assert (tex[:, :, 3][near] == _refine_alpha(np.round(local * 255).astype(np.uint8))[near]).all()
    assert int(tex[:, :, 3][near].min()) == 255
    # No opaque near-white pixel more than one and a half widths away from the photo's own sure pixels (the white
    # speck's soft edge beside it may be white).
    sure_d = cv2.distanceTransform((local < MATTE_SOLID).astype(np.uint8), cv2.DIST_L2, 5)
    white = (tex[:, :, :3].min(axis=2) > 200) & (tex[:, :, 3] > 127)
    assert white.any()
    assert not (white & (sure_d > 1.5 * SIGMA + 1.0)).any()
    # The person itself is untouched.
    assert (tex[:, :, 3][local >= MATTE_SOLID] == 255).all()


def test_pieces_apart_from_the_person_are_dropped():
    rgb, alpha = _photo_and_matte()
    alpha[300:380, 180:260] = 0.0
    rgb[370:385, 60:80] = 255  # a bright bloom on the pavement the segmenter kept, apart from the person
    alpha[370:385, 60:80] = 1.0
    rgb[16:40, 140:160] = (200, 170, 150)  # a hand-sized piece touching the person through a soft edge
    alpha[16:36, 140:160] = 1.0
    alpha[36:40, 140:160] = 0.3
    cut = make_cutout(image=rgb, matte=PersonMatte(alpha=alpha, keep="main", people_detected=1))
    x0, y0, _, _ = cut.box
    a = cut.texture[:, :, 3]
    assert int(a[370 - y0:385 - y0, 60 - x0:80 - x0].max()) == 0
    assert (a[40 - y0:360 - y0, 120 - x0:180 - x0] == 255).all()
    assert (a[16 - y0:36 - y0, 140 - x0:160 - x0] == 255).all()
