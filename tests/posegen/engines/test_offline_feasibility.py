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


def _arm_target(angles: dict) -> dict:
    return {"pose_structure": pose_to_dict(pose=make_pose(angles=angles)), "width": W, "height": H}


def test_a_carried_item_is_not_turned_far_from_how_it_hangs():
    """The bag turns rigidly with its forearm: a forearm hanging straight down in the photo (-90 degrees in
    the picture) may swing a little (walking, an arm forward) but not be folded up across the body."""
    bag = {**STANDING, "carried_hand": "right", "carried_forearm_deg": -90.0}
    assert judge_pose(traits=bag, target=_target("walking")).supported is True
    assert judge_pose(traits=bag, target=_arm_target({"r_shoulder.flexion": 40})).supported is True
    folded = judge_pose(traits=bag, target=_arm_target({"r_shoulder.abduction": 45, "r_elbow.flexion": 110}))
    assert folded.supported is False and folded.code == "carried_turned"
    assert folded.reason == REASONS["carried_turned"]
    assert folded.params["hand"] == "right" and 130 <= folded.params["turn"] <= 150
    # Only the hand that holds it: the left arm folded is fine.
    assert judge_pose(traits=bag, target=_arm_target({"l_shoulder.abduction": 45, "l_elbow.flexion": 110})).supported
    # Raised overhead stays the more specific reason.
    assert judge_pose(traits=bag, target=_target("arms_raised")).code == "carried_raised"
    # A forearm held across the body in the photo (pointing to the picture's right): hanging down is a turn too.
    across = {**bag, "carried_forearm_deg": 0.0}
    assert judge_pose(traits=across, target=_target("walking")).code == "carried_turned"


def test_a_hand_that_may_hold_something_against_the_body_stays_where_it_is():
    held = {**STANDING, "held_unsure": {"right": [0.0, -1.0]}}
    # Hanging down as in the photo, or swung forward (seen from the front the wrist barely moves): supported.
    assert judge_pose(traits=held, target=_target("walking")).supported is True
    assert judge_pose(traits=held, target=_arm_target({"r_shoulder.flexion": 40})).supported is True
    raised = judge_pose(traits=held, target=_target("arms_raised"))
    assert raised.supported is False and raised.code == "held_right_moved"
    assert raised.reason == REASONS["held_right_moved"] and "right hand" in raised.reason
    assert raised.params == {"hand": "right", "moved": pytest.approx(1.94, abs=0.01)}  # (-0.48, 0.88) from (0, -1)
    # 15 degrees out to the side moves the wrist 0.37 arm lengths: past what a held bag can stay under; 5 do not.
    assert judge_pose(traits=held, target=_arm_target({"shoulder.abduction": 15})).code == "held_right_moved"
    assert judge_pose(traits=held, target=_arm_target({"shoulder.abduction": 5})).supported is True
    assert judge_pose(traits=held, target=_arm_target({"l_shoulder.abduction": 160})).supported is True
    left = judge_pose(traits={**STANDING, "held_unsure": {"left": [0.0, -1.0]}},
                      target=_arm_target({"l_shoulder.abduction": 160}))
    assert left.code == "held_left_moved" and "left hand" in left.reason
    both = {**STANDING, "held_unsure": {"left": [0.0, -1.0], "right": [0.0, -1.0]}}
    assert judge_pose(traits=both, target=_target("arms_raised")).code == "held_right_moved"


def test_arm_rules_skip_a_shape_cached_before_arms_were_measured():
    from dataclasses import replace

    from posegen.engines.offline.feasibility import target_shape

    old = replace(target_shape(_target("arms_raised")), forearm_deg=None, wrist_reach=None)
    traits = {**STANDING, "carried_hand": "left", "carried_forearm_deg": 0.0, "held_unsure": {"right": [0.0, -1.0]}}
    assert judge_pose(traits=traits, target={"shape": old}).code == "carried_raised"
    assert judge_pose(traits={**traits, "carried_hand": None}, target={"shape": old}).supported is True


def _frame(shoulder_x: float) -> list[list[float]]:
    """A photo's 14 body joints in the spine frame (neck (0, -1), pelvis at the origin)."""
    frame = [[0.0, -1.4], [0.0, -1.0], [-shoulder_x, -1.0], [-0.4, -0.45], [-0.45, 0.05], [shoulder_x, -1.0],
             [0.4, -0.45], [0.45, 0.05], [-0.17, 0.0], [-0.2, 0.8], [-0.2, 1.45], [0.17, 0.0], [0.2, 0.8],
             [0.2, 1.45]]
    return frame


def test_a_side_view_photo_refuses_poses_that_face_the_camera():
    from posegen.posekit.skeleton import Root

    side = {**STANDING, "pose_frame": _frame(0.03)}  # ccp_0783: shoulders 0.06 apart
    verdict = judge_pose(traits=side, target=_target("walking"))
    assert verdict.supported is False and verdict.code == "side_view"
    assert verdict.reason == REASONS["side_view"]
    assert verdict.params["shoulders"] == 0.06 and verdict.params["target_shoulders"] > 0.5
    # The same target from a photo facing the camera (the narrowest seller photo: 0.42), and a profile target
    # from the side-view photo, are made.
    assert judge_pose(traits={**STANDING, "pose_frame": _frame(0.21)}, target=_target("walking")).supported is True
    profile = {"pose_structure": pose_to_dict(pose=make_pose(angles=POSES["standing"], root=Root(yaw=90.0))),
               "width": W, "height": H}
    assert judge_pose(traits=side, target=profile).supported is True
    # Traits stored without the frame are judged as before.
    assert judge_pose(traits=STANDING, target=_target("walking")).supported is True
