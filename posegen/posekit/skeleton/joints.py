"""The named angles a pose is written in, and how far each may go.

Every angle is in degrees and zero everywhere is the rest pose: standing upright, facing the camera,
arms hanging at the sides with the palms towards the thighs. Angles are anatomical, so the same
value means the same movement on either side ("l_elbow.flexion": 90 and "r_elbow.flexion": 90
both bend the forearm forward).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


class PoseSpecError(ValueError):
    """A pose, angle name, angle value or pose dict that the body model cannot accept."""


@dataclass(frozen=True)
class Dof:
    """One named degree of freedom, e.g. ``l_knee.flexion`` limited to 0..155 degrees."""

    joint: str
    axis: str
    low: float
    high: float

    @property
    def key(self) -> str:
        return f"{self.joint}.{self.axis}"


# Limits are active ranges of healthy adults, slightly generous so dance and yoga poses fit.
# Positive directions: spine/neck flexion bends forward, lateral/tilt leans towards the figure's
# left, twist/turn faces it to its left; limb flexion moves the limb forward (the knee's flexion
# folds the shin backward, the ankle's lifts the toes); abduction moves the limb away from the
# body's midline; rotation turns the limb's front inward (internal rotation).
_CENTRAL_DOFS: dict[str, dict[str, tuple[float, float]]] = {
    "spine": {"flexion": (-30.0, 90.0), "lateral": (-35.0, 35.0), "twist": (-45.0, 45.0)},
    "neck": {"flexion": (-50.0, 70.0), "tilt": (-40.0, 40.0), "turn": (-80.0, 80.0)},
}
_LIMB_DOFS: dict[str, dict[str, tuple[float, float]]] = {
    "shoulder": {"flexion": (-60.0, 180.0), "abduction": (-40.0, 180.0), "rotation": (-90.0, 90.0)},
    "elbow": {"flexion": (0.0, 150.0)},
    "wrist": {"flexion": (-70.0, 80.0)},
    "hip": {"flexion": (-30.0, 140.0), "abduction": (-35.0, 70.0), "rotation": (-45.0, 50.0)},
    "knee": {"flexion": (0.0, 155.0)},
    "ankle": {"flexion": (-50.0, 30.0)},
}
SIDES: tuple[str, str] = ("l", "r")
LIMB_JOINTS: tuple[str, ...] = tuple(_LIMB_DOFS)

DOFS: tuple[Dof, ...] = tuple(
    [Dof(j, a, lo, hi) for j, axes in _CENTRAL_DOFS.items() for a, (lo, hi) in axes.items()]
    + [
        Dof(f"{side}_{j}", a, lo, hi)
        for side in SIDES
        for j, axes in _LIMB_DOFS.items()
        for a, (lo, hi) in axes.items()
    ]
)
DOF_BY_KEY: dict[str, Dof] = {d.key: d for d in DOFS}
ANGLE_KEYS: tuple[str, ...] = tuple(DOF_BY_KEY)

# Axes whose sign flips when a pose is mirrored left-right (the rest swap sides unchanged).
MIRROR_NEGATED_AXES: frozenset[str] = frozenset({"spine.lateral", "spine.twist", "neck.tilt", "neck.turn"})


def mirror_key(key: str) -> str:
    """The partner of an angle key on the other side (central keys are their own partner)."""
    if key[:2] == "l_":
        return "r_" + key[2:]
    if key[:2] == "r_":
        return "l_" + key[2:]
    return key


def expand_angles(angles: Mapping[str, float]) -> dict[str, float]:
    """Canonical angle dict: "elbow.flexion" sets both sides, unknown names raise.

    A sided key wins over the both-sides key, so ``{"hip.flexion": 90, "l_hip.flexion": 60}``
    reads naturally as "both hips 90, except the left at 60".
    """
    both: dict[str, float] = {}
    sided: dict[str, float] = {}
    for key, value in angles.items():
        number = _as_angle(key, value)
        if key in DOF_BY_KEY:
            sided[key] = number
        elif f"l_{key}" in DOF_BY_KEY:
            both[f"l_{key}"] = number
            both[f"r_{key}"] = number
        else:
            raise PoseSpecError(f"unknown angle {key!r}; known angles: {', '.join(_public_names())}")
    return {**both, **sided}


def check_limits(angles: Mapping[str, float]) -> None:
    for key, value in angles.items():
        dof = DOF_BY_KEY[key]
        if not dof.low <= value <= dof.high:
            raise PoseSpecError(f"{key} = {value:g} is outside its limits {dof.low:g}..{dof.high:g} degrees")


def clamp_angle(key: str, value: float) -> float:
    dof = DOF_BY_KEY[key]
    return min(max(value, dof.low), dof.high)


def _as_angle(key: object, value: object) -> float:
    if not isinstance(key, str):
        raise PoseSpecError(f"angle names must be strings, got {key!r}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PoseSpecError(f"angle {key} must be a number of degrees, got {value!r}")
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise PoseSpecError(f"angle {key} must be finite, got {value!r}")
    return number


def _public_names() -> list[str]:
    return [*(f"{j}.{a}" for j, axes in _CENTRAL_DOFS.items() for a in axes),
            *(f"[l_|r_]{j}.{a}" for j, axes in _LIMB_DOFS.items() for a in axes)]
