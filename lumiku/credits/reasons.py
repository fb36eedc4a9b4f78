"""Credit history reasons in the reader's language, at read time (the account page and the API).

Ledger rows are written once, in English, by the services that move money. A row's code is its kind
and reference type, its parameters what its stored text carries; the product that owns a reference
type registers how its rows are said (``ledger_reason_register``: the platform never imports the
products), and the platform's own grants are said here. A reason nobody knows (an operator's grant
note, a receipt's product name) is shown as written, so every row, old or new, stays readable.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

# (kind, stored description) -> the reason in the active language, or None when it is not one of its rows.
Renderer = Callable[[str, str], str | None]

_RENDERERS: dict[str, Renderer] = {}


def ledger_reason_register(*, reference_type: str, render: Renderer) -> None:
    _RENDERERS[reference_type] = render


def ledger_reason(*, kind: str, reference_type: str, description: str) -> str:
    """The reason for a ledger row, in the active language (the reader's)."""
    text = (description or "").strip()
    render = _RENDERERS.get(reference_type)
    said = render(kind, text) if render is not None else None
    if said is not None:
        return said
    known = {
        "Welcome credits": _("Welcome credits"),
        "Demo credits": _("Demo credits"),
    }
    return known.get(text, text)
