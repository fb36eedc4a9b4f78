"""The pose vocabulary's stances: what the legs, spine and root do for each way of standing, walking,
sitting, kneeling, crouching and lying; the arms hang unless a gesture is applied.

Part of ``catalog.parts`` (which re-exports everything here); the left/right conventions and how the
angles were fitted are described there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from posegen.posekit.skeleton import Root


def frozen_angles(angles: Mapping[str, float]) -> Mapping[str, float]:
    """A read-only copy of a part's angles: the vocabularies are shared module state."""
    return MappingProxyType(dict(angles))


STANDING, WALKING, RUNNING, JUMPING = "standing", "walking", "running", "jumping"
SITTING_CHAIR, SITTING_FLOOR, KNEELING, CROUCHING, LYING = (
    "sitting_chair", "sitting_floor", "kneeling", "crouching", "lying",
)
FAMILIES = (STANDING, WALKING, RUNNING, JUMPING, SITTING_CHAIR, SITTING_FLOOR, KNEELING, CROUCHING, LYING)


@dataclass(frozen=True)
class Stance:
    key: str
    family: str
    label: str  # "sitting on a chair"
    angles: Mapping[str, float]
    root: Root = field(default_factory=Root)
    camera_pitch: float = 0.0  # how far above the figure the camera looks down from, to read the pose
    # Where the hands may not go: floor stances need hands above or on the floor, not hanging.
    arms_free: bool = True
    # Stance-specific arm placement used when no gesture is asked for ("down" would sink into the
    # floor or the thighs); (left, right) gesture keys.
    rest_arms: tuple[str, str] = ("down", "down")
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "angles", frozen_angles(self.angles))


_SIT = {"hip.flexion": 90, "knee.flexion": 90, "hip.abduction": 4}

