"""Each limb of the rig is one piece (issue 14 items 4, "stray pieces"): a patch of a forearm's label cut off
from the forearm (its reach past the wrist into the coat) goes to the part around it instead of flying
loose with the arm (0139 arms raised: a dark fragment above the head); a carried bag stays the forearm's."""

from __future__ import annotations

import numpy as np

from posegen.engines.offline.parts import GARMENT, PART_INDEX, PARTS, TORSO
from posegen.engines.offline.rig import _limbs_whole

FORE = PART_INDEX["l_forearm"]
BONES = np.zeros((len(PARTS), 2, 2))
BONES[FORE] = ((67, 12), (67, 48))  # the forearm's bone, through its own label


def _labels() -> tuple[np.ndarray, np.ndarray]:
    image = np.full((100, 100), -1, np.int8)
    image[10:90, 20:80] = GARMENT
    image[10:40, 20:50] = TORSO
    image[10:50, 60:75] = FORE  # the forearm along the side
    image[70:78, 40:48] = FORE  # a patch of its label in the coat, apart from it
    return image, image >= 0


def test_a_patch_of_a_limb_apart_from_it_goes_to_the_part_around_it():
    image, mask = _labels()
    out = _limbs_whole(image, mask, None, BONES)
    assert (out[70:78, 40:48] == GARMENT).all()
    assert (out[10:50, 60:75] == FORE).all()  # the forearm itself is untouched
    assert (out[~mask] == -1).all() and (out[mask] >= 0).all()


def test_a_carried_thing_apart_from_the_forearm_stays_with_it():
    image, mask = _labels()
    carried = np.zeros(mask.shape, bool)
    carried[70:78, 40:48] = True
    out = _limbs_whole(image, mask, carried, BONES)
    assert (out[70:78, 40:48] == FORE).all()


def test_the_piece_the_bone_runs_through_is_kept_even_when_a_patch_is_larger():
    image, mask = _labels()
    image[55:88, 22:58] = FORE  # a large patch apart from the forearm (a held bag's colour region)
    out = _limbs_whole(image, mask, None, BONES)
    assert (out[10:50, 60:75] == FORE).all()
    assert not (out[55:88, 22:58] == FORE).any()
