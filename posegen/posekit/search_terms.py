"""What a library search means: a seller's words (Bahasa Indonesia or English, colloquial, with
typos) become groups of the catalogue's own English words, so one query finds the same poses on
PostgreSQL and on the embedded SQLite database.

Django-free. The catalogue's names, descriptions and tags are English (with a few Indonesian
family tags), so a query is translated *to* them rather than every pose to every phrasing:

    plan = search_plan(text="berkacak pinggang, tampak samping")
    plan.groups   # ((("hand on hip",), ("hands on hips",), ...), (("profile",), ("side view",)))

Every group must match (AND); within a group any alternative may (OR); an alternative is a tuple
of words that must all appear (each a word prefix), or one phrase that must appear as written.
Steps, on ASCII-folded lower-case words: reduplication collapsed ("jalan-jalan"), known phrases
first, longest first ("tangan di pinggang", "selfie cermin"); then each word: stop words dropped,
the word itself, its Indonesian affixes removed (me-/ber-/di-/ter-/-kan/-an/-nya...: "memegang" ->
"pegang", "menoleh" -> "toleh") and its English endings ("walking" -> "walk"); then a typo fix
against the words this module and the catalogue know (one edit for short words, two from seven
letters: "pinggnag" -> "pinggang"); a word nobody knows is searched as written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

# The tables (concepts, phrases, words, stop words) live in posekit.search_vocabulary.
from posegen.posekit.search_vocabulary import CONCEPTS, PHRASES, STOP_WORDS, WORDS

MAX_WORDS = 8

_PREFIXES = ("meng", "meny", "mem", "men", "me", "ber", "be", "ter", "di", "ke", "se", "per", "pe", "ng", "ny", "n")
_SUFFIXES = ("kannya", "kanlah", "lah", "kah", "nya", "kan", "an", "i", "ku", "mu")


@dataclass(frozen=True)
class SearchPlan:
    groups: tuple[tuple[str, ...], ...]  # AND of groups, OR of alternatives (see the module docstring)
    # Indexes of groups that are a word nobody's vocabulary knows: searched in the description too.
    # The others are pose concepts, matched in names and tags only: every description ends with
    # what the pose is good for ("Good for seated, kneeling and floor yoga poses"), which would
    # make a boat pose a kneeling one.
    loose: frozenset[int] = frozenset()
    corrected: dict[str, str] = field(default_factory=dict)  # typo -> the word used


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def search_words(text: str) -> list[str]:
    """Lower-case ASCII words of a query, reduplication collapsed ("jalan-jalan" -> "jalan")."""
    words = re.findall(r"[a-z0-9]+(?:/[0-9]+)?", _fold(text))
    out: list[str] = []
    for word in words:
        if not out or out[-1] != word:
            out.append(word)
    return out[: MAX_WORDS * 2]


def _indonesian_stems(word: str) -> list[str]:
    """Candidate roots of an Indonesian word, most stripped last ("memegang" -> "megang", "pegang")."""
    seen: list[str] = []

    def add(candidate: str) -> None:
        if len(candidate) >= 3 and candidate not in seen:
            seen.append(candidate)

    bases = [word]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            bases.append(word[: -len(suffix)])
    for base in bases:
        add(base)
        for prefix in _PREFIXES:
            if not base.startswith(prefix) or len(base) - len(prefix) < 3:
                continue
            rest = base[len(prefix):]
            add(rest)
            # meN- and peN- drop the root's first consonant: memegang/pegang, menoleh/toleh,
            # menyapu/sapu, mengambil/ambil, mengkopi/kopi.
            if prefix in ("mem", "pem") and rest[0] in "aeiou":
                add("p" + rest)
            if prefix in ("men", "pen", "n") and rest[0] in "aeiou":
                add("t" + rest)
            if prefix in ("meny", "peny", "ny"):
                add("s" + rest)
            if prefix in ("meng", "peng", "ng") and rest[0] in "aeiou":
                add("k" + rest)
            if prefix == "ber" and rest.startswith("r"):
                add(rest[1:])
    return seen


def _english_stems(word: str) -> list[str]:
    out = []
    if word.endswith("ies") and len(word) > 4:
        out.append(word[:-3] + "y")
    if word.endswith("es") and len(word) > 4:
        out.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        out.append(word[:-1])
    for ending in ("ing", "ed"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            root = word[: -len(ending)]
            out += [root, root + "e"]
            if len(root) >= 3 and root[-1] == root[-2]:
                out.append(root[:-1])
    return out


def _lookup(word: str) -> tuple[str, ...] | None:
    if word in WORDS:
        return WORDS[word]
    for candidate in (*_english_stems(word), *_indonesian_stems(word)):
        if candidate in WORDS:
            return WORDS[candidate]
    return None


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (adjacent swaps count once), giving up past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


@lru_cache(maxsize=1)
def search_lexicon() -> frozenset[str]:
    """Every word a query may be corrected to: this module's words and the catalogue's wording."""
    from posegen.posekit.catalog.categories import CATEGORIES
    from posegen.posekit.catalog.parts import ARM_GESTURES, HEAD_MOVES, STANCES, VIEWS
    from posegen.posekit.catalog.recipes import RECIPES

    texts: list[str] = [*WORDS, *PHRASES, *(" ".join(v) for v in CONCEPTS.values())]
    for stance in STANCES.values():
        texts += [stance.label, *stance.tags]
    for gesture in ARM_GESTURES.values():
        texts += [gesture.label, gesture.both_label, *gesture.tags]
    texts += [h.label for h in HEAD_MOVES.values()]
    for view in VIEWS.values():
        texts += [view.label, *view.tags]
    for category in CATEGORIES:
        texts += [category.name, category.description, *category.tags]
    for recipe in RECIPES:
        texts += [recipe.title or "", recipe.prefix, recipe.use, *recipe.tags]
    words = set()
    for text in texts:
        words.update(w for w in re.findall(r"[a-z]+", _fold(text)) if len(w) >= 3)
    return frozenset(words - STOP_WORDS)


@lru_cache(maxsize=1)
def _lexicon_by_length() -> dict[int, tuple[str, ...]]:
    by_length: dict[int, list[str]] = {}
    for known in sorted(search_lexicon()):
        by_length.setdefault(len(known), []).append(known)
    return {length: tuple(words) for length, words in by_length.items()}


@lru_cache(maxsize=4096)
def _correct(word: str) -> str | None:
    """The known word one edit away (two from seven letters), the most similar and shortest first."""
    if len(word) < 4 or word.isdigit():
        return None
    limit = 2 if len(word) >= 7 else 1
    best: tuple[int, int, str] | None = None
    by_length = _lexicon_by_length()
    candidates = (k for n in range(len(word) - limit, len(word) + limit + 1) for k in by_length.get(n, ()))
    for known in candidates:
        distance = _edit_distance(word, known, limit)
        if distance <= limit:
            rank = (distance, abs(len(known) - len(word)), known)
            if best is None or rank < best:
                best = rank
    return best[2] if best else None


def _known(word: str) -> bool:
    return word in search_lexicon() or any(s in search_lexicon() for s in _english_stems(word))


@lru_cache(maxsize=1)
def catalogue_phrases() -> dict[str, tuple[str, ...]]:
    """The catalogue's own Indonesian wording (names, tags; see ``catalog.indonesian_words``) back to
    its English: "kedua lengan terangkat" -> "arms raised". What a seller reads on an Indonesian
    page, they can type into the search box."""
    from posegen.posekit.catalog.indonesian_words import PHRASES_ID, TAGS_ID

    out: dict[str, tuple[str, ...]] = {}
    for english, indonesian in (*PHRASES_ID.items(), *TAGS_ID.items()):
        key = " ".join(search_words(re.sub(r"\(.*?\)", "", indonesian)))
        if key and key != english and key not in PHRASES and key not in WORDS and key not in STOP_WORDS:
            # One Indonesian wording may stand for several English ones (a name's "hugging the
            # knees", a tag's "hugging knees"): any of them.
            known = out.get(key, ())
            if english.lower() not in known:
                out[key] = (*known, english.lower())
    return out


def search_plan(*, text: str) -> SearchPlan:
    """The groups of catalogue wording a query asks for (empty when it has no searchable word)."""
    words = search_words(text)
    groups: list[tuple[str, ...]] = []
    loose: set[int] = set()
    corrected: dict[str, str] = {}
    catalogue = catalogue_phrases()
    longest = max(len(p.split()) for p in (*PHRASES, *catalogue))
    i = 0
    while i < len(words) and len(groups) < MAX_WORDS:
        for size in range(min(longest, len(words) - i), 0, -1):
            phrase = " ".join(words[i:i + size])
            if size > 1 and phrase in PHRASES:
                groups += [CONCEPTS[c] for c in PHRASES[phrase]]
                i += size
                break
            # The catalogue's wording only where the vocabulary above misses a word of it: its
            # concepts are broader ("menunjuk produk" finds every pointing pose with a product).
            if phrase in catalogue and any(w not in STOP_WORDS and _lookup(w) is None for w in phrase.split()):
                groups.append(catalogue[phrase])
                i += size
                break
        else:
            word = words[i]
            i += 1
            if word in STOP_WORDS:
                continue
            concepts = _lookup(word)
            if concepts is None and not _known(word):
                fixed = _correct(word)
                if fixed is not None:
                    corrected[word] = fixed
                    word = fixed
                    concepts = _lookup(fixed)
            if concepts is None:
                # Nobody's word: searched as written (a plural as its singular, so it prefixes both).
                plural = len(word) > 4 and word.endswith("s") and not word.endswith("ss")
                groups.append((word[:-1] if plural else word,))
                loose.add(len(groups) - 1)
                continue
            groups += [CONCEPTS[c] for c in concepts]
    unique: list[tuple[str, ...]] = []
    unique_loose: set[int] = set()
    for index, group in enumerate(groups):
        if group not in unique:
            unique.append(group)
        if index in loose:
            unique_loose.add(unique.index(group))
    return SearchPlan(groups=tuple(unique), loose=frozenset(unique_loose), corrected=corrected)
