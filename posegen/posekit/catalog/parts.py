"""The pose vocabulary: stances, arm gestures, leg variants, head moves and camera views.

The stances live in ``catalog.stances`` and the arm gestures in ``catalog.arm_gestures``; both are
re-exported here, so ``from posegen.posekit.catalog.parts import STANCES, ARM_GESTURES`` stays the
one import for the whole vocabulary.

Text-to-pose and the studio catalogue both build poses from these parts, so a phrase such as
"sitting on a chair, right hand on chin, 3/4 left" and the catalogue pose "Thinking, hand on chin,
seated · 3/4 left" are the same angles. Every part is plain skeleton angles (see
``posekit.skeleton``): arm gestures are written for one arm with unsided keys and applied to
either side, because the skeleton's angles are anatomical (the same value is the same movement
on the left and the right).

Left and right. *Body parts* are the model's own: "right hand" is the hand OpenPose calls
``r_wrist``, on the picture's left in a front view. *Directions* are the picture's, as the
viewer sees the result: "looking left", "pointing left", "3/4 left" and "profile left" all turn
towards the left edge of the picture.

The arm angles were fitted (offline, by inverse kinematics on the skeleton with
``catalog.anatomy`` as a penalty) to hand positions on a 1.70 m figure, e.g. the wrist at the
side of the waist with the elbow out for "hand on hip"; the targets are noted beside each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from posegen.posekit.catalog.arm_gestures import ARM_GESTURES, ArmGesture
from posegen.posekit.catalog.stances import (
    CROUCHING,
    FAMILIES,
    JUMPING,
    KNEELING,
    LYING,
    RUNNING,
    SITTING_CHAIR,
    SITTING_FLOOR,
    STANCES,
    STANDING,
    WALKING,
    Stance,
    frozen_angles,
)
from posegen.posekit.skeleton import Camera, Pose, Root, make_pose
from posegen.posekit.skeleton.joints import expand_angles
from posegen.posekit.skeleton.proportions import BodyShape

__all__ = [
    "ARM_GESTURES",
    "CROUCHING",
    "FAMILIES",
    "HEAD_MOVES",
    "JUMPING",
    "KNEELING",
    "LYING",
    "RUNNING",
    "SIDES",
    "SIDE_WORD",
    "SITTING_CHAIR",
    "SITTING_FLOOR",
    "STANCES",
    "STANDING",
    "VIEWS",
    "WALKING",
    "ArmGesture",
    "HeadMove",
    "PoseParts",
    "Stance",
    "View",
    "arm_angles",
    "build_pose",
    "facing_camera_turn",
    "other",
    "sided",
]

SIDES = ("l", "r")
SIDE_WORD = {"l": "left", "r": "right"}


def sided(angles: Mapping[str, float], side: str) -> dict[str, float]:
    """One arm's or leg's unsided angles ("elbow.flexion") as that side's keys ("r_elbow.flexion")."""
    return {f"{side}_{key}": value for key, value in angles.items()}


def other(side: str) -> str:
    return "r" if side == "l" else "l"


# --------------------------------------------------------------------------------------------
# Head moves and camera views.


@dataclass(frozen=True)
class HeadMove:
    key: str
    label: str
    angles: Mapping[str, float]

    def __post_init__(self) -> None:
        object.__setattr__(self, "angles", frozen_angles(self.angles))


# Turns are towards the picture's left/right in a front view (the model's right/left).
HEAD_MOVES: dict[str, HeadMove] = {h.key: h for h in (
    HeadMove("turn_left", "looking left", {"neck.turn": -45}),
    HeadMove("turn_right", "looking right", {"neck.turn": 45}),
    HeadMove("up", "looking up", {"neck.flexion": -28}),
    HeadMove("down", "looking down", {"neck.flexion": 32}),
    HeadMove("tilt_left", "head tilted", {"neck.tilt": -15}),
    HeadMove("tilt_right", "head tilted", {"neck.tilt": 15}),
)}


@dataclass(frozen=True)
class View:
    key: str
    label: str  # "3/4 left"
    yaw: float  # camera yaw: positive turns the figure towards the picture's left
    tags: tuple[str, ...] = ()


