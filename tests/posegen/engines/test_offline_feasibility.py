"""Feasibility rules: which target poses the offline engine can make from an avatar (before payment)."""

from __future__ import annotations

import numpy as np
import pytest

from posegen.engines.base import engine_judges_poses
from posegen.engines.mannequin import MannequinEngine
from posegen.engines.offline import OfflineEngine
from posegen.engines.offline.feasibility import REASONS, judge_pose, judge_poses
from posegen.posekit.skeleton import make_pose, pose_to_dict, project_pose

W, H = 1024, 1536
STANDING = {"usable": True, "standing": True, "garment": None, "hem_ratio": None, "max_leg_spread_deg": None,
            "carried_hand": None}

POSES = {
    "standing": {"shoulder.abduction": 30, "elbow.flexion": 20},
    "arms_raised": {"shoulder.abduction": 160},
    "walking": {"l_hip.flexion": 25, "r_hip.flexion": -15, "r_knee.flexion": 20},
    "sitting": {"hip.flexion": 90, "knee.flexion": 90},
    "kneeling": {"knee.flexion": 90, "hip.flexion": 0},
    "wide_legs": {"hip.abduction": 30},
}


def _target(name: str, *, keypoints_only: bool = False) -> dict:
    pose = make_pose(angles=POSES[name])
    view = project_pose(pose=pose, width=W, height=H)
    kp = view.keypoints.copy()
    kp[:, 0] /= W
    kp[:, 1] /= H
    if keypoints_only:
        return {"keypoints": kp, "width": W, "height": H}
    return {"pose_structure": pose_to_dict(pose=pose), "keypoints": kp, "width": W, "height": H}


def _lying() -> dict:
    from posegen.posekit.skeleton import Root

    pose = make_pose(angles={}, root=Root(pitch=-90.0))
    return {"pose_structure": pose_to_dict(pose=pose), "width": W, "height": H}


@pytest.mark.parametrize("keypoints_only", [False, True])
def test_a_sitting_target_from_a_standing_avatar_is_unsupported(keypoints_only):
    verdict = judge_pose(traits=STANDING, target=_target("sitting", keypoints_only=keypoints_only))
    assert verdict.supported is False
    assert verdict.code == "sitting"
    assert verdict.reason == REASONS["sitting"]


@pytest.mark.parametrize("name", ["standing", "arms_raised", "walking", "wide_legs"])
@pytest.mark.parametrize("keypoints_only", [False, True])
def test_standing_targets_are_supported(name, keypoints_only):
    verdict = judge_pose(traits=STANDING, target=_target(name, keypoints_only=keypoints_only))
    assert verdict.supported is True, verdict
    assert verdict.code == "" and verdict.reason == ""


def test_kneeling_and_lying_targets_are_unsupported():
    assert judge_pose(traits=STANDING, target=_target("kneeling")).code == "kneeling"
    assert judge_pose(traits=STANDING, target=_lying()).code == "lying"


def test_the_standing_rules_need_the_standing_trait():
    """A rule whose trait is missing is skipped (and a photo that is not standing is refused earlier)."""
    assert judge_pose(traits={"usable": True}, target=_target("sitting")).supported is True


def test_a_long_dress_refuses_leg_spreads_wider_than_its_hem():
    dress = {**STANDING, "garment": "dress", "hem_ratio": 0.9, "max_leg_spread_deg": 20.0}
    wide = judge_pose(traits=dress, target=_target("wide_legs"))
    assert wide.supported is False and wide.code == "legs_too_wide"
    assert wide.params["limit"] == 20 and wide.params["spread"] > 20
    assert judge_pose(traits=dress, target=_target("standing")).supported is True
    # Trousers (no garment bridging the legs): the same spread is fine.
    assert judge_pose(traits={**STANDING, "max_leg_spread_deg": 20.0}, target=_target("wide_legs")).supported


def test_a_carried_item_cannot_be_raised_overhead():
    bag = {**STANDING, "carried_hand": "right"}
    raised = judge_pose(traits=bag, target=_target("arms_raised"))
    assert raised.supported is False and raised.code == "carried_raised"
    assert judge_pose(traits=bag, target=_target("standing")).supported is True


def test_an_unusable_avatar_and_unknown_targets_are_left_to_the_avatar_check():
    assert judge_pose(traits={"usable": False}, target=_target("sitting")).supported is True
    assert judge_pose(traits=STANDING, target={"keypoints": np.zeros((18, 3))}).supported is True
    assert [v.supported for v in judge_poses(traits=STANDING, targets=[_target("standing"), _target("sitting")])] \
        == [True, False]


def test_only_engines_limited_by_the_photo_judge_poses():
    assert engine_judges_poses(OfflineEngine) is True
    assert engine_judges_poses(MannequinEngine) is False
