"""Projection into a canvas, and mirror / jitter / distance between poses."""

from __future__ import annotations

import numpy as np
import pytest

from posegen.posekit.keypoints import COCO18_INDEX, MIRROR_INDEX
from posegen.posekit.skeleton import (
    DOFS,
    BodyShape,
    Camera,
    Pose,
    PoseSpecError,
    Root,
    keypoint_distance,
    make_pose,
    pose_distance,
    pose_jitter,
    pose_joints_3d,
    pose_mirror,
    project_pose,
)

ORTHO = Camera(distance=None)
FACE = ("nose", "r_eye", "l_eye", "r_ear", "l_ear")


def visible(view, name: str) -> bool:
    return bool(view.keypoints[COCO18_INDEX[name], 2] == 1.0)


def test_orthographic_front_view_is_scaled_to_fit_exactly():
    view = project_pose(pose=make_pose(camera=ORTHO), width=500, height=1000, margin=0.1)
    s = view.skeleton
    # The figure is 1.70 m from heel sole to head top, so height binds: 800 px for 1.70 m.
    scale = 800 / 1.70
    assert view.view.scale == pytest.approx(scale, rel=1e-12)
    top = view.points[s.index("head_top")]
    assert top == pytest.approx([250.0, 100.0], abs=1e-9)
    floor = view.view.project(np.array([[0.0, 0.0, 0.0]]))[0][0]
    assert floor == pytest.approx([250.0, 900.0], abs=1e-9)
    neck = view.keypoints[COCO18_INDEX["neck"]]
    assert neck == pytest.approx([0.5, (100 + (1.70 - 0.818 * 1.70) * scale) / 1000, 1.0], abs=1e-12)
    # Uniform scale: the shoulders are their true width apart, right shoulder on the image left.
    px = view.keypoints_px()
    r, left = px[COCO18_INDEX["r_shoulder"]], px[COCO18_INDEX["l_shoulder"]]
    assert left[0] - r[0] == pytest.approx(2 * s.proportions.shoulder_half_width * scale, abs=1e-9)
    assert left[1] == pytest.approx(r[1], abs=1e-9)


def test_wide_pose_binds_on_width_and_is_centred():
    view = project_pose(pose=make_pose(angles={"shoulder.abduction": 90}, camera=ORTHO), width=400, height=400,
                        margin=0.05)
    s = view.skeleton
    left = view.points[:, 0] - s.radii * view.view.scale
    right = view.points[:, 0] + s.radii * view.view.scale
    assert left.min() == pytest.approx(20.0, abs=1e-9)
    assert right.max() == pytest.approx(380.0, abs=1e-9)
    top = view.points[:, 1] - s.radii * view.view.scale
    bottom = view.points[:, 1] + s.radii * view.view.scale
    assert (top.min() + bottom.max()) / 2 == pytest.approx(200.0, abs=1e-9)
    assert top.min() > 20.0


@pytest.mark.parametrize("camera", [Camera(), Camera(yaw=40, pitch=25), Camera(yaw=-120, roll=10, distance=2.0)])
@pytest.mark.parametrize("size", [(192, 256), (768, 1024), (1000, 300)])
def test_every_pose_stays_inside_the_margins(camera, size):
    pose = make_pose(angles={"shoulder.flexion": 170, "l_hip.flexion": 100, "knee.flexion": 40}, camera=camera,
                     root=Root(roll=30))
    view = project_pose(pose=pose, width=size[0], height=size[1], margin=0.08)
    shown = view.keypoints[view.keypoints[:, 2] > 0]
    x, y = shown[:, 0], shown[:, 1]
    assert x.min() >= 0.08 - 1e-9 and x.max() <= 0.92 + 1e-9
    assert y.min() >= 0.08 - 1e-9 and y.max() <= 0.92 + 1e-9


def test_depth_orders_near_and_far_keypoints():
    reach = project_pose(pose=make_pose(angles={"r_shoulder.flexion": 90}), width=100, height=100)
    assert reach.depth[COCO18_INDEX["r_wrist"]] < reach.depth[COCO18_INDEX["r_shoulder"]] - 0.5
    from_left = project_pose(pose=make_pose(camera=Camera(yaw=90)), width=100, height=100)
    gap = from_left.depth[COCO18_INDEX["r_shoulder"]] - from_left.depth[COCO18_INDEX["l_shoulder"]]
    assert gap == pytest.approx(2 * from_left.skeleton.proportions.shoulder_half_width, abs=1e-9)
    assert from_left.depth.shape == (18,)
    assert np.all(from_left.depth > 0)


