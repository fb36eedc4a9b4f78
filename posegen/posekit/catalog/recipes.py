"""What goes in each leaf category: stances × arm gestures × head moves × views, plus named poses.

A :class:`Recipe` expands to one candidate per combination; the builder mirrors candidates whose
name says left or right, rejects impossible bodies and near-duplicates, and names what is left.
Arms are written ``"both:hand_on_hip"`` (both arms), ``"hand_on_chin"`` (the right hand; the left
rests as the stance prefers) or ``("hand_on_hip", "hand_on_chin")`` (left, right).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from posegen.posekit.catalog.parts import PoseParts
from posegen.posekit.skeleton import Root

Arms = str | tuple[str | None, str | None]

FRONT3 = ("front", "three_quarter_left", "three_quarter_right")
FRONT2 = ("front", "three_quarter_left")
SIDE = ("profile_left",)
BACK3 = ("back", "back_three_quarter_left", "back_three_quarter_right")


@dataclass(frozen=True)
class Recipe:
    category: str
    stances: tuple[str, ...]
    arms: tuple[Arms, ...] = ("both:down",)
    views: tuple[str, ...] = FRONT3
    heads: tuple[tuple[str, ...], ...] = ((),)
    face_camera: bool = False
    sex: str = "neutral"
    title: str | None = None  # a named pose ("Tree pose"); otherwise the name is composed from the parts
    prefix: str = ""  # e.g. "Confident" -> "Confident hands on hips"
    extra: Mapping[str, float] = field(default_factory=dict)
    root: Root | None = None
    mirror: bool = True
    featured: bool = False  # the first pose of the recipe is featured
    tags: tuple[str, ...] = ()
    use: str = ""  # what it is good for, for the description

    def expand(self) -> Iterator[PoseParts]:
        for stance in self.stances:
            for arms in self.arms:
                left, right = _arms(arms)
                for head in self.heads:
                    for view in self.views:
                        yield PoseParts(stance=stance, left_arm=left, right_arm=right, head=head,
                                        face_camera=self.face_camera, view=view, sex=self.sex, extra=self.extra,
                                        root=self.root)


def _arms(spec: Arms) -> tuple[str | None, str | None]:
    if isinstance(spec, tuple):
        return spec
    if spec.startswith("both:"):
        gesture = spec.removeprefix("both:")
        return gesture, gesture
    return None, spec


def _named(category: str, title: str, stance: str, arms: Arms, extra: Mapping[str, float], *,
           views: tuple[str, ...] = ("front", "three_quarter_left", "profile_left"), root: Root | None = None,
           tags: tuple[str, ...] = (), featured: bool = False, sex: str = "neutral", use: str = "",
           heads: tuple[tuple[str, ...], ...] = ((),)) -> Recipe:
    return Recipe(category, (stance,), (arms,), views, heads, title=title, extra=extra, root=root, tags=tags,
                  featured=featured, sex=sex, use=use)


_LISTING = "e-commerce listings and catalogues"
_PORTRAIT = "profile pictures and team pages"
_SOCIAL = "Instagram and TikTok posts"

# Order matters only for de-duplication: an earlier recipe keeps a pose a later one would repeat.
RECIPES: tuple[Recipe, ...] = (
    # The flagship confident poses first, then the gendered fashion sets.
    Recipe("standing-confident", ("standing_wide", "standing"),
           ("both:hand_on_hip", "both:arms_crossed", "hand_on_hip", "both:behind_head",
            ("hand_on_hip", "pointing_forward")),
           FRONT3, heads=((), ("up",)), prefix="Confident", featured=True, use="brand and campaign visuals"),
    # ---- Fashion --------------------------------------------------------------------------------
    Recipe("fashion-womenswear", ("standing_relaxed", "standing_knee_pop", "standing_ankles_crossed"),
           ("hand_in_hair", "both:hand_on_hip", "hand_on_hip", "both:hand_in_hair", "behind_head",
            ("hand_on_hip", "hand_in_hair")), FRONT2, heads=((), ("tilt_left",)), sex="female",
           use="womenswear lookbooks", featured=True),
    Recipe("fashion-menswear", ("standing", "standing_wide", "standing_relaxed"),
           ("both:in_pocket", "in_pocket", "adjusting_collar", "both:arms_crossed", ("in_pocket", "adjusting_collar")),
           FRONT2, sex="male", use="menswear lookbooks", featured=True),
    Recipe("fashion-street", ("standing_lean_side", "standing_knee_pop", "crouching_low_lunge"),
           ("both:in_pocket", "back_pocket", "hand_on_chin", ("in_pocket", "hand_in_hair")), FRONT2,
           heads=((), ("turn_left",)), use="streetwear drops"),
    # ---- Standing -------------------------------------------------------------------------------
    Recipe("standing-professional", ("standing", "standing_relaxed"),
           ("both:arms_crossed", "both:clasped", "both:in_pocket", "in_pocket", "adjusting_collar", "hand_on_heart",
            "both:down", ("arms_crossed", "hand_on_chin")),
           FRONT3, use=_PORTRAIT, featured=True, face_camera=True),
    Recipe("standing-casual", ("standing_relaxed", "standing_ankles_crossed", "standing_knee_pop"),
           ("both:down", "both:in_pocket", "in_pocket", "both:back_pocket", "hand_in_hair", "hand_on_hip",
            "behind_head", "both:arms_crossed", ("in_pocket", "holding_cup")), FRONT3,
           heads=((), ("turn_left",), ("up",)), use=_SOCIAL),
    Recipe("standing-leaning", ("standing_lean_back", "standing_lean_side"),
           ("both:in_pocket", "both:arms_crossed", "hand_in_hair", "both:down", "behind_head", "in_pocket"),
           FRONT2, use=_SOCIAL),
    # ---- Sitting --------------------------------------------------------------------------------
    Recipe("sitting-chair", ("sitting_chair",),
           ("both:hands_on_knees", ("hands_on_knees", "hand_on_chin"), "both:arms_crossed", "both:hold_chest",
            ("hands_on_knees", "hand_on_heart")), FRONT3, use=_PORTRAIT, featured=True),
    Recipe("sitting-chair", ("sitting_chair_crossed",),
           ("both:hands_on_knees", ("hands_on_knees", "hand_on_chin"), "both:arms_crossed",
            ("hands_on_knees", "hand_in_hair")), FRONT3, use=_PORTRAIT),
    Recipe("sitting-chair", ("sitting_chair_figure_four",),
           ("both:hands_on_knees", "both:arms_crossed", ("hands_on_knees", "hand_on_chin"), "both:behind_head"),
           FRONT3, use=_SOCIAL),
    Recipe("sitting-chair", ("sitting_chair_forward",), ("both:chin_in_hands", "both:hands_on_knees"), FRONT3,
           use=_SOCIAL),
    Recipe("sitting-chair", ("sitting_chair_back",), ("both:behind_head", "both:arms_crossed", "both:hands_on_knees"),
           FRONT3, use="lifestyle and furniture shots"),
    Recipe("sitting-stool", ("sitting_stool",),
           ("both:hands_on_knees", "hand_on_chin", "both:arms_crossed", "hand_in_hair",
            ("hands_on_knees", "hand_on_hip"),
            ("hands_on_knees", "holding_cup")), FRONT3, use="cafe and studio shots"),
    Recipe("sitting-floor", ("sitting_floor_legs_out", "sitting_floor_one_knee"), ("both:floor_behind",),
           FRONT3, heads=((), ("up",), ("turn_left",)), use="lifestyle and picnic shots"),
    Recipe("sitting-floor", ("sitting_floor_knees_up",), ("both:hug_knees",), FRONT3, heads=((), ("tilt_right",)),
           use="cozy lifestyle shots"),
    Recipe("sitting-floor", ("sitting_cross_legged",), ("both:prayer", "both:hands_on_knees"), FRONT3,
           use="wellness and lifestyle shots"),
    # ---- Walking & movement ---------------------------------------------------------------------
    Recipe("walking-street", ("walking",),
           ("both:down", "in_pocket", "both:in_pocket", ("down", "holding_cup"), "hand_in_hair", "adjusting_collar",
            ("down", "hold_chest")),
           ("front", "three_quarter_left", "three_quarter_right", "profile_left"), heads=((), ("turn_left",)),
           use="street and lifestyle shots", featured=True),
    Recipe("walking-runway", ("walking_runway",),
           ("both:down", "both:hand_on_hip", "hand_on_hip", "both:in_pocket", "hand_in_hair"), FRONT3,
           sex="female", use="fashion lookbooks"),
    Recipe("walking-running", ("running",), ("both:down",),
           ("front", "three_quarter_left", "three_quarter_right", "profile_left", "profile_right"),
           heads=((), ("down",)), use="sportswear"),
    # ---- Hands & arms ---------------------------------------------------------------------------
    Recipe("hands-hips-crossed", ("standing",),
           (("hand_on_hip", "hand_on_chin"), ("hand_on_hip", "waving"), ("arms_crossed", "arms_crossed"),
            ("hand_on_hip", "down"), ("down", "hand_on_hip")),
           FRONT3, heads=(("tilt_right",), ("turn_left",)), use=_PORTRAIT),
    Recipe("hands-raised", ("standing",),
           ("both:raised", "both:raised_wide", "both:arms_open", "both:arm_out", "raised", ("hand_on_hip", "raised"),
            "reaching_up", ("down", "arm_out")), FRONT3, use=_SOCIAL, featured=True),
    Recipe("hands-gestures", ("standing", "standing_relaxed"),
           ("waving", "pointing_forward", "pointing_side", "pointing_up", "thumbs_up", "both:thumbs_up",
            ("hand_on_hip", "thumbs_up"), ("hand_on_hip", "pointing_forward")), FRONT2, use=_SOCIAL),
    Recipe("hands-near-face", ("standing", "standing_relaxed"),
           ("hand_on_chin", "hand_in_hair", "both:hand_in_hair", "shading_eyes", ("hand_on_hip", "hand_in_hair"),
            ("arms_crossed", "hand_on_chin")), FRONT2, heads=((), ("tilt_left",)), use="beauty and portrait shots"),
    # ---- Product showcase -----------------------------------------------------------------------
    Recipe("product-holding-chest", ("standing", "standing_relaxed"),
           ("both:hold_chest", "hold_chest", ("hand_on_hip", "hold_chest"), ("down", "hold_chest")),
           FRONT3, heads=((), ("down",)), face_camera=True, use=_LISTING, featured=True),
    Recipe("product-holding-face", ("standing", "standing_relaxed"),
           ("beside_face", ("hand_on_hip", "beside_face"), ("hold_chest", "beside_face"), ("clasped", "beside_face")),
           FRONT3, heads=((), ("tilt_left",)), face_camera=True, use="skincare, cosmetics and drinks listings",
           featured=True),
    Recipe("product-presenting", ("standing", "standing_relaxed"),
           ("presenting", "both:presenting", ("hand_on_hip", "presenting"), "pointing_side",
            ("down", "pointing_at_product"),
            ("presenting", "thumbs_up")), FRONT3, face_camera=True, use=_LISTING),
    Recipe("product-seated", ("sitting_chair", "sitting_chair_crossed", "sitting_stool"),
           ("both:hold_chest", ("hands_on_knees", "beside_face"), ("hands_on_knees", "holding_cup"),
            ("hands_on_knees", "presenting")), FRONT2, face_camera=True, use=_LISTING),
    # ---- Fitness & yoga -------------------------------------------------------------------------
    _named("yoga-standing", "Mountain pose, arms up", "standing", "both:raised", {"hip.abduction": 0},
           tags=("tadasana", "mountain pose")),
    _named("yoga-standing", "Tree pose, arms overhead", "standing", "both:raised",
           {"l_hip.flexion": 45, "l_hip.abduction": 60, "l_hip.rotation": -45, "l_knee.flexion": 150},
           tags=("vrksasana", "tree pose", "balance"), featured=True),
    _named("yoga-standing", "Tree pose, hands at heart", "standing", "both:prayer",
           {"l_hip.flexion": 45, "l_hip.abduction": 60, "l_hip.rotation": -45, "l_knee.flexion": 150},
           tags=("vrksasana", "tree pose", "balance")),
    _named("yoga-standing", "Warrior II", "standing", "both:arm_out",
           {"l_hip.flexion": 80, "l_hip.abduction": 40, "l_knee.flexion": 85, "r_hip.abduction": 35,
            "neck.turn": 60}, tags=("virabhadrasana", "warrior")),
    _named("yoga-standing", "Warrior I", "standing", "both:raised",
           {"l_hip.flexion": 80, "l_knee.flexion": 85, "r_hip.flexion": -25, "r_hip.abduction": 8,
            "r_ankle.flexion": 25}, tags=("virabhadrasana", "warrior", "lunge")),
    _named("yoga-standing", "Chair pose", "standing", "both:raised",
           {"hip.flexion": 65, "knee.flexion": 70, "ankle.flexion": 25, "spine.flexion": 10},
           root=Root(pitch=20), tags=("utkatasana", "chair pose")),
    _named("yoga-standing", "Dancer pose", "standing", ("reach_forward", None),
           {"l_hip.flexion": -30, "l_knee.flexion": 130, "l_ankle.flexion": -30, "spine.flexion": -15,
            "r_shoulder.flexion": 150, "r_shoulder.abduction": 10, "r_elbow.flexion": 5,
            "l_shoulder.flexion": -49, "l_shoulder.abduction": -10, "l_shoulder.rotation": 68, "l_elbow.flexion": 10},
           root=Root(pitch=35), views=("profile_left", "three_quarter_left", "front"),
           tags=("natarajasana", "dancer pose", "balance")),
    _named("yoga-standing", "Standing side bend", "standing", ("raised", "down"),
           {"spine.lateral": -28, "hip.abduction": 0, "l_shoulder.abduction": 30}, tags=("side stretch",)),
    _named("yoga-standing", "Goddess pose", "standing", "both:flexing",
           {"hip.flexion": 85, "hip.abduction": 40, "hip.rotation": -35, "knee.flexion": 95, "ankle.flexion": 10},
           tags=("utkata konasana", "goddess")),
    _named("yoga-standing", "Crescent lunge", "standing", "both:raised",
           {"l_hip.flexion": 90, "l_knee.flexion": 95, "r_hip.flexion": -20, "r_knee.flexion": 20,
            "r_ankle.flexion": 25, "spine.flexion": -8}, tags=("lunge", "anjaneyasana")),
    _named("yoga-floor", "Easy seated pose, hands at heart", "sitting_cross_legged", "both:prayer", {},
           tags=("sukhasana", "meditation"), views=FRONT3),
    _named("yoga-floor", "Thunderbolt pose", "kneeling_sitting_back", "both:hands_on_thighs", {},
           tags=("vajrasana", "seiza"), views=FRONT3),
    _named("yoga-floor", "Seated forward reach", "sitting_floor_legs_out", "both:reach_forward",
           {"spine.flexion": 35, "hip.flexion": 100, "neck.flexion": 10}, tags=("paschimottanasana", "stretch")),
    _named("yoga-floor", "Boat pose", "sitting_floor_legs_out", "both:reach_forward",
           {"hip.flexion": 110, "knee.flexion": 15, "spine.flexion": 0}, root=Root(pitch=-40),
           tags=("navasana", "core", "balance")),
    _named("yoga-floor", "Cobra pose", "lying_stomach", "both:elbows_on_floor",
           {"knee.flexion": 0, "ankle.flexion": -45, "spine.flexion": -30, "neck.flexion": -30},
           views=("front", "three_quarter_left"), tags=("bhujangasana", "cobra", "backbend")),
    _named("yoga-floor", "Kneeling arms up", "kneeling", "both:raised", {}, tags=("kneeling", "stretch")),
    Recipe("fitness-strength", ("crouching",), ("both:reach_forward", "both:prayer"), FRONT3, title="Deep squat",
           tags=("squat", "leg day")),
    _named("fitness-strength", "Bodyweight squat", "standing", "both:reach_forward",
           {"hip.flexion": 95, "knee.flexion": 100, "ankle.flexion": 25, "hip.abduction": 8, "spine.flexion": 10},
           root=Root(pitch=35), tags=("squat", "leg day")),
    _named("fitness-strength", "Sumo squat", "standing", "both:prayer",
           {"hip.flexion": 85, "hip.abduction": 40, "hip.rotation": -35, "knee.flexion": 95, "ankle.flexion": 10},
           tags=("squat", "sumo")),
    _named("fitness-strength", "Forward lunge", "standing", "both:hand_on_hip",
           {"l_hip.flexion": 90, "l_knee.flexion": 90, "r_hip.flexion": -15, "r_knee.flexion": 85,
            "r_ankle.flexion": 25}, tags=("lunge", "leg day")),
    _named("fitness-strength", "Side lunge", "standing", "both:prayer",
           {"l_hip.flexion": 60, "l_hip.abduction": 45, "l_knee.flexion": 80, "r_hip.abduction": 40},
           tags=("lunge", "lateral")),
    _named("fitness-strength", "Double biceps flex", "standing_wide", "both:flexing", {}, tags=("flexing", "gym"),
           featured=True),
    _named("fitness-strength", "Single biceps flex", "standing_relaxed", ("hand_on_hip", "flexing"), {},
           tags=("flexing", "gym")),
    _named("fitness-strength", "High knee", "standing", ("down", "down"),
           {"l_hip.flexion": 90, "l_knee.flexion": 95, "r_shoulder.flexion": 60, "r_elbow.flexion": 90,
            "l_shoulder.flexion": -30, "l_elbow.flexion": 90}, tags=("cardio", "high knees")),
    _named("fitness-stretching", "Overhead stretch", "standing", "both:raised",
           {"ankle.flexion": -20, "neck.flexion": -15}, tags=("stretch", "warm up")),
    _named("fitness-stretching", "Side stretch", "standing_wide", ("hand_on_hip", "raised"),
           {"spine.lateral": 25}, tags=("side stretch",)),
    _named("fitness-stretching", "Quad stretch", "standing", ("down", "arm_out"),
           {"l_knee.flexion": 150, "l_hip.flexion": -10, "l_ankle.flexion": -30, "l_shoulder.flexion": -28,
            "l_shoulder.abduction": -9, "l_shoulder.rotation": -19, "l_elbow.flexion": 2}, tags=("quad stretch",)),
    _named("fitness-stretching", "Forward reach stretch", "standing", "both:reach_forward",
           {"spine.flexion": 20, "hip.flexion": 25}, root=Root(pitch=25), tags=("stretch",)),
    _named("fitness-stretching", "Lunge stretch", "kneeling_one_knee", "both:hand_on_hip", {"spine.flexion": -5},
           tags=("hip flexor stretch",)),
    _named("fitness-stretching", "Kneeling side stretch", "kneeling", ("hand_on_hip", "raised"),
           {"spine.lateral": 20}, tags=("side stretch",)),
    # ---- Dance ----------------------------------------------------------------------------------
    _named("dance-ballet", "Ballet fifth position, arms en haut", "standing", "both:ballet_high",
           {"hip.rotation": -40, "l_hip.abduction": -4, "r_hip.abduction": -4}, tags=("ballet", "fifth position"),
           featured=True),
    _named("dance-ballet", "Ballet second position", "standing", "both:ballet_side",
           {"hip.rotation": -40, "hip.abduction": 14}, tags=("ballet", "second position")),
    _named("dance-ballet", "Plié in second", "standing", "both:ballet_side",
           {"hip.rotation": -40, "hip.abduction": 25, "hip.flexion": 40, "knee.flexion": 60}, tags=("ballet", "plie")),
    _named("dance-ballet", "Passé on relevé", "standing", "both:ballet_high",
           {"l_hip.flexion": 70, "l_hip.abduction": 45, "l_hip.rotation": -45, "l_knee.flexion": 140,
            "r_ankle.flexion": -40}, tags=("ballet", "passe", "retire")),
    _named("dance-ballet", "Arabesque", "standing", ("ballet_side", "reach_forward"),
           {"l_hip.flexion": -30, "l_ankle.flexion": -40, "spine.flexion": -10}, root=Root(pitch=40),
           views=("profile_left", "three_quarter_left", "front"), tags=("ballet", "arabesque")),
    _named("dance-ballet", "Attitude", "standing", ("ballet_side", "ballet_high"),
           {"l_hip.flexion": -30, "l_hip.abduction": 20, "l_knee.flexion": 70, "l_ankle.flexion": -40},
           root=Root(pitch=25), tags=("ballet", "attitude")),
    _named("dance-ballet", "Grand jeté", "jumping", ("ballet_side", "ballet_high"),
           {"l_hip.flexion": 100, "l_knee.flexion": 0, "r_hip.flexion": -30, "r_knee.flexion": 0,
            "ankle.flexion": -45}, root=Root(lift=0.45, pitch=15), views=("profile_left", "three_quarter_left"),
           tags=("ballet", "leap", "jete")),
    _named("dance-street", "Disco point", "standing_relaxed", ("hand_on_hip", "pointing_up"),
           {"r_shoulder.abduction": 55}, tags=("disco", "70s")),
    _named("dance-street", "Hip-hop groove", "standing_wide", "both:flexing",
           {"hip.flexion": 30, "knee.flexion": 40, "spine.flexion": 15, "elbow.flexion": 80,
            "shoulder.abduction": 50}, tags=("hip hop", "groove")),
    _named("dance-street", "Party hands up", "standing_relaxed", "both:raised_wide", {"neck.flexion": -20},
           tags=("party", "club")),
    _named("dance-street", "Shoulder shimmy", "standing", "both:arms_open",
           {"spine.twist": 20, "spine.lateral": 8, "knee.flexion": 15, "hip.flexion": 10, "elbow.flexion": 60},
           tags=("shimmy", "party")),
    _named("dance-street", "Salsa step", "standing_step", ("ballet_side", "hand_on_hip"),
           {"spine.twist": -15, "l_hip.rotation": 10}, tags=("salsa", "latin")),
    _named("dance-street", "Freeze on one knee", "crouching_low_lunge", ("arm_out", "pointing_up"), {},
           tags=("breaking", "freeze")),
    _named("dance-street", "Kick", "standing", ("arm_out", "arm_out"),
           {"l_hip.flexion": 80, "l_knee.flexion": 10, "l_ankle.flexion": -20, "spine.flexion": -8},
           tags=("kick", "high kick")),
    # ---- Kneeling & crouching -------------------------------------------------------------------
    Recipe("kneeling", ("kneeling", "kneeling_one_knee"),
           ("both:down", "both:hand_on_hip", "hand_on_heart", "hand_in_hair", "both:raised",
            ("hand_on_hip", "hand_on_chin")), FRONT3, use=_SOCIAL),
    Recipe("kneeling", ("kneeling_sitting_back",), ("both:hands_on_thighs", "hand_in_hair", "both:prayer"), FRONT3,
           heads=((), ("tilt_left",)), use=_SOCIAL),
    Recipe("crouching", ("crouching", "crouching_low_lunge"),
           ("both:forearms_on_knees", ("forearms_on_knees", "hand_on_chin"), "both:prayer",
            ("forearms_on_knees", "pointing_forward")), FRONT3, use="streetwear and sneaker shots"),
    # ---- Lying & reclining ----------------------------------------------------------------------
    Recipe("lying-back", ("lying_back", "lying_back_knees_up"),
           ("both:lying_side", "both:behind_head", "both:raised", ("lying_side", "hand_on_heart")),
           ("front", "three_quarter_left"), use="swimwear and lifestyle shots"),
    Recipe("lying-side", ("lying_side",), (("lying_top_arm", "head_on_hand"), ("hand_on_hip", "head_on_hand"),
                                           ("hand_in_hair", "head_on_hand")),
           ("front", "three_quarter_left", "three_quarter_right"), use="swimwear and lifestyle shots"),
    Recipe("lying-stomach", ("lying_stomach",), ("both:elbows_on_floor",),
           ("front", "three_quarter_left", "three_quarter_right"), heads=((), ("tilt_left",)), use="playful lifestyle"),
    Recipe("reclining", ("reclining",), ("both:floor_behind",),
           ("front", "three_quarter_left", "three_quarter_right", "profile_left"), heads=((), ("up",)),
           use="beach and lifestyle shots"),
    # ---- Back & side views ----------------------------------------------------------------------
    Recipe("views-back", ("standing", "standing_relaxed", "standing_wide"),
           ("both:down", "both:hand_on_hip", "both:behind_head", "both:raised", "hand_in_hair", "both:back_pocket"),
           BACK3, use="showing the back of a garment", featured=True),
    Recipe("views-back", ("walking",), ("both:down", "in_pocket"), BACK3, use="showing the back of a garment"),
    Recipe("views-profile", ("standing", "standing_relaxed", "walking"),
           ("both:down", "both:arms_crossed", "both:hold_chest", "in_pocket", "hand_on_hip"),
           ("profile_left", "profile_right"), use="silhouettes and fit shots"),
    Recipe("views-profile", ("sitting_chair", "sitting_chair_crossed"),
           ("both:hands_on_knees", "both:hold_chest"), ("profile_left", "profile_right"), use="silhouettes"),
    Recipe("views-over-shoulder", ("standing", "standing_relaxed", "walking"),
           ("both:down", "hand_in_hair", "both:hand_on_hip", "in_pocket"),
           ("back_three_quarter_left", "back_three_quarter_right"), face_camera=True,
           use="showing the back of a garment with the face"),
    # ---- Jumping & action -----------------------------------------------------------------------
    Recipe("action-jumping", ("jumping", "jumping_star", "jumping_tuck"),
           ("both:raised", "both:raised_wide", "fist_pump", "both:arm_out"), FRONT2, use="energetic campaign visuals",
           featured=True),
    Recipe("action-celebrating", ("standing", "standing_wide"),
           ("fist_pump", "both:fist_pump", "both:raised_wide", ("hand_on_hip", "fist_pump"), "both:raised"),
           FRONT3, heads=((), ("up",)), use="sale announcements and celebrations"),
    # ---- Lifestyle ------------------------------------------------------------------------------
    Recipe("lifestyle-phone", ("standing", "standing_relaxed", "walking", "sitting_chair"),
           ("selfie", ("down", "hold_chest"), "both:hold_chest"), FRONT3, heads=(("down",),),
           use="app and gadget promotion"),
    Recipe("lifestyle-phone", ("standing", "standing_relaxed"), ("selfie", ("hand_on_hip", "selfie")), FRONT3,
           heads=((), ("tilt_left",)), use=_SOCIAL),
    Recipe("lifestyle-coffee", ("standing", "standing_relaxed", "sitting_chair", "walking"),
           ("holding_cup", "both:holding_cup", ("in_pocket", "holding_cup"), ("hand_on_hip", "holding_cup")), FRONT2,
           use="food and beverage posts"),
)
