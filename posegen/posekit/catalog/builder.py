"""Expanding the recipes into the catalogue: naming, mirroring, checking, de-duplicating, grading."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np

from posegen.posekit.catalog.anatomy import skeleton_collisions
from posegen.posekit.catalog.categories import CATEGORIES, CATEGORY_BY_SLUG, Category, category_path
from posegen.posekit.catalog.parts import (
    ARM_GESTURES,
    CROUCHING,
    HEAD_MOVES,
    JUMPING,
    KNEELING,
    LYING,
    RUNNING,
    SIDE_WORD,
    SITTING_CHAIR,
    SITTING_FLOOR,
    STANCES,
    STANDING,
    VIEWS,
    WALKING,
    PoseParts,
    build_pose,
)
from posegen.posekit.catalog.recipes import RECIPES, Recipe
from posegen.posekit.skeleton import DOF_BY_KEY, Pose, Skeleton3D, pose_joints_3d, pose_mirror, pose_to_dict
from posegen.posekit.skeleton.projection import camera_axes
from posegen.posekit.skeleton.rig import COCO18_RIG_INDEX

SOURCE_CREDIT = "Lumiku studio catalogue"
LICENSE_TYPE = "platform"
# Mean COCO-18 keypoint distance (units of body height, as posekit.skeleton.pose_distance) under
# which a candidate is a near-duplicate of a pose already in the catalogue: about 3.5 cm.
DUPLICATE_THRESHOLD = 0.02
# Complexity (see pose_complexity) at which a pose becomes intermediate and advanced.
INTERMEDIATE_FROM = 2.6
ADVANCED_FROM = 4.5

_FAMILY_TAGS = {
    STANDING: ("berdiri",), WALKING: ("berjalan",), RUNNING: ("berlari",), JUMPING: ("melompat",),
    SITTING_CHAIR: ("duduk",), SITTING_FLOOR: ("duduk", "lesehan"), KNEELING: ("berlutut",),
    CROUCHING: ("jongkok",), LYING: ("berbaring",),
}
_VIEW_NAMES = {
    "front": "front", "three_quarter_left": "3/4 left", "three_quarter_right": "3/4 right",
    "profile_left": "profile left", "profile_right": "profile right", "back": "back view",
    "back_three_quarter_left": "back 3/4 left", "back_three_quarter_right": "back 3/4 right",
}
_VIEW_SENTENCES = {
    "front": "Seen from the front", "three_quarter_left": "Seen in 3/4 view, turned to the left",
    "three_quarter_right": "Seen in 3/4 view, turned to the right", "profile_left": "Seen in profile, facing left",
    "profile_right": "Seen in profile, facing right", "back": "Seen from behind",
    "back_three_quarter_left": "Seen from behind at 3/4, turned to the left",
    "back_three_quarter_right": "Seen from behind at 3/4, turned to the right",
}
_MIRROR_VIEW = {
    "three_quarter_left": "three_quarter_right", "three_quarter_right": "three_quarter_left",
    "profile_left": "profile_right", "profile_right": "profile_left",
    "back_three_quarter_left": "back_three_quarter_right", "back_three_quarter_right": "back_three_quarter_left",
}
_MIRROR_HEAD = {"turn_left": "turn_right", "turn_right": "turn_left", "tilt_left": "tilt_right",
                "tilt_right": "tilt_left"}


@dataclass(frozen=True, eq=False)
class CatalogPose:
    key: str  # stable identity for upserts: category/parts/view[/mirror]
    name: str
    description: str
    category: str  # leaf category slug
    tags: tuple[str, ...]
    difficulty: str  # beginner | intermediate | advanced
    gender_suitability: str  # male | female | unisex
    featured: bool
    complexity: float
    parts: PoseParts
    mirrored: bool
    pose: Pose

    @property
    def pose_dict(self) -> dict[str, Any]:
        return pose_to_dict(pose=self.pose)

    def structure(self) -> dict[str, Any]:
        """The JSON stored as the pose's ``pose_structure``."""
        base = self.parts.structure()
        if self.mirrored:
            base["arms"] = {"left": base["arms"]["right"], "right": base["arms"]["left"]}
            base["view"] = _MIRROR_VIEW.get(base["view"], base["view"])
            base["head"] = [_MIRROR_HEAD.get(h, h) for h in base["head"]]
        return {**base, "mirrored": self.mirrored, "catalogKey": self.key, "pose": self.pose_dict}


