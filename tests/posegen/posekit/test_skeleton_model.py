"""Body model: proportions, forward kinematics, joint limits and the pose dict format."""

from __future__ import annotations

import json
import math
import textwrap

import numpy as np
import pytest

from posegen.posekit import skeleton
from posegen.posekit.skeleton import (
    ANGLE_KEYS,
    BodyShape,
    Camera,
    Pose,
    PoseSpecError,
    Root,
    body_proportions,
    make_pose,
    pose_from_dict,
    pose_joints_3d,
    pose_to_dict,
    pose_with,
)

H = 1.70


def joints(**angles: float) -> dict[str, np.ndarray]:
    s = pose_joints_3d(pose=make_pose(angles={k.replace("__", "."): v for k, v in angles.items()}))
    return dict(zip(s.names, s.positions, strict=True))


def test_rest_pose_stands_on_the_floor_and_is_exactly_as_tall_as_the_body():
    s = pose_joints_3d(pose=Pose())
    p = body_proportions(shape=BodyShape())
    assert s.position("head_top")[1] == pytest.approx(H, abs=1e-12)
    assert float(np.min(s.positions[:, 1] - s.radii)) == pytest.approx(0.0, abs=1e-12)
    assert s.position("neck") == pytest.approx([0.0, 0.818 * H, 0.0], abs=1e-12)
    # The figure's left is +x and it faces +z (towards a camera at yaw 0).
    assert s.position("l_shoulder") == pytest.approx([p.shoulder_half_width, 0.818 * H, 0.0], abs=1e-12)
    assert s.position("r_shoulder") == pytest.approx([-p.shoulder_half_width, 0.818 * H, 0.0], abs=1e-12)
    assert s.position("l_wrist")[1] == pytest.approx(0.818 * H - p.upper_arm - p.forearm, abs=1e-12)
    assert s.position("nose")[2] > 0.1
    hip_height = p.ankle_height + p.shank + p.thigh
    assert s.position("l_hip") == pytest.approx([p.hip_half_width, hip_height, 0.0], abs=1e-12)
    assert s.position("l_ankle")[1] == pytest.approx(p.ankle_height, abs=1e-12)


def test_rest_pose_is_left_right_symmetric():
    s = pose_joints_3d(pose=Pose())
    for name in s.names:
        if name.startswith("l_"):
            mirrored = s.position("r_" + name[2:]) * np.array([-1.0, 1.0, 1.0])
            assert s.position(name) == pytest.approx(mirrored, abs=1e-12)


def test_positions_scale_with_height():
    short = pose_joints_3d(pose=make_pose(angles={"elbow.flexion": 40}, body=BodyShape(height=1.5)))
    tall = pose_joints_3d(pose=make_pose(angles={"elbow.flexion": 40}, body=BodyShape(height=2.0)))
    np.testing.assert_allclose(tall.positions, short.positions * (2.0 / 1.5), atol=1e-12)


def test_female_proportions_have_narrower_shoulders_and_wider_hips():
    male = body_proportions(shape=BodyShape(height=1.7, sex="male"))
    female = body_proportions(shape=BodyShape(height=1.7, sex="female"))
    neutral = body_proportions(shape=BodyShape(height=1.7))
    assert male.shoulder_half_width == pytest.approx(0.105 * 1.7)
    assert female.shoulder_half_width == pytest.approx(0.095 * 1.7)
    assert female.hip_half_width > male.hip_half_width
    assert neutral.shoulder_half_width == pytest.approx((male.shoulder_half_width + female.shoulder_half_width) / 2)
    for sex in ("male", "female"):
        s = pose_joints_3d(pose=Pose(body=BodyShape(height=1.7, sex=sex)))
        assert s.position("head_top")[1] == pytest.approx(1.7, abs=1e-12)


