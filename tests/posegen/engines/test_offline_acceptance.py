"""Which photos the offline engine accepts (issue 14 item 9): a bent arm or a bag held in front of the
body on its own side is accepted; arms folded across the body or hands together at the chest are not.

The seller-photo checks read ../shared/testdata (research-only photos) and skip where it is absent."""

from __future__ import annotations

import numpy as np
import pytest

from posegen.engines.offline.avatar_check import _across_middle, avatar_check
from tests.paths import REPO

SELLER = REPO.parent / "shared" / "testdata" / "seller" / "images"


def _standing(**moves: tuple[float, float]) -> np.ndarray:
    """COCO-18 keypoints (pixels) of a person facing the camera; ``moves`` replaces joints by name."""
    joints = {"neck": (200, 150), "r_shoulder": (160, 150), "r_elbow": (150, 230), "r_wrist": (145, 300),
              "l_shoulder": (240, 150), "l_elbow": (250, 230), "l_wrist": (255, 300), "r_hip": (175, 320),
              "l_hip": (225, 320)}
    joints.update(moves)
    index = {"neck": 1, "r_shoulder": 2, "r_elbow": 3, "r_wrist": 4, "l_shoulder": 5, "l_elbow": 6, "l_wrist": 7,
             "r_hip": 8, "l_hip": 11}
    kp = np.zeros((18, 3))
    for name, (x, y) in joints.items():
        kp[index[name]] = (x, y, 0.9)
    return kp


def test_a_hand_on_its_own_side_of_the_waist_is_not_folded_across():
    # A bent arm holding a clutch in front of the right hip: wrist on the right of the spine, low.
    kp = _standing(r_elbow=(165, 240), r_wrist=(190, 300))
    assert not _across_middle(kp, 2, 4)
    # Both hands holding a bag in front of the belly, at the middle but low: still accepted.
    kp = _standing(r_elbow=(165, 240), r_wrist=(198, 300), l_elbow=(235, 240), l_wrist=(202, 300))
    assert not _across_middle(kp, 2, 4) and not _across_middle(kp, 5, 7)


def test_arms_folded_across_or_hands_together_at_the_chest_are():
    crossed = _standing(r_elbow=(165, 250), r_wrist=(235, 215), l_elbow=(235, 250), l_wrist=(165, 215))
    assert _across_middle(crossed, 2, 4) and _across_middle(crossed, 5, 7)
    prayer = _standing(r_elbow=(165, 250), r_wrist=(199, 200), l_elbow=(235, 250), l_wrist=(201, 200))
    assert _across_middle(prayer, 2, 4) and _across_middle(prayer, 5, 7)


@pytest.mark.skipif(not SELLER.is_dir(), reason="no ../shared/testdata")
@pytest.mark.parametrize("name", ["ccp_0235_dress.jpg", "ccp_0676_jeans.jpg", "ccp_0726_shorts.jpg",
                                  "ccp_0807_skirt.jpg"])
def test_seller_photos_with_a_bent_arm_or_a_bag_in_front_are_accepted(name):
    check = avatar_check(image=(SELLER / name).read_bytes())
    assert check.ok, [p.code for p in check.problems]


@pytest.mark.skipif(not SELLER.is_dir(), reason="no ../shared/testdata")
def test_a_forearm_pointing_at_the_camera_is_still_refused_with_advice():
    check = avatar_check(image=(SELLER / "ccp_0003_coat.jpg").read_bytes())
    assert [p.code for p in check.problems] == ["arm_toward_camera"]
    assert check.problems[0].advice.startswith("Let both arms hang")
