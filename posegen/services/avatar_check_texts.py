"""The avatar check's problems and advice in the active language.

The offline engine (no Django there) writes English text with a stable `code` and the `params` inside it;
the stored check stays English. Here each code's English is rebuilt from its msgid and params: only when it
is exactly the stored text is the translation used, so a check stored by an older engine (different words,
no params) or an unknown code is shown as stored rather than as a guess.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, gettext_noop

_STANDING = gettext_noop("Take a new photo standing straight, facing the camera, arms hanging a hand's width away "
                         "from the body and feet apart, from head to toe, in good light.")
_ARMS_HANG = gettext_noop("Let both arms hang by your sides, a hand's width away from the body.")
_BOTH_FEET = gettext_noop("Stand on both feet, feet hip-width apart.")
_HELD_ADVICE = gettext_noop("For every pose, hold the bag so that it hangs free from the hand, a hand's width away "
                            "from the body, or take the photo without it.")

# code → (message msgid, advice msgid); the placeholders are the engine's params.
_TEXTS: dict[str, tuple[str, str]] = {
    "unreadable": (gettext_noop("The photo could not be read."), gettext_noop("Upload a JPEG, PNG or WebP photo.")),
    "no_person": (gettext_noop("No person was found in the photo."),
                  gettext_noop("Use a photo of one person, seen whole, standing out clearly from the background.")),
    "several_people": (gettext_noop("%(people)s people are in the photo; only the largest one will be used."),
                       gettext_noop("Use a photo with only you in it.")),
    "not_full_body": (
        gettext_noop("The whole body must be visible; these parts are hidden or outside the photo: %(parts)s."),
        gettext_noop("Step back so the photo shows you from the top of your head to your feet, "
                     "with a little space around.")),
    "arm_hidden": (gettext_noop("Part of an arm is hidden (%(parts)s); it cannot be moved into the new poses."),
                   gettext_noop("Keep both arms visible, a hand's width away from the body.")),
    "touches_edge": (
        gettext_noop("The person touches the top or bottom edge of the photo; hair or feet may be cut off."),
        gettext_noop("Leave a little space above the head and below the feet.")),
    "too_small": (gettext_noop("The person is only %(height)s pixels tall in the photo; results would be blurry."),
                  gettext_noop("Use a photo where the person is at least %(minimum)s pixels tall (stand closer or use "
                               "a higher-resolution photo).")),
    "small": (gettext_noop("The person is %(height)s pixels tall in the photo; results will be somewhat soft."),
              gettext_noop("A photo where the person is at least %(minimum)s pixels tall gives sharper results.")),
    "not_upright": (gettext_noop("The person is not upright (leaning, lying or bending over)."), _STANDING),
    "legs_bent": (gettext_noop("The person is sitting, kneeling or crouching (knees strongly bent)."),
                  gettext_noop("Stand up straight with both feet on the ground.")),
    "legs_crossed": (gettext_noop("One leg is raised or folded against the other, so it cannot be moved cleanly."),
                     _BOTH_FEET),
    "leg_folded": (gettext_noop("One foot is lifted against the other leg; that leg may look short in new poses."),
                   _BOTH_FEET),
    "side_view": (gettext_noop("The person is seen from the side; poses facing the camera cannot be made from "
                               "this photo."),
                  gettext_noop("Face the camera for the most natural results.")),
    # Warnings added with the avatar's traits when the library leaves few poses (avatar_check.few_poses_warning).
    "few_poses_side_view": (
        gettext_noop("Only %(supported)s of the %(total)s library poses can be made from this photo: it shows the "
                     "body from the side, and most poses face the camera."),
        gettext_noop("Take the photo facing the camera, standing straight, arms a hand's width away from the body.")),
    "few_poses": (gettext_noop("Only %(supported)s of the %(total)s library poses can be made from this photo."),
                  _STANDING),
}

# Whole sentences per side (word order and agreement differ between languages).
_BY_SIDES: dict[str, dict[tuple[str, ...], str]] = {
    "arms_over_body": {
        ("right",): gettext_noop("The right arm is folded in front of the body, so the body behind it cannot be "
                                 "shown when the arm moves."),
        ("left",): gettext_noop("The left arm is folded in front of the body, so the body behind it cannot be "
                                "shown when the arm moves."),
        ("right", "left"): gettext_noop("The right and left arms are folded in front of the body, so the body "
                                        "behind it cannot be shown when the arm moves."),
    },
    "arm_toward_camera": {
        ("right",): gettext_noop("The right forearm points toward the camera, so the photo shows only its end; "
                                 "moved into a new pose it would look cut off."),
        ("left",): gettext_noop("The left forearm points toward the camera, so the photo shows only its end; "
                                "moved into a new pose it would look cut off."),
        ("right", "left"): gettext_noop("The right and left forearms point toward the camera, so the photo shows "
                                        "only their ends; moved into a new pose they would look cut off."),
    },
    # A warning added with the avatar's traits (engines/offline/avatar_check.held_warning).
    "held_against_body": {
        ("right",): gettext_noop("The right hand seems to hold something against the body (a bag or purse); poses that "
                                 "move that hand are made with it kept as in the photo, or not offered where that "
                                 "would look wrong."),
        ("left",): gettext_noop("The left hand seems to hold something against the body (a bag or purse); poses that "
                                "move that hand are made with it kept as in the photo, or not offered where that would "
                                "look wrong."),
        ("right", "left"): gettext_noop("Both hands seem to hold something against the body (a bag or purse); poses "
                                        "that move those hands are not offered, because the item cannot move with "
                                        "them."),
    },
    "few_poses_held": {
        ("right",): gettext_noop("Only %(supported)s of the %(total)s library poses can be made from this photo: the "
                                 "right hand seems to hold something against the body (a bag or purse), and most "
                                 "poses would move it."),
        ("left",): gettext_noop("Only %(supported)s of the %(total)s library poses can be made from this photo: the "
                                "left hand seems to hold something against the body (a bag or purse), and most poses "
                                "would move it."),
        ("right", "left"): gettext_noop("Only %(supported)s of the %(total)s library poses can be made from this "
                                        "photo: both hands seem to hold something against the body (a bag or purse), "
                                        "and most poses would move them."),
    },
}
# One advice for every side, or whole sentences per side.
_BY_SIDES_ADVICE: dict[str, str | dict[tuple[str, ...], str]] = {
    "held_against_body": _HELD_ADVICE,
    "few_poses_held": {
        ("right",): gettext_noop("Hold the bag in your left hand, hanging free a hand's width from the body, or put it "
                                 "down for the photo. If you hold nothing, let the right hand hang free by your side, "
                                 "out of any pocket."),
        ("left",): gettext_noop("Hold the bag in your right hand, hanging free a hand's width from the body, or put it "
                                "down for the photo. If you hold nothing, let the left hand hang free by your side, "
                                "out of any pocket."),
        ("right", "left"): gettext_noop("Hold the bag in one hand only, hanging free a hand's width from the body, or "
                                        "put it down for the photo. If you hold nothing, let both hands hang free by "
                                        "your sides, out of any pocket."),
    },
}

_PARTS = {name: name for name in (
    gettext_noop("head"), gettext_noop("right shoulder"), gettext_noop("right elbow"), gettext_noop("right wrist"),
    gettext_noop("left shoulder"), gettext_noop("left elbow"), gettext_noop("left wrist"), gettext_noop("right hip"),
    gettext_noop("right knee"), gettext_noop("right ankle"), gettext_noop("left hip"), gettext_noop("left knee"),
    gettext_noop("left ankle"),
)}


def _msgids(code: str, params: dict[str, Any]) -> tuple[str, str] | None:
    if code in _BY_SIDES:
        sides = tuple(params.get("sides") or ())
        message, advice = _BY_SIDES[code].get(sides), _BY_SIDES_ADVICE.get(code, _ARMS_HANG)
        if isinstance(advice, dict):
            advice = advice.get(sides)
        return (message, advice) if message and advice else None
    return _TEXTS.get(code)


def _values(params: dict[str, Any], *, translate: bool) -> dict[str, Any]:
    values = dict(params)
    parts = params.get("parts")
    if isinstance(parts, list):
        values["parts"] = ", ".join(gettext(p) if translate and p in _PARTS else str(p) for p in parts)
    return values


def _fill(msgid: str, params: dict[str, Any], *, translate: bool) -> str:
    text = gettext(msgid) if translate else msgid
    return text % _values(params, translate=translate) if "%(" in msgid else text


def _matches(msgid: str, stored: Any, params: dict[str, Any]) -> bool:
    try:
        return _fill(msgid, params, translate=False) == stored
    except (KeyError, TypeError, ValueError):  # params missing or malformed: an older stored check
        return False


def _recognised(problem: dict[str, Any]) -> tuple[str, str, dict[str, Any]] | None:
    params = problem.get("params") if isinstance(problem.get("params"), dict) else {}
    msgids = _msgids(str(problem.get("code", "")), params)
    if msgids is None:
        return None
    return (*msgids, params)


def avatar_problem_recognised(problem: dict[str, Any]) -> bool:
    """Whether both the message and the advice are rebuilt exactly from their msgids (so they translate)."""
    found = _recognised(problem)
    return found is not None and all(_matches(msgid, problem.get(key), found[2])
                                     for msgid, key in ((found[0], "message"), (found[1], "advice")))


def avatar_problem_localize(problem: dict[str, Any]) -> dict[str, Any]:
    """One stored problem or warning (code, message, advice, params) with message and advice in the active
    language; code and params unchanged, and a text that is not exactly its msgid's English kept as stored."""
    found = _recognised(problem)
    if found is None:
        return dict(problem)
    message, advice, params = found
    localized = dict(problem)
    for msgid, key in ((message, "message"), (advice, "advice")):
        if _matches(msgid, problem.get(key), params):
            localized[key] = _fill(msgid, params, translate=True)
    return localized


def avatar_check_localize(check: dict[str, Any] | None) -> dict[str, Any]:
    """A stored avatar check (as on the project) with every problem and warning in the active language."""
    if not check:
        return {}
    localized = dict(check)
    for key in ("problems", "warnings"):
        if isinstance(check.get(key), list):
            localized[key] = [avatar_problem_localize(item) if isinstance(item, dict) else item for item in check[key]]
    return localized