VIEWS: dict[str, View] = {v.key: v for v in (
    View("front", "front view", 0.0, ("front view",)),
    View("three_quarter_left", "3/4 left", 40.0, ("3/4 view", "three quarter")),
    View("three_quarter_right", "3/4 right", -40.0, ("3/4 view", "three quarter")),
    View("profile_left", "profile left", 90.0, ("side view", "profile")),
    View("profile_right", "profile right", -90.0, ("side view", "profile")),
    View("back", "back view", 180.0, ("back view", "from behind")),
    View("back_three_quarter_left", "back 3/4 left", 140.0, ("back view", "3/4 view")),
    View("back_three_quarter_right", "back 3/4 right", -140.0, ("back view", "3/4 view")),
)}


def facing_camera_turn(view: View) -> float:
    """The neck turn that points the face back at the camera from ``view`` (within the neck's range)."""
    yaw = ((view.yaw + 180.0) % 360.0) - 180.0
    if abs(yaw) > 100.0:  # from behind: over the shoulder, as far as the neck goes
        return max(-75.0, min(75.0, 75.0 if yaw > 0 else -75.0))
    return max(-75.0, min(75.0, yaw * 0.85))


# --------------------------------------------------------------------------------------------
# A pose written as parts.


@dataclass(frozen=True)
class PoseParts:
    """A pose as parts: stance, each arm's gesture, head moves, view and body. ``extra`` angles
    are applied last (fine adjustments a catalogue entry needs)."""

    stance: str = "standing"
    left_arm: str | None = None  # None: the stance's resting arms
    right_arm: str | None = None
    head: tuple[str, ...] = ()
    face_camera: bool = False
    view: str = "front"
    sex: str = "neutral"
    extra: Mapping[str, float] = field(default_factory=dict)
    root: Root | None = None  # replaces the stance's (named poses: a dancer's forward tilt)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", frozen_angles(self.extra))

    def arms(self) -> tuple[str, str]:
        rest = STANCES[self.stance].rest_arms
        return (self.left_arm or rest[0], self.right_arm or rest[1])

    def structure(self) -> dict:
        """The JSON description stored with a pose (``pose_structure``)."""
        left, right = self.arms()
        return {
            "stance": self.stance,
            "family": STANCES[self.stance].family,
            "arms": {"left": left, "right": right},
            "head": list(self.head) + (["face_camera"] if self.face_camera else []),
            "view": self.view,
            "body": self.sex,
        }


def arm_angles(*, gesture: str, side: str, paired_with: str | None = None) -> dict[str, float]:
    """The sided angles for ``gesture`` on ``side``. A two-arm gesture (arms crossed) uses its
    partner's angles on the right arm when both arms make it."""
    spec = ARM_GESTURES[gesture]
    if spec.partner is not None and paired_with == gesture and side == "r":
        return sided(spec.partner, side)
    return sided(spec.angles, side)


_ARM_JOINTS = ("shoulder", "elbow", "wrist")


def _wrapped(yaw: float) -> float:
    return ((yaw + 180.0) % 360.0) - 180.0


def build_pose(parts: PoseParts) -> Pose:
    """The skeleton pose for ``parts`` (angles clamped to their limits)."""
    stance = STANCES[parts.stance]
    view = VIEWS[parts.view]
    left, right = parts.arms()
    angles: dict[str, float] = expand_angles(stance.angles)  # sided keys, a sided key winning
    for side, gesture, partner in (("l", left, right), ("r", right, left)):
        if gesture == "down" and any(k[2:].split(".")[0] == "shoulder" for k in stance.angles if k[:2] == f"{side}_"):
            continue  # walking and running keep their arm swing
        for key in [k for k in angles if k[:2] == f"{side}_" and k[2:].split(".")[0] in _ARM_JOINTS]:
            del angles[key]
        angles.update(arm_angles(gesture=gesture, side=side, paired_with=partner))
    # Picture-relative head moves turn the other way when the camera is behind the figure.
    flip = -1.0 if abs(_wrapped(view.yaw)) > 90.0 else 1.0
    for move in parts.head:
        for key, value in HEAD_MOVES[move].angles.items():
            sign = flip if key in ("neck.turn", "neck.tilt") else 1.0
            angles[key] = angles.get(key, 0.0) + sign * value
    if parts.face_camera:
        angles["neck.turn"] = angles.get("neck.turn", 0.0) + facing_camera_turn(view)
    angles.update(expand_angles(parts.extra))
    camera = Camera(yaw=view.yaw, pitch=stance.camera_pitch)
    return make_pose(angles=angles, root=parts.root or stance.root, camera=camera, body=BodyShape(sex=parts.sex),
                     clamp=True)
