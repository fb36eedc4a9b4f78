"""The pose vocabulary: stances, arm gestures, leg variants, head moves and camera views.

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
from types import MappingProxyType

from posegen.posekit.skeleton import Camera, Pose, Root, make_pose
from posegen.posekit.skeleton.joints import expand_angles
from posegen.posekit.skeleton.proportions import BodyShape

SIDES = ("l", "r")
SIDE_WORD = {"l": "left", "r": "right"}


def _frozen(angles: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(angles))


def sided(angles: Mapping[str, float], side: str) -> dict[str, float]:
    """One arm's or leg's unsided angles ("elbow.flexion") as that side's keys ("r_elbow.flexion")."""
    return {f"{side}_{key}": value for key, value in angles.items()}


def other(side: str) -> str:
    return "r" if side == "l" else "l"


# --------------------------------------------------------------------------------------------
# Stances: what the legs, spine and root do; arms hang unless a gesture is applied.

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
        object.__setattr__(self, "angles", _frozen(self.angles))


_HANDS_ON_KNEES = {"shoulder.flexion": 36, "shoulder.abduction": -14, "shoulder.rotation": -65,
                   "elbow.flexion": 22, "wrist.flexion": 43}
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

# --------------------------------------------------------------------------------------------
# Arm gestures, one arm, unsided keys. ``families``: the stances a gesture fits (None: any with
# free arms); a stance-bound gesture (hands on knees) lists only its own.


@dataclass(frozen=True)
class ArmGesture:
    key: str
    label: str  # for one hand: "hand on hip"
    both_label: str  # for both: "hands on hips"
    angles: Mapping[str, float]
    tags: tuple[str, ...] = ()
    families: tuple[str, ...] | None = None
    # Gestures that only make sense on both arms at once (crossed arms) carry the other arm here.
    partner: Mapping[str, float] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "angles", _frozen(self.angles))
        if self.partner is not None:
            object.__setattr__(self, "partner", _frozen(self.partner))


