"""The body painted in under an arm that moves away (issue 14 item 4): the cloth's own colour and texture,
not a smear. Synthetic cut-outs only."""

from __future__ import annotations

import cv2
import numpy as np

from posegen.engines.offline.backing import atlas
from posegen.engines.offline.parts import PART_INDEX, TORSO

H, W = 240, 160  # texture pixels
SCALE = 0.5  # label pixels per texture pixel
TORSO_BOX = (30, 20, 130, 220)  # x0, y0, x1, y1
ARM_BOX = (38, 80, 66, 150)  # an arm lying over the torso's right side (image left)
CENTRE = (TORSO_BOX[0] + TORSO_BOX[2] - 1) / 2.0
NAVY, LIGHT, SKIN = np.array([40, 50, 110]), np.array([90, 105, 170]), np.array([215, 170, 140])


def _cloth() -> np.ndarray:
    """(H, W, 3) a striped shirt, the same on both sides of the spine (stripes 4 px wide)."""
    xs = np.arange(W)
    stripe = ((np.abs(xs - CENTRE) // 4) % 2).astype(bool)
    return np.where(stripe[None, :, None], LIGHT, NAVY).repeat(H, axis=0).astype(np.uint8)


def _cutout(arm_colour=SKIN):
    cloth = _cloth()
    texture = np.zeros((H, W, 4), np.uint8)
    x0, y0, x1, y1 = TORSO_BOX
    texture[y0:y1, x0:x1, :3] = cloth[y0:y1, x0:x1]
    texture[y0:y1, x0:x1, 3] = 255
    ax0, ay0, ax1, ay1 = ARM_BOX
    texture[ay0:ay1, ax0:ax1, :3] = arm_colour
    lh, lw = round(H * SCALE), round(W * SCALE)
    labels = np.full((lh, lw), -1, np.int8)
    labels[round(y0 * SCALE):round(y1 * SCALE), round(x0 * SCALE):round(x1 * SCALE)] = TORSO
    labels[round(ay0 * SCALE):round(ay1 * SCALE), round(ax0 * SCALE):round(ax1 * SCALE)] = PART_INDEX["r_forearm"]
    region = labels >= 0
    arms = labels == PART_INDEX["r_forearm"]
    return texture, labels, region, arms, cloth


def _painted(texture, labels, region, arms) -> np.ndarray:
    out = atlas(texture, labels, SCALE, region, arms)
    assert out.shape == (H, 2 * W, 4)
    return out[:, W:, :3].astype(np.float32)


def _inner(box, margin=4):
    x0, y0, x1, y1 = box
    return slice(y0 + margin, y1 - margin), slice(x0 + margin, x1 - margin)


def _fine(rgb: np.ndarray) -> np.ndarray:
    return rgb - cv2.GaussianBlur(rgb, (0, 0), 4.0)


def test_the_painted_body_has_the_cloths_colour_and_its_stripes_not_a_smear():
    texture, labels, region, arms, cloth = _cutout()
    painted = _painted(texture, labels, region, arms)
    ys, xs = _inner(ARM_BOX)
    under, truth = painted[ys, xs], cloth[ys, xs].astype(np.float32)
    # The arm's skin is gone: the colour is the cloth's.
    assert np.abs(under.mean(axis=(0, 1)) - truth.mean(axis=(0, 1))).max() < 8.0
    assert np.abs(under - SKIN).sum(axis=2).min() > 100
    # The stripes continue (the mirrored side of the same shirt), in step with the hidden ones.
    fine, fine_truth = _fine(painted)[ys, xs], _fine(cloth.astype(np.float32))[ys, xs]
    assert fine.std() > 0.6 * fine_truth.std()
    corr = np.corrcoef(fine.ravel(), fine_truth.ravel())[0, 1]
    assert corr > 0.7
    # A smooth painting alone (the old fill) has no stripes: the measure above tells the two apart.
    lh, lw = labels.shape
    small = cv2.resize(texture[:, :, :3], (lw, lh), interpolation=cv2.INTER_AREA)
    telea = cv2.resize(cv2.inpaint(small, cv2.dilate(arms.astype(np.uint8), np.ones((5, 5), np.uint8)), 5,
                                   cv2.INPAINT_TELEA), (W, H), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    assert _fine(telea)[ys, xs].std() < 0.5 * fine_truth.std()


def test_pixels_away_from_the_arm_are_untouched_and_the_fill_is_deterministic():
    texture, labels, region, arms, _ = _cutout()
    first = atlas(texture, labels, SCALE, region, arms)
    assert np.array_equal(first, atlas(texture, labels, SCALE, region, arms))
    # The left half is the cut-out itself (premultiplied), the painted copy differs only near the arm.
    changed = (first[:, W:] != first[:, :W]).any(axis=2)
    ys, xs = np.nonzero(changed)
    ax0, ay0, ax1, ay1 = ARM_BOX
    assert xs.min() >= ax0 - 8 and xs.max() < ax1 + 8 and ys.min() >= ay0 - 8 and ys.max() < ay1 + 8


def test_where_the_mirror_is_covered_too_the_fill_is_plain_cloth_with_grain():
    """Both sides hidden (a bag held across the middle): no stripes to copy, so the cloth's colour with a
    faint grain of its own strength, never the arm's colour and never a flat smear."""
    texture, labels, region, arms, cloth = _cutout()
    # A second arm over the mirrored place.
    mirror_x0 = round(2 * CENTRE - ARM_BOX[2] + 1)
    texture[ARM_BOX[1]:ARM_BOX[3], mirror_x0:mirror_x0 + ARM_BOX[2] - ARM_BOX[0], :3] = SKIN
    lx0 = round(mirror_x0 * SCALE)
    labels[round(ARM_BOX[1] * SCALE):round(ARM_BOX[3] * SCALE),
           lx0:lx0 + round((ARM_BOX[2] - ARM_BOX[0]) * SCALE)] = PART_INDEX["l_forearm"]
    arms = np.isin(labels, (PART_INDEX["r_forearm"], PART_INDEX["l_forearm"]))
    painted = _painted(texture, labels, region, arms)
    ys, xs = _inner(ARM_BOX)
    under = painted[ys, xs]
    truth = cloth[ys, xs].astype(np.float32)
    assert np.abs(under.mean(axis=(0, 1)) - truth.mean(axis=(0, 1))).max() < 12.0
    grain, cloth_fine = _fine(painted)[ys, xs].std(), _fine(cloth.astype(np.float32))[ys, xs].std()
    assert 0.2 * cloth_fine < grain < cloth_fine
