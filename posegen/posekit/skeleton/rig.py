"""The joint tree of the body and forward kinematics from a :class:`Pose` to 3D positions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from posegen.posekit.keypoints import COCO18_NAMES
from posegen.posekit.skeleton.pose import Pose, Root
from posegen.posekit.skeleton.proportions import Proportions, body_proportions
from posegen.posekit.skeleton.rotations import mirrored, rot_x, rot_y, rot_z, swing_twist


@dataclass(frozen=True, eq=False)
class Skeleton3D:
    """World positions (metres; y up, floor at y = 0) of every joint of a posed body."""

    names: tuple[str, ...]
    positions: np.ndarray  # (J, 3)
    rotations: np.ndarray  # (J, 3, 3): each joint's frame, i.e. where its children's bones point
    radii: np.ndarray  # (J,): body half-thickness at the joint, metres
    proportions: Proportions

    def index(self, name: str) -> int:
        return _joint_index(self.names)[name]

    def position(self, name: str) -> np.ndarray:
        return self.positions[self.index(name)]

    def coco18(self) -> np.ndarray:
        """(18, 3) positions in COCO-18 order."""
        return self.positions[list(COCO18_RIG_INDEX)]


@lru_cache(maxsize=8)
def _joint_index(names: tuple[str, ...]) -> dict[str, int]:
    return {n: i for i, n in enumerate(names)}


# (name, parent, rest offset from the parent, radius); lengths come from Proportions and radii
# are fractions of height. Face points hang off the skull-base pivot "head" so nodding moves them.
def _rig_table(p: Proportions) -> list[tuple[str, str | None, tuple[float, float, float], float]]:
    h = p.height
    torso_upper = p.shoulder_height - p.pelvis_height - p.lumbar
    above_pivot = p.shoulder_height + p.head_pivot  # floor to the skull-base pivot
    table: list[tuple[str, str | None, tuple[float, float, float], float]] = [
        ("pelvis", None, (0.0, 0.0, 0.0), 0.065 * h),
        ("spine_base", "pelvis", (0.0, 0.0, 0.0), 0.065 * h),
        ("chest", "spine_base", (0.0, p.lumbar, 0.0), 0.07 * h),
        ("neck", "chest", (0.0, torso_upper, 0.0), 0.035 * h),
        ("head", "neck", (0.0, p.head_pivot, 0.0), 0.03 * h),
        ("head_centre", "head", (0.0, 0.925 * h - above_pivot, 0.005 * h), 0.06 * h),
        ("head_top", "head", (0.0, h - above_pivot, 0.0), 0.0),
        ("nose", "head", (0.0, 0.905 * h - above_pivot, 0.068 * h), 0.004 * h),
    ]
    for side, sign in (("l", 1.0), ("r", -1.0)):
        table += [
            (f"{side}_eye", "head", (sign * 0.017 * h, 0.932 * h - above_pivot, 0.052 * h), 0.0),
            (f"{side}_ear", "head", (sign * 0.047 * h, 0.922 * h - above_pivot, 0.0), 0.0),
            (f"{side}_shoulder", "chest", (sign * p.shoulder_half_width, torso_upper, 0.0), 0.035 * h),
            (f"{side}_elbow", f"{side}_shoulder", (0.0, -p.upper_arm, 0.0), 0.022 * h),
            (f"{side}_wrist", f"{side}_elbow", (0.0, -p.forearm, 0.0), 0.017 * h),
            (f"{side}_hand", f"{side}_wrist", (0.0, -p.hand, 0.0), 0.008 * h),
            (f"{side}_hip", "pelvis", (sign * p.hip_half_width, -0.015 * h, 0.0), 0.05 * h),
            (f"{side}_knee", f"{side}_hip", (0.0, -p.thigh, 0.0), 0.03 * h),
            (f"{side}_ankle", f"{side}_knee", (0.0, -p.shank, 0.0), 0.022 * h),
            (f"{side}_toe", f"{side}_ankle", (0.0, 0.012 * h - p.ankle_height, p.foot_forward), 0.012 * h),
            (f"{side}_heel", f"{side}_ankle", (0.0, 0.015 * h - p.ankle_height, -p.heel_back), 0.015 * h),
        ]
    return table


@dataclass(frozen=True, eq=False)
class _Rig:
    names: tuple[str, ...]
    parents: tuple[int, ...]  # -1 for the root; every parent precedes its children
    offsets: np.ndarray
    radii: np.ndarray


@lru_cache(maxsize=16)
def _rig(p: Proportions) -> _Rig:
    table = _rig_table(p)
    names = tuple(row[0] for row in table)
    index = {n: i for i, n in enumerate(names)}
    parents = tuple(-1 if row[1] is None else index[row[1]] for row in table)
    return _Rig(names, parents, np.array([row[2] for row in table]), np.array([row[3] for row in table]))


def _half(angles: Mapping[str, float], joint: str, axes: tuple[str, str, str]) -> np.ndarray:
    flex, lateral, twist = (angles.get(f"{joint}.{a}", 0.0) / 2.0 for a in axes)
    return swing_twist(about_x=flex, about_z=-lateral, twist=twist)


def _limb(angles: Mapping[str, float], joint: str) -> np.ndarray:
    flex, abd, rot = (angles.get(f"{joint}.{a}", 0.0) for a in ("flexion", "abduction", "rotation"))
    return swing_twist(about_x=-flex, about_z=abd, twist=-rot)


def _hinge(make: Callable[[float], np.ndarray], sign: float) -> Callable[[Mapping[str, float], str], np.ndarray]:
    return lambda angles, joint: make(sign * angles.get(f"{joint}.flexion", 0.0))


# Which rotation each joint applies to its children, written for the left side; the spine and
# neck split their bend between two joints so the curve is smooth rather than one sharp kink.
_SPINE = ("flexion", "lateral", "twist")
_NECK = ("flexion", "tilt", "turn")
_LOCAL: dict[str, Callable[[Mapping[str, float], str], np.ndarray]] = {
    "spine_base": lambda a, _j: _half(a, "spine", _SPINE),
    "chest": lambda a, _j: _half(a, "spine", _SPINE),
    "neck": lambda a, _j: _half(a, "neck", _NECK),
    "head": lambda a, _j: _half(a, "neck", _NECK),
    "shoulder": _limb,
    "hip": _limb,
    "elbow": _hinge(rot_x, -1.0),  # forearm swings forward
    "knee": _hinge(rot_x, 1.0),  # shin swings backward
    "ankle": _hinge(rot_x, -1.0),  # toes rise
    "wrist": _hinge(rot_z, -1.0),  # palm (facing the thigh at rest) leads
}


def root_rotation(root: Root) -> np.ndarray:
    return rot_y(root.yaw) @ rot_x(root.pitch) @ rot_z(-root.roll)


def local_rotation(angles: Mapping[str, float], joint: str) -> np.ndarray | None:
    """The rotation a joint applies to its children, or None for a rigid one."""
    side, _, base = joint.partition("_")
    if base and side in ("l", "r") and base in _LOCAL:
        rotation = _LOCAL[base](angles, joint)
        return rotation if side == "l" else mirrored(rotation)
    make = _LOCAL.get(joint)
    return None if make is None else make(angles, joint)


def pose_joints_3d(*, pose: Pose) -> Skeleton3D:
    """Forward kinematics: every joint's world position, stood on the floor per ``pose.root``."""
    proportions = body_proportions(shape=pose.body)
    rig = _rig(proportions)
    count = len(rig.names)
    positions = np.zeros((count, 3))
    rotations = np.zeros((count, 3, 3))
    for i, (name, parent) in enumerate(zip(rig.names, rig.parents, strict=True)):
        if parent < 0:
            frame = root_rotation(pose.root)
        else:
            positions[i] = positions[parent] + rotations[parent] @ rig.offsets[i]
            frame = rotations[parent]
        local = local_rotation(pose.angles, name)
        rotations[i] = frame if local is None else frame @ local
    # Stand the body on the floor (lowest surface point at y = 0), then apply lift and placement.
    floor = float(np.min(positions[:, 1] - rig.radii))
    positions += np.array([pose.root.x, pose.root.lift - floor, pose.root.z])
    return Skeleton3D(rig.names, positions, rotations, rig.radii.copy(), proportions)


def _coco18_rig_index() -> tuple[int, ...]:
    names = _rig(body_proportions(shape=Pose().body)).names
    return tuple(names.index(n) for n in COCO18_NAMES)


COCO18_RIG_INDEX: tuple[int, ...] = _coco18_rig_index()
