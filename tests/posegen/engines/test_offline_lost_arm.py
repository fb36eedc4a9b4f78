"""An arm the cut-out lost (issue 14 item 4; 0688: a thin bare arm against a dress kept as a sliver, its tube
filled with the dress panel) takes its texture from the other arm, mirrored, at its own tube's width; arms
whose sleeves are the body's colour on both sides (a coat, a jumper) keep their own. Synthetic maps."""

from __future__ import annotations

import numpy as np

from posegen.engines.offline.lost_arm import OWN_HAND, borrow_arm, lend_arm, lost_arm
from posegen.engines.offline.parts import PART_INDEX, PARTS, TORSO

R_UPPER, R_FORE = PART_INDEX["r_upper_arm"], PART_INDEX["r_forearm"]
L_UPPER, L_FORE = PART_INDEX["l_upper_arm"], PART_INDEX["l_forearm"]
NAVY, SKIN = (30, 35, 70), (225, 180, 160)


def _photo(right_arm=NAVY, left_arm=SKIN) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels and an opaque RGBA cut-out, 100 x 100: a navy torso (x 30-70), the right arm (x 18-28) and
    the left arm (x 72-82) hanging beside it, upper arms rows 10-50, forearms 50-90; and the bones
    (label pixels): right shoulder (23, 10), elbow (23, 50), wrist (23, 90); left at x 77."""
    labels = np.full((100, 100), -1, np.int8)
    rgba = np.zeros((100, 100, 4), np.uint8)
    labels[10:95, 30:71] = TORSO
    rgba[10:95, 30:71] = (*NAVY, 255)
    for upper, fore, x0, colour in ((R_UPPER, R_FORE, 18, right_arm), (L_UPPER, L_FORE, 72, left_arm)):
        labels[10:50, x0:x0 + 11] = upper
        labels[50:90, x0:x0 + 11] = fore
        rgba[10:90, x0:x0 + 11] = (*colour, 255)
    bones = np.zeros((len(PARTS), 2, 2))
    bones[R_UPPER], bones[R_FORE] = [(23, 10), (23, 50)], [(23, 50), (23, 90)]
    bones[L_UPPER], bones[L_FORE] = [(77, 10), (77, 50)], [(77, 50), (77, 90)]
    return labels, rgba, bones


def test_an_arm_the_colour_of_the_body_beside_a_whole_arm_is_lost():
    labels, rgba, _ = _photo()
    assert lost_arm(labels=labels, rgba=rgba) == ((R_UPPER, R_FORE), (L_UPPER, L_FORE))
    labels, rgba, _ = _photo(right_arm=SKIN, left_arm=NAVY)
    assert lost_arm(labels=labels, rgba=rgba) == ((L_UPPER, L_FORE), (R_UPPER, R_FORE))


def test_sleeves_the_colour_of_the_body_on_both_sides_are_not_lost():
    labels, rgba, _ = _photo(right_arm=NAVY, left_arm=NAVY)  # a coat
    assert lost_arm(labels=labels, rgba=rgba) is None
    labels, rgba, _ = _photo(right_arm=SKIN, left_arm=SKIN)  # two bare arms
    assert lost_arm(labels=labels, rgba=rgba) is None


def test_the_lost_arm_samples_the_other_arm_mirrored():
    _, _, bones = _photo()
    # One triangle on the right upper arm: its outer edge (x 18, away from the body), its bone, its inner edge.
    src = np.array([[[18.0, 30.0], [23.0, 30.0], [28.0, 30.0]], [[40.0, 40.0], [50.0, 40.0], [45.0, 50.0]]])
    parts = np.array([R_UPPER, TORSO])
    out = borrow_arm(src, parts, bones, (R_UPPER,), (L_UPPER,))
    # The outer edge of one arm is the outer edge of the other (x 82), at the same height; the body keeps its own.
    assert np.allclose(out[0], [[82.0, 30.0], [77.0, 30.0], [72.0, 30.0]])
    assert np.array_equal(out[1], src[1])
    # With each side's reach, the lost arm's side is stretched across the other arm's same side.
    reach = {R_UPPER: (0.25, 0.25), L_UPPER: (0.125, 0.125)}  # in bone lengths (40 px): 10 px, 5 px
    src = np.array([[[13.0, 30.0], [23.0, 30.0], [33.0, 30.0]]])
    out = borrow_arm(src, np.array([R_UPPER]), bones, (R_UPPER,), (L_UPPER,), reach)
    assert np.allclose(out[0], [[82.0, 30.0], [77.0, 30.0], [72.0, 30.0]])


def test_lend_arm_keeps_a_forearm_that_carries_a_thing_and_anything_from_a_profile():
    labels, rgba, bones = _photo()
    src = np.array([[[20.0, 30.0]] * 3, [[20.0, 70.0]] * 3])
    parts = np.array([R_UPPER, R_FORE])
    lent = lend_arm(src, parts, labels=labels, rgba=rgba, front=True, bones=bones, to_tex=1.0, carried=None)
    assert lent[0, 0, 0] > 72 and lent[1, 0, 0] > 72  # both now sample the left arm
    held = lend_arm(src, parts, labels=labels, rgba=rgba, front=True, bones=bones, to_tex=1.0, carried="l_forearm")
    assert held[0, 0, 0] > 72 and np.array_equal(held[1], src[1])  # the forearm keeps its own pixels
    side = lend_arm(src, parts, labels=labels, rgba=rgba, front=False, bones=bones, to_tex=1.0, carried=None)
    assert side is src


def test_the_lost_arm_keeps_its_own_hand():
    labels, rgba, bones = _photo()
    # Forearm triangles (bone rows 50-90): one at its middle, one past OWN_HAND of it (the wrist and hand).
    wrist_row = 50 + 40 * (OWN_HAND + 0.05)
    src = np.array([[[20.0, 70.0]] * 3, [[20.0, wrist_row]] * 3, [[20.0, 92.0]] * 3])
    lent = lend_arm(src, np.array([R_FORE] * 3), labels=labels, rgba=rgba, front=True, bones=bones, to_tex=1.0,
                    carried=None)
    assert lent[0, 0, 0] > 72  # the forearm is the other one's
    assert np.array_equal(lent[1:], src[1:])  # the hand is its own
