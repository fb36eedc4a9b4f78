"""From a pose found in a photo to the posekit body model, so the library's mannequin pictures can be
drawn. Pure NumPy/SciPy, no Django.

`extract_pose` gives COCO-18 keypoints in the photo plus BlazePose's 33 landmarks with a relative
depth. `fit_pose` finds the joint angles and body orientation of a `Pose` whose joints, seen by an
orthographic camera, best match those landmarks: a bounded least-squares fit (SciPy TRF) of the
2D positions (weighted by confidence) and, more lightly, the depths, both after removing position
and scale, with a weak pull towards the rest pose for angles the photo cannot show. It starts from
four body orientations and keeps the best.

`fit_keypoints_to_canvas` places photo keypoints on the library's portrait canvas (centred, uniform
scale, a margin to spare) for the ControlNet map and the stored keypoints.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from posegen.posekit.keypoints import BLAZEPOSE_TO_COCO18, COCO18_INDEX, NUM_KEYPOINTS
from posegen.posekit.skeleton import DOF_BY_KEY, Camera, Pose, Root, make_pose, pose_joints_3d
from posegen.posekit.skeleton.projection import camera_axes

FIT_KEYS: tuple[str, ...] = (
    "spine.flexion", "spine.lateral", "spine.twist", "neck.flexion", "neck.tilt", "neck.turn",
    *(f"{side}_{key}" for side in ("l", "r") for key in (
        "shoulder.flexion", "shoulder.abduction", "shoulder.rotation", "elbow.flexion",
        "hip.flexion", "hip.abduction", "hip.rotation", "knee.flexion",
    )),
)
# Root yaw, pitch, roll (degrees).
_ROOT_BOUNDS = ((-180.0, 180.0), (-90.0, 90.0), (-90.0, 90.0))
# Body orientations tried from the rest pose; the most promising `_STARTS_KEPT` are then fitted.
_YAW_STARTS = (0.0, 45.0, 90.0, 135.0, 179.0, -135.0, -90.0, -45.0)
_STARTS_KEPT = 2
# Hinges start a little bent so the fit does not sit on their 0° bound (where it can get stuck).
_START_ANGLES = {"elbow.flexion": 20.0, "knee.flexion": 10.0, "shoulder.abduction": 10.0}
_FACE = frozenset(COCO18_INDEX[n] for n in ("nose", "r_eye", "l_eye", "r_ear", "l_ear"))
_FACE_WEIGHT = 0.5
_DEPTH_WEIGHT = 0.35
_PRIOR_WEIGHT = 0.03
_UPRIGHT_WEIGHT = 0.06  # root pitch/roll: people in library photos are mostly upright
_ORTHO = Camera(distance=None)
_AXES = camera_axes(_ORTHO)


@dataclass(frozen=True)
class PoseFit:
    pose: Pose
    error: float  # RMS distance of the fitted 2D joints, as a fraction of the body's size
    keypoints: np.ndarray  # (18, 3) the fitted pose's keypoints on the photo, normalised (for checks)


def fit_keypoints_to_canvas(*, keypoints: np.ndarray, image_width: int, image_height: int, width: int,
                            height: int, margin: float = 0.08) -> np.ndarray:
    """(18, 3) keypoints normalised to a photo → normalised to a `width` x `height` canvas, the visible
    joints centred and scaled uniformly to fit inside `margin`. Missing joints stay (0, 0, 0)."""
    kp = np.asarray(keypoints, dtype=float)
    present = kp[:, 2] > 0
    out = np.zeros_like(kp)
    if not present.any():
        return out
    px = kp[:, :2] * np.array([image_width, image_height], dtype=float)
    low, high = px[present].min(axis=0), px[present].max(axis=0)
    extent = np.maximum(high - low, 1e-6)
    scale = min(width * (1 - 2 * margin) / extent[0], height * (1 - 2 * margin) / extent[1])
    placed = (px - (low + high) / 2.0) * scale + np.array([width / 2.0, height / 2.0])
    out[present, 0] = placed[present, 0] / width
    out[present, 1] = placed[present, 1] / height
    out[present, 2] = kp[present, 2]
    return out


def _target_3d(*, keypoints: np.ndarray, landmarks33: np.ndarray | None, width: int, height: int) -> np.ndarray:
    """(18, 3) target in camera axes (x right, y up, z towards the viewer), pixel units."""
    target = np.zeros((NUM_KEYPOINTS, 3))
    target[:, 0] = keypoints[:, 0] * width
    target[:, 1] = -keypoints[:, 1] * height
    if landmarks33 is not None and len(landmarks33) >= 33:
        lm = np.asarray(landmarks33, dtype=float)
        for i, source in enumerate(BLAZEPOSE_TO_COCO18):
            z = (lm[11, 2] + lm[12, 2]) / 2.0 if source is None else lm[source, 2]
            target[i, 2] = -z * width  # BlazePose: smaller z is nearer the camera
    return target


def _normalise(points: np.ndarray, weights: np.ndarray) -> np.ndarray:
    w = weights / max(weights.sum(), 1e-9)
    centred = points - (w[:, None] * points).sum(axis=0)
    scale = np.sqrt((w * (centred[:, :2] ** 2).sum(axis=1)).sum())
    return centred / max(scale, 1e-9)


def _pose_from(params: np.ndarray, *, clamp: bool = False) -> Pose:
    angles = {key: float(v) for key, v in zip(FIT_KEYS, params[: len(FIT_KEYS)], strict=True)}
    yaw, pitch, roll = (float(v) for v in params[len(FIT_KEYS):])
    return make_pose(angles=angles, root=Root(yaw=yaw, pitch=pitch, roll=roll), camera=_ORTHO, clamp=clamp)


def _model_points(params: np.ndarray) -> np.ndarray:
    skeleton = pose_joints_3d(pose=_pose_from(params, clamp=True))
    return skeleton.coco18() @ _AXES.T


def fit_pose(*, keypoints: np.ndarray, image_width: int, image_height: int,
             landmarks33: np.ndarray | None = None, max_evaluations: int = 600) -> PoseFit:
    """Fit the body model to a photo's pose (see the module docstring). `keypoints` is (18, 3)
    normalised to the photo; `landmarks33`, when given, adds BlazePose's depths."""
    keypoints = np.asarray(keypoints, dtype=float)
    weights = np.clip(keypoints[:, 2], 0.0, 1.0)
    weights[list(_FACE)] *= _FACE_WEIGHT
    if (weights > 0).sum() < 4:
        raise ValueError("too few visible joints to fit a pose")
    target = _normalise(_target_3d(keypoints=keypoints, landmarks33=landmarks33, width=image_width,
                                   height=image_height), weights)
    use_depth = landmarks33 is not None
    sqrt_w = np.sqrt(weights)

    def residuals(params: np.ndarray) -> np.ndarray:
        model = _normalise(_model_points(params), weights)
        diff = model - target
        parts = [(diff[:, :2] * sqrt_w[:, None]).ravel()]
        if use_depth:
            parts.append(diff[:, 2] * sqrt_w * _DEPTH_WEIGHT)
        parts.append(params[: len(FIT_KEYS)] / 90.0 * _PRIOR_WEIGHT)
        parts.append(params[len(FIT_KEYS) + 1:] / 90.0 * _UPRIGHT_WEIGHT)
        return np.concatenate(parts)

    low = np.array([DOF_BY_KEY[k].low for k in FIT_KEYS] + [b[0] for b in _ROOT_BOUNDS])
    high = np.array([DOF_BY_KEY[k].high for k in FIT_KEYS] + [b[1] for b in _ROOT_BOUNDS])
    rest = np.array([_START_ANGLES.get(k.partition("_")[2] or k, 0.0) for k in FIT_KEYS] + [0.0, 0.0, 0.0])
    starts = []
    for yaw in _YAW_STARTS:
        start = np.clip(rest.copy(), low, high)
        start[len(FIT_KEYS)] = yaw
        starts.append((float((residuals(start) ** 2).sum()), yaw, start))
    starts.sort(key=lambda s: s[0])
    best = None
    for _, _, start in starts[:_STARTS_KEPT]:
        result = least_squares(residuals, start, bounds=(low, high), method="trf", diff_step=1e-3,
                               max_nfev=max_evaluations, x_scale=30.0)
        if best is None or result.cost < best.cost:
            best = result
    if best is None:  # an explicit check: asserts vanish under `python -O`
        raise ValueError("no starting pose to fit from")
    fitted = _normalise(_model_points(best.x), weights)
    visible = weights > 0
    error = float(np.sqrt(((fitted[visible, :2] - target[visible, :2]) ** 2).sum(axis=1).mean()))
    pose = _pose_from(best.x, clamp=True)
    # The keypoints of the fitted pose, placed over the photo's (for checks and previews).
    photo = _target_3d(keypoints=keypoints, landmarks33=None, width=image_width, height=image_height)
    w = weights / weights.sum()
    centre = (w[:, None] * photo).sum(axis=0)
    scale = np.sqrt((w * ((photo[:, :2] - centre[:2]) ** 2).sum(axis=1)).sum())
    placed = fitted[:, :2] * scale + centre[:2]
    fitted_kp = np.ones((NUM_KEYPOINTS, 3))
    fitted_kp[:, 0] = placed[:, 0] / image_width
    fitted_kp[:, 1] = -placed[:, 1] / image_height
    return PoseFit(pose=pose, error=error, keypoints=fitted_kp)


def pose_for_rendering(pose: Pose) -> Pose:
    """The fitted pose seen by the default (perspective, front) camera used for library pictures."""
    return Pose(angles=pose.angles, root=pose.root, camera=Camera(), body=pose.body)
