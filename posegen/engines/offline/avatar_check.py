"""Before charging: can this avatar photo be re-posed well? Exact problems, and how to take a better photo.

The offline engine moves the person's own pixels, so it needs the whole body, one person, enough
pixels, and limbs that stand apart from the body: an arm folded across the chest or a leg tucked
behind the other has no visible shape of its own to move (what is under it was never photographed).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from posegen.engines.offline.retarget import pelvis

__all__ = ["AvatarCheck", "AvatarProblem", "avatar_check", "few_poses_warning", "held_warning"]

MIN_PERSON_HEIGHT = 320  # px: below this the result is visibly blurry at 1024x1536
GOOD_PERSON_HEIGHT = 700  # px: below this, a warning only
JOINT_SEEN = 0.5
# Wrists/elbows this far inside the torso (quad shrunk to this share) count as folded over it.
TORSO_CORE = 0.8
# ... and count as folded across it when the wrist is past the spine by this share of the shoulders.
CROSS_SHARE = 0.1
# A forearm shorter than this share of its upper arm in the photo points toward the camera: the
# photo holds only its end (a fist in front of the chest), so a new pose would show a stub.
FORESHORTENED = 0.4
BENT_KNEE_DEG = 60.0  # both knees bent more than this: sitting, kneeling or crouching
TILTED_TORSO_DEG = 35.0

_NAMES = {0: "head", 2: "right shoulder", 3: "right elbow", 4: "right wrist", 5: "left shoulder", 6: "left elbow",
          7: "left wrist", 8: "right hip", 9: "right knee", 10: "right ankle", 11: "left hip", 12: "left knee",
          13: "left ankle"}
_ADVICE_STANDING = ("Take a new photo standing straight, facing the camera, arms hanging a hand's width away from "
                    "the body and feet apart, from head to toe, in good light.")


@dataclass(frozen=True)
class AvatarProblem:
    """English text; `code` and `params` are stable so the service layer can say it in the user's language
    (this package never imports Django)."""

    code: str
    message: str  # what is wrong, for the user
    advice: str  # how to take a better photo
    params: dict[str, Any] = field(default_factory=dict)  # the numbers and names inside message/advice


@dataclass(frozen=True)
class AvatarCheck:
    ok: bool  # no blocking problem: the engine can re-pose this photo well
    problems: list[AvatarProblem] = field(default_factory=list)
    warnings: list[AvatarProblem] = field(default_factory=list)  # usable, but results may suffer
    people: int = 0
    person_height_px: int = 0
    image_size: tuple[int, int] = (0, 0)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["image_size"] = list(self.image_size)
        return data


def _problem(code: str, message: str, advice: str = _ADVICE_STANDING, **params: Any) -> AvatarProblem:
    return AvatarProblem(code=code, message=message, advice=advice, params=params)


def _inside(point: np.ndarray, quad: np.ndarray) -> bool:
    import cv2

    return cv2.pointPolygonTest(quad.astype(np.float32), (float(point[0]), float(point[1])), False) >= 0


def _across_middle(kp: np.ndarray, shoulder: int, wrist: int) -> bool:
    """The wrist lies past the spine, on the other shoulder's side, by more than CROSS_SHARE of the
    shoulder width; or at the middle of the chest (hands together in prayer, on the breastbone). A hand
    at the middle of the waist, holding a bag in front, is not across."""
    up = kp[1, :2] - pelvis(kp)
    length = max(float(np.hypot(*up)), 1e-9)
    across = np.array([-up[1], up[0]]) / length
    side = float((kp[shoulder, :2] - pelvis(kp)) @ across)
    width = float(np.hypot(*(kp[2, :2] - kp[5, :2])))
    offset = np.sign(side) * float((kp[wrist, :2] - pelvis(kp)) @ across)
    height = float((kp[wrist, :2] - pelvis(kp)) @ up) / (length * length)
    return bool(offset < -CROSS_SHARE * width or (offset < 1.5 * CROSS_SHARE * width and height > 0.5))


def knee_bend(kp: np.ndarray, hip: int, knee: int, ankle: int) -> float:
    thigh, shin = kp[knee, :2] - kp[hip, :2], kp[ankle, :2] - kp[knee, :2]
    cos = float(thigh @ shin / max(np.linalg.norm(thigh) * np.linalg.norm(shin), 1e-9))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def avatar_check(*, image: bytes) -> AvatarCheck:
    """Check an avatar photo for the offline engine. Never raises for a bad photo: it says why."""
    from posegen.imaging.segmentation import InvalidImage, NoPersonSegmented, segment_person
    from posegen.posekit.extract import load_rgb_image

    try:
        rgb = load_rgb_image(image=image)
    except Exception:
        return AvatarCheck(ok=False, problems=[_problem(
            "unreadable", "The photo could not be read.", "Upload a JPEG, PNG or WebP photo.")])
    h, w = rgb.shape[:2]
    try:
        matte = segment_person(image=rgb, keep="main", refine_edges=False)
    except (NoPersonSegmented, InvalidImage):
        matte = None
    if matte is None or matte.pose is None:
        return AvatarCheck(ok=False, image_size=(w, h), problems=[_problem(
            "no_person", "No person was found in the photo.",
            "Use a photo of one person, seen whole, standing out clearly from the background.")])
    problems: list[AvatarProblem] = []
    warnings: list[AvatarProblem] = []
    people = int(matte.pose.people_detected)
    if people > 1:
        warnings.append(_problem(
            "several_people", f"{people} people are in the photo; only the largest one will be used.",
            "Use a photo with only you in it.", people=people))
    kp = matte.pose.keypoints_px()
    ys = np.nonzero((matte.alpha > 0.5).any(axis=1))[0]
    height_px = int(ys.max() - ys.min() + 1) if len(ys) else 0

    missing = [j for j in _NAMES if kp[j, 2] < JOINT_SEEN]
    # Head, hips, knees and ankles decide "full body"; a hidden arm joint is only a warning (an arm
    # behind the back is still there), unless the shoulders themselves are missing.
    essential = [j for j in missing if j in (0, 2, 5, 8, 9, 10, 11, 12, 13)]
    if essential:
        names = ", ".join(_NAMES[j] for j in essential)
        problems.append(_problem(
            "not_full_body", f"The whole body must be visible; these parts are hidden or outside the photo: {names}.",
            "Step back so the photo shows you from the top of your head to your feet, with a little space around.",
            parts=[_NAMES[j] for j in essential]))
    elif missing:
        names = ", ".join(_NAMES[j] for j in missing)
        warnings.append(_problem(
            "arm_hidden", f"Part of an arm is hidden ({names}); it cannot be moved into the new poses.",
            "Keep both arms visible, a hand's width away from the body.", parts=[_NAMES[j] for j in missing]))
    if len(ys) and (ys.max() >= h - 2 or ys.min() <= 1) and not essential:
        warnings.append(_problem(
            "touches_edge", "The person touches the top or bottom edge of the photo; hair or feet may be cut off.",
            "Leave a little space above the head and below the feet."))
    if height_px < MIN_PERSON_HEIGHT:
        problems.append(_problem(
            "too_small", f"The person is only {height_px} pixels tall in the photo; results would be blurry.",
            f"Use a photo where the person is at least {GOOD_PERSON_HEIGHT} pixels tall (stand closer or use "
            "a higher-resolution photo).", height=height_px, minimum=GOOD_PERSON_HEIGHT))
    elif height_px < GOOD_PERSON_HEIGHT:
        warnings.append(_problem(
            "small", f"The person is {height_px} pixels tall in the photo; results will be somewhat soft.",
            f"A photo where the person is at least {GOOD_PERSON_HEIGHT} pixels tall gives sharper results.",
            height=height_px, minimum=GOOD_PERSON_HEIGHT))

    if not essential:
        torso_len = float(np.hypot(*(kp[1, :2] - pelvis(kp))))
        quad = kp[[2, 5, 11, 8], :2]
        core = quad.mean(axis=0) + (quad - quad.mean(axis=0)) * TORSO_CORE
        # Only an arm reaching across the body's middle (folded arms, a hand on the other shoulder)
        # blocks: a bent arm whose hand rests on its own side of the body, or holds a bag there, can be
        # moved (the body behind it is painted in from around it).
        folded = [side for side, (shoulder, elbow, wrist) in (("right", (2, 3, 4)), ("left", (5, 6, 7)))
                  if (_inside(kp[wrist, :2], core) or _inside(kp[elbow, :2], core))
                  and _across_middle(kp, shoulder, wrist)]
        if folded:
            problems.append(_problem(
                "arms_over_body", f"The {' and '.join(folded)} arm{'s are' if len(folded) > 1 else ' is'} folded "
                "in front of the body, so the body behind it cannot be shown when the arm moves.",
                "Let both arms hang by your sides, a hand's width away from the body.", sides=folded))
        toward = [side for side, (shoulder, elbow, wrist) in (("right", (2, 3, 4)), ("left", (5, 6, 7)))
                  if side not in folded and min(kp[elbow, 2], kp[wrist, 2]) >= JOINT_SEEN
                  and np.hypot(*(kp[wrist, :2] - kp[elbow, :2]))
                  < FORESHORTENED * np.hypot(*(kp[elbow, :2] - kp[shoulder, :2]))]
        if toward:
            problems.append(_problem(
                "arm_toward_camera", f"The {' and '.join(toward)} forearm{'s point' if len(toward) > 1 else ' points'} "
                f"toward the camera, so the photo shows only {'their ends' if len(toward) > 1 else 'its end'}; "
                f"moved into a new pose {'they' if len(toward) > 1 else 'it'} would look cut off.",
                "Let both arms hang by your sides, a hand's width away from the body.", sides=toward))
        up = kp[1, :2] - pelvis(kp)
        tilt = float(np.degrees(np.arctan2(abs(up[0]), -up[1])))
        if tilt > TILTED_TORSO_DEG:
            problems.append(_problem(
                "not_upright", "The person is not upright (leaning, lying or bending over).", _ADVICE_STANDING))
        bends = [knee_bend(kp, hip, knee, ankle) for hip, knee, ankle in ((8, 9, 10), (11, 12, 13))]
        if min(bends) > BENT_KNEE_DEG:  # both knees: one bent knee is a lunge or a step, still usable
            problems.append(_problem(
                "legs_bent", "The person is sitting, kneeling or crouching (knees strongly bent).",
                "Stand up straight with both feet on the ground."))
        # Legs crossed or one foot tucked against the other leg (tree pose).
        for ankle, knee, other_knee, other_ankle in ((10, 9, 12, 13), (13, 12, 9, 10)):
            # A foot tucked against the other leg sits well above the other foot (a walking stride's
            # back foot passes near the other knee in 2D but stays low).
            near_other = (np.hypot(*(kp[ankle, :2] - kp[other_knee, :2])) < 0.3 * torso_len
                          and kp[ankle, 1] < kp[other_ankle, 1] - 0.4 * torso_len)
            raised = kp[ankle, 1] < kp[knee, 1]
            if raised:
                problems.append(_problem(
                    "legs_crossed", "One leg is raised or folded against the other, so it cannot be moved cleanly.",
                    "Stand on both feet, feet hip-width apart."))
                break
            if near_other:
                warnings.append(_problem(
                    "leg_folded", "One foot is lifted against the other leg; that leg may look short in new poses.",
                    "Stand on both feet, feet hip-width apart."))
                break
        r_sh, l_sh = kp[2, 0], kp[5, 0]
        if abs(l_sh - r_sh) < 0.25 * torso_len:
            warnings.append(_problem(
                "side_view",
                "The person is seen from the side; poses facing the camera cannot be made from this photo.",
                "Face the camera for the most natural results."))
    return AvatarCheck(ok=not problems, problems=problems, warnings=warnings, people=people,
                       person_height_px=height_px, image_size=(w, h))


_HELD = {("right",): "The right hand seems to hold something against the body (a bag or purse); poses that move that "
                     "hand are made with it kept as in the photo, or not offered where that would look wrong.",
         ("left",): "The left hand seems to hold something against the body (a bag or purse); poses that move that "
                    "hand are made with it kept as in the photo, or not offered where that would look wrong.",
         ("right", "left"): "Both hands seem to hold something against the body (a bag or purse); poses that move "
                            "those hands are not offered, because the item cannot move with them."}
_HELD_ADVICE = ("For every pose, hold the bag so that it hangs free from the hand, a hand's width away from the "
                "body, or take the photo without it.")


def held_warning(*, traits: dict[str, Any]) -> AvatarProblem | None:
    """A warning (the photo stays usable) when the avatar's traits keep hands in place because they may hold
    something the engine cannot move (carried.held_traits): says why poses are greyed and how to re-shoot.
    It needs the rig, so it is made with the traits, after avatar_check."""
    sides = tuple(side for side in ("right", "left") if side in (traits.get("held_unsure") or {}))
    if not sides:
        return None
    return _problem("held_against_body", _HELD[sides], _HELD_ADVICE, sides=list(sides))


# The photo check's count of what the library allows: a photo that can make fewer than this share of the
# poses a standing photo can make at all (sitting, kneeling and lying are never made from one) is told so
# with advice. Over the 822 catalogue poses on the seller set: a photo without a held hand makes all of
# them (522; a long dress 75-100 %), one hand holding something 53-72 % (0033, 0139, 0334 ...), both hands
# on one clutch 10 % (0676), the side view 14 % (0783). (Before carried._unmatched, 0235's fur coat 11 %,
# 0726's hands in pockets 7 % and 0807's empty hand 47 % were flagged as holding too.)
FEW_POSES_SHARE = 1 / 3
FEW_POSES_MIN_JUDGED = 10  # fewer library poses than this judged: no verdict on the photo
_NEVER_STANDING = frozenset({"lying", "sitting", "kneeling"})
_HELD_CODES = frozenset({"held_right_moved", "held_left_moved", "carried_turned", "carried_raised"})
_FEW = "Only {supported} of the {total} library poses can be made from this photo"
_FEW_HELD = {
    ("right",): _FEW + ": the right hand seems to hold something against the body (a bag or purse), and most poses "
                       "would move it.",
    ("left",): _FEW + ": the left hand seems to hold something against the body (a bag or purse), and most poses "
                      "would move it.",
    ("right", "left"): _FEW + ": both hands seem to hold something against the body (a bag or purse), and most "
                              "poses would move them.",
}
_FEW_HELD_ADVICE = {
    ("right",): "Hold the bag in your left hand, hanging free a hand's width from the body, or put it down for the "
                "photo. If you hold nothing, let the right hand hang free by your side, out of any pocket.",
    ("left",): "Hold the bag in your right hand, hanging free a hand's width from the body, or put it down for the "
               "photo. If you hold nothing, let the left hand hang free by your side, out of any pocket.",
    ("right", "left"): "Hold the bag in one hand only, hanging free a hand's width from the body, or put it down for "
                       "the photo. If you hold nothing, let both hands hang free by your sides, out of any pocket.",
}
_FEW_SIDE = _FEW + ": it shows the body from the side, and most poses face the camera."
_FEW_SIDE_ADVICE = "Take the photo facing the camera, standing straight, arms a hand's width away from the body."


def few_poses_warning(*, traits: dict[str, Any], verdicts: list) -> AvatarProblem | None:
    """A warning (the photo stays usable) when the library's poses judged against this photo's traits
    (``verdicts``: feasibility's PoseVerdicts) leave the seller few to choose from: how many, why, and the
    photo to take instead (the bag in the other hand or put down, facing the camera)."""
    standing = [v for v in verdicts if v.supported or v.code not in _NEVER_STANDING]
    supported = sum(bool(v.supported) for v in verdicts)
    if len(standing) < FEW_POSES_MIN_JUDGED or supported >= FEW_POSES_SHARE * len(standing):
        return None
    params = {"supported": supported, "total": len(verdicts)}
    refused = [v.code for v in standing if not v.supported]
    held = sum(code in _HELD_CODES for code in refused)
    side = sum(code == "side_view" for code in refused)
    hands = set(traits.get("held_unsure") or {}) | {traits.get("carried_hand")}
    sides = tuple(s for s in ("right", "left") if s in hands)
    if held >= side and held and sides:
        return _problem("few_poses_held", _FEW_HELD[sides].format(**params), _FEW_HELD_ADVICE[sides],
                        sides=list(sides), **params)
    if side:
        return _problem("few_poses_side_view", _FEW_SIDE.format(**params), _FEW_SIDE_ADVICE, **params)
    return _problem("few_poses", _FEW.format(**params) + ".", _ADVICE_STANDING, **params)
