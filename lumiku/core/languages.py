"""The reader's language, as the site's content knows it: Bahasa Indonesia or English.

Django activates the reader's language per request (the account's language, the footer switch or
Accept-Language) and per task that speaks to one user; content stored in English with an Indonesian twin
(pose names, credit packages) asks this which one to show. Anything cached per reader must carry it in its key.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language


def reader_language(language: str | None = None) -> str:
    """``"id"`` or ``"en"`` from a Django language code (default: the active one)."""
    code = (language or get_language() or settings.LANGUAGE_CODE).lower()
    return "id" if code.startswith("id") else "en"
