"""Segment lengths of the body as fractions of standing height (anthropometric averages)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from posegen.posekit.skeleton.joints import PoseSpecError

Sex = Literal["male", "female", "neutral"]
SEXES: tuple[str, ...] = ("male", "female", "neutral")


@dataclass(frozen=True)
class BodyShape:
    """Who is posing: standing height in metres and the proportion variant."""

    height: float = 1.70
    sex: Sex = "neutral"

    def __post_init__(self) -> None:
        if isinstance(self.height, bool) or not isinstance(self.height, int | float):
            raise PoseSpecError(f"body height must be a number of metres, got {self.height!r}")
        if not 0.5 <= self.height <= 2.5:
            raise PoseSpecError(f"body height {self.height:g} m is outside 0.5..2.5 m")
        if self.sex not in SEXES:
            raise PoseSpecError(f"body sex must be one of {', '.join(SEXES)}, got {self.sex!r}")


@dataclass(frozen=True)
class Proportions:
    """Lengths in metres. Heights are of joint centres above the floor when standing at rest."""

    height: float
    shoulder_half_width: float  # midline to shoulder joint centre
    hip_half_width: float  # midline to hip joint centre
    upper_arm: float
    forearm: float
    hand: float  # wrist to fingertip
    thigh: float
    shank: float  # knee to ankle
    ankle_height: float
    foot_forward: float  # ankle to toe tip, along the floor
    heel_back: float  # ankle to back of heel
    pelvis_height: float  # the root: between the hip joints, a little above them
    shoulder_height: float  # = the COCO "neck" point, midway between the shoulders
    lumbar: float  # pelvis to the lower chest, where the spine's bend is split
    head_pivot: float  # neck point up to the skull base, where the head nods


# Fractions of height after Drillis & Contini's segment table, with joint-centre widths; the
# female variant has narrower shoulders, wider hips and slightly shorter arms and feet.
_MALE = {
    "shoulder_half_width": 0.105, "hip_half_width": 0.052, "upper_arm": 0.186, "forearm": 0.146,
    "hand": 0.108, "thigh": 0.245, "shank": 0.246, "ankle_height": 0.039, "foot_forward": 0.115,
    "heel_back": 0.035, "lumbar": 0.100, "head_pivot": 0.045,
}
_FEMALE = {
    "shoulder_half_width": 0.095, "hip_half_width": 0.058, "upper_arm": 0.182, "forearm": 0.141,
    "hand": 0.104, "thigh": 0.248, "shank": 0.244, "ankle_height": 0.039, "foot_forward": 0.110,
    "heel_back": 0.033, "lumbar": 0.100, "head_pivot": 0.045,
}
_SHOULDER_HEIGHT = 0.818
_PELVIS_ABOVE_HIPS = 0.015


def body_proportions(*, shape: BodyShape) -> Proportions:
    """Scale the standard fractions to ``shape.height`` for ``shape.sex``."""
    if shape.sex == "male":
        table = _MALE
    elif shape.sex == "female":
        table = _FEMALE
    else:
        table = {k: (_MALE[k] + _FEMALE[k]) / 2.0 for k in _MALE}
    h = float(shape.height)
    scaled = {k: v * h for k, v in table.items()}
    hip_height = scaled["ankle_height"] + scaled["shank"] + scaled["thigh"]
    return Proportions(
        height=h,
        pelvis_height=hip_height + _PELVIS_ABOVE_HIPS * h,
        shoulder_height=_SHOULDER_HEIGHT * h,
        **scaled,
    )