def test_face_points_turned_away_are_missing_like_real_detections():
    front = project_pose(pose=Pose(), width=100, height=100)
    assert all(visible(front, n) for n in FACE)
    back = project_pose(pose=make_pose(camera=Camera(yaw=180)), width=100, height=100)
    assert [visible(back, n) for n in FACE] == [False, False, False, True, True]
    assert back.keypoints[COCO18_INDEX["nose"]].tolist() == [0.0, 0.0, 0.0]
    profile = project_pose(pose=make_pose(camera=Camera(yaw=90)), width=100, height=100)
    assert [visible(profile, n) for n in FACE] == [True, False, True, False, True]
    # Turning the head towards the camera brings the far eye back.
    turned = project_pose(pose=make_pose(angles={"neck.turn": 60}, camera=Camera(yaw=90)), width=100, height=100)
    assert visible(turned, "r_eye")
    kept = project_pose(pose=make_pose(camera=Camera(yaw=180)), width=100, height=100, hide_averted_face=False)
    assert np.all(kept.keypoints[:, 2] == 1.0)
    assert np.all(kept.keypoints[1:14] == back.keypoints[1:14])


def test_body_joints_are_always_present():
    view = project_pose(pose=make_pose(root=Root(pitch=-90), camera=Camera(pitch=60)), width=64, height=64)
    assert np.all(view.keypoints[1:14, 2] == 1.0)


def test_camera_roll_leans_the_figure_counter_clockwise():
    view = project_pose(pose=make_pose(camera=Camera(roll=20)), width=500, height=500)
    nose, r_ankle = view.keypoints[COCO18_INDEX["nose"]], view.keypoints[COCO18_INDEX["r_ankle"]]
    assert nose[0] < 0.45 and r_ankle[0] > 0.5


@pytest.mark.parametrize(("width", "height", "margin"), [(0, 10, 0.1), (10, -1, 0.1), (10, 10, 0.5)])
def test_bad_canvas_is_refused(width, height, margin):
    with pytest.raises(PoseSpecError):
        project_pose(pose=Pose(), width=width, height=height, margin=margin)


ASYMMETRIC = make_pose(
    angles={"r_shoulder.abduction": 120, "r_elbow.flexion": 60, "l_hip.flexion": 45, "l_knee.flexion": 70,
            "spine.twist": 20, "spine.lateral": -10, "neck.turn": 35, "neck.tilt": 10},
    root=Root(yaw=25, roll=5, x=0.4),
    camera=Camera(yaw=30, pitch=10, roll=4),
)


def test_mirror_flips_the_picture_and_swaps_sides():
    original = project_pose(pose=ASYMMETRIC, width=300, height=400)
    mirrored = project_pose(pose=pose_mirror(pose=ASYMMETRIC), width=300, height=400)
    expected = original.keypoints[list(MIRROR_INDEX)].copy()
    shown = expected[:, 2] > 0
    expected[shown, 0] = 1.0 - expected[shown, 0]
    np.testing.assert_allclose(mirrored.keypoints, expected, atol=1e-9)
    np.testing.assert_allclose(mirrored.depth, original.depth[list(MIRROR_INDEX)], atol=1e-9)
    assert pose_mirror(pose=pose_mirror(pose=ASYMMETRIC)) == ASYMMETRIC
    assert pose_mirror(pose=ASYMMETRIC).angle("l_shoulder.abduction") == 120.0
    assert pose_mirror(pose=ASYMMETRIC).angle("neck.turn") == -35.0


def test_jitter_is_seeded_and_stays_within_limits():
    edge = make_pose(angles={"knee.flexion": 155, "shoulder.flexion": 180, "neck.turn": -80})
    a = pose_jitter(pose=edge, seed=3, degrees=10)
    assert a == pose_jitter(pose=edge, seed=3, degrees=10)
    assert a != pose_jitter(pose=edge, seed=4, degrees=10)
    for seed in range(40):
        jittered = pose_jitter(pose=edge, seed=seed, degrees=25)
        for dof in DOFS:
            assert dof.low <= jittered.angle(dof.key) <= dof.high
    assert a.camera == edge.camera
    moved = pose_jitter(pose=edge, seed=3, degrees=0, camera_degrees=5)
    assert moved.angles == edge.angles and moved.camera.yaw != 0.0
    changes = [abs(a.angle(d.key) - edge.angle(d.key)) for d in DOFS]
    assert max(changes) > 1.0


