"""Seeing the posed body through the pose's camera, fitted into a canvas."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posegen.posekit.keypoints import COCO18_INDEX, NUM_KEYPOINTS
from posegen.posekit.skeleton.joints import PoseSpecError
from posegen.posekit.skeleton.pose import Camera, Pose
from posegen.posekit.skeleton.rig import COCO18_RIG_INDEX, Skeleton3D, pose_joints_3d
from posegen.posekit.skeleton.rotations import rot_x, rot_y, rot_z

# Orthographic cameras still report depths; they sit this far in front of the figure's centre.
_ORTHO_STANDOFF = 10.0

# Face points OpenPose only finds when they face the camera: (head-frame outward normal, least
# cosine with the direction to the camera). Ears stay visible from behind, like real detections.
_FACE_VISIBILITY: dict[str, tuple[tuple[float, float, float], float]] = {
    "nose": ((0.0, 0.0, 1.0), -0.3),
    "l_eye": ((0.45, 0.0, 0.89), -0.1),
    "r_eye": ((-0.45, 0.0, 0.89), -0.1),
    "l_ear": ((1.0, 0.0, 0.0), -0.25),
    "r_ear": ((-1.0, 0.0, 0.0), -0.25),
}


@dataclass(frozen=True, eq=False)
class ViewTransform:
    """World (metres) to canvas pixels: camera frame, then projection, then the fit to the canvas."""

    world_to_camera: np.ndarray  # (3, 3): rows are the camera's right, up and backward axes
    camera_position: np.ndarray  # (3,)
    perspective: bool
    scale: float  # canvas pixels per image-plane unit
    offset: np.ndarray  # (2,) pixel position of the optical axis

    def camera_coordinates(self, points: np.ndarray) -> np.ndarray:
        return (np.asarray(points, dtype=float) - self.camera_position) @ self.world_to_camera.T

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(N, 3) world points to (N, 2) pixels (x right, y down) and (N,) depths in metres."""
        cam = self.camera_coordinates(points)
        depth = -cam[:, 2]
        plane = cam[:, :2] / depth[:, None] if self.perspective else cam[:, :2]
        pixels = np.empty_like(plane)
        pixels[:, 0] = self.offset[0] + self.scale * plane[:, 0]
        pixels[:, 1] = self.offset[1] - self.scale * plane[:, 1]
        return pixels, depth

    def pixels_per_metre(self, depth: np.ndarray | float) -> np.ndarray | float:
        """Size on the canvas of one metre seen face-on at ``depth``."""
        if self.perspective:
            return self.scale / depth
        return np.full(np.shape(depth), self.scale) if np.ndim(depth) else self.scale


@dataclass(frozen=True, eq=False)
class ProjectedPose:
    """A pose as the camera sees it on a ``canvas_width`` x ``canvas_height`` canvas.

    ``keypoints`` is COCO-18 (18, 3): x, y normalised to 0..1 of the canvas, confidence 1, or
    all 0 for a face point turned away from the camera. ``depth`` (18,) is the distance from the
    camera in metres (larger = farther) for every keypoint, hidden ones included. ``points`` and
    ``points_depth`` are the same for every joint of ``skeleton`` (pixels, metres).
    """

    keypoints: np.ndarray
    depth: np.ndarray
    canvas_width: int
    canvas_height: int
    skeleton: Skeleton3D
    view: ViewTransform
    points: np.ndarray
    points_depth: np.ndarray

    def keypoints_px(self) -> np.ndarray:
        """(18, 3) keypoints in canvas pixels (missing ones stay 0, 0, 0)."""
        out = self.keypoints.copy()
        out[:, 0] *= self.canvas_width
        out[:, 1] *= self.canvas_height
        return out


def camera_axes(camera: Camera) -> np.ndarray:
    """(3, 3) world-to-camera rotation; the camera looks down its own -z axis."""
    camera_to_world = rot_y(camera.yaw) @ rot_x(-camera.pitch) @ rot_z(-camera.roll)
    return camera_to_world.T


def project_pose(
    *,
    pose: Pose,
    width: int,
    height: int,
    margin: float = 0.06,
    hide_averted_face: bool = True,
    fit_floor: bool = False,
) -> ProjectedPose:
    """Project ``pose`` and scale it uniformly so the whole body, thickness included, fits the
    canvas with ``margin`` (a fraction of each side) to spare, centred. With ``fit_floor`` the
    body's footprint on the floor is kept in frame too (a jump shows the floor beneath it)."""
    if isinstance(width, bool) or isinstance(height, bool) or not (isinstance(width, int) and isinstance(height, int)):
        raise PoseSpecError(f"canvas size must be integers, got {width!r} x {height!r}")
    if width < 1 or height < 1:
        raise PoseSpecError(f"canvas size must be positive, got {width} x {height}")
    if not 0.0 <= margin < 0.5:
        raise PoseSpecError(f"margin must be in 0..0.5, got {margin!r}")
    skeleton = pose_joints_3d(pose=pose)
    view = _fit_view(skeleton, pose.camera, width, height, margin, fit_floor)
    points, depths = view.project(skeleton.positions)
    rig_index = list(COCO18_RIG_INDEX)
    keypoints = np.ones((NUM_KEYPOINTS, 3))
    keypoints[:, 0] = points[rig_index, 0] / width
    keypoints[:, 1] = points[rig_index, 1] / height
    if hide_averted_face:
        for name in _averted_face_points(skeleton, view):
            keypoints[COCO18_INDEX[name]] = 0.0
    return ProjectedPose(keypoints, depths[rig_index], width, height, skeleton, view, points, depths)


def _fit_view(
    skeleton: Skeleton3D, camera: Camera, width: int, height: int, margin: float, fit_floor: bool
) -> ViewTransform:
    axes = camera_axes(camera)
    points, radii = skeleton.positions, skeleton.radii
    if fit_floor:
        points = np.concatenate([points, points * np.array([1.0, 0.0, 1.0])])
        radii = np.concatenate([radii, np.zeros_like(radii)])
    target = (points.min(axis=0) + points.max(axis=0)) / 2.0
    perspective = camera.distance is not None
    standoff = camera.distance if camera.distance is not None else _ORTHO_STANDOFF
    position = target + axes.T @ np.array([0.0, 0.0, standoff])
    unit = ViewTransform(axes, position, perspective, 1.0, np.zeros(2))
    plane, depth = unit.project(points)
    plane[:, 1] *= -1.0  # back to y-up image-plane units
    radius = radii * np.asarray(unit.pixels_per_metre(depth))
    low = (plane - radius[:, None]).min(axis=0)
    high = (plane + radius[:, None]).max(axis=0)
    extent = np.maximum(high - low, 1e-9)
    scale = min(width * (1.0 - 2.0 * margin) / extent[0], height * (1.0 - 2.0 * margin) / extent[1])
    centre = (low + high) / 2.0
    offset = np.array([width / 2.0 - scale * centre[0], height / 2.0 + scale * centre[1]])
    return ViewTransform(axes, position, perspective, float(scale), offset)


def _averted_face_points(skeleton: Skeleton3D, view: ViewTransform) -> list[str]:
    head_frame = skeleton.rotations[skeleton.index("head")]
    to_camera = view.camera_position - skeleton.position("head_centre")
    if not view.perspective:
        to_camera = view.world_to_camera[2]
    to_camera = to_camera / np.linalg.norm(to_camera)
    return [name for name, (normal, least) in _FACE_VISIBILITY.items()
            if float(to_camera @ (head_frame @ np.array(normal))) < least]
