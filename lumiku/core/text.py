"""Names people give things must show something: a name of only spaces, zero-width or other invisible
characters reads as blank in every list, yet passes str.strip() (U+200B is not whitespace to Python)."""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext as _

from lumiku.core.errors import ValidationFailed

# Letters and symbols that render as blank space (Hangul fillers, the braille blank, ...).
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")


def _blank(char: str) -> bool:
    # Cf: format characters (zero-width space/joiners, BOM, direction marks); Z*: separators; Cc: controls.
    return (char.isspace() or char in _BLANK_GLYPHS
            or unicodedata.category(char) in ("Cf", "Cc", "Zs", "Zl", "Zp"))


def _shows_nothing(char: str) -> bool:
    # Combining marks show nothing on their own (but stay: trimmed from the end they would take an accent).
    return _blank(char) or unicodedata.category(char) in ("Mn", "Me")


def name_is_visible(value: str | None) -> bool:
    return not all(_shows_nothing(char) for char in value or "")


def name_clean(*, value: str | None, field: str) -> str:
    """`value` without invisible characters at either end; ValidationFailed naming `field` when nothing
    visible is left."""
    chars = list(value or "")
    while chars and _blank(chars[0]):
        chars.pop(0)
    while chars and _blank(chars[-1]):
        chars.pop()
    if not name_is_visible("".join(chars)):
        problem = _("Enter a name with at least one visible character.")
        raise ValidationFailed(_("Invalid input. %(field)s: %(problem)s") % {"field": field, "problem": problem},
                               fields={field: [problem]})
    return "".join(chars)