def test_pose_distance_ignores_placement_and_size_but_not_shape():
    base = make_pose(angles={"shoulder.abduction": 40, "knee.flexion": 20}, camera=Camera(yaw=30))
    assert pose_distance(a=base, b=base) == 0.0
    placed = make_pose(angles=base.angles, camera=base.camera, root=Root(x=2.0, z=-1.0, lift=0.5),
                       body=BodyShape(height=1.9))
    assert pose_distance(a=base, b=placed) == pytest.approx(0.0, abs=1e-12)
    near = pose_jitter(pose=base, seed=1, degrees=1.5)
    far = make_pose(angles={"shoulder.abduction": 170}, camera=base.camera)
    assert 0.0 < pose_distance(a=base, b=near) < 0.02
    assert pose_distance(a=base, b=far) > 0.08
    assert pose_distance(a=base, b=far) == pytest.approx(pose_distance(a=far, b=base), abs=1e-15)
    # Same pose from another side is a different picture.
    assert pose_distance(a=base, b=make_pose(angles=base.angles, camera=Camera(yaw=-60))) > 0.03


def test_pose_distance_can_treat_mirror_images_as_duplicates():
    mirrored = pose_mirror(pose=ASYMMETRIC)
    assert pose_distance(a=ASYMMETRIC, b=mirrored) > 0.05
    assert pose_distance(a=ASYMMETRIC, b=mirrored, mirror_invariant=True) == pytest.approx(0.0, abs=1e-12)


def synthetic_keypoints() -> np.ndarray:
    points = np.zeros((18, 3))
    points[:, 2] = 1.0
    rng = np.random.default_rng(0)
    points[:, :2] = rng.uniform(-1, 1, size=(18, 2))
    points[COCO18_INDEX["neck"], :2] = (0.0, 0.0)
    points[COCO18_INDEX["r_hip"], :2] = (-0.5, 2.0)
    points[COCO18_INDEX["l_hip"], :2] = (0.5, 2.0)  # torso length 2
    return points


def test_keypoint_distance_normalises_by_torso_length():
    a = synthetic_keypoints()
    b = a.copy()
    b[:, :2] = b[:, :2] * 3.0 + np.array([100.0, -40.0])
    assert keypoint_distance(a=a, b=b) == pytest.approx(0.0, abs=1e-12)
    moved = a.copy()
    moved[COCO18_INDEX["nose"], 0] += 2.0  # one of 18 points moves one torso length
    # Centring shifts every point by 2/18: the nose is off by 2 - 2/18, the others by 2/18.
    expected = ((2.0 - 2.0 / 18) + 17 * (2.0 / 18)) / 18 / 2.0
    assert keypoint_distance(a=a, b=moved) == pytest.approx(expected, abs=1e-12)


def test_keypoint_distance_uses_only_points_present_in_both():
    a = synthetic_keypoints()
    b = a.copy()
    b[COCO18_INDEX["nose"]] = (50.0, 50.0, 0.0)  # missing in b: its wild value must not count
    assert keypoint_distance(a=a, b=b) == pytest.approx(0.0, abs=1e-12)
    no_hips = a.copy()
    no_hips[COCO18_INDEX["r_hip"], 2] = 0.0  # falls back to the RMS spread
    assert keypoint_distance(a=no_hips, b=no_hips.copy()) == 0.0
    with pytest.raises(ValueError, match=r"two \(18, 3\) arrays"):
        keypoint_distance(a=a[:17], b=a)
    empty = a.copy()
    empty[:, 2] = 0.0
    with pytest.raises(ValueError, match="at least two keypoints"):
        keypoint_distance(a=a, b=empty)


def test_projection_matches_the_3d_skeleton():
    pose = make_pose(angles={"elbow.flexion": 45}, camera=Camera(yaw=20, pitch=15))
    view = project_pose(pose=pose, width=640, height=480)
    again = pose_joints_3d(pose=pose)
    np.testing.assert_allclose(view.skeleton.positions, again.positions, atol=0)
    pixels, depth = view.view.project(again.positions)
    np.testing.assert_allclose(pixels, view.points, atol=1e-9)
    np.testing.assert_allclose(depth, view.points_depth, atol=1e-12)
