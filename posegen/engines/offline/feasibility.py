"""Which target poses the offline engine can make from an avatar photo, decided before payment.

The engine moves the photo's own pixels along a 2D mesh. A standing photo has no pixels for a seat, a
folded knee seen from the front or a body lying on the floor, so such poses come out as a person
squatting in mid-air; a long dress cannot follow legs spread wider than its hem; a bag held in a hand
would hang upwards if that hand is raised overhead, and sticks out sideways when the forearm turns far
(hands on hips, arms crossed). A hand at which carried.py sees something the rig did not take as carried
(a bag against the skirt or thigh, a purse the cut-out joins to the body: colours the other side of the
body lacks there, found by nobody for sure) stays about where it is: a pose that takes that hand far away
would leave the bag behind or tear it. Such a pose (and one that would raise or
turn a carried bag) is made with that arm kept as in the photo (held_arm.py: a verdict "supported" with a
``held_<side>_kept`` code, said to the buyer), unless the kept arm would look wrong there (crossing the
other arm, the other hand grabbing it, a leg kicking the bag) or both hands hold something: then it is
unsupported rather than charged. These rules judge each target against the avatar's traits
(``avatar_traits`` in engine.py, computed once per avatar and stored as JSON).

A target is judged from its 3D body-model pose when known (``pose_structure``: heights above the floor
are exact there), else from its 2D keypoints (image y points down). Rules whose trait is missing are
skipped. Reasons are English with a stable ``code``; the web layer says them in the reader's language.

Never imports Django.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from posegen.engines.base import SUPPORTED, PoseVerdict
from posegen.engines.offline.held_arm import arm_conflict, body_frame

__all__ = ["ADJUSTED", "REASONS", "TargetShape", "judge_pose", "judge_poses", "target_shape"]

# COCO-18 indices.
NECK, R_SHOULDER, R_ELBOW, R_WRIST, L_SHOULDER, L_ELBOW, L_WRIST = 1, 2, 3, 4, 5, 6, 7
R_HIP, R_KNEE, R_ANKLE, L_HIP, L_KNEE, L_ANKLE = 8, 9, 10, 11, 12, 13
BODY = list(range(14))

# The torso leaning further than this from upright is lying (or bent far over): no photo pixels for it.
LYING_TILT_DEG = 55.0
# Pelvis height above the lowest joint, as a share of the leg's length: standing ~1.0, a wide stance
# ~0.9, running ~0.64, sitting on a chair ~0.5, crouching ~0.2, on the floor ~0.1.
SEATED_PELVIS_SHARE = 0.6
# Both thighs this close to horizontal (degrees below it) is sitting whatever the pelvis height.
SEATED_THIGH_DEG = 30.0
# A knee this close to the floor (share of the leg's length) is kneeling (0-0.05 there); walking keeps
# it near 0.45 and a running stride's back knee near 0.18.
KNEELING_KNEE_SHARE = 0.1
# 2D fallback, shares of the torso length: hip-to-knee drop (standing ~0.9) and knee-to-ankle drop.
SEATED_THIGH_DROP_2D = 0.35
KNEELING_SHIN_DROP_2D = 0.25
KNEELING_KNEE_HEIGHT_2D = 0.3
# A carried thing turns rigidly with its forearm: beyond this turn from the photo's forearm direction (in
# the picture) it sticks out sideways (hands on hips turns it ~60 degrees, standing or walking under 15).
CARRIED_TURN_DEG = 40.0
# A hand that may hold something against the body (carried.held_traits) may move its wrist this far, in
# arm lengths (shoulder to elbow to wrist) in the picture: walking or standing moves it under 0.2, hands
# on hips about 0.3, arms crossed or raised 0.7 and more.
HELD_MOVE = 0.25
# Shoulder width in the spine frame (held_arm.body_frame: neck to pelvis = 1). A photo whose shoulders are
# narrower than SIDE_VIEW_SHOULDERS shows the body from the side (ccp_0783: 0.06; the other 33 seller and
# shared photos 0.42-0.76); a target wider than FRONT_SHOULDERS faces the camera (library front poses
# ~1.0, three-quarter 0.81, lying 0.22). The engine moves the photo's pixels in 2D: it has no front of the
# body or of the clothes for such a target, and a dress seen from the side is split by the legs.
SIDE_VIEW_SHOULDERS = 0.25
FRONT_SHOULDERS = 0.5

REASONS: dict[str, str] = {
    "lying": "This pose lies down or bends far over; it cannot be made from a standing photo.",
    "sitting": "This is a sitting or crouching pose; it cannot be made from a standing photo.",
    "kneeling": "This is a kneeling pose; it cannot be made from a standing photo.",
    "side_view": "Your photo shows the body from the side; a pose facing the camera cannot be made from it.",
    "legs_too_wide": "The legs spread wider than the long dress, skirt or coat in this photo can follow.",
    "carried_raised": "The hand holding the bag or item would be raised above the shoulder; the item "
                      "cannot follow it.",
    "carried_turned": "The bag or item in the hand would turn with the hand and stick out sideways in this pose.",
    "held_right_moved": "The right hand seems to hold something against the body (a bag or purse) that cannot "
                        "move with it: choose a pose that keeps the right hand down where it is.",
    "held_left_moved": "The left hand seems to hold something against the body (a bag or purse) that cannot "
                       "move with it: choose a pose that keeps the left hand down where it is.",
}
# Supported, adjusted: the pose is made with that arm kept as in the photo (held_arm.py).
ADJUSTED: dict[str, str] = {
    "held_right_kept": ("The right hand stays as it is in your photo (it seems to hold something, such as a bag); "
                       "the rest of the body takes the pose."),
    "held_left_kept": ("The left hand stays as it is in your photo (it seems to hold something, such as a bag); "
                       "the rest of the body takes the pose."),
}


@dataclass(frozen=True)
class TargetShape:
    """What the rules need from a target pose (angles in degrees, shares of the leg or torso)."""

    torso_tilt: float
    seated: bool
    kneeling: bool
    leg_spread: float  # angle between the two legs (hip to ankle) in the picture plane
    wrist_above_shoulder: tuple[bool, bool]  # (right, left), the person's own sides
    # (right, left): the forearm's direction in the picture (degrees, y up) and the wrist's place from the
    # shoulder in arm lengths (x, y up). Defaults: a shape cached before these existed reads "unknown".
    forearm_deg: tuple[float, float] | None = None
    wrist_reach: tuple[tuple[float, float], tuple[float, float]] | None = None
    # The 14 body joints in the spine frame (held_arm.body_frame): where a kept arm would sit in the pose.
    body: tuple[tuple[float, float], ...] | None = None


def _angle(a: np.ndarray, b: np.ndarray) -> float:
    cos = float(np.dot(a, b) / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-9))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def _arms_2d(up: np.ndarray) -> dict[str, Any]:
    """Forearm directions and wrist reaches of y-up 2D points (see TargetShape)."""
    deg, reach = [], []
    for shoulder, elbow, wrist in ((R_SHOULDER, R_ELBOW, R_WRIST), (L_SHOULDER, L_ELBOW, L_WRIST)):
        fore = up[wrist] - up[elbow]
        deg.append(round(float(np.degrees(np.arctan2(fore[1], fore[0]))), 1))
        arm = max(float(np.linalg.norm(up[elbow] - up[shoulder]) + np.linalg.norm(fore)), 1e-6)
        rel = (up[wrist] - up[shoulder]) / arm
        reach.append((round(float(rel[0]), 3), round(float(rel[1]), 3)))
    body = tuple((round(float(x), 4), round(float(y), 4)) for x, y in body_frame(up * (1.0, -1.0)))
    return {"forearm_deg": tuple(deg), "wrist_reach": tuple(reach), "body": body}


def _spread_2d(up: np.ndarray) -> float:
    """Leg spread of y-up 2D points; legs the picture does not show count as together."""
    right, left = up[R_ANKLE] - up[R_HIP], up[L_ANKLE] - up[L_HIP]
    return _angle(right, left)


def _shape_3d(joints: np.ndarray, picture_up: np.ndarray) -> TargetShape:
    """``joints`` (18, 3) metres, y up; ``picture_up`` (18, 2) the projected keypoints, y up."""
    floor = float(joints[BODY, 1].min())
    mid_hip = (joints[R_HIP] + joints[L_HIP]) / 2
    leg = float(np.mean([np.linalg.norm(joints[h] - joints[k]) + np.linalg.norm(joints[k] - joints[a])
                         for h, k, a in ((R_HIP, R_KNEE, R_ANKLE), (L_HIP, L_KNEE, L_ANKLE))]))
    tilt = _angle(joints[NECK] - mid_hip, np.array([0.0, 1.0, 0.0]))
    thighs_level = all(
        np.degrees(np.arcsin(np.clip((joints[h, 1] - joints[k, 1]) / max(np.linalg.norm(joints[h] - joints[k]),
                                                                          1e-9), -1, 1))) < SEATED_THIGH_DEG
        for h, k in ((R_HIP, R_KNEE), (L_HIP, L_KNEE)))
    seated = (float(mid_hip[1]) - floor) < SEATED_PELVIS_SHARE * leg or thighs_level
    kneeling = min(joints[R_KNEE, 1], joints[L_KNEE, 1]) - floor < KNEELING_KNEE_SHARE * leg
    raised = (bool(joints[R_WRIST, 1] > joints[R_SHOULDER, 1]), bool(joints[L_WRIST, 1] > joints[L_SHOULDER, 1]))
    return TargetShape(torso_tilt=tilt, seated=bool(seated), kneeling=bool(kneeling),
                       leg_spread=_spread_2d(picture_up), wrist_above_shoulder=raised, **_arms_2d(picture_up))


def _shape_2d(up: np.ndarray) -> TargetShape:
    """``up`` (18, 2) pixels with y pointing up."""
    mid_hip = (up[R_HIP] + up[L_HIP]) / 2
    torso = max(float(np.linalg.norm(up[NECK] - mid_hip)), 1e-6)
    tilt = _angle(up[NECK] - mid_hip, np.array([0.0, 1.0]))
    thigh_drop = np.mean([up[R_HIP, 1] - up[R_KNEE, 1], up[L_HIP, 1] - up[L_KNEE, 1]]) / torso
    # A knee is on the floor when its shin is near level and it is about as low as the lower foot (a
    # tree pose's folded leg or a running stride's kicked-back shin are level too, but high up).
    ground = min(up[R_ANKLE, 1], up[L_ANKLE, 1])
    kneeling = any((up[k, 1] - up[a, 1]) / torso < KNEELING_SHIN_DROP_2D
                   and (up[k, 1] - ground) / torso < KNEELING_KNEE_HEIGHT_2D
                   for k, a in ((R_KNEE, R_ANKLE), (L_KNEE, L_ANKLE)))
    raised = (bool(up[R_WRIST, 1] > up[R_SHOULDER, 1]), bool(up[L_WRIST, 1] > up[L_SHOULDER, 1]))
    return TargetShape(torso_tilt=tilt, seated=bool(thigh_drop < SEATED_THIGH_DROP_2D),
                       kneeling=bool(kneeling), leg_spread=_spread_2d(up),
                       wrist_above_shoulder=raised, **_arms_2d(up))


@lru_cache(maxsize=4096)
def _shape_of_structure(structure_json: str, width: int, height: int) -> TargetShape | None:
    from posegen.posekit.skeleton import PoseSpecError, pose_from_dict, project_pose

    try:
        view = project_pose(pose=pose_from_dict(data=json.loads(structure_json)), width=width, height=height)
    except (PoseSpecError, ValueError, TypeError, KeyError):
        return None
    picture_up = np.asarray(view.keypoints, dtype=np.float64)[:, :2] * (1.0, -1.0)
    return _shape_3d(np.asarray(view.skeleton.coco18(), dtype=np.float64), picture_up)


def target_shape(target: Mapping[str, Any]) -> TargetShape | None:
    """The shape of a target: ``{"pose_structure": dict | None, "keypoints": (18, 3) normalised,
    "width": int, "height": int}``; None when neither is usable (nothing to judge). A target may carry
    its ``shape`` already (the web layer keeps library poses' shapes in the shared cache)."""
    if isinstance(target.get("shape"), TargetShape):
        return target["shape"]
    width, height = int(target.get("width") or 1024), int(target.get("height") or 1536)
    structure = target.get("pose_structure")
    if structure:
        shape = _shape_of_structure(json.dumps(structure, sort_keys=True), width, height)
        if shape is not None:
            return shape
    keypoints = target.get("keypoints")
    if keypoints is None:
        return None
    points = np.asarray(keypoints, dtype=np.float64)
    if points.shape != (18, 3) or not np.all(points[[NECK, R_HIP, L_HIP, R_KNEE, L_KNEE, R_ANKLE, L_ANKLE], 2] > 0):
        return None
    return _shape_2d(np.stack([points[:, 0] * width, -points[:, 1] * height], axis=1))


def _verdict(code: str, **params: Any) -> PoseVerdict:
    return PoseVerdict(supported=False, code=code, reason=REASONS[code], params=params)


def judge_pose(*, traits: Mapping[str, Any], target: Mapping[str, Any]) -> PoseVerdict:
    """One target against one avatar's traits (see module doc)."""
    if traits.get("usable") is False:  # the avatar check refuses such a photo, with its own reasons
        return SUPPORTED
    shape = target_shape(target)
    if shape is None:
        return SUPPORTED
    if traits.get("standing"):
        if shape.torso_tilt > LYING_TILT_DEG:
            return _verdict("lying", tilt=round(shape.torso_tilt))
        if shape.kneeling:
            return _verdict("kneeling")
        if shape.seated:
            return _verdict("sitting")
    limit = traits.get("max_leg_spread_deg")
    if traits.get("garment") and limit is not None and shape.leg_spread > float(limit):
        return _verdict("legs_too_wide", spread=round(shape.leg_spread), limit=round(float(limit)))
    turned = _turned_to_camera(traits, shape)
    if turned is not None:
        return turned
    refusal, kept = _held_hands(traits, shape)
    if refusal is None:
        return SUPPORTED
    if len(kept) != 1 or shape.body is None or not traits.get("pose_frame"):
        return refusal  # both hands hold something (the pose would be no pose), or nothing to judge the arm by
    conflict = arm_conflict(photo=np.asarray(traits["pose_frame"], dtype=np.float64),
                            target=np.asarray(shape.body, dtype=np.float64), side=kept[0])
    if conflict:
        return PoseVerdict(supported=False, code=refusal.code, reason=refusal.reason,
                           params={**refusal.params, "kept_conflict": conflict})
    code = f"held_{kept[0]}_kept"
    return PoseVerdict(supported=True, code=code, reason=ADJUSTED[code],
                       params={"hand": kept[0], "kept": kept, "instead_of": refusal.code})


def _turned_to_camera(traits: Mapping[str, Any], shape: TargetShape) -> PoseVerdict | None:
    """A side-view photo asked for a pose facing the camera (None when it is not, or unknown)."""
    frame = traits.get("pose_frame")
    if not frame or shape.body is None:
        return None
    photo = abs(float(frame[R_SHOULDER][0]) - float(frame[L_SHOULDER][0]))
    target = abs(float(shape.body[R_SHOULDER][0]) - float(shape.body[L_SHOULDER][0]))
    if photo < SIDE_VIEW_SHOULDERS and target > FRONT_SHOULDERS:
        return _verdict("side_view", shoulders=round(photo, 2), target_shoulders=round(target, 2))
    return None


def _held_hands(traits: Mapping[str, Any], shape: TargetShape) -> tuple[PoseVerdict | None, list[str]]:
    """The first rule a holding hand breaks (None when none does) and every side that breaks one."""
    refusals: dict[str, PoseVerdict] = {}
    hand = traits.get("carried_hand")
    if hand in ("right", "left"):
        i = 0 if hand == "right" else 1
        photo_deg = traits.get("carried_forearm_deg")
        if shape.wrist_above_shoulder[i]:
            refusals[hand] = _verdict("carried_raised", hand=hand)
        elif photo_deg is not None and shape.forearm_deg is not None:
            turn = abs((shape.forearm_deg[i] - float(photo_deg) + 180.0) % 360.0 - 180.0)
            if turn > CARRIED_TURN_DEG:
                refusals[hand] = _verdict("carried_turned", hand=hand, turn=round(turn))
    for side, reach in sorted((traits.get("held_unsure") or {}).items(), reverse=True):  # right first
        if side not in ("right", "left") or shape.wrist_reach is None or side in refusals:
            continue
        moved = float(np.hypot(*np.subtract(shape.wrist_reach[0 if side == "right" else 1], reach)))
        if moved > HELD_MOVE:
            refusals[side] = _verdict(f"held_{side}_moved", hand=side, moved=round(moved, 2))
    if not refusals:
        return None, []
    return next(iter(refusals.values())), list(refusals)


def judge_poses(*, traits: Mapping[str, Any], targets: list[Mapping[str, Any]]) -> list[PoseVerdict]:
    return [judge_pose(traits=traits, target=t) for t in targets]
