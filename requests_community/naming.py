"""Pose-name normalisation and similarity, used by the duplicate check and the "similar requests" hint.

Pure Python: no Django.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+|_+")
_STOPWORDS = frozenset(
    ("a", "an", "and", "the", "of", "for", "with", "on", "in", "at", "to", "by", "from", "or", "pose", "poses")
)


def normalize_pose_name(name: str) -> str:
    """`"  Hands-on  HIPS!! "` → `"hands on hips"`: NFKC, case-folded, punctuation as spaces, single spaces."""
    folded = unicodedata.normalize("NFKC", name or "").casefold()
    return " ".join(_NON_WORD.sub(" ", folded).split())[:100]


def _stem(token: str) -> str:
    if len(token) > 4 and token.endswith("es") and not token.endswith("ses"):
        return token[:-2]
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def name_tokens(normalized: str) -> frozenset[str]:
    """The significant words of a normalised name (stop words dropped, plurals folded)."""
    return frozenset(_stem(t) for t in normalized.split() if t not in _STOPWORDS and len(t) > 1)


def name_similarity(a: str, b: str) -> float:
    """0..1 between two *normalised* names: 1 for equal names, else word overlap (Jaccard), at least
    0.8 when one name contains the other."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    ta, tb = name_tokens(a), name_tokens(b)
    score = len(ta & tb) / len(ta | tb) if ta and tb else 0.0
    if ta and tb and (ta <= tb or tb <= ta):
        score = max(score, 0.8)
    return score