def test_elbow_and_knee_bend_the_anatomical_way():
    p = body_proportions(shape=BodyShape())
    j = joints(elbow__flexion=90, knee__flexion=90)
    for side in "lr":
        # Forearm forward, shin backward, each by exactly its length.
        assert j[f"{side}_wrist"] - j[f"{side}_elbow"] == pytest.approx([0.0, 0.0, p.forearm], abs=1e-12)
        assert j[f"{side}_ankle"] - j[f"{side}_knee"] == pytest.approx([0.0, 0.0, -p.shank], abs=1e-12)


def test_shoulder_abduction_flexion_and_their_diagonal_swing():
    ua = body_proportions(shape=BodyShape()).upper_arm
    out = joints(shoulder__abduction=90)
    assert out["l_elbow"] - out["l_shoulder"] == pytest.approx([ua, 0.0, 0.0], abs=1e-12)
    assert out["r_elbow"] - out["r_shoulder"] == pytest.approx([-ua, 0.0, 0.0], abs=1e-12)
    up = joints(shoulder__flexion=180)
    assert up["l_elbow"] - up["l_shoulder"] == pytest.approx([0.0, ua, 0.0], abs=1e-12)
    forward = joints(shoulder__flexion=90)
    assert forward["l_elbow"] - forward["l_shoulder"] == pytest.approx([0.0, 0.0, ua], abs=1e-12)
    # 90 + 90 is one swing of hypot(90, 90) degrees about the diagonal axis: as far forward as out.
    both = joints(l_shoulder__flexion=90, l_shoulder__abduction=90)
    d = (both["l_elbow"] - both["l_shoulder"]) / ua
    assert d[0] == pytest.approx(d[2], abs=1e-12)
    assert math.degrees(math.acos(-d[1])) == pytest.approx(math.hypot(90, 90), abs=1e-9)


def test_internal_rotation_turns_a_bent_forearm_across_the_belly():
    fa = body_proportions(shape=BodyShape()).forearm
    j = joints(shoulder__rotation=90, elbow__flexion=90)
    assert j["l_wrist"] - j["l_elbow"] == pytest.approx([-fa, 0.0, 0.0], abs=1e-12)
    assert j["r_wrist"] - j["r_elbow"] == pytest.approx([fa, 0.0, 0.0], abs=1e-12)


def test_hip_abduction_and_negative_abduction_crosses_the_midline():
    thigh = body_proportions(shape=BodyShape()).thigh
    j = joints(hip__abduction=30)
    assert j["l_knee"] - j["l_hip"] == pytest.approx([thigh * 0.5, -thigh * math.sqrt(3) / 2, 0.0], abs=1e-12)
    crossed = joints(l_hip__abduction=-30)
    assert crossed["l_knee"][0] < crossed["l_hip"][0]


def test_spine_bend_is_split_over_two_joints():
    p = body_proportions(shape=BodyShape())
    base = joints()
    bent = joints(spine__flexion=90)
    upper = p.shoulder_height - p.pelvis_height - p.lumbar
    expected = base["pelvis"] + np.array([0.0, p.lumbar * math.cos(math.pi / 4), p.lumbar * math.sin(math.pi / 4)])
    expected = expected + np.array([0.0, 0.0, upper])
    shift = bent["pelvis"] - base["pelvis"]  # regrounding may move the whole body; the hips stay put
    assert shift == pytest.approx([0.0, 0.0, 0.0], abs=1e-12)
    assert bent["neck"] == pytest.approx(expected, abs=1e-12)


def test_twist_turn_and_ankle_directions():
    twisted = joints(spine__twist=40)
    assert twisted["l_shoulder"][2] < 0 < twisted["r_shoulder"][2]
    looking_left = joints(neck__turn=60)
    assert looking_left["nose"][0] > 0.05
    nodding = joints(neck__flexion=40)
    assert nodding["nose"][1] < joints()["nose"][1]
    toes_up, toes_pointed, rest = joints(ankle__flexion=20), joints(ankle__flexion=-40), joints()
    assert toes_up["l_toe"][1] - toes_up["l_ankle"][1] > rest["l_toe"][1] - rest["l_ankle"][1]
    assert toes_pointed["l_toe"][1] - toes_pointed["l_ankle"][1] < rest["l_toe"][1] - rest["l_ankle"][1]


