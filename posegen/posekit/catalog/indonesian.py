"""The studio catalogue in Bahasa Indonesia: its vocabulary, not its 822 sentences.

Django-free. Names and descriptions are composed from a small vocabulary (stances, arm gestures,
head moves, views, named poses, what a pose is good for; see ``builder``), so they are translated
phrase by phrase at read time: "Confident right hand on hip, wide stance, 3/4 left" -> "Tangan kanan
di pinggang penuh percaya diri, kaki terbuka lebar, 3/4 kiri". Stored rows keep their English
(slugs, ids and catalogue keys stay stable); a phrase this vocabulary does not know (a pose an
operator added by hand) stays as written.

    pose_name_id("Hands on hips, front")          # "Berkacak pinggang, depan"
    pose_description_id(description)
    pose_tag_id("hand on hip")                    # "tangan di pinggang"
    category_text_id("product-showcase")          # ("Pamer Produk", "Memegang, ...")
"""

from __future__ import annotations

import re

from posegen.posekit.catalog.indonesian_words import CATEGORIES_ID, PHRASES_ID, PROPER_TAGS, TAGS_ID, USES_ID

_SIDE = {"left": "kiri", "right": "kanan"}
_NOUNS = {"hand": "tangan", "arm": "lengan", "elbow": "siku", "forearm": "lengan bawah"}
_VIEW_SENTENCES = {
    "seen from the front": "Tampak depan",
    "seen in 3/4 view, turned to the left": "Tampak 3/4, menghadap ke kiri",
    "seen in 3/4 view, turned to the right": "Tampak 3/4, menghadap ke kanan",
    "seen in profile, facing left": "Tampak samping, menghadap ke kiri",
    "seen in profile, facing right": "Tampak samping, menghadap ke kanan",
    "seen from behind": "Tampak belakang",
    "seen from behind at 3/4, turned to the left": "Tampak belakang 3/4, menghadap ke kiri",
    "seen from behind at 3/4, turned to the right": "Tampak belakang 3/4, menghadap ke kanan",
}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def phrase_id(phrase: str) -> str | None:
    """One name segment in Indonesian ("right hand on hip" -> "tangan kanan di pinggang"); None
    when the vocabulary does not know it."""
    low = phrase.strip().lower()
    if low in PHRASES_ID:
        return PHRASES_ID[low]
    sided = re.fullmatch(r"(.+) \((left|right) hand\)", low)
    if sided:
        inner = phrase_id(sided.group(1))
        return f"{inner} (tangan {_SIDE[sided.group(2)]})" if inner else None
    own = re.fullmatch(r"(left|right) (hand|arm|elbow|forearm) (.+)", low)
    if own:
        inner = phrase_id(f"{own.group(2)} {own.group(3)}")
        noun = _NOUNS[own.group(2)]
        if inner and inner.startswith(noun):
            return f"{noun} {_SIDE[own.group(1)]}{inner[len(noun):]}"
        return None
    confident = re.fullmatch(r"confident (.+)", low)
    if confident:
        inner = phrase_id(confident.group(1))
        return f"{inner} penuh percaya diri" if inner else None
    return None


def _segments_id(text: str) -> tuple[str, list[str]]:
    """A comma-separated run of segments; the segments the vocabulary does not know come back too."""
    out, unknown = [], []
    for segment in text.split(", "):
        translated = phrase_id(segment)
        if translated is None:
            unknown.append(segment)
        out.append(translated if translated is not None else segment)
    return ", ".join(out), unknown


def pose_name_untranslated(name: str) -> list[str]:
    """The segments of a name that would stay English (the translation tests want none)."""
    return _segments_id(name)[1]


def pose_name_id(name: str) -> str:
    return _capital(_segments_id(name)[0]) if name else name


def _description(text: str) -> tuple[str, list[str]]:
    sentences = [s for s in re.split(r"(?<=\.) ", text.strip()) if s]
    out: list[str] = []
    unknown: list[str] = []
    for sentence in sentences:
        body = sentence.removesuffix(".")
        low = body.lower()
        if low in _VIEW_SENTENCES:
            out.append(_VIEW_SENTENCES[low] + ".")
            continue
        if low.startswith("good for "):
            use = low.removeprefix("good for ")
            if use in USES_ID:
                out.append(f"Cocok untuk {USES_ID[use]}.")
            else:
                unknown.append(body)
                out.append(sentence)
            continue
        parts = []
        for chunk in body.split(": "):
            translated, missing = _segments_id(chunk)
            unknown += missing
            parts.append(translated)
        out.append(_capital(": ".join(parts)) + ".")
    return " ".join(out), unknown


def pose_description_id(description: str) -> str:
    return _description(description)[0] if description else description


def pose_description_untranslated(description: str) -> list[str]:
    return _description(description)[1]


def pose_tag_id(tag: str) -> str:
    """A tag in Indonesian; proper nouns (asana names, marketplaces, dance terms) stay."""
    low = tag.lower()
    return TAGS_ID.get(low, tag)


def pose_tag_translated(tag: str) -> bool:
    low = tag.lower()
    return low in TAGS_ID or low in PROPER_TAGS


def category_text_id(slug: str) -> tuple[str, str] | None:
    """(name, description) of a catalogue category in Indonesian; None for a category not in it."""
    return CATEGORIES_ID.get(slug)
