"""WebSocket authentication: a short-lived single-use ticket (?ticket=...) or the session cookie."""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import AllowedHostsOriginValidator, WebsocketDenier
from django.contrib.auth import get_user_model
from django.core.cache import cache

TICKET_TTL_SECONDS = 60
_PREFIX = "ws-ticket:"


def ws_ticket_issue(*, user_id: object) -> str:
    ticket = secrets.token_urlsafe(32)
    cache.set(_PREFIX + ticket, str(user_id), timeout=TICKET_TTL_SECONDS)
    return ticket


def ws_ticket_redeem(*, ticket: str) -> str | None:
    """The user id for a valid ticket, consuming it; None if unknown, expired or already used."""
    if not ticket or len(ticket) > 128:
        return None
    key = _PREFIX + ticket
    user_id = cache.get(key)
    # delete() reports whether this call removed the key, so two racing redeems cannot both win.
    if user_id is None or not cache.delete(key):
        return None
    return user_id


@database_sync_to_async
def _user_for_ticket(ticket: str):
    user_id = ws_ticket_redeem(ticket=ticket)
    if user_id is None:
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


class TicketAuthMiddleware:
    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope, receive, send):
        ticket = _query_ticket(scope)
        if ticket:
            user = await _user_for_ticket(ticket)
            if user is not None:
                scope = dict(scope, user=user)
        return await self.inner(scope, receive, send)


def WebSocketAuthMiddlewareStack(inner):  # noqa: N802 - mirrors Channels' naming
    # The session stack runs first and sets scope["user"]; a valid ticket then takes precedence.
    return AuthMiddlewareStack(TicketAuthMiddleware(inner))


def _query_ticket(scope) -> str:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return (query.get("ticket") or [""])[0]


class BrowserOriginOrTicketValidator:
    """Browsers always send `Origin`, so a handshake carrying one must come from an allowed host (the
    cross-site WebSocket hijacking guard). API clients (scripts, mobile apps) send none: they are let
    through only with a `?ticket=`, and their cookies are dropped, so the single-use ticket is the only
    credential such a handshake can use."""

    def __init__(self, application) -> None:
        self.application = application
        self.browser = AllowedHostsOriginValidator(application)

    async def __call__(self, scope, receive, send):
        if any(name == b"origin" for name, _ in scope.get("headers", [])):
            return await self.browser(scope, receive, send)
        if not _query_ticket(scope):
            return await WebsocketDenier()(scope, receive, send)
        headers = [(name, value) for name, value in scope.get("headers", []) if name != b"cookie"]
        return await self.application(dict(scope, headers=headers), receive, send)
