"""A pose as data: named joint angles, where the body lies in the room, and where the camera stands."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from posegen.posekit.skeleton.joints import (
    DOF_BY_KEY,
    PoseSpecError,
    check_limits,
    clamp_angle,
    expand_angles,
)
from posegen.posekit.skeleton.proportions import SEXES, BodyShape

POSE_DICT_VERSION = 1


def _finite(owner: str, name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PoseSpecError(f"{owner}.{name} must be a finite number, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class Root:
    """Placement of the whole body.

    The figure is first stood on the floor (its lowest point at height 0), then raised by ``lift``
    metres, so sitting, kneeling and lying poses need no hand-computed heights and a jump is just
    ``lift=0.3``. Orientation in degrees, applied roll, then pitch, then yaw: ``yaw`` turns the
    figure towards its own left, ``pitch`` tips it forward (90: lying face down, -90: on its
    back), ``roll`` tips it towards its left side (90: lying on the left side). ``x``/``z`` move
    it across the floor (metres; only relevant for several figures or the floor shadow).
    """

    yaw: float = 0.0
    pitch: float = 0.0
    roll: float = 0.0
    lift: float = 0.0
    x: float = 0.0
    z: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            object.__setattr__(self, f.name, _finite("root", f.name, getattr(self, f.name)))


@dataclass(frozen=True)
class Camera:
    """A camera orbiting the figure and always aimed at its centre.

    ``yaw`` moves the camera round towards the figure's left side (so the figure appears turned to
    the viewer's left; 35-45 gives a 3/4 view, 90 a profile), ``pitch`` raises it to look down
    (negative: from below), ``roll`` turns the camera clockwise about its line of sight, so the
    figure leans counter-clockwise in the picture. ``distance`` in metres sets the
    perspective (the picture is always scaled to fit the canvas); ``None`` is orthographic.
    """

    yaw: float = 0.0
    pitch: float = 0.0
    roll: float = 0.0
    distance: float | None = 4.0

    def __post_init__(self) -> None:
        for name in ("yaw", "pitch", "roll"):
            object.__setattr__(self, name, _finite("camera", name, getattr(self, name)))
        if not -89.0 <= self.pitch <= 89.0:
            raise PoseSpecError(f"camera.pitch = {self.pitch:g} is outside -89..89 degrees")
        if self.distance is not None:
            distance = _finite("camera", "distance", self.distance)
            if distance < 1.0:
                raise PoseSpecError(f"camera.distance = {distance:g} m is too close; use at least 1 m")
            object.__setattr__(self, "distance", distance)


@dataclass(frozen=True)
class Pose:
    """Joint angles in degrees plus root, camera and body shape.

    ``angles`` accepts the same keys as :func:`make_pose` and is stored canonically: sided keys
    (``"l_elbow.flexion"``) in a fixed order, zero angles dropped, so equal poses compare equal.
    Angles outside their limits raise :class:`PoseSpecError`.
    """

    angles: Mapping[str, float] = field(default_factory=dict)
    root: Root = field(default_factory=Root)
    camera: Camera = field(default_factory=Camera)
    body: BodyShape = field(default_factory=BodyShape)

    def __post_init__(self) -> None:
        canonical = expand_angles(self.angles)
        check_limits(canonical)
        ordered = {k: canonical[k] for k in DOF_BY_KEY if canonical.get(k, 0.0) != 0.0}
        object.__setattr__(self, "angles", ordered)
        for name, cls in (("root", Root), ("camera", Camera), ("body", BodyShape)):
            if not isinstance(getattr(self, name), cls):
                raise PoseSpecError(f"pose.{name} must be a {cls.__name__}, got {getattr(self, name)!r}")

    def angle(self, key: str) -> float:
        if key not in DOF_BY_KEY:
            raise PoseSpecError(f"unknown angle {key!r}")
        return float(self.angles.get(key, 0.0))


def make_pose(
    *,
    angles: Mapping[str, float] | None = None,
    root: Root | None = None,
    camera: Camera | None = None,
    body: BodyShape | None = None,
    clamp: bool = False,
) -> Pose:
    """A validated pose. Keys without a side ("knee.flexion") set both sides; a sided key
    overrides. Angles outside their limits raise :class:`PoseSpecError`, or with ``clamp`` are
    pulled back to the limit."""
    canonical = expand_angles(angles or {})
    if clamp:
        canonical = {k: clamp_angle(k, v) for k, v in canonical.items()}
    return Pose(angles=canonical, root=root or Root(), camera=camera or Camera(), body=body or BodyShape())


def pose_with(*, pose: Pose, angles: Mapping[str, float] | None = None, **parts: Any) -> Pose:
    """A copy with some angles changed (same key rules as :func:`make_pose`) and/or ``root``,
    ``camera`` or ``body`` replaced."""
    unknown = set(parts) - {"root", "camera", "body"}
    if unknown:
        raise PoseSpecError(f"pose_with got unknown parts: {', '.join(sorted(unknown))}")
    merged = {**pose.angles, **expand_angles(angles or {})}
    return Pose(angles=merged, root=parts.get("root", pose.root),
                     camera=parts.get("camera", pose.camera), body=parts.get("body", pose.body))


def pose_to_dict(*, pose: Pose) -> dict[str, Any]:
    """Plain JSON-ready dict; zero angles and default root/camera fields are left out."""
    return {
        "version": POSE_DICT_VERSION,
        "angles": dict(pose.angles),
        "root": _non_default(pose.root, Root()),
        "camera": _non_default(pose.camera, Camera()),
        "body": {"height": pose.body.height, "sex": pose.body.sex},
    }


def pose_from_dict(*, data: Mapping[str, Any]) -> Pose:
    """Inverse of :func:`pose_to_dict`; every missing part takes its default."""
    if not isinstance(data, Mapping):
        raise PoseSpecError(f"a pose dict must be an object, got {type(data).__name__}")
    version = data.get("version", POSE_DICT_VERSION)
    if version != POSE_DICT_VERSION:
        raise PoseSpecError(f"pose dict version {version!r} is not supported (expected {POSE_DICT_VERSION})")
    unknown = set(data) - {"version", "angles", "root", "camera", "body"}
    if unknown:
        raise PoseSpecError(f"pose dict has unknown keys: {', '.join(sorted(map(str, unknown)))}")
    angles = _section(data, "angles")
    body = _section(data, "body")
    if "sex" in body and body["sex"] not in SEXES:
        raise PoseSpecError(f"body.sex must be one of {', '.join(SEXES)}, got {body['sex']!r}")
    return make_pose(
        angles=angles,
        root=_build(Root, _section(data, "root"), "root"),
        camera=_build(Camera, _section(data, "camera"), "camera"),
        body=_build(BodyShape, body, "body"),
    )


def _section(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    section = data.get(name) or {}
    if not isinstance(section, Mapping):
        raise PoseSpecError(f"pose dict {name} must be an object, got {type(section).__name__}")
    return section


def _build(cls: type, values: Mapping[str, Any], owner: str) -> Any:
    allowed = {f.name for f in fields(cls)}
    unknown = set(values) - allowed
    if unknown:
        raise PoseSpecError(f"{owner} has unknown keys: {', '.join(sorted(map(str, unknown)))}")
    return cls(**values)


def _non_default(value: Any, default: Any) -> dict[str, Any]:
    return {f.name: getattr(value, f.name) for f in fields(value)
            if getattr(value, f.name) != getattr(default, f.name)}

