"""Arms crossed in front of the body: each hand tucks under the other arm (drawing order), never lies on
top of it poking out past the far side of the body (issue 14 item 4, "a plausible overlap order")."""

from __future__ import annotations

import numpy as np

from posegen.engines.offline.render import DEFAULT_ORDER, _tuck_crossed_hands
from posegen.engines.offline.rig import PART_INDEX

ORDER = tuple(PART_INDEX[n] for n in DEFAULT_ORDER)  # legs, cloth, torso, head, then the four arm parts


def _skeleton(r_wrist, l_wrist) -> np.ndarray:
    """COCO-18 pixels of an upright person: shoulders at x 80/120, hips at 88/112, elbows at the waist."""
    kp = np.zeros((18, 3))
    kp[:, 2] = 1.0
    kp[[1, 2, 5, 8, 11], :2] = [(100, 40), (80, 42), (120, 42), (88, 120), (112, 120)]
    kp[3, :2], kp[6, :2] = (78, 100), (122, 100)
    kp[4, :2], kp[7, :2] = r_wrist, l_wrist
    kp[0, :2] = (100, 20)
    return kp


def _before(order, a: str, b: str) -> bool:
    return order.index(PART_INDEX[a]) < order.index(PART_INDEX[b])


def test_crossed_forearms_go_under_the_other_upper_arm():
    # The person's right wrist reaches to their left side (image right) and the left to the right.
    order = _tuck_crossed_hands(ORDER, _skeleton(r_wrist=(116, 96), l_wrist=(84, 104)))
    assert sorted(order) == sorted(ORDER)
    assert _before(order, "r_forearm", "l_upper_arm")
    assert _before(order, "l_forearm", "r_upper_arm")
    # Everything else keeps its place: legs, cloth, torso and head first.
    assert order[:7] == ORDER[:7]


def test_arms_that_do_not_cross_keep_the_order():
    hanging = _skeleton(r_wrist=(76, 150), l_wrist=(124, 150))
    assert _tuck_crossed_hands(ORDER, hanging) == ORDER
    # A hand that only reaches the middle of the body (a hand on the belly) has not crossed.
    belly = _skeleton(r_wrist=(102, 100), l_wrist=(124, 150))
    assert _tuck_crossed_hands(ORDER, belly) == ORDER


def test_only_the_crossed_arm_is_tucked():
    order = _tuck_crossed_hands(ORDER, _skeleton(r_wrist=(118, 90), l_wrist=(124, 150)))
    arms = [DEFAULT_ORDER[ORDER.index(p)] for p in order[-4:]]
    # Default: left upper arm, left forearm, right upper arm, right forearm; only the left upper arm moves
    # (over the right hand that reached under it).
    assert arms == ["l_forearm", "r_upper_arm", "r_forearm", "l_upper_arm"]