@dataclass(frozen=True, eq=False)
class Catalog:
    categories: tuple[Category, ...]
    poses: tuple[CatalogPose, ...]
    rejected_impossible: tuple[str, ...]  # keys of candidates whose body passed through itself
    rejected_duplicates: int


# How much holding a position costs in each stance family: a seat or the floor carries the body,
# so its bent hips and knees count for less; crouching and running are effort in themselves.
_SUPPORT = {SITTING_CHAIR: 0.3, SITTING_FLOOR: 0.45, LYING: 0.35, KNEELING: 0.6, CROUCHING: 0.6}
_FAMILY_EFFORT = {WALKING: 0.4, RUNNING: 1.2, JUMPING: 1.0, CROUCHING: 0.8, KNEELING: 0.3, SITTING_FLOOR: 0.2}


def pose_complexity(*, pose: Pose, family: str, skeleton: Skeleton3D | None = None) -> float:
    """How hard a pose is to hold or copy: joint excursions (legs and spine count most, less when a
    seat or the floor carries the body), angles near their limits, the effort of the stance,
    balancing on one leg, being airborne, leaning off balance."""
    support = _SUPPORT.get(family, 1.0)
    score = _FAMILY_EFFORT.get(family, 0.0)
    for key, value in pose.angles.items():
        dof = DOF_BY_KEY[key]
        span = dof.high if value > 0 else -dof.low
        fraction = abs(value) / span if span else 0.0
        joint = key.split(".")[0].removeprefix("l_").removeprefix("r_")
        weight = {"shoulder": 0.3, "elbow": 0.15, "wrist": 0.1, "neck": 0.15}.get(joint, support)
        score += weight * fraction
        if joint in ("spine", "hip", "knee", "ankle") and fraction >= 0.85:
            score += 0.4 * support
    if pose.root.lift > 0:
        score += 1.5
    if family in (STANDING, WALKING):
        skeleton = skeleton or pose_joints_3d(pose=pose)
        feet = sorted(float(skeleton.position(f"{s}_ankle")[1]) for s in ("l", "r"))
        if feet[1] - feet[0] > 0.15:
            score += 1.5  # balancing on one leg
        if abs(pose.root.pitch) > 15 or abs(pose.root.roll) > 15:
            score += 1.0
    return round(score, 3)


def difficulty_for(complexity: float) -> str:
    if complexity >= ADVANCED_FROM:
        return "advanced"
    if complexity >= INTERMEDIATE_FROM:
        return "intermediate"
    return "beginner"


def _view_plane(skeleton, pose: Pose) -> np.ndarray:
    """The (18, 2) keypoints pose_distance compares: view-plane, units of height, centred."""
    points = skeleton.positions[list(COCO18_RIG_INDEX)] @ camera_axes(pose.camera).T
    flat = points[:, :2] / skeleton.proportions.height
    return flat - flat.mean(axis=0)


def _arm_phrase(parts: PoseParts) -> str:
    left, right = parts.arms()
    rest = STANCES[parts.stance].rest_arms
    if left == right:
        return "" if left in ("down", rest[0]) else ARM_GESTURES[left].both_label
    phrases = []
    for side, gesture, resting in (("l", left, rest[0]), ("r", right, rest[1])):
        if gesture in ("down", resting):
            continue
        label = ARM_GESTURES[gesture].label
        word = SIDE_WORD[side]
        phrases.append(f"{word} {label}" if label.startswith(("hand ", "arm ", "elbow ", "forearm "))
                       else f"{label} ({word} hand)")
    return ", ".join(phrases)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _name(recipe: Recipe, parts: PoseParts) -> str:
    if recipe.title:
        words = [recipe.title]
    else:
        stance = STANCES[parts.stance]
        arms = _arm_phrase(parts)
        words = [arms] if arms else []
        if not arms:
            words.append(stance.label)
        elif stance.key != "standing":  # "Hands on hips, wide stance" rather than "..., standing, wide stance"
            words.append(stance.label.removeprefix("standing, "))
    words += [HEAD_MOVES[h].label for h in parts.head]
    text = ", ".join(w for w in words if w)
    if recipe.prefix:
        text = f"{recipe.prefix} {text[:1].lower() + text[1:]}" if not recipe.prefix.endswith(":") else \
            f"{recipe.prefix} {_capital(text)}"
    return f"{_capital(text)}, {_VIEW_NAMES[parts.view]}"