_SEATED = (SITTING_CHAIR,)
ARM_GESTURES: dict[str, ArmGesture] = {g.key: g for g in (
    ArmGesture("down", "arm relaxed", "arms relaxed", {"shoulder.abduction": 6, "elbow.flexion": 10}),
    # Wrist at the side of the waist, fingers forward, elbow out and a little back.
    ArmGesture("hand_on_hip", "hand on hip", "hands on hips",
               {"shoulder.flexion": -13, "shoulder.abduction": 37, "shoulder.rotation": 75, "elbow.flexion": 93,
                "wrist.flexion": -39}, tags=("hand on hip", "confident")),
    # Left forearm across the chest under the right one; the partner is the right arm.
    ArmGesture("arms_crossed", "arms crossed", "arms crossed",
               {"shoulder.flexion": 23, "shoulder.abduction": -6, "shoulder.rotation": 79, "elbow.flexion": 78,
                "wrist.flexion": 38},
               partner={"shoulder.flexion": 17, "shoulder.abduction": -4, "shoulder.rotation": 75,
                        "elbow.flexion": 104, "wrist.flexion": 21}, tags=("arms crossed", "confident")),
    ArmGesture("raised", "arm raised", "arms raised", {"shoulder.flexion": 170, "shoulder.abduction": 10,
                                                       "elbow.flexion": 8}, tags=("arms up", "celebrating")),
    ArmGesture("raised_wide", "arm raised high to the side", "arms raised in a V",
               {"shoulder.flexion": 20, "shoulder.abduction": 145, "elbow.flexion": 6}, tags=("arms up", "victory")),
    ArmGesture("arm_out", "arm out to the side", "arms out to the sides",
               {"shoulder.abduction": 90, "elbow.flexion": 5},
               tags=("arms out", "t pose")),
    ArmGesture("arms_open", "arm open", "arms open wide",
               {"shoulder.flexion": 39, "shoulder.abduction": 60, "shoulder.rotation": -1, "elbow.flexion": 2},
               tags=("welcoming", "open arms")),
    # Upper arm out at shoulder height, forearm up, palm forward.
    ArmGesture("waving", "waving", "waving with both hands",
               {"shoulder.flexion": 19, "shoulder.abduction": 78, "shoulder.rotation": -69, "elbow.flexion": 102},
               tags=("waving", "hello", "friendly")),
    ArmGesture("pointing_forward", "pointing at the camera", "pointing at the camera",
               {"shoulder.flexion": 91, "shoulder.abduction": 5}, tags=("pointing", "you")),
    ArmGesture("pointing_side", "pointing to the side", "pointing to both sides",
               {"shoulder.flexion": 26, "shoulder.abduction": 97, "shoulder.rotation": 19, "elbow.flexion": 17},
               tags=("pointing", "direction")),
    ArmGesture("pointing_up", "pointing up", "pointing up",
               {"shoulder.flexion": 150, "shoulder.abduction": 25, "elbow.flexion": 10}, tags=("pointing", "idea")),
    # Wrist behind the skull, elbow out to the side.
    ArmGesture("behind_head", "hand behind head", "hands behind head",
               {"shoulder.flexion": 41, "shoulder.abduction": 148, "shoulder.rotation": -90, "elbow.flexion": 125},
               tags=("hands behind head", "relaxed")),
    # Wrist at the front trouser pocket.
    ArmGesture("in_pocket", "hand in pocket", "hands in pockets",
               {"shoulder.flexion": -12, "shoulder.abduction": 20, "shoulder.rotation": 45, "elbow.flexion": 66,
                "wrist.flexion": 9}, tags=("hands in pockets", "casual")),
    ArmGesture("back_pocket", "hand in back pocket", "hands in back pockets",
               {"shoulder.flexion": -40, "shoulder.abduction": 7, "shoulder.rotation": 26, "elbow.flexion": 60,
                "wrist.flexion": 5}, tags=("back pocket", "casual")),
    # Wrist 30 cm in front of the chest at chest height: holding a box, a bottle, a product.
    ArmGesture("hold_chest", "holding an item at chest height", "holding a product at chest height with both hands",
               {"shoulder.flexion": 15, "shoulder.abduction": -17, "shoulder.rotation": 6, "elbow.flexion": 97,
                "wrist.flexion": 12}, tags=("holding", "product", "chest height")),
    # Wrist beside the cheek, hand up: a bottle or a jar shown next to the face.
    ArmGesture("beside_face", "holding an item beside the face", "holding an item beside the face",
               {"shoulder.flexion": 48, "shoulder.abduction": -5, "shoulder.rotation": 2, "elbow.flexion": 146,
                "wrist.flexion": 8}, tags=("holding", "product", "beside face", "beauty")),
    # Wrist under the chin, knuckles to the jaw.
    ArmGesture("hand_on_chin", "hand on chin", "chin on both hands",
               {"shoulder.flexion": 31, "shoulder.abduction": -5, "shoulder.rotation": 41, "elbow.flexion": 142,
                "wrist.flexion": 7}, tags=("hand on chin", "thinking", "thoughtful")),
    ArmGesture("hand_in_hair", "hand in hair", "hands in hair",
               {"shoulder.flexion": 86, "shoulder.abduction": 96, "shoulder.rotation": -39, "elbow.flexion": 122,
                "wrist.flexion": 13}, tags=("hand in hair", "fashion", "glamour")),
    # Hands together in front of the hips.
    ArmGesture("clasped", "hand resting in front", "hands clasped in front",
               {"shoulder.flexion": 5, "shoulder.abduction": 2, "shoulder.rotation": 51, "elbow.flexion": 53,
                "wrist.flexion": 19}, tags=("hands clasped", "polite", "professional")),
    ArmGesture("thumbs_up", "thumbs up", "two thumbs up",
               {"shoulder.flexion": 10, "shoulder.abduction": 10, "shoulder.rotation": 3, "elbow.flexion": 93,
                "wrist.flexion": -18}, tags=("thumbs up", "approval", "recommend")),
    ArmGesture("hand_on_heart", "hand on heart", "hands on heart",
               {"shoulder.flexion": 5, "shoulder.abduction": -10, "shoulder.rotation": 49, "elbow.flexion": 125,
                "wrist.flexion": 44}, tags=("hand on heart", "grateful", "sincere")),
    # Arm stretched forward and up, phone at eye level.
    ArmGesture("selfie", "taking a selfie", "taking a selfie",
               {"shoulder.flexion": 108, "shoulder.abduction": 29, "shoulder.rotation": -1, "elbow.flexion": 5},
               tags=("selfie", "phone", "social media")),
    # Wrist in front of the shoulder, hand up: a cup, a drink, a phone held to look at.
    ArmGesture("holding_cup", "holding a cup", "holding a cup with both hands",
               {"shoulder.flexion": 8, "shoulder.abduction": 8, "shoulder.rotation": 18, "elbow.flexion": 126,
                "wrist.flexion": -13}, tags=("holding", "cup", "coffee", "drink")),
    ArmGesture("shading_eyes", "shading the eyes", "shading the eyes",
               {"shoulder.flexion": 85, "shoulder.abduction": 45, "shoulder.rotation": 4, "elbow.flexion": 128,
                "wrist.flexion": 19}, tags=("looking far", "shading eyes", "adventure")),
    # Palm open to the side at waist height, presenting something beside the model.
    ArmGesture("presenting", "presenting to the side", "presenting with both hands",
               {"shoulder.flexion": 19, "shoulder.abduction": 34, "shoulder.rotation": -10, "elbow.flexion": 41},
               tags=("presenting", "showing", "product")),
    ArmGesture("flexing", "flexing the biceps", "flexing both biceps",
               {"shoulder.flexion": 1, "shoulder.abduction": 89, "shoulder.rotation": -78, "elbow.flexion": 109},
               tags=("flexing", "strong", "fitness")),
    # Index finger across the body at chest height, towards a product held by the other hand.
    ArmGesture("pointing_at_product", "pointing at the product", "pointing at the product",
               {"shoulder.flexion": 26, "shoulder.abduction": -7, "shoulder.rotation": 45, "elbow.flexion": 87,
                "wrist.flexion": 24}, tags=("pointing", "product")),
    ArmGesture("adjusting_collar", "adjusting the collar", "adjusting the collar",
               {"shoulder.flexion": 20, "shoulder.abduction": -7, "shoulder.rotation": 39, "elbow.flexion": 149,
                "wrist.flexion": 23}, tags=("adjusting collar", "menswear", "professional")),
    ArmGesture("reaching_up", "reaching up", "reaching up",
               {"shoulder.flexion": 160, "shoulder.abduction": 20, "elbow.flexion": 4}, tags=("reaching", "stretch")),
    ArmGesture("fist_pump", "fist pump", "fist pump",
               {"shoulder.flexion": 60, "shoulder.abduction": 60, "shoulder.rotation": -60, "elbow.flexion": 130},
               tags=("celebrating", "winning", "fist pump")),
    # Palms together in front of the breastbone.
    ArmGesture("prayer", "hand at the heart", "palms together at the heart",
               {"shoulder.flexion": 46, "shoulder.abduction": 23, "shoulder.rotation": 72, "elbow.flexion": 130,
                "wrist.flexion": -70}, tags=("prayer hands", "namaste", "calm")),
    ArmGesture("reach_forward", "arm reaching forward", "arms reaching forward",
               {"shoulder.flexion": 90, "shoulder.abduction": 8, "elbow.flexion": 4}, tags=("reaching",)),
    # Ballet arms: rounded above the head (en haut) and open to the side (a la seconde).
    ArmGesture("ballet_high", "arm rounded overhead", "arms rounded overhead",
               {"shoulder.flexion": 150, "shoulder.abduction": 30, "shoulder.rotation": 35, "elbow.flexion": 35},
               tags=("ballet", "en haut")),
    ArmGesture("ballet_side", "arm open to the side", "arms open to the side",
               {"shoulder.flexion": 20, "shoulder.abduction": 75, "shoulder.rotation": 25, "elbow.flexion": 20},
               tags=("ballet", "a la seconde")),
    # Seated: hands resting on the knees.
    ArmGesture("hands_on_knees", "hand on knee", "hands on knees", _HANDS_ON_KNEES,
               tags=("hands on knees",), families=(SITTING_CHAIR, SITTING_FLOOR)),
    # Seated leaning forward: elbows on the knees, chin in the hands.
    ArmGesture("chin_in_hands", "elbow on knee", "elbows on knees, chin in hands",
               {"shoulder.flexion": 64, "shoulder.abduction": -18, "shoulder.rotation": 34, "elbow.flexion": 132},
               tags=("elbows on knees", "thinking", "dreamy"), families=(SITTING_CHAIR,)),
    # Floor sitting: hands on the floor behind the hips, leaning back on them.
    ArmGesture("floor_behind", "leaning back on one hand", "leaning back on the hands",
               {"shoulder.flexion": -27, "shoulder.abduction": 6, "shoulder.rotation": -80, "wrist.flexion": -26},
               tags=("leaning back",), families=(SITTING_FLOOR, LYING)),
    # Arms wrapped round the shins.
    ArmGesture("hug_knees", "arm round the knees", "hugging the knees",
               {"shoulder.flexion": 39, "shoulder.abduction": -2, "shoulder.rotation": -13, "elbow.flexion": 10},
               partner={"shoulder.flexion": 28, "shoulder.abduction": -16, "shoulder.rotation": 36,
                        "elbow.flexion": 41},
               tags=("hugging knees", "cozy"), families=(SITTING_FLOOR,)),
    ArmGesture("hands_on_thighs", "hand on thigh", "hands on thighs",
               {"shoulder.flexion": 30, "shoulder.abduction": -8, "shoulder.rotation": -40, "elbow.flexion": 35,
                "wrist.flexion": 30}, tags=("hands on thighs", "calm"), families=(KNEELING,)),
    ArmGesture("forearms_on_knees", "forearm on knee", "forearms on knees",
               {"shoulder.flexion": 50, "shoulder.abduction": 10, "shoulder.rotation": 30, "elbow.flexion": 60},
               tags=("crouching",), families=(CROUCHING,)),
    ArmGesture("lying_side", "arm by the side", "arms by the sides", {"shoulder.abduction": 25, "elbow.flexion": 15},
               families=(LYING,)),
    ArmGesture("lying_top_arm", "arm resting along the body", "arms resting along the body",
               {"shoulder.flexion": 30, "elbow.flexion": 40}, families=(LYING,)),
    ArmGesture("head_on_hand", "head resting on the hand", "head resting on the hands",
               {"shoulder.flexion": 114, "shoulder.abduction": 137, "shoulder.rotation": -43, "elbow.flexion": 132},
               tags=("head on hand", "relaxed"), families=(LYING,)),
    ArmGesture("elbows_on_floor", "propped on an elbow", "propped on the elbows",
               {"shoulder.flexion": 80, "shoulder.abduction": 15, "elbow.flexion": 95}, families=(LYING,)),
)}

# --------------------------------------------------------------------------------------------
# Head moves and camera views.


@dataclass(frozen=True)
class HeadMove:
    key: str
    label: str
    angles: Mapping[str, float]

    def __post_init__(self) -> None:
        object.__setattr__(self, "angles", _frozen(self.angles))


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
        object.__setattr__(self, "extra", _frozen(self.extra))

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
