"""Notifications said in the reader's language, at read time.

A notification is stored as a code (``kind``) and its parameters (``data``); the title and body
stored beside them are in the recipient's language when it was sent (that is also the e-mail).
Each kind registers one renderer, ``data -> (title, body)`` built from msgids with named
placeholders (the app that sends it, from its ``AppConfig.ready()``), and the notifications page and API
both read through :func:`notification_text_for_reader`.
A row of an unknown kind, or written before its kind stored the parameters its renderer needs
(a ``KeyError``), keeps its stored text.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from django.utils import translation

Renderer = Callable[[dict[str, Any]], tuple[str, str]]

_RENDERERS: dict[str, Renderer] = {}


def notification_kind_register(*, kind: str, render: Renderer) -> None:
    """Say notifications of ``kind`` from their parameters (called once per kind, when its app is ready)."""
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