STANCES: dict[str, Stance] = {s.key: s for s in (
    Stance("standing", STANDING, "standing", {"hip.abduction": 3}, tags=("standing",)),
    # Weight on the left leg, right knee softly bent, hips dropped towards the relaxed side.
    Stance("standing_relaxed", STANDING, "standing, weight on one leg",
           {"r_knee.flexion": 18, "r_hip.flexion": 10, "r_ankle.flexion": -8, "l_hip.abduction": 5,
            "r_hip.abduction": 2, "spine.lateral": 4}, tags=("standing", "relaxed", "contrapposto")),
    Stance("standing_wide", STANDING, "standing, wide stance", {"hip.abduction": 13},
           tags=("standing", "wide stance", "power pose")),
    Stance("standing_ankles_crossed", STANDING, "standing, ankles crossed",
           {"l_hip.abduction": -10, "l_hip.flexion": 4, "r_hip.abduction": 6, "l_knee.flexion": 8},
           tags=("standing", "legs crossed")),
    Stance("standing_knee_pop", STANDING, "standing, one knee bent",
           {"l_hip.flexion": 22, "l_knee.flexion": 40, "l_ankle.flexion": -25, "l_hip.rotation": 15},
           tags=("standing", "knee bent", "fashion")),
    Stance("standing_step", STANDING, "stepping forward",
           {"l_hip.flexion": 22, "l_knee.flexion": 6, "r_hip.flexion": -12, "r_knee.flexion": 8,
            "r_ankle.flexion": -12}, tags=("standing", "stepping")),
    Stance("standing_knee_up", STANDING, "standing on one leg, knee raised",
           {"l_hip.flexion": 85, "l_knee.flexion": 95, "l_ankle.flexion": -20},
           tags=("standing", "one knee up", "balance")),
    Stance("standing_tiptoe", STANDING, "standing on tiptoe", {"ankle.flexion": -38, "hip.abduction": 2},
           tags=("standing", "tiptoe")),
    Stance("standing_lean_back", STANDING, "leaning back against a wall",
           {"l_hip.abduction": -8, "l_hip.flexion": 6, "l_knee.flexion": 12, "r_hip.abduction": 5},
           root=Root(pitch=-8), tags=("standing", "leaning", "wall")),
    Stance("standing_lean_side", STANDING, "leaning on one shoulder",
           {"r_hip.abduction": -12, "r_hip.flexion": 5, "r_knee.flexion": 10, "l_hip.abduction": 8},
           root=Root(roll=7), tags=("standing", "leaning", "wall")),
    Stance("walking", WALKING, "walking",
           {"l_hip.flexion": 24, "l_knee.flexion": 8, "l_ankle.flexion": 8, "r_hip.flexion": -16,
            "r_knee.flexion": 24, "r_ankle.flexion": -22, "r_shoulder.flexion": 22, "l_shoulder.flexion": -18,
            "elbow.flexion": 18, "shoulder.abduction": 5}, tags=("walking", "movement")),
    # Catwalk: the feet land on one line, hips and shoulders counter-rotate.
    Stance("walking_runway", WALKING, "runway walk",
           {"l_hip.flexion": 20, "l_hip.abduction": -9, "l_knee.flexion": 6, "l_ankle.flexion": 5,
            "r_hip.flexion": -14, "r_knee.flexion": 28, "r_ankle.flexion": -28, "r_hip.abduction": 2,
            "spine.twist": -8, "r_shoulder.flexion": 12, "l_shoulder.flexion": -10, "shoulder.abduction": 6,
            "elbow.flexion": 12}, tags=("walking", "runway", "catwalk", "fashion")),
    Stance("running", RUNNING, "running",
           {"l_hip.flexion": 65, "l_knee.flexion": 95, "r_hip.flexion": -22, "r_knee.flexion": 70,
            "r_ankle.flexion": -30, "r_shoulder.flexion": 45, "l_shoulder.flexion": -35, "elbow.flexion": 90,
            "spine.flexion": 10}, root=Root(lift=0.08), tags=("running", "action", "sport")),
    Stance("jumping", JUMPING, "jumping",
           {"hip.flexion": 35, "knee.flexion": 70, "ankle.flexion": -35}, root=Root(lift=0.3),
           tags=("jumping", "action", "energy")),
    Stance("jumping_tuck", JUMPING, "tuck jump",
           {"hip.flexion": 80, "knee.flexion": 120, "ankle.flexion": -30}, root=Root(lift=0.35),
           tags=("jumping", "tuck jump", "action")),
    Stance("jumping_star", JUMPING, "star jump",
           {"hip.abduction": 30, "ankle.flexion": -35}, root=Root(lift=0.3), tags=("jumping", "star jump", "action")),
    Stance("sitting_chair", SITTING_CHAIR, "sitting on a chair", _SIT, tags=("sitting", "chair", "seated")),
    Stance("sitting_chair_forward", SITTING_CHAIR, "sitting on a chair, leaning forward",
           {"hip.flexion": 90, "knee.flexion": 90, "hip.abduction": 5, "spine.flexion": 30},
           tags=("sitting", "chair", "leaning forward")),
    Stance("sitting_chair_back", SITTING_CHAIR, "sitting back, legs stretched out",
           {"hip.flexion": 80, "knee.flexion": 35, "hip.abduction": 6, "spine.flexion": -8, "ankle.flexion": -10},
           root=Root(pitch=-12), tags=("sitting", "chair", "relaxed", "lounging")),
    # Left knee over the right: the left thigh rests on the right one, the shin hangs outside it.
    Stance("sitting_chair_crossed", SITTING_CHAIR, "sitting on a chair, legs crossed",
           {**_SIT, "l_hip.flexion": 102, "l_hip.abduction": -29, "l_hip.rotation": -11, "l_knee.flexion": 61},
           tags=("sitting", "chair", "legs crossed")),
    # Left ankle on the right knee.
    Stance("sitting_chair_figure_four", SITTING_CHAIR, "sitting, ankle on knee",
           {**_SIT, "l_hip.flexion": 140, "l_hip.abduction": 11, "l_hip.rotation": -45, "l_knee.flexion": 103},
           tags=("sitting", "chair", "ankle on knee", "casual")),
    Stance("sitting_stool", SITTING_CHAIR, "perched on a stool, one foot on the rung",
           {"hip.flexion": 75, "knee.flexion": 70, "l_hip.flexion": 95, "l_knee.flexion": 115, "hip.abduction": 6},
           tags=("sitting", "stool", "bar stool")),
    Stance("sitting_floor_legs_out", SITTING_FLOOR, "sitting on the floor, legs out",
           {"hip.flexion": 95, "spine.flexion": -10, "hip.abduction": 3},
           camera_pitch=15, arms_free=False, rest_arms=("floor_behind", "floor_behind"),
           tags=("sitting", "floor", "relaxed")),
    Stance("sitting_floor_knees_up", SITTING_FLOOR, "sitting on the floor, knees up",
           {"hip.flexion": 120, "knee.flexion": 140, "hip.abduction": 6, "spine.flexion": 15},
           camera_pitch=15, arms_free=False, rest_arms=("hug_knees", "hug_knees"),
           tags=("sitting", "floor", "knees up")),
    Stance("sitting_floor_one_knee", SITTING_FLOOR, "sitting on the floor, one knee up",
           {"hip.flexion": 95, "hip.abduction": 4, "l_hip.flexion": 120, "l_knee.flexion": 130, "spine.flexion": -6},
           camera_pitch=15, arms_free=False, rest_arms=("floor_behind", "floor_behind"),
           tags=("sitting", "floor", "one knee up")),
    # The body model's hips turn out at most 45 degrees, short of a true cross-legged seat: the knees
    # stay raised and apart with the ankles crossed in front, the closest position it can take.
    Stance("sitting_cross_legged", SITTING_FLOOR, "sitting on the floor, ankles crossed",
           {"l_hip.flexion": 130, "l_hip.abduction": 30, "l_hip.rotation": -45, "l_knee.flexion": 125,
            "r_hip.flexion": 130, "r_hip.abduction": 30, "r_hip.rotation": -45, "r_knee.flexion": 135},
           camera_pitch=15, arms_free=False, rest_arms=("prayer", "prayer"),
           tags=("sitting", "floor", "cross-legged", "meditation")),
    # Knees on the floor; the shins rise a little towards the pointed feet (the ankle points only so far).
    Stance("kneeling", KNEELING, "kneeling", {"knee.flexion": 100, "ankle.flexion": -50, "hip.abduction": 4},
           camera_pitch=8, tags=("kneeling",)),
    Stance("kneeling_one_knee", KNEELING, "kneeling on one knee",
           {"l_hip.flexion": 90, "l_knee.flexion": 90, "r_hip.flexion": -10, "r_knee.flexion": 105,
            "r_ankle.flexion": 25, "hip.abduction": 4}, camera_pitch=8, tags=("kneeling", "one knee")),
    Stance("kneeling_sitting_back", KNEELING, "kneeling, sitting back on the heels",
           {"hip.flexion": 71, "knee.flexion": 155, "ankle.flexion": -50, "hip.abduction": 4},
           camera_pitch=10, arms_free=False, rest_arms=("hands_on_thighs", "hands_on_thighs"),
           tags=("kneeling", "seiza", "sitting on heels")),
    Stance("crouching", CROUCHING, "crouching",
           {"hip.flexion": 125, "knee.flexion": 145, "ankle.flexion": 25, "spine.flexion": 20,
            "hip.abduction": 12, "hip.rotation": -15}, camera_pitch=8, arms_free=False,
           rest_arms=("forearms_on_knees", "forearms_on_knees"), tags=("crouching", "squatting")),
    Stance("crouching_low_lunge", CROUCHING, "crouching on one knee",
           {"l_hip.flexion": 115, "l_knee.flexion": 140, "l_ankle.flexion": 20, "r_hip.flexion": 35,
            "r_knee.flexion": 150, "r_ankle.flexion": -35, "spine.flexion": 15, "hip.abduction": 6},
           camera_pitch=8, arms_free=False, rest_arms=("forearms_on_knees", "down"),
           tags=("crouching", "street style")),
    # Lying on the back or the stomach, the root is turned so a front camera sees the body lengthways.
    Stance("lying_back", LYING, "lying on the back", {"hip.abduction": 4},
           root=Root(pitch=-90, yaw=90), camera_pitch=35, arms_free=False, rest_arms=("lying_side", "lying_side"),
           tags=("lying", "on back", "floor")),
    Stance("lying_back_knees_up", LYING, "lying on the back, knees up", {"hip.flexion": 50, "knee.flexion": 95},
           root=Root(pitch=-90, yaw=90), camera_pitch=35, arms_free=False, rest_arms=("lying_side", "lying_side"),
           tags=("lying", "on back", "knees up")),
    # On the right side, head resting on the right hand, top leg bent forward.
    Stance("lying_side", LYING, "lying on the side",
           {"hip.flexion": 25, "knee.flexion": 35, "l_hip.flexion": 40, "l_knee.flexion": 60},
           root=Root(roll=-90), camera_pitch=30, arms_free=False, rest_arms=("lying_top_arm", "head_on_hand"),
           tags=("lying", "on side", "reclining")),
    Stance("lying_stomach", LYING, "lying on the stomach, feet up",
           {"knee.flexion": 90, "spine.flexion": -25, "neck.flexion": -15, "ankle.flexion": -30},
           root=Root(pitch=90, yaw=90), camera_pitch=25, arms_free=False,
           rest_arms=("elbows_on_floor", "elbows_on_floor"),
           tags=("lying", "on stomach", "playful")),
    Stance("reclining", LYING, "reclining on the hands",
           {"hip.flexion": 75, "knee.flexion": 20, "spine.flexion": -12, "l_knee.flexion": 70, "l_hip.flexion": 95},
           root=Root(pitch=-20), camera_pitch=20, arms_free=False, rest_arms=("floor_behind", "floor_behind"),
           tags=("reclining", "floor", "relaxed")),
)}
