"""The pose vocabulary's arm gestures: one arm each, with unsided keys ("elbow.flexion"), applied to
either side. ``families``: the stances a gesture fits (None: any with free arms); a stance-bound
gesture (hands on knees) lists only its own.

Part of ``catalog.parts`` (which re-exports everything here); the fitted hand positions are noted
beside each gesture.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from posegen.posekit.catalog.stances import (
    CROUCHING,
    KNEELING,
    LYING,
    SITTING_CHAIR,
    SITTING_FLOOR,
    frozen_angles,
)


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
        object.__setattr__(self, "angles", frozen_angles(self.angles))
        if self.partner is not None:
            object.__setattr__(self, "partner", frozen_angles(self.partner))


_HANDS_ON_KNEES = {"shoulder.flexion": 36, "shoulder.abduction": -14, "shoulder.rotation": -65,
                   "elbow.flexion": 22, "wrist.flexion": 43}
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
