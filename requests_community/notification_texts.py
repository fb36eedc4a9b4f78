"""Notifications said in the reader's language, at read time.

A notification is stored as a code (``kind``) and its parameters (``data``); the title and body
stored beside them are in the recipient's language when it was sent (that is also the e-mail).
Each kind registers one renderer, ``data -> (title, body)`` built from msgids with named
placeholders, and the notifications page and API both read through :func:`notification_text_for_reader`.
A row of an unknown kind, or written before its kind stored the parameters its renderer needs
(a ``KeyError``), keeps its stored text.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

Renderer = Callable[[dict[str, Any]], tuple[str, str]]

_RENDERERS: dict[str, Renderer] = {}


def notification_kind_register(*, kind: str, render: Renderer) -> None:
    """Say notifications of ``kind`` from their parameters (called once per kind, at import)."""
    _RENDERERS[kind] = render


def notification_text(*, kind: str, data: dict[str, Any], language: str | None = None) -> tuple[str, str]:
    """(title, body) of a registered ``kind`` in ``language`` (default: the active one, the reader's)."""
    with translation.override(language or translation.get_language()):
        return _RENDERERS[kind](data)


def notification_text_for_reader(notification) -> tuple[str, str]:
    """The notification's (title, body) in the active language; its stored text when it cannot be said."""
    if notification.kind in _RENDERERS:
        with contextlib.suppress(KeyError, TypeError, ValueError):  # an old or malformed row keeps its text
            return notification_text(kind=notification.kind, data=notification.data or {})
    return notification.title, notification.body


def notification_for_reader(notification):
    """The notification with its title and body said in the active language (for templates)."""
    notification.title, notification.body = notification_text_for_reader(notification)
    return notification


def recipient_language(user) -> str | None:
    """The language a notification is stored and e-mailed in: the recipient's setting."""
    return getattr(user, "language", None) or None


# --- request.status_changed: a moderator moved the reader's pose request ---------------------------------

REQUEST_STATUS_KIND = "request.status_changed"


def _request_status_texts() -> dict[str, tuple[str, str]]:
    """toStatus → (title, body), each with %(name)s; built per call so it is in the active language."""
    return {
        "approved": (_("Your pose request “%(name)s” was approved"),
                     _("Your pose request “%(name)s” was approved. We will add it to the library.")),
        "in_progress": (_("Your pose request “%(name)s” is in progress"),
                        _("Your pose request “%(name)s” is in progress: we are making the pose now.")),
        "completed": (_("Your pose request “%(name)s” is done"),
                      _("Your pose request “%(name)s” is done: the pose is now in the library.")),
        "rejected": (_("Your pose request “%(name)s” was not accepted"),
                     _("Your pose request “%(name)s” was not accepted.")),
    }


def request_status_text(data: dict[str, Any]) -> tuple[str, str]:
    """Needs ``poseName``, ``toStatus`` and ``note`` (the moderator's words, or None); a merge also
    ``mergedIntoName``. Rows from before ``note`` was stored raise KeyError and keep their text."""
    values = {"name": data["poseName"]}
    note = data["note"]
    if data.get("mergedIntoName"):
        title = _("Your pose request “%(name)s” was merged into another request") % values
        body = (_("Your pose request “%(name)s” was merged into “%(target)s”, which asks for the same pose: "
                  "vote there.") % {**values, "target": data["mergedIntoName"]})
    else:
        title, body = (text % values for text in _request_status_texts()[data["toStatus"]])
    if note:
        body = "\n\n".join([body, _("Moderator's note: %(note)s") % {"note": note}])
    return title, body


notification_kind_register(kind=REQUEST_STATUS_KIND, render=request_status_text)
