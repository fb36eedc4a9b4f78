"""How the credit history says this product's rows (``pose_generation`` and ``background_change``),
registered with lumiku.credits.reasons, which says them in the reader's language at read time.

The rows were written in English ("Pose generation: 5 image(s)", "Image failed: 1 image(s)",
"Background change: 1 image"); their code is the row's kind and reference type, their parameters
the counts in that text.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lumiku.credits.reasons import ledger_reason, ledger_reason_register
from posegen.models.choices import LedgerReference

__all__ = ["ledger_reason"]

_COUNTED = re.compile(r"^(?P<reason>.+): (?P<count>\d+) image\(s\)$")


def generation_reason(kind: str, text: str) -> str | None:
    counted = _COUNTED.match(text)
    if not counted:
        return None
    count, reason = int(counted["count"]), counted["reason"]
    if kind == "charge" and reason == "Pose generation":
        return ngettext("%(count)d pose photo made", "%(count)d pose photos made", count) % {"count": count}
    if kind == "refund" and reason == "Image failed":
        return ngettext("Refund: %(count)d photo could not be made", "Refund: %(count)d photos could not be made",
                        count) % {"count": count}
    if kind == "refund" and reason == "Cancelled":
        return ngettext("Refund: %(count)d photo cancelled", "Refund: %(count)d photos cancelled",
                        count) % {"count": count}
    if kind == "refund":
        return ngettext("Refund: %(count)d photo", "Refund: %(count)d photos", count) % {"count": count}
    return None


def background_reason(kind: str, text: str) -> str | None:
    return {
        "Background change: 1 image": _("Background change: 1 photo"),
        "Background change failed: refund": _("Refund: the background change failed"),
    }.get(text)


ledger_reason_register(reference_type=LedgerReference.GENERATION, render=generation_reason)
ledger_reason_register(reference_type=LedgerReference.BACKGROUND_CHANGE, render=background_reason)
