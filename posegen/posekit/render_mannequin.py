"""Shaded 3D mannequin pictures of a pose: library previews, reference images and thumbnails.

An artist's-mannequin figure (ellipsoid head, chest, abdomen and pelvis; tapered limbs with ball
joints; hands and feet) ray-cast with a depth buffer and soft key lighting, outlined where one
part passes in front of another, standing in a photo studio with a floor shadow. Parts farther
from the camera are drawn slightly darker so left and right limbs read apart at thumbnail size.

    image = render_mannequin(pose=pose, width=192, height=256)   # (256, 192, 3) uint8 RGB
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from posegen.posekit.depth_canvas import DepthCanvas
from posegen.posekit.skeleton.pose import Pose
from posegen.posekit.skeleton.projection import ProjectedPose, project_pose
from posegen.posekit.studio import ShadowStroke, darken_floor, studio_backdrop

REFERENCE_SIZE = (768, 1024)
PREVIEW_SIZE = (512, 683)
THUMBNAIL_SIZE = (192, 256)

# Pixels ray-cast per picture when supersampling is automatic: small pictures are rendered larger
# and averaged down (smooth edges), large ones near their own size (speed).
_SUPERSAMPLE_BUDGET = 0.5e6
_MAX_SUPERSAMPLE = 2.0


@dataclass(frozen=True)
class MannequinStyle:
    body_color: tuple[int, int, int] = (222, 186, 146)
    joint_color: tuple[int, int, int] = (196, 156, 118)
    outline_color: tuple[int, int, int] = (74, 58, 46)
    backdrop_top: tuple[int, int, int] = (236, 234, 230)
    backdrop_bottom: tuple[int, int, int] = (200, 196, 190)
    margin: float = 0.08
    supersample: float | None = None  # None: chosen from the picture size
    depth_darkening: float = 0.28  # how much darker the farthest part is than the nearest


DEFAULT_STYLE = MannequinStyle()

# Limb segments: (from joint, to joint, radius at each end as a fraction of body height).
_LIMB_SEGMENTS: tuple[tuple[str, str, float, float], ...] = tuple(
    (f"{s}_{a}", f"{s}_{b}", ra, rb)
    for s in ("l", "r")
    for a, b, ra, rb in (
        ("shoulder", "elbow", 0.031, 0.023),
        ("elbow", "wrist", 0.023, 0.016),
        ("hip", "knee", 0.050, 0.033),
        ("knee", "ankle", 0.032, 0.020),
        ("heel", "toe", 0.020, 0.015),
    )
)
# Ball joints: (joint, radius as a fraction of body height).
_BALLS: tuple[tuple[str, float], ...] = tuple(
    (f"{s}_{j}", r)
    for s in ("l", "r")
    for j, r in (("shoulder", 0.036), ("elbow", 0.025), ("wrist", 0.017), ("knee", 0.034), ("ankle", 0.021))
)
# Torso ellipsoids: (frame joint, centre offset in that frame, semi-axes), fractions of height.
_TORSO: tuple[tuple[str, tuple[float, float, float], tuple[float, float, float]], ...] = (
    ("chest", (0.0, 0.105, -0.004), (0.098, 0.118, 0.066)),
    ("spine_base", (0.0, 0.062, 0.0), (0.082, 0.080, 0.057)),
    ("pelvis", (0.0, -0.012, -0.004), (0.098, 0.066, 0.064)),
)
_HEAD_AXES = (0.047, 0.067, 0.057)
# Floor-shadow footprint: joint pairs and their radius as a fraction of height.
_SHADOW_SEGMENTS: tuple[tuple[str, str, float], ...] = (
    ("pelvis", "chest", 0.10), ("chest", "neck", 0.09), ("neck", "head_top", 0.05),
    *((f"{s}_{a}", f"{s}_{b}", r) for s in ("l", "r") for a, b, r in (
        ("shoulder", "elbow", 0.03), ("elbow", "hand", 0.022), ("hip", "knee", 0.045),
        ("knee", "ankle", 0.03), ("heel", "toe", 0.03),
    )),
)


def render_mannequin(
    *,
    pose: Pose,
    width: int,
    height: int,
    style: MannequinStyle = DEFAULT_STYLE,
) -> np.ndarray:
    """(height, width, 3) uint8 RGB picture of ``pose`` seen from its camera, fitted in frame."""
    if width < 1 or height < 1:
        raise ValueError(f"picture size must be positive, got {width} x {height}")
    ss = style.supersample or _auto_supersample(width, height)
    rw, rh = max(1, round(width * ss)), max(1, round(height * ss))
    line = max(1, round(ss * max(1.0, max(width, height) / 600.0)))
    projected = project_pose(pose=pose, width=rw, height=rh, margin=style.margin, hide_averted_face=False,
                             fit_floor=True)
    screen = _Screen.of(projected)

    x0, y0, x1, y1 = _figure_window(screen, rw, rh, pad=line + 2)
    canvas = DepthCanvas(width=x1 - x0, height=y1 - y0, origin=(x0, y0))
    _draw_figure(canvas, projected, screen, style)

    image = studio_backdrop(width=rw, height=rh, top=style.backdrop_top, bottom=style.backdrop_bottom).copy()
    _cast_shadow(image, projected)
    rgb, covered = canvas.shade(depth_darkening=style.depth_darkening)
    cv2.copyTo(rgb, covered, dst=image[y0:y1, x0:x1])  # writes through the view
    _outline(image[y0:y1, x0:x1], canvas, screen, line, style, smooth=(rw, rh) == (width, height))
    if (rw, rh) != (width, height):
        image = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
    return image


def _auto_supersample(width: int, height: int) -> float:
    ss = min(_MAX_SUPERSAMPLE, math.sqrt(_SUPERSAMPLE_BUDGET / (width * height)))
    # Resampling by less than a quarter costs a resize and blurs without smoothing much.
    return ss if ss >= 1.25 else 1.0


@dataclass(frozen=True, eq=False)
class _Screen:
    """Joints in screen space: x, y in pixels and z = depth scaled by ``z_scale`` pixels per metre,
    with ``ppm`` the pixel size of one metre seen at each joint."""

    points: np.ndarray
    ppm: np.ndarray
    z_scale: float
    radii: np.ndarray  # joint radii in pixels

    @classmethod
    def of(cls, projected: ProjectedPose) -> _Screen:
        ppm = np.asarray(projected.view.pixels_per_metre(projected.points_depth), dtype=float)
        z_scale = float(np.median(ppm))
        points = np.column_stack([projected.points, projected.points_depth * z_scale])
        return cls(points, ppm, z_scale, projected.skeleton.radii * ppm)


def _figure_window(screen: _Screen, width: int, height: int, pad: int) -> tuple[int, int, int, int]:
    # Joint radii bound every part except the hands' and feet's tips, which the padding covers.
    reach = screen.radii[:, None] * 1.6 + pad
    low = np.floor((screen.points[:, :2] - reach).min(axis=0)).astype(int)
    high = np.ceil((screen.points[:, :2] + reach).max(axis=0)).astype(int)
    x0, y0 = max(int(low[0]), 0), max(int(low[1]), 0)
    x1, y1 = min(int(high[0]), width), min(int(high[1]), height)
    return x0, y0, max(x1, x0 + 1), max(y1, y0 + 1)


def _draw_figure(canvas: DepthCanvas, projected: ProjectedPose, screen: _Screen, style: MannequinStyle) -> None:
    skeleton = projected.skeleton
    view = projected.view
    h = skeleton.proportions.height
    body = np.asarray(style.body_color, dtype=np.float32)
    joint = np.asarray(style.joint_color, dtype=np.float32)
    flip = np.array([[1.0], [-1.0], [-1.0]])  # camera axes (y up, looking down -z) to screen axes
    at = skeleton.index

    def ellipsoid(frame_joint: str, centre_world: np.ndarray, semi: tuple[float, float, float]) -> None:
        centre_px, depth = view.project(centre_world[None])
        axes_world = skeleton.rotations[at(frame_joint)] * (np.asarray(semi) * h)[None, :]
        axes_screen = flip * (view.world_to_camera @ axes_world) * float(view.pixels_per_metre(depth[0]))
        centre = np.array([centre_px[0, 0], centre_px[0, 1], depth[0] * screen.z_scale])
        canvas.ellipsoid(centre=centre, axes=axes_screen, color=body)

    def capsule(a: str, b: str, radius_a: float, radius_b: float, color: np.ndarray, extend: float = 0.0) -> None:
        i, j = at(a), at(b)
        pa, pb = screen.points[i], screen.points[j]
        pb = pb + (pb - pa) * extend
        canvas.capsule(a=pa, b=pb, radius_a=radius_a * h * screen.ppm[i], radius_b=radius_b * h * screen.ppm[j],
                       color=color)

    for frame_joint, offset, semi in _TORSO:
        i = at(frame_joint)
        ellipsoid(frame_joint, skeleton.positions[i] + skeleton.rotations[i] @ (np.asarray(offset) * h), semi)
    ellipsoid("head", skeleton.position("head_centre"), _HEAD_AXES)
    # A nose makes the facing direction readable at any size.
    ellipsoid("head", skeleton.position("nose") - skeleton.rotations[at("head")] @ np.array([0.0, 0.0, 0.012 * h]),
              (0.011, 0.016, 0.013))
    capsule("neck", "head", 0.030, 0.026, body, extend=0.35)
    for a, b, ra, rb in _LIMB_SEGMENTS:
        capsule(a, b, ra, rb, body)
    for name, r in _BALLS:
        capsule(name, name, r, r, joint)
    for side in ("l", "r"):
        wrist, tip = skeleton.position(f"{side}_wrist"), skeleton.position(f"{side}_hand")
        # Hands: flat mitts from wrist to fingertips, palm normal along the wrist frame's x.
        half_length = 0.5 * float(np.linalg.norm(tip - wrist)) / h
        ellipsoid(f"{side}_wrist", (wrist + tip) / 2.0, (0.014, half_length, 0.026))


def _cast_shadow(image: np.ndarray, projected: ProjectedPose) -> None:
    """Darken the floor under the body: a wide soft shadow plus a tight one where it touches."""
    skeleton = projected.skeleton
    h = skeleton.proportions.height
    height = image.shape[0]
    soft, contact = [], []
    for a, b, r in _SHADOW_SEGMENTS:
        ends = skeleton.positions[[skeleton.index(a), skeleton.index(b)]]
        above = max(float(ends[:, 1].mean()) - r * h, 0.0)
        pixels, depth = projected.view.project(ends * np.array([1.0, 0.0, 1.0]))
        radius = r * h * float(np.mean(projected.view.pixels_per_metre(depth)))
        start, end = (float(pixels[0, 0]), float(pixels[0, 1])), (float(pixels[1, 0]), float(pixels[1, 1]))
        soft.append(ShadowStroke(start, end, radius * 1.6, 0.30 * math.exp(-above / (0.45 * h))))
        contact.append(ShadowStroke(start, end, radius, 0.35 * math.exp(-above / (0.03 * h))))
    darken_floor(image=image, layers=((soft, 0.035 * height), (contact, 0.008 * height)), max_density=0.6)


def _outline(
    image: np.ndarray, canvas: DepthCanvas, screen: _Screen, line: int, style: MannequinStyle, smooth: bool
) -> None:
    """Darken the nearer side of every silhouette and every depth step between parts; with
    ``smooth`` (no supersampling to do it) soften the stair-steps along those lines.

    ``image`` is the canvas window's part of the picture."""
    step = 0.04 * float(np.ptp(screen.points[:, 1]) + 1.0)
    ids, depth = canvas.ids, canvas.depth
    edge = np.zeros(ids.shape, dtype=bool)
    for lo, hi in (((slice(None, -1), slice(None)), (slice(1, None), slice(None))),
                   ((slice(None), slice(None, -1)), (slice(None), slice(1, None)))):
        with np.errstate(invalid="ignore"):
            jump = (ids[lo] != ids[hi]) & (np.abs(depth[lo] - depth[hi]) > step)
        front_lo = depth[lo] < depth[hi]
        edge[lo] |= jump & front_lo
        edge[hi] |= jump & ~front_lo
    if line > 1:
        edge = cv2.dilate(edge.view(np.uint8), np.ones((line, line), np.uint8)).view(bool)
    outline = np.asarray(style.outline_color, dtype=np.float32)
    image[edge] = (image[edge] * 0.3 + outline * 0.7 + 0.5).astype(np.uint8)
    if smooth:
        near_edge = cv2.dilate(edge.view(np.uint8), np.ones((3, 3), np.uint8))
        cv2.copyTo(cv2.GaussianBlur(image, (3, 3), 0), near_edge, dst=image)
