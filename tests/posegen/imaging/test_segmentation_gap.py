"""The scene between the legs that the matte holds as person (posegen.imaging.segmentation_gap). Synthetic
inputs only. H36M S1: the carpet between her thighs sat inside the matte at alpha ~1 and was carried with the
legs in every pose."""

from __future__ import annotations

import numpy as np
import pytest

from posegen.imaging.segmentation_gap import BONE_REACH, leg_gap
from posegen.posekit.keypoints import COCO18_INDEX

H, W = 400, 300
CARPET = (110, 40, 30)
SKIN = (215, 170, 140)


def _legs() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A person standing on carpet, legs apart (x 100-130 and 170-200 from y 180 to 380), the matte solid over
    the legs and the whole gap between them (x 130-170), the torso above y 180."""
    rgb = np.zeros((H, W, 3), np.uint8)
    rgb[:] = CARPET
    rgb[40:180, 95:205] = (40, 50, 90)  # torso
    rgb[180:380, 100:130] = SKIN
    rgb[180:380, 170:200] = SKIN
    alpha = np.zeros((H, W), np.float32)
    alpha[40:180, 95:205] = 1.0
    alpha[180:380, 100:200] = 1.0
    kp = np.zeros((18, 3))
    for name, xy in {"neck": (150, 40), "r_hip": (115, 180), "r_knee": (115, 280), "r_ankle": (115, 375),
                     "l_hip": (185, 180), "l_knee": (185, 280), "l_ankle": (185, 375)}.items():
        kp[COCO18_INDEX[name]] = (*xy, 1.0)
    return rgb, alpha, kp


def test_carpet_between_the_legs_is_found_and_the_legs_are_not():
    rgb, alpha, kp = _legs()
    gap = leg_gap(image=rgb, alpha=alpha, keypoints=kp)
    torso = 140.0
    reach = int(np.ceil(BONE_REACH * torso))
    # The gap's middle, away from the bone lines, from just below the hips to the ankles.
    assert gap[185:370, 135:165].mean() > 0.95
    assert not gap[:, :130].any() and not gap[:, 170:].any()  # nothing on the legs or beside them
    assert not gap[:180].any()  # nor on the torso
    assert not gap[:, 115 - reach:115 + reach].any()


@pytest.mark.parametrize("stripes", [False, True])
def test_a_skirt_bridging_the_legs_stays(stripes):
    rgb, alpha, kp = _legs()
    rgb[180:260, 80:220] = (60, 120, 60)  # a green skirt over the thighs and the gap
    if stripes:  # half its print is the carpet's colour: common on the person, so not judged scene
        for row in range(180, 260, 8):
            rgb[row:row + 4, 80:220] = CARPET
    alpha[180:260, 80:220] = 1.0
    gap = leg_gap(image=rgb, alpha=alpha, keypoints=kp)
    assert not gap[180:260].any()
    if not stripes:  # below the hem the carpet between the shins still goes
        assert gap[270:370, 135:165].mean() > 0.95


def test_a_gap_coloured_like_the_legs_stays():
    rgb, alpha, kp = _legs()
    rgb[180:380, 130:170] = SKIN  # legs together: skin across
    assert not leg_gap(image=rgb, alpha=alpha, keypoints=kp).any()


@pytest.mark.parametrize("hidden", ["r_ankle", "l_knee", "neck"])
def test_nothing_is_judged_without_the_legs_seen(hidden):
    rgb, alpha, kp = _legs()
    kp[COCO18_INDEX[hidden], 2] = 0.1
    assert not leg_gap(image=rgb, alpha=alpha, keypoints=kp).any()