def test_root_orientation_grounding_lift_and_placement():
    on_back = pose_joints_3d(pose=make_pose(root=Root(pitch=-90)))
    assert float(np.min(on_back.positions[:, 1] - on_back.radii)) == pytest.approx(0.0, abs=1e-12)
    assert on_back.position("head_top")[2] < on_back.position("pelvis")[2] - 0.7
    assert on_back.position("nose")[1] > on_back.position("head_centre")[1]  # face up
    on_side = pose_joints_3d(pose=make_pose(root=Root(roll=90)))
    assert on_side.position("head_top")[0] > 0.7  # head towards its left, +x
    assert on_side.position("r_shoulder")[1] > on_side.position("l_shoulder")[1]
    turned = pose_joints_3d(pose=make_pose(root=Root(yaw=90)))
    assert turned.position("nose")[0] > 0.1 and abs(turned.position("nose")[2]) < 1e-9
    jump = pose_joints_3d(pose=make_pose(root=Root(lift=0.3, x=1.0, z=-2.0)))
    assert float(np.min(jump.positions[:, 1] - jump.radii)) == pytest.approx(0.3, abs=1e-12)
    assert jump.position("pelvis")[[0, 2]] == pytest.approx([1.0, -2.0], abs=1e-12)


def test_sitting_pose_puts_the_hips_at_chair_height():
    s = pose_joints_3d(pose=make_pose(angles={"hip.flexion": 90, "knee.flexion": 90}))
    p = body_proportions(shape=BodyShape())
    # Feet on the floor, shins vertical, thighs horizontal.
    assert s.position("l_knee")[1] == pytest.approx(p.shank + p.ankle_height, abs=1e-12)
    assert s.position("l_hip")[1] == pytest.approx(s.position("l_knee")[1], abs=1e-12)


def test_coco18_order():
    s = pose_joints_3d(pose=Pose())
    c = s.coco18()
    assert c.shape == (18, 3)
    assert c[1] == pytest.approx(s.position("neck"))
    assert c[8] == pytest.approx(s.position("r_hip"))
    assert c[17] == pytest.approx(s.position("l_ear"))


def test_angle_keys_expand_to_both_sides_and_sided_keys_win():
    pose = make_pose(angles={"hip.flexion": 90, "l_hip.flexion": 60, "spine.twist": 0})
    assert dict(pose.angles) == {"l_hip.flexion": 60.0, "r_hip.flexion": 90.0}
    assert pose.angle("spine.twist") == 0.0
    assert Pose(angles={"knee.flexion": 10}) == Pose(angles={"r_knee.flexion": 10, "l_knee.flexion": 10.0})
    assert len(ANGLE_KEYS) == 26


def test_limits_are_enforced_or_clamped():
    with pytest.raises(PoseSpecError) as err:
        make_pose(angles={"elbow.flexion": -10})
    assert str(err.value) == "l_elbow.flexion = -10 is outside its limits 0..150 degrees"
    with pytest.raises(PoseSpecError, match=r"r_knee.flexion = 170 is outside its limits 0..155"):
        make_pose(angles={"r_knee.flexion": 170})
    clamped = make_pose(angles={"elbow.flexion": -10, "r_knee.flexion": 170}, clamp=True)
    assert dict(clamped.angles) == {"r_knee.flexion": 155.0}


@pytest.mark.parametrize(
    ("angles", "message"),
    [
        ({"elbow.bend": 10}, "unknown angle 'elbow.bend'"),
        ({"l_elbow.flexion": "90"}, "angle l_elbow.flexion must be a number of degrees, got '90'"),
        ({"l_elbow.flexion": True}, "angle l_elbow.flexion must be a number of degrees, got True"),
        ({"l_elbow.flexion": float("nan")}, "angle l_elbow.flexion must be finite, got nan"),
    ],
)
def test_bad_angles_are_named(angles, message):
    with pytest.raises(PoseSpecError) as err:
        make_pose(angles=angles)
    assert str(err.value).startswith(message)


