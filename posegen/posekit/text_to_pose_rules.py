"""Text to pose, the phrase rules: what each family of words (stance, arms and hands, legs, head,
view) looks like in normalised text, and what a match records on the parse.

posekit.text_to_pose runs them in order of specificity over the normalised text (each match consumes
its words) and then resolves what they recorded into a pose; the families are listed there.

Never imports Django.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from posegen.posekit.catalog.parts import STANCES, VIEWS

__all__ = ["RULES", "Parse", "Rule"]

_DET = r"(?:(?:the|her|his|their|my|your|a|an|one|both)\s+)?"
_SIDE = r"(?:(?P<side>left|right|both|one)\s+)?"
_WITH_SIDE = r"(?:\s+with\s+" + _DET + r"(?P<side2>left|right|both)\s+(?:hands?|arms?))?"


@dataclass
class Parse:
    text: str
    stance: str | None = None
    legs: list[tuple[int, str, str | None]] = field(default_factory=list)  # (position, leg key, side)
    # (position, gesture, side, the words, a label replacing the gesture's own)
    arms: list[tuple[int, str, str | None, str, str | None]] = field(default_factory=list)
    head: list[str] = field(default_factory=list)
    view: str | None = None
    face_camera: bool = False
    understood: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    head_down_for_phone: bool = False


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    apply: Callable[[Parse, re.Match[str]], None]


def _group(match: re.Match[str], *names: str) -> str | None:
    for name in names:
        if name in match.re.groupindex and match.group(name):
            return match.group(name).strip()
    return None


def _understood(p: Parse, m: re.Match[str], label: str) -> None:
    p.understood.append((m.start(), label))


def _stance(key: str, label: str | None = None) -> Callable[[Parse, re.Match[str]], None]:
    """Rules run most specific first, so the first stance found wins; a different one is noted."""

    def apply(p: Parse, m: re.Match[str]) -> None:
        if p.stance is None:
            p.stance = key
            _understood(p, m, label or STANCES[key].label)
        elif key != p.stance:
            p.notes.append(f"“{m.group(0).strip()}” ignored: the pose is already {STANCES[p.stance].label}.")

    return apply


def _legs(key: str, label: str) -> Callable[[Parse, re.Match[str]], None]:
    def apply(p: Parse, m: re.Match[str]) -> None:
        side = _group(m, "side", "side2")
        side = side if side in ("left", "right") else None
        text = label if side is None else f"{label} ({side})"
        for i, (position, existing, existing_side) in enumerate(p.legs):
            if existing == key:  # "standing on one leg, right knee up": one variant, the side it names
                p.legs[i] = (position, key, side or existing_side)
                if side:
                    p.understood = [(at, text if old == label else old) for at, old in p.understood]
                return
        p.legs.append((m.start(), key, side))
        _understood(p, m, text)

    return apply


def _arm(gesture: str, *, plural_default: bool = False,
         one_hand: bool = False) -> Callable[[Parse, re.Match[str]], None]:
    def apply(p: Parse, m: re.Match[str]) -> None:
        side = _group(m, "side", "side2")
        words = m.group(0)
        if side is None or side == "one":
            plural = bool(re.search(r"\b(?:hands|arms|both|two)\b", words))
            side = "both" if (plural or plural_default) and not one_hand and side != "one" else None
        p.arms.append((m.start(), gesture, side, words.strip(), None))

    return apply


def _pointing_direction(p: Parse, m: re.Match[str]) -> None:
    direction = _group(m, "dir")
    # The arm on the picture's side does the pointing: the model's right arm points to the picture's left.
    side = "right" if direction == "left" else "left"
    explicit = _group(m, "side2")
    label = f"pointing {direction} ({explicit or side} hand)"
    p.arms.append((m.start(), "pointing_side", explicit or side, m.group(0).strip(), label))


def _holding(p: Parse, m: re.Match[str]) -> None:
    clause = m.group(0)
    item = _group(m, "item") or ""
    found = re.search(r"\b(left|right)\s+hand\b", clause)
    side = found.group(1) if found else None
    two_handed_items = r"box|product|package|parcel|gift|tray|laptop|book|basket|bag|present|bouquet|flowers|sign"
    if re.search(r"beside|next to|near|by (?:the |her |his )?(?:face|cheek)|up to (?:the |her |his )?face", clause):
        gesture, both = "beside_face", False
    elif re.search(r"\b(?:cup|coffee|mug|tea|drink|glass)\b", clause):
        gesture, both = "holding_cup", bool(re.search(r"both hands|two hands", clause))
    elif re.search(r"\b(?:phone|smartphone|mobile)\b", clause):
        gesture, both = "hold_chest", False
        p.head_down_for_phone = bool(re.search(r"looking at|texting|scrolling", p.text))
    elif re.search(r"\bup\b|above (?:the |her |his )?head|overhead|in the air", clause):
        gesture, both = "raised", bool(re.search(r"both hands|two hands", clause))
    else:
        gesture = "hold_chest"
        both = bool(re.search(two_handed_items, item)) or not item or bool(re.search(r"both hands|two hands", clause))
        if re.search(r"\b(?:bottle|jar|lipstick|perfume|card|serum|tube|can|cosmetic|cream|mask|brush)\b", clause):
            both = bool(re.search(r"both hands|two hands", clause))
    if side in ("left", "right"):
        both = False
    p.arms.append((m.start(), gesture, "both" if both else side, clause.strip(), None))


def _phone(p: Parse, m: re.Match[str]) -> None:
    p.arms.append((m.start(), "hold_chest", None, m.group(0).strip(), None))
    p.head_down_for_phone = True
    _understood(p, m, "looking at a phone")


def _head(move: str, label: str) -> Callable[[Parse, re.Match[str]], None]:
    def apply(p: Parse, m: re.Match[str]) -> None:
        direction = _group(m, "dir", "dir2", "dir3")
        key = move
        if move in ("turn", "tilt"):
            key = f"{move}_{direction or ('left' if move == 'turn' else 'right')}"
        if any(h.split("_")[0] == key.split("_")[0] for h in p.head):
            return
        p.head.append(key)
        text = label.format(dir=direction or ("left" if move == "turn" else "")).replace("  ", " ").strip()
        _understood(p, m, text)

    return apply


def _view(default: str, label: str) -> Callable[[Parse, re.Match[str]], None]:
    def apply(p: Parse, m: re.Match[str]) -> None:
        direction = _group(m, "dir", "dir2", "dir3") or "left"
        key = default.format(dir=direction)
        if p.view is None:
            p.view = key
            _understood(p, m, label.format(dir=direction))
        elif p.view != key:
            p.notes.append(f"“{m.group(0).strip()}” ignored: the view is already {VIEWS[p.view].label}.")

    return apply


def _face_camera(p: Parse, m: re.Match[str]) -> None:
    p.face_camera = True
    _understood(p, m, "looking at the camera")


def _over_shoulder(p: Parse, m: re.Match[str]) -> None:
    direction = _group(m, "dir") or "left"
    if p.view is None:
        p.view = f"back_three_quarter_{direction}"
    p.face_camera = True
    _understood(p, m, "looking back over the shoulder")


def _rules() -> list[Rule]:
    r: list[tuple[str, Callable[[Parse, re.Match[str]], None]]] = [
        # Head and view first: "looking left" must not be read as a hand word, "3/4 left" as a side.
        (r"(?:looking|glancing|gazing)\s+(?:back\s+)?over\s+" + _DET + r"(?:(?P<dir>left|right)\s+)?shoulders?",
         _over_shoulder),
        (r"(?:looking|look|looks|gazing|staring)\s+(?:straight\s+)?(?:at|into)\s+(?:the\s+)?(?:camera|lens|viewer)|"
         r"eye contact", _face_camera),
        (r"(?:looking|look|looks|glancing|gazing|staring)\s+(?:to(?:wards)?\s+)?(?:the\s+)?(?:picture\s+)?"
         r"(?P<dir>left|right)|(?:head|face)\s+turned\s+(?:to(?:wards)?\s+)?(?:the\s+)?(?P<dir2>left|right)|"
         r"turning\s+" + _DET + r"head\s+(?:to(?:wards)?\s+)?(?:the\s+)?(?P<dir3>left|right)",
         _head("turn", "looking {dir}")),
        (r"(?:looking|look|looks|gazing|glancing)\s+up(?:wards)?|head\s+up|chin\s+up|looking\s+at\s+the\s+sky",
         _head("up", "looking up")),
        (r"(?:looking|look|looks|gazing|glancing)\s+down(?:wards)?|head\s+(?:down|bowed)|"
         r"looking\s+at\s+(?:the\s+)?(?:floor|ground)|bowing\s+" + _DET + r"head", _head("down", "looking down")),
        (r"(?:head|face)\s+tilt(?:ed|ing)?(?:\s+to\s+(?:the\s+)?(?P<dir>left|right))?|"
         r"tilt(?:ed|ing)?\s+" + _DET + r"head(?:\s+to\s+(?:the\s+)?(?P<dir2>left|right))?",
         _head("tilt", "head tilted {dir}")),
        (r"3/4\s*(?:view\s*)?(?:to\s+the\s+|facing\s+)?(?P<dir>left|right)?(?:\s+view)?|"
         r"(?:body\s+)?(?:turned|angled|rotated)\s+(?:slightly\s+)?(?:to(?:wards)?\s+)?(?:the\s+)?(?P<dir2>left|right)",
         _view("three_quarter_{dir}", "3/4 {dir} view")),
        (r"(?:side|profile)\s+view(?:\s+(?:facing\s+)?(?P<dir>left|right))?|(?:in\s+)?profile(?:\s+(?:facing\s+)?"
         r"(?P<dir2>left|right))?|from\s+the\s+side|facing\s+(?:the\s+)?(?P<dir3>left|right)",
         _view("profile_{dir}", "profile {dir}")),
        (r"back\s+view|rear\s+view|from\s+(?:the\s+)?(?:behind|back)|facing\s+away|back\s+to\s+(?:the\s+)?camera|"
         r"showing\s+" + _DET + r"back", _view("back", "back view")),
        (r"front\s+view|from\s+the\s+front|facing\s+(?:the\s+)?(?:camera|front|forward|viewer)|straight\s+on",
         _view("front", "front view")),
        # Stances, most specific first.
        (r"(?:standing|stands|posing)?\s*(?:leaning|leans|lean)\s+(?:back\s+)?(?:against|on)\s+(?:a|the)\s+wall|"
         r"leaning\s+back(?!\s+on)", _stance("standing_lean_back", "leaning against a wall")),
        (r"leaning\s+on\s+" + _DET + r"(?:shoulder|side)", _stance("standing_lean_side")),
        (r"(?:sitting|seated|sits)\s+on\s+" + _DET + r"(?:bar\s+)?stool|perched", _stance("sitting_stool")),
        (r"(?:sitting|seated|sits)\s+cross\s*legged|cross\s*legged|lotus|meditat\w*",
         _stance("sitting_cross_legged", "sitting cross-legged")),
        (r"(?:sitting|seated|sits)\s+(?:down\s+)?on\s+" + _DET + r"(?:floor|ground|grass|sand|beach|carpet|rug|mat)",
         _stance("sitting_floor_legs_out", "sitting on the floor")),
        (r"(?:sitting|seated|sits)\s+(?:down\s+)?(?:on|in)\s+" + _DET +
         r"(?:chair|bench|sofa|couch|seat|box|armchair|edge)|on\s+a\s+chair",
         _stance("sitting_chair")),
        (r"(?:sitting|kneeling)\s+(?:back\s+)?on\s+" + _DET + r"heels|seiza", _stance("kneeling_sitting_back")),
        (r"(?:kneeling|kneels|kneel)\s+(?:down\s+)?on\s+(?:one|a|the\s+(?:left|right)|her\s+(?:left|right)|"
         r"his\s+(?:left|right))\s+knee|on\s+one\s+knee|proposing|proposal", _stance("kneeling_one_knee")),
        (r"kneeling|kneels|kneel\b", _stance("kneeling")),
        (r"crouch\w*|squat\w*|hunker\w*", _stance("crouching")),
        (r"(?:lying|laying|lies|lie)\s+(?:down\s+)?on\s+" + _DET + r"side|side\s+lying",
         _stance("lying_side", "lying on the side")),
        (r"(?:lying|laying|lies|lie)\s+(?:down\s+)?on\s+" + _DET + r"(?:stomach|belly|front|tummy)|face\s+down",
         _stance("lying_stomach", "lying on the stomach")),
        (r"(?:lying|laying|lies|lie)\s+(?:down\s+)?on\s+" + _DET + r"back", _stance("lying_back")),
        (r"reclin\w*|lounging|leaning\s+back\s+on\s+" + _DET + r"(?:hands|elbows)", _stance("reclining")),
        (r"lying|laying|lie\s+down|lies\b", _stance("lying_back", "lying down")),
        (r"star\s+jump|jumping\s+jacks?", _stance("jumping_star")),
        (r"tuck\s+jump", _stance("jumping_tuck")),
        (r"jump\w*|leap\w*|mid\s*air", _stance("jumping")),
        (r"runn?ing|runs|jogg?ing|sprint\w*", _stance("running")),
        (r"(?:runway|catwalk)(?:\s+walk\w*)?|walking\s+(?:on\s+)?(?:a|the)\s+(?:runway|catwalk)",
         _stance("walking_runway")),
        (r"walk\w*|stroll\w*|strid\w*", _stance("walking")),
        (r"(?:sitting|seated|sits|sit)\b", _stance("sitting_chair", "sitting")),
        (r"stand\w*|upright", _stance("standing")),
        # Legs.
        (r"legs?\s+crossed|crossed\s+legs|crossing\s+" + _DET + r"legs|ankles?\s+crossed|crossed\s+ankles|"
         r"knee\s+over\s+knee|one\s+leg\s+over\s+the\s+other", _legs("crossed", "legs crossed")),
        (r"ankle\s+on\s+" + _DET + r"knee|figure\s+(?:four|4)", _legs("figure_four", "ankle on knee")),
        (r"wide\s+stance|(?:legs|feet)\s+(?:wide\s+)?apart|(?:legs|feet)\s+wide|power\s+(?:stance|pose)",
         _legs("wide", "wide stance")),
        (r"weight\s+on\s+one\s+(?:leg|hip|foot)|hip\s+popped|popping\s+" + _DET + r"hip|relaxed\s+stance|"
         r"contrapposto|shifting\s+" + _DET + r"weight", _legs("relaxed", "weight on one leg")),
        (r"(?:standing\s+)?on\s+one\s+(?:leg|foot)|flamingo|" + _SIDE + r"knee\s+(?:up|raised|lifted)|"
         r"(?:raising|lifting)\s+" + _DET + r"(?:(?P<side2>left|right)\s+)?(?:knee|leg)",
         _legs("knee_up", "one knee up")),
        (r"step(?:ping)?\s+forward|mid\s+stride|one\s+foot\s+(?:forward|in\s+front)|taking\s+a\s+step|stepping",
         _legs("step", "stepping forward")),
        (r"knees?\s+bent|bent\s+knees?|bending\s+" + _DET + r"knee", _legs("knee_bent", "knee bent")),
        (r"tip\s*toes?|on\s+" + _DET + r"toes", _legs("tiptoe", "on tiptoe")),
        (r"legs?\s+(?:out|stretched(?:\s+out)?|extended|straight|outstretched)",
         _legs("legs_out", "legs stretched out")),
        (r"knees?\s+(?:up|pulled\s+up|to\s+" + _DET + r"chest)", _legs("knees_up", "knees up")),
        (r"leaning\s+forward|leans\s+forward|bending\s+forward", _legs("lean_forward", "leaning forward")),
        # Arms and hands: two-handed and specific phrases first.
        (r"arms?\s+(?:crossed|folded)|(?:crossed|folded)\s+arms|(?:crossing|folding)\s+" + _DET + r"arms",
         _arm("arms_crossed", plural_default=True)),
        (_SIDE + r"hands?\s+on\s+" + _DET + r"(?:hips?|waist)|akimbo" + _WITH_SIDE, _arm("hand_on_hip")),
        (_SIDE + r"hands?\s+behind\s+" + _DET + r"head", _arm("behind_head")),
        (_SIDE + r"hands?\s+in\s+" + _DET + r"back\s+pockets?", _arm("back_pocket")),
        (_SIDE + r"hands?\s+in\s+" + _DET + r"(?:front\s+)?(?:pockets?|jeans)", _arm("in_pocket")),
        (_SIDE + r"(?:hands?|fists?|fingers?)\s+(?:on|under|to|at|against)\s+" + _DET + r"chin|"
         r"chin\s+(?:on|in|resting\s+on)\s+" + _DET + r"(?P<side2>left\s+|right\s+)?hands?|thinking",
         _arm("hand_on_chin", one_hand=False)),
        (_SIDE + r"hands?\s+(?:in|through|on|touching)\s+" + _DET + r"hair|touching\s+" + _DET + r"hair|"
         r"fingers\s+through\s+" + _DET + r"hair", _arm("hand_in_hair")),
        (_SIDE + r"hands?\s+(?:on|over)\s+" + _DET + r"(?:heart|chest)", _arm("hand_on_heart")),
        (_SIDE + r"hands?\s+on\s+" + _DET + r"knees?", _arm("hands_on_knees")),
        (_SIDE + r"hands?\s+on\s+" + _DET + r"thighs?", _arm("hands_on_thighs")),
        (r"elbows?\s+on\s+" + _DET + r"knees?|head\s+in\s+" + _DET + r"hands",
         _arm("chin_in_hands", plural_default=True)),
        (r"hugg?ing\s+" + _DET + r"knees|arms?\s+(?:a?round|wrapped\s+around)\s+" + _DET + r"knees",
         _arm("hug_knees", plural_default=True)),
        (_SIDE + r"hands?\s+(?:clasped|folded|together)|clasped\s+hands|(?:clasping|folding)\s+" + _DET + r"hands",
         _arm("clasped", plural_default=True)),
        (r"(?:two\s+)?thumbs?\s+up" + _WITH_SIDE, _arm("thumbs_up")),
        (r"(?:looking\s+at|checking|texting\s+on|scrolling\s+(?:on\s+)?)\s*" + _DET +
         r"(?:phone|smartphone|mobile)|texting|scrolling", _phone),
        (r"head\s+(?:resting\s+)?on\s+" + _DET + r"(?:(?P<side>left|right)\s+)?hands?|propped\s+on\s+" + _DET +
         r"(?:(?P<side2>left|right)\s+)?elbow", _arm("head_on_hand")),
        (r"selfie|taking\s+a\s+(?:photo|picture)\s+of\s+(?:herself|himself|themselves)", _arm("selfie")),
        (r"shading\s+" + _DET + r"eyes|salut\w*|looking\s+into\s+the\s+distance", _arm("shading_eyes")),
        (r"adjusting\s+" + _DET + r"(?:collar|tie|jacket|blazer|cuffs?|cufflinks?|sleeve)", _arm("adjusting_collar")),
        (r"flex\w*(?:\s+" + _DET + r"(?:biceps|muscles?|arms?))?|showing\s+(?:off\s+)?" + _DET + r"muscles",
         _arm("flexing", plural_default=True)),
        (r"fist\s+pump\w*|cheering|celebrat\w*", _arm("fist_pump")),
        (r"pointing\s+(?:to\s+the\s+|towards\s+the\s+)?(?P<dir>left|right)" + _WITH_SIDE, _pointing_direction),
        (r"pointing\s+(?:at\s+|to\s+)" + _DET + r"(?:product|item|it|object|bottle|box)", _arm("pointing_at_product")),
        (r"pointing\s+up(?:wards)?|index\s+finger\s+up", _arm("pointing_up")),
        (r"pointing(?:\s+(?:at\s+(?:the\s+)?(?:camera|viewer|you)|forward|ahead|straight))?" + _WITH_SIDE,
         _arm("pointing_forward")),
        (r"(?:holding|holds|hold|carrying|showing|presents?|presenting)\s+(?:up\s+)?(?:a\s+|an\s+|the\s+|her\s+|"
         r"his\s+|their\s+|some\s+)?(?P<item>(?:product|item|box|bottle|phone|smartphone|mobile|cup|coffee|mug|tea|"
         r"drink|glass|jar|lipstick|perfume|card|serum|tube|can|bag|book|laptop|gift|package|parcel|tray|basket|"
         r"bouquet|flowers|sign|cosmetic|cream|mask|brush|present)s?)(?:[^,]*?)?(?=\s*,|\s+and\s|$)" + _WITH_SIDE,
         _holding),
        (r"(?:holding|holds|carrying)\b[^,]*?(?=\s*,|\s+and\s|$)", _holding),
        (r"(?:drinking|sipping)\b[^,]*?(?=\s*,|\s+and\s|$)", _arm("holding_cup")),
        (r"present\w*|showing\s+something|gesturing", _arm("presenting")),
        (_SIDE + r"(?:arms?|hands?)\s+(?:raised\s+)?(?:in\s+a\s+v|high\s+in\s+a\s+v)|victory|v\s+shape",
         _arm("raised_wide", plural_default=True)),
        (_SIDE + r"(?:arms?|hands?)\s+(?:raised|up|in\s+the\s+air|above\s+" + _DET + r"head|overhead|lifted|high)|"
         r"(?:raising|raised|lifting|lifted|throwing)\s+" + _DET +
         r"(?P<side2>left\s+|right\s+|both\s+)?(?:arms?|hands?)"
         r"(?:\s+up)?|hands\s+up|reaching\s+up", _arm("raised")),
        (r"wav(?:ing|es|e)\b(?:\s+(?:hello|goodbye|hi))?" + _WITH_SIDE + r"|" + _SIDE + r"hand\s+waving",
         _arm("waving")),
        (_SIDE + r"arms?\s+(?:open|wide\s+open|wide)|open\s+arms|welcoming", _arm("arms_open", plural_default=True)),
        (_SIDE + r"arms?\s+(?:out|outstretched|spread|stretched\s+out)(?:\s+to\s+the\s+sides?)?|t\s+pose",
         _arm("arm_out", plural_default=True)),
        (_SIDE + r"(?:arms?|hands?)\s+(?:down|relaxed|by\s+" + _DET + r"sides?|at\s+" + _DET + r"sides?)",
         _arm("down", plural_default=True)),
    ]
    return [Rule(re.compile(r"(?<![\w/])(?:" + pattern + r")(?![\w/])"), apply) for pattern, apply in r]


RULES = _rules()
