"""The note a merge leaves on the duplicate when the moderator wrote none, in the reader's language.

It is stored in English, as every note before it was, and said at read time (the request's page and
card, the API's ``adminNotes``), like the credit history's reasons: the requester reads it in their
language even after switching, and rows written before this module read the same way. A moderator's own
note is shown as written.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

MERGE_NOTE = gettext_noop("This asks for the same pose as “%(name)s”; your votes were moved there.")
_STORED = re.compile(r"This asks for the same pose as “(?P<name>.+)”; your votes were moved there\.", re.DOTALL)


def merge_note(*, target_name: str) -> str:
    """The default note as stored (English)."""
    return MERGE_NOTE % {"name": target_name}


def admin_notes_for_reader(notes: str, *, language: str | None = None) -> str:
    """``notes`` in the reader's language (``language``, default the active one) when it is the merge's
    default note; any other note as written."""
    found = _STORED.fullmatch(notes or "")
    if found is None:
        return notes
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        return gettext(MERGE_NOTE) % {"name": found["name"]}


def admin_notes_by_language(notes: str) -> dict[str, str]:
    """``{language code: notes}`` for every site language (the realtime event carries them all)."""
    return {code: admin_notes_for_reader(notes, language=code) for code, _ in settings.LANGUAGES}
