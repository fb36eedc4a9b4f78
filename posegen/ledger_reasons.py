"""Credit history reasons in the reader's language, at read time.

Ledger rows are written once, in English, by the services that move money ("Pose generation: 5
image(s)", "Image failed: 1 image(s)", "Welcome credits"). Their code is the row's kind and
reference type (``charge``/``refund`` of a ``pose_generation`` or ``background_change``; grants),
their parameters the counts in that text; this module says them in the reader's language, so every
row, old or new, reads naturally. A reason it does not know (an operator's grant note, a receipt's
product name) is shown as written.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

_COUNTED = re.compile(r"^(?P<reason>.+): (?P<count>\d+) image\(s\)$")


def ledger_reason(*, kind: str, reference_type: str, description: str) -> str:
    """The reason for a ledger row, for the reader."""
    text = (description or "").strip()
    counted = _COUNTED.match(text)
    if counted and reference_type == "pose_generation":
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
    known = {
        "Background change: 1 image": _("Background change: 1 photo"),
        "Background change failed: refund": _("Refund: the background change failed"),
        "Welcome credits": _("Welcome credits"),
        "Demo credits": _("Demo credits"),
    }
    return known.get(text, text)