def test_bad_root_camera_and_body_are_named():
    with pytest.raises(PoseSpecError, match=r"camera.pitch = 95 is outside -89..89 degrees"):
        Camera(pitch=95)
    with pytest.raises(PoseSpecError, match=r"camera.distance = 0.5 m is too close"):
        Camera(distance=0.5)
    with pytest.raises(PoseSpecError, match=r"root.lift must be a finite number, got inf"):
        Root(lift=float("inf"))
    with pytest.raises(PoseSpecError, match=r"body height 3 m is outside 0.5..2.5 m"):
        BodyShape(height=3)
    with pytest.raises(PoseSpecError, match=r"body sex must be one of male, female, neutral, got 'x'"):
        BodyShape(sex="x")  # type: ignore[arg-type]


def test_pose_dict_is_plain_json_and_round_trips():
    pose = make_pose(
        angles={"shoulder.abduction": 45, "l_elbow.flexion": 100.5},
        root=Root(lift=0.3, yaw=-20),
        camera=Camera(yaw=35, distance=None),
        body=BodyShape(height=1.62, sex="female"),
    )
    data = pose_to_dict(pose=pose)
    assert data == {
        "version": 1,
        "angles": {"l_shoulder.abduction": 45.0, "l_elbow.flexion": 100.5, "r_shoulder.abduction": 45.0},
        "root": {"yaw": -20.0, "lift": 0.3},
        "camera": {"yaw": 35.0, "distance": None},
        "body": {"height": 1.62, "sex": "female"},
    }
    assert pose_from_dict(data=json.loads(json.dumps(data))) == pose
    assert pose_from_dict(data={}) == Pose()
    assert pose_to_dict(pose=Pose())["angles"] == {}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "a pose dict must be an object, got list"),
        ({"version": 2}, "pose dict version 2 is not supported (expected 1)"),
        ({"stance": "x"}, "pose dict has unknown keys: stance"),
        ({"angles": [1]}, "pose dict angles must be an object, got list"),
        ({"root": {"spin": 1}}, "root has unknown keys: spin"),
        ({"camera": {"pitch": 120}}, "camera.pitch = 120 is outside -89..89 degrees"),
        ({"body": {"sex": "robot"}}, "body.sex must be one of male, female, neutral, got 'robot'"),
        ({"angles": {"knee.flexion": 200}}, "l_knee.flexion = 200 is outside its limits 0..155 degrees"),
    ],
)
def test_pose_dict_errors_are_named(data, message):
    with pytest.raises(PoseSpecError) as err:
        pose_from_dict(data=data)
    assert str(err.value) == message


def test_pose_with_changes_only_what_it_is_given():
    sitting = make_pose(angles={"hip.flexion": 90, "knee.flexion": 90}, camera=Camera(yaw=30))
    crossed = pose_with(pose=sitting, angles={"l_hip.abduction": -30}, root=Root(yaw=10))
    assert crossed.angle("l_hip.abduction") == -30.0
    assert crossed.angle("r_hip.flexion") == 90.0
    assert crossed.camera == sitting.camera and crossed.root == Root(yaw=10)
    with pytest.raises(PoseSpecError, match="unknown parts: lighting"):
        pose_with(pose=sitting, lighting=1)


def test_module_docstring_example_runs():
    example = skeleton.__doc__.split("Example::")[1].split("Invalid names")[0]
    namespace: dict[str, object] = {}
    exec(textwrap.dedent(example).replace("< 0.02: ...", "< 0.02: pass"), namespace)  # noqa: S102
    view = namespace["view"]
    assert view.keypoints.shape == (18, 3) and view.depth.shape == (18,)
