"""Text to pose: a description such as "sitting on a chair with legs crossed, right hand on chin,
looking left" becomes a skeleton pose, its COCO-18 keypoints and a list of what was understood.

Deterministic and rule based (no model): the text is normalised (lower case, "three-quarter" ->
"3/4", Bahasa Indonesia -> English by :mod:`text_to_pose_id`), then phrase patterns for each family
(:mod:`text_to_pose_rules`) are matched in order of specificity, each match consuming its words:

- stance: standing, walking, runway walk, running, jumping (star, tuck), sitting on a chair / stool /
  the floor, cross-legged, kneeling (on one knee, on the heels), crouching, lying (on the back, side,
  stomach), reclining, leaning against a wall;
- arms and hands: crossed, on hips, raised, waving, pointing (at the camera, left/right, up, at the
  product), behind the head, in pockets, holding an item at chest height / beside the face / a cup /
  a phone, hand on chin, in hair, on heart, thumbs up, clasped, selfie, flexing, open, out to the
  sides, hands on knees, elbows on knees, hugging knees;
- legs: crossed, wide stance, one knee up, stepping, weight on one leg, knee bent, tiptoe, legs out,
  knees up;
- head: looking left/right/up/down, head tilted, looking at the camera, over the shoulder;
- view: front, 3/4 left/right, profile left/right, back.

Left and right follow ``catalog.parts``: body parts are the model's own ("right hand"), directions
are the picture's ("looking left", "3/4 left"). One-handed gestures without a side use the right
hand (the left if the right is busy).

    result = text_to_pose(text="standing, arms crossed, 3/4 view")
    result.understood          # ("standing", "arms crossed", "3/4 left view")
    result.pose                # posekit.skeleton.Pose
    result.keypoints           # (18, 3) COCO-18, normalised to a 768 x 1024 canvas
    result.structure()         # JSON-ready: stance, arms, head, view, the pose dict
    result.variations(count=4, seed=1)   # nearby poses (seeded jitter)

Text with no pose words raises :class:`TextToPoseError`, whose message lists example phrases.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from posegen.posekit.catalog.anatomy import pose_collisions
from posegen.posekit.catalog.parts import (
    ARM_GESTURES,
    CROUCHING,
    JUMPING,
    KNEELING,
    LYING,
    SIDE_WORD,
    SITTING_CHAIR,
    SITTING_FLOOR,
    STANCES,
    STANDING,
    WALKING,
    PoseParts,
    build_pose,
)
from posegen.posekit.skeleton import Pose, pose_jitter, pose_to_dict, project_pose
from posegen.posekit.text_to_pose_id import EXAMPLE_PHRASES_ID, INDONESIAN_PHRASES
from posegen.posekit.text_to_pose_rules import RULES, Parse

MAX_TEXT_LENGTH = 500
DEFAULT_CANVAS = (768, 1024)
EXAMPLE_PHRASES: tuple[str, ...] = (
    "standing, arms crossed, 3/4 view",
    "sitting on a chair with legs crossed, right hand on chin, looking left",
    "holding a product at chest height",
    "walking, looking over the shoulder",
    "kneeling on one knee, hand on heart",
    "jumping with arms raised",
    "lying on the side, head on hand",
    "berdiri, tangan di pinggang, tampak samping",
)


def example_phrases(*, language: str) -> tuple[str, ...]:
    """Phrases to suggest to a reader of ``language`` (a Django language code)."""
    return EXAMPLE_PHRASES_ID if language.lower().startswith("id") else EXAMPLE_PHRASES


class TextToPoseError(ValueError):
    """The text describes no pose we understand (or is empty/too long); the message says what to write."""

    def __init__(self, message: str, *, examples: tuple[str, ...] = EXAMPLE_PHRASES) -> None:
        self.examples = examples
        super().__init__(message)


# --------------------------------------------------------------------------------------------
# Normalisation

_INDONESIAN_RE = [(re.compile(rf"(?<![\w])(?:{pattern})(?![\w])"), english) for pattern, english in INDONESIAN_PHRASES]


def normalise_text(text: str) -> str:
    """Lower case, ASCII-folded, Indonesian basics translated, punctuation as clause commas."""
    text = unicodedata.normalize("NFKC", text).replace("¾", "3/4").lower()
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = re.sub(r"three[\s-]*quarters?|3\s*/\s*4|3-4|34 view", "3/4", text)
    text = re.sub(r"[’'`]", "", text)
    for pattern, english in _INDONESIAN_RE:
        text = pattern.sub(english, text)
    text = re.sub(r"[-_]", " ", text)
    text = re.sub(r"[^a-z0-9/ ]+", " , ", text)
    return re.sub(r"\s+", " ", text).strip()


# --------------------------------------------------------------------------------------------
# Resolution: leg variants pick the stance, arms get their sides.

# (leg variant, stance family) -> stance; a key of None keeps the stance and only notes it.
_LEG_STANCES: dict[tuple[str, str], str] = {
    ("crossed", STANDING): "standing_ankles_crossed",
    ("crossed", SITTING_CHAIR): "sitting_chair_crossed",
    ("crossed", SITTING_FLOOR): "sitting_cross_legged",
    ("figure_four", SITTING_CHAIR): "sitting_chair_figure_four",
    ("wide", STANDING): "standing_wide",
    ("wide", JUMPING): "jumping_star",
    ("knee_up", STANDING): "standing_knee_up",
    ("knee_up", SITTING_FLOOR): "sitting_floor_one_knee",
    ("knee_up", KNEELING): "kneeling_one_knee",
    ("knee_up", LYING): "lying_back_knees_up",
    ("step", STANDING): "standing_step",
    ("relaxed", STANDING): "standing_relaxed",
    ("knee_bent", STANDING): "standing_knee_pop",
    ("tiptoe", STANDING): "standing_tiptoe",
    ("legs_out", SITTING_FLOOR): "sitting_floor_legs_out",
    ("legs_out", SITTING_CHAIR): "sitting_chair_back",
    ("knees_up", SITTING_FLOOR): "sitting_floor_knees_up",
    ("knees_up", LYING): "lying_back_knees_up",
    ("knees_up", SITTING_CHAIR): "sitting_floor_knees_up",
    ("lean_forward", SITTING_CHAIR): "sitting_chair_forward",
}
# Stances whose raised/forward/crossing leg is the left one, so "right knee up" mirrors their legs.
_LEFT_LEG_STANCES = frozenset({
    "standing_ankles_crossed", "standing_knee_pop", "standing_step", "standing_knee_up", "sitting_chair_crossed",
    "sitting_chair_figure_four", "sitting_floor_one_knee", "kneeling_one_knee", "walking", "walking_runway",
    "running", "sitting_stool", "crouching_low_lunge",
})


def _resolve_legs(p: Parse) -> tuple[str, bool]:
    stance = p.stance or "standing"
    mirror = False
    applied = False
    for _, leg, side in sorted(p.legs):
        family = STANCES[stance].family
        target = _LEG_STANCES.get((leg, family))
        if leg == "crossed" and stance == "sitting_cross_legged":
            continue
        if target is None or applied:
            if leg == "lean_forward" and family in (STANDING, WALKING):
                continue  # handled as a spine bend
            reason = "another leg position was already used" if applied else f"it does not fit {STANCES[stance].label}"
            p.notes.append(f"“{leg.replace('_', ' ')}” ignored: {reason}.")
            continue
        stance, applied = target, True
        mirror = side == "right" and target in _LEFT_LEG_STANCES
    return stance, mirror


# The same words mean a different placement in another stance: hands on the knees when crouching
# rest the forearms on them, when kneeling the hands lie on the thighs.
_STANCE_ALIASES: dict[tuple[str, str], str] = {
    ("head_on_hand", STANDING): "hand_on_chin",
    ("head_on_hand", SITTING_CHAIR): "hand_on_chin",
    ("hands_on_knees", CROUCHING): "forearms_on_knees",
    ("hands_on_knees", KNEELING): "hands_on_thighs",
    ("hands_on_thighs", SITTING_CHAIR): "hands_on_knees",
}


# Gestures that bring their own stance within a family (hugging the knees pulls them up).
_GESTURE_STANCES: dict[tuple[str, str], str] = {
    ("hug_knees", SITTING_FLOOR): "sitting_floor_knees_up",
    ("hug_knees", SITTING_CHAIR): "sitting_floor_knees_up",
    ("chin_in_hands", SITTING_CHAIR): "sitting_chair_forward",
}


def _resolve_arms(p: Parse, stance: str) -> tuple[str, str | None, str | None, list[tuple[int, str]]]:
    for _, asked, *_rest in p.arms:
        stance = _GESTURE_STANCES.get((asked, STANCES[stance].family), stance)
    family = STANCES[stance].family
    arms: dict[str, str] = {}
    labels: list[tuple[int, str]] = []
    for position, asked, side, words, label in sorted(p.arms):
        gesture = _STANCE_ALIASES.get((asked, family), asked)
        spec = ARM_GESTURES[gesture]
        if spec.families is not None and family not in spec.families:
            p.notes.append(f"“{words}” ignored: it needs a {' or '.join(f.replace('_', ' ') for f in spec.families)} "
                           f"pose, not {STANCES[stance].label}.")
            continue
        if spec.partner is not None or side == "both":
            if arms:
                p.notes.append(f"“{words}” ignored: the arms are already placed.")
                continue
            arms = {"l": gesture, "r": gesture}
            labels.append((position, spec.both_label))
            continue
        wanted = {"left": "l", "right": "r"}.get(side or "")
        free = [s for s in (wanted,) if s and s not in arms] if wanted else [s for s in ("r", "l") if s not in arms]
        if not free:
            p.notes.append(f"“{words}” ignored: that hand is already busy.")
            continue
        arms[free[0]] = gesture
        word = SIDE_WORD[free[0]]
        if label is None:
            one = spec.label.startswith(("hand ", "arm "))
            label = f"{word} {spec.label}" if one else f"{spec.label} ({word} hand)"
        labels.append((position, label))
    if p.head_down_for_phone and "down" not in p.head:
        p.head.append("down")
    return stance, arms.get("l"), arms.get("r"), labels


# --------------------------------------------------------------------------------------------
# The result


@dataclass(frozen=True, eq=False)
class TextPose:
    """What a description became: the parts, the skeleton pose and its keypoints."""

    text: str
    understood: tuple[str, ...]
    notes: tuple[str, ...]
    parts: PoseParts
    pose: Pose
    keypoints: np.ndarray  # (18, 3) COCO-18, x and y normalised to width x height, confidence
    width: int
    height: int
    legs_mirrored: bool = False

    @property
    def pose_dict(self) -> dict[str, Any]:
        return pose_to_dict(pose=self.pose)

    def structure(self) -> dict[str, Any]:
        return {**self.parts.structure(), "understood": list(self.understood), "pose": self.pose_dict}

    def variations(self, *, count: int, seed: int = 0, degrees: float = 5.0) -> list[Pose]:
        """``count`` nearby poses by seeded jitter (the same seed gives the same poses); jitters that
        would push a limb through the body are skipped."""
        out: list[Pose] = []
        attempt = 0
        while len(out) < count and attempt < count * 8:
            candidate = pose_jitter(pose=self.pose, seed=seed * 1000 + attempt, degrees=degrees, camera_degrees=3.0)
            attempt += 1
            if not pose_collisions(pose=candidate):
                out.append(candidate)
        return out


def text_to_pose(*, text: str, width: int = DEFAULT_CANVAS[0], height: int = DEFAULT_CANVAS[1]) -> TextPose:
    """Read a pose description (English or basic Bahasa Indonesia). Raises :class:`TextToPoseError`
    when the text is empty, too long, or has no pose words."""
    if not isinstance(text, str) or not text.strip():
        raise TextToPoseError(_help("Describe a pose."))
    if len(text) > MAX_TEXT_LENGTH:
        raise TextToPoseError(f"Keep the description to {MAX_TEXT_LENGTH} characters or fewer.")
    normalised = normalise_text(text)
    p = Parse(text=normalised)
    masked = normalised
    for rule in RULES:
        for match in list(rule.pattern.finditer(masked)):
            if not match.group(0).strip():
                continue
            rule.apply(p, match)
            masked = masked[: match.start()] + "#" * (match.end() - match.start()) + masked[match.end():]
    stance, mirror = _resolve_legs(p)
    stance, left, right, arm_labels = _resolve_arms(p, stance)
    understood = sorted(p.understood + arm_labels)
    if not understood:
        raise TextToPoseError(_help(f"No pose words found in “{text.strip()[:80]}”."))
    extra: dict[str, float] = {}
    if any(leg == "lean_forward" for _, leg, _ in p.legs) and STANCES[stance].family in (STANDING, WALKING):
        extra["spine.flexion"] = 22.0
    parts = PoseParts(stance=stance, left_arm=left, right_arm=right, head=tuple(p.head), face_camera=p.face_camera,
                      view=p.view or "front", extra=extra)
    pose = build_pose(parts)
    if mirror:
        pose = _mirror_legs(pose)
    projected = project_pose(pose=pose, width=width, height=height)
    return TextPose(
        text=text,
        understood=tuple(label for _, label in understood),
        notes=tuple(p.notes),
        parts=parts,
        pose=pose,
        keypoints=projected.keypoints,
        width=width,
        height=height,
        legs_mirrored=mirror,
    )


def _mirror_legs(pose: Pose) -> Pose:
    """Swap the legs' sided angles (so the right leg does what the stance gives the left)."""
    angles = dict(pose.angles)
    legs = ("hip.", "knee.", "ankle.")
    swapped = {}
    for key, value in pose.angles.items():
        if key[2:].startswith(legs):
            angles.pop(key, None)
            swapped[("r_" if key[:2] == "l_" else "l_") + key[2:]] = value
    angles.update(swapped)
    for key in ("spine.lateral", "spine.twist"):
        if key in angles:
            angles[key] = -angles[key]
    return replace(pose, angles=angles)


def _help(lead: str) -> str:
    return f"{lead} Try phrases like: " + "; ".join(f"“{e}”" for e in EXAMPLE_PHRASES) + "."
