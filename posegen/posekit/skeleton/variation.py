"""Making new poses from old ones, and telling whether two poses look alike."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from posegen.posekit.keypoints import COCO18_INDEX, MIRROR_INDEX
from posegen.posekit.skeleton.joints import DOFS, MIRROR_NEGATED_AXES, clamp_angle, mirror_key
from posegen.posekit.skeleton.pose import Pose
from posegen.posekit.skeleton.projection import camera_axes
from posegen.posekit.skeleton.rig import COCO18_RIG_INDEX, pose_joints_3d


def pose_mirror(*, pose: Pose) -> Pose:
    """The left-right mirror image: its projection is the original's, flipped horizontally, with
    left and right keypoints swapped."""
    angles = {}
    for key, value in pose.angles.items():
        angles[mirror_key(key)] = -value if key in MIRROR_NEGATED_AXES else value
    root = replace(pose.root, yaw=-pose.root.yaw, roll=-pose.root.roll, x=-pose.root.x)
    camera = replace(pose.camera, yaw=-pose.camera.yaw, roll=-pose.camera.roll)
    return Pose(angles=angles, root=root, camera=camera, body=pose.body)


def pose_jitter(
    *,
    pose: Pose,
    seed: int,
    degrees: float = 6.0,
    camera_degrees: float = 0.0,
) -> Pose:
    """A nearby variant: every joint angle moves by Gaussian noise of ``degrees`` standard
    deviation (then is clamped to its limits); camera yaw and pitch by ``camera_degrees``.
    The same seed always gives the same pose."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(0.0, degrees, size=len(DOFS)) if degrees > 0 else np.zeros(len(DOFS))
    angles = {dof.key: clamp_angle(dof.key, pose.angle(dof.key) + float(n)) for dof, n in zip(DOFS, noise, strict=True)}
    camera = pose.camera
    if camera_degrees > 0:
        d_yaw, d_pitch = rng.normal(0.0, camera_degrees, size=2)
        camera = replace(camera, yaw=camera.yaw + float(d_yaw),
                         pitch=float(np.clip(camera.pitch + d_pitch, -89.0, 89.0)))
    return Pose(angles=angles, root=pose.root, camera=camera, body=pose.body)


def pose_distance(*, a: Pose, b: Pose, mirror_invariant: bool = False) -> float:
    """How different two poses look from their cameras, as the mean COCO-18 keypoint distance
    in units of body height after centring both figures (perspective and canvas aside).

    0 means identical pictures; 0.02 is about a 3.5 cm mean shift on a 1.70 m figure, a sensible
    threshold for rejecting near-duplicates in a library. With ``mirror_invariant`` a pose and
    its mirror image count as the same.
    """
    pa, pb = _view_plane_keypoints(a), _view_plane_keypoints(b)
    distance = _centred_mean_distance(pa, pb)
    if mirror_invariant:
        flipped = pb[list(MIRROR_INDEX)] * np.array([-1.0, 1.0])
        distance = min(distance, _centred_mean_distance(pa, flipped))
    return distance


def keypoint_distance(*, a: np.ndarray, b: np.ndarray) -> float:
    """Mean distance between the keypoints present in both (18, 3) arrays, after moving each
    figure's centroid to the origin and dividing by its torso length (neck to mid-hip; the RMS
    spread of its points when a hip or the neck is missing). Coordinates must have the same
    units on both axes (pixels, not 0..1 of a non-square canvas)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != (18, 3) or b.shape != (18, 3):
        raise ValueError(f"keypoint_distance needs two (18, 3) arrays, got {a.shape} and {b.shape}")
    common = (a[:, 2] > 0) & (b[:, 2] > 0)
    if common.sum() < 2:
        raise ValueError("keypoint_distance needs at least two keypoints present in both poses")
    na, nb = _normalised(a, common), _normalised(b, common)
    return float(np.linalg.norm(na - nb, axis=1).mean())


def _view_plane_keypoints(pose: Pose) -> np.ndarray:
    skeleton = pose_joints_3d(pose=pose)
    points = skeleton.positions[list(COCO18_RIG_INDEX)] @ camera_axes(pose.camera).T
    return points[:, :2] / skeleton.proportions.height


def _centred_mean_distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm((a - a.mean(axis=0)) - (b - b.mean(axis=0)), axis=1).mean())


def _normalised(points: np.ndarray, mask: np.ndarray) -> np.ndarray:
    xy = points[mask, :2]
    centred = xy - xy.mean(axis=0)
    hips, neck = (COCO18_INDEX["r_hip"], COCO18_INDEX["l_hip"]), COCO18_INDEX["neck"]
    scale = 0.0
    if all(points[i, 2] > 0 for i in (*hips, neck)):
        scale = float(np.linalg.norm(points[neck, :2] - points[list(hips), :2].mean(axis=0)))
    if scale < 1e-9:
        scale = float(np.sqrt((centred**2).sum(axis=1).mean()))
    return centred / max(scale, 1e-9)