_SWAP = {"left": "right", "right": "left", "Left": "Right", "Right": "Left"}


def _swap_sides(text: str) -> str:
    return re.sub(r"\b(left|right|Left|Right)\b", lambda m: _SWAP[m.group(1)], text)


def _description(recipe: Recipe, parts: PoseParts, category: Category) -> str:
    stance = STANCES[parts.stance]
    first = recipe.title or _capital(stance.label)
    arms = _arm_phrase(parts)
    detail = f"{first}, {arms}" if arms and not recipe.title else first
    if recipe.title and stance.key != "standing":
        detail = f"{recipe.title}: {stance.label}"
    heads = [HEAD_MOVES[h].label for h in parts.head]
    if heads:
        detail += ", " + ", ".join(heads)
    use = recipe.use or category.description.rstrip(".").lower()
    return f"{detail}. {_VIEW_SENTENCES[parts.view]}. Good for {use}."


def _tags(recipe: Recipe, parts: PoseParts, category: Category) -> tuple[str, ...]:
    stance = STANCES[parts.stance]
    left, right = parts.arms()
    tags: list[str] = [*recipe.tags, *stance.tags]
    for gesture in dict.fromkeys((left, right)):
        tags += ARM_GESTURES[gesture].tags
    tags += VIEWS[parts.view].tags
    for node in category_path(category.slug):
        tags += node.tags
    tags += _FAMILY_TAGS[stance.family]
    seen: dict[str, None] = {}
    for tag in tags:
        seen.setdefault(tag.lower(), None)
    return tuple(list(seen)[:16])


def _key(recipe: Recipe, parts: PoseParts, mirrored: bool) -> str:
    left, right = parts.arms()
    title = re.sub(r"[^a-z0-9]+", "-", recipe.title.lower()).strip("-") if recipe.title else parts.stance
    head = "+".join(parts.head) or "-"
    key = f"{recipe.category}/{title}/{left}+{right}/{head}/{parts.view}/{parts.sex}"
    return key + ("/mirror" if mirrored else "")


def _gender(sex: str) -> str:
    return {"male": "male", "female": "female"}.get(sex, "unisex")


@lru_cache(maxsize=1)
def build_catalog() -> Catalog:
    """The whole catalogue, deterministic: same recipes, same poses in the same order."""
    accepted: list[CatalogPose] = []
    planes = np.zeros((sum(1 for r in RECIPES for _ in r.expand()) * 2, 18, 2))  # kept poses' view planes
    kept = 0
    names: set[str] = set()
    impossible: list[str] = []
    duplicates = 0
    for recipe in RECIPES:
        category = CATEGORY_BY_SLUG[recipe.category]
        featured_left = recipe.featured
        for parts in recipe.expand():
            pose = build_pose(parts)
            name = _name(recipe, parts)
            candidates = [(pose, name, False)]
            if recipe.mirror and re.search(r"\b(left|right|Left|Right)\b", name):
                candidates.append((pose_mirror(pose=pose), _swap_sides(name), True))
            for candidate, candidate_name, mirrored in candidates:
                key = _key(recipe, parts, mirrored)
                skeleton = pose_joints_3d(pose=candidate)
                plane = _view_plane(skeleton, candidate)
                if candidate_name in names or (kept and float(
                        np.linalg.norm(planes[:kept] - plane, axis=2).mean(axis=1).min()) < DUPLICATE_THRESHOLD):
                    duplicates += 1
                    continue
                if skeleton_collisions(skeleton=skeleton):
                    impossible.append(key)
                    continue
                complexity = pose_complexity(pose=candidate, family=STANCES[parts.stance].family,
                                             skeleton=skeleton)
                description = _description(recipe, parts, category)
                if mirrored:
                    description = _swap_sides(description)
                accepted.append(CatalogPose(
                    key=key, name=candidate_name, description=description, category=recipe.category,
                    tags=_tags(recipe, parts, category), difficulty=difficulty_for(complexity),
                    gender_suitability=_gender(parts.sex), featured=featured_left, complexity=complexity,
                    parts=parts, mirrored=mirrored, pose=candidate,
                ))
                featured_left = False
                names.add(candidate_name)
                planes[kept] = plane
                kept += 1
    return Catalog(CATEGORIES, tuple(accepted), tuple(impossible), duplicates)


def catalog_pose_replace(pose: CatalogPose, **changes: Any) -> CatalogPose:
    """A copy with some fields changed (tests and tools)."""
    return replace(pose, **changes)
