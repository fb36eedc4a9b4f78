"""The library list's fast path, in front of Django: an anonymous ``GET .../library`` whose page is
in the page cache is answered from Redis on the event loop, without Django's middleware, DRF or a
worker thread (Django under ASGI runs every request's sync middleware and view in a fresh thread).

Why: with 16 clients on the 2-core box the list ran at the framework's floor (~600 req/s through
Django + DRF, p99 > 100 ms); a cached page needs one Redis GET (bench/RESULTS.md, "Load").

Exactness. The body is the rendered JSON the view itself stored and would send. The headers are not
rebuilt by hand: they are learned from Django's own 200 response to an earlier anonymous request
with the same headers (everything but the query string and headers nothing here reads) and replayed,
so security/language/Vary headers stay exactly what the middleware produced. Everything the fast
path cannot vouch for goes to Django unchanged: other paths and methods; an Authorization header or
a session cookie (``isFavorite``, 401s); query parameters the list does not know (DRF's ``format``);
invalid filters (the 400 envelope); ``favorites``; a page not in the cache; a header set not seen
yet; a cache that is not Redis; middleware, throttles or authentication classes it was not written
against (then it switches itself off); ``POSEGEN_LIBRARY_FAST_PATH = False``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from typing import Any
from urllib.parse import parse_qsl

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http.cookie import parse_cookie
from django.utils.module_loading import import_string

from posegen.api.library import LIST_QUERY_PARAMS, LibraryListApi, list_query
from posegen.library_cache import library_cache_async_available, library_cache_key_async, library_page_lookup_async
from posegen.library_i18n import reader_language
from posegen.services.library_pages import library_page_refresh_enqueue, list_page_cache_parts

logger = logging.getLogger(__name__)
LIST_PATH = "/api/apps/pose-generator/library"
_TEMPLATES_KEPT = 512

# What the request passes through on its way to the list. The fast path reads settings.MIDDLEWARE itself
# and asks of each class whether, for an anonymous GET of a cached page, it would do nothing but set
# response headers (which are learned from Django's own responses, below). Our middleware says so with a
# class attribute, ``anonymous_get_headers_only = True`` (lumiku/core/csp.py, middleware.py,
# request_guards.py); the framework's are listed here, reviewed against the installed versions. Any
# other middleware (GZip, ConditionalGet, a rate limiter...) switches the fast path off. Two do more, and
# the fast path does the same: a request id on the response (the incoming sane one or a new one) and the
# HTTP request metrics under the list's route.
REQUEST_ID_MIDDLEWARE = "lumiku.core.request_id.RequestIdMiddleware"
METRICS_MIDDLEWARE = "lumiku.core.metrics.MetricsMiddleware"
METRICS_ROUTE = "/api/apps/pose-generator/library"
FRAMEWORK_HEADERS_ONLY_MIDDLEWARE = frozenset({
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # serves /static/ only
    "django.contrib.sessions.middleware.SessionMiddleware",  # no session cookie: nothing saved
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",  # the list's path needs no slash or host redirect
    "django.middleware.csrf.CsrfViewMiddleware",  # GET
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
})
KNOWN_AUTHENTICATION = frozenset({
    "rest_framework_simplejwt.authentication.JWTAuthentication",
    "lumiku.accounts.tokens.StampedJWTAuthentication",  # bearer requests reach Django, like any bearer
    "rest_framework.authentication.SessionAuthentication",
})
# Request headers that nothing on that way reads (transport, caching hints, tracing, browser hints):
# they do not split the learned header sets. User-Agent only while DISALLOWED_USER_AGENTS is empty.
_UNREAD_HEADERS = frozenset({
    b"connection", b"keep-alive", b"accept-encoding", b"cache-control", b"pragma", b"referer", b"dnt",
    b"x-forwarded-for", b"x-real-ip", b"x-request-id", b"traceparent", b"tracestate", b"priority",
    b"sec-fetch-site", b"sec-fetch-mode", b"sec-fetch-dest", b"sec-fetch-user", b"upgrade-insecure-requests",
    b"if-none-match", b"if-modified-since",
})

_state: dict[str, Any] = {}


def _enabled() -> bool:
    """Decided once per settings: the fast path's assumptions hold for the configured stack."""
    if "enabled" not in _state:
        names = lambda classes: {f"{c.__module__}.{c.__qualname__}" for c in classes}  # noqa: E731
        view = LibraryListApi()
        problems = [
            *(f"middleware {m}" for m in settings.MIDDLEWARE if not _headers_only(m)),
            *(f"authentication {a}" for a in names(view.authentication_classes) - KNOWN_AUTHENTICATION),
            *(f"throttle {t}" for t in names(view.throttle_classes)),
        ]
        if problems:
            logger.warning("library list fast path off: %s", ", ".join(problems))
        _state["enabled"] = (getattr(settings, "POSEGEN_LIBRARY_FAST_PATH", True) and not problems
                             and library_cache_async_available())
        _state["unread"] = _UNREAD_HEADERS | ({b"user-agent"} if not settings.DISALLOWED_USER_AGENTS else set())
        _state["templates"] = OrderedDict()
        _state["request_id"] = _state["metrics"] = None
        if REQUEST_ID_MIDDLEWARE in settings.MIDDLEWARE:  # imported only where configured
            from lumiku.core.request_id import HEADER, request_id_from

            _state["request_id"] = (HEADER.lower().encode(), request_id_from)
        if METRICS_MIDDLEWARE in settings.MIDDLEWARE:
            from lumiku.core.metrics import HTTP_LATENCY, HTTP_REQUESTS

            _state["metrics"] = (HTTP_REQUESTS.labels(route=METRICS_ROUTE, method="GET", status="200"),
                                 HTTP_LATENCY.labels(route=METRICS_ROUTE, method="GET"))
    return _state["enabled"]


def _headers_only(middleware: str) -> bool:
    if middleware in (REQUEST_ID_MIDDLEWARE, METRICS_MIDDLEWARE) or middleware in FRAMEWORK_HEADERS_ONLY_MIDDLEWARE:
        return True
    try:
        return getattr(import_string(middleware), "anonymous_get_headers_only", False) is True
    except ImportError:
        return False


@receiver(setting_changed)
def _settings_changed(**kwargs: Any) -> None:
    _state.clear()


def _cache_query(query_string: bytes) -> tuple[dict[str, Any], dict[str, Any], int, int] | None:
    """(cache parts, filters, page, limit) of an anonymous list query, or None when Django must answer it."""
    text = query_string.decode("latin-1")
    if any(name not in LIST_QUERY_PARAMS for name, _ in parse_qsl(text, keep_blank_values=True)):
        return None
    try:
        filters, page, limit = list_query(text)
    except Exception:  # invalid filters: Django renders the 400 envelope
        return None
    parts = list_page_cache_parts(filters=filters, page=page, limit=limit)
    return (parts, filters, page, limit) if parts else None


_refreshing: set[asyncio.Task] = set()  # strong references: the loop keeps only weak ones


def _refresh_in_background(**page: Any) -> None:
    """Have a worker render a stale page again while this and other readers get the stale copy: the
    render (tens of ms of Python) never holds this event loop's GIL."""
    enqueue = sync_to_async(library_page_refresh_enqueue, thread_sensitive=False)
    task = asyncio.get_running_loop().create_task(enqueue(**page))
    _refreshing.add(task)
    task.add_done_callback(_refreshing.discard)


def _variant(scope: dict[str, Any]) -> tuple | None:
    """What Django's response headers may depend on; None for requests that are not anonymous."""
    unread = _state["unread"]
    kept = []
    for name, value in scope["headers"]:
        if name == b"authorization":
            return None
        if name == b"cookie" and settings.SESSION_COOKIE_NAME in parse_cookie(value.decode("latin-1")):
            return None
        if name not in unread:
            kept.append((name, value))
    kept.sort()
    return scope.get("scheme", "http"), scope.get("root_path", ""), tuple(kept)


def library_list_fast_path(app):
    """Wrap Django's ASGI app (lumiku/asgi.py) with the cached library list."""

    async def fast_path(scope, receive, send):
        started = time.perf_counter()
        if (scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != LIST_PATH
                or not _enabled()):
            return await app(scope, receive, send)
        variant = _variant(scope)
        query = _cache_query(scope.get("query_string", b"")) if variant is not None else None
        if query is None:
            return await app(scope, receive, send)
        parts, filters, page, limit = query
        templates: OrderedDict = _state["templates"]
        template = templates.get(variant)
        body = None
        if template is not None:
            # The language Django answered this header set in (account-less: cookie or Accept-Language):
            # the page's names and categories are in it, so it is part of the page's key.
            language = reader_language(next((v.decode("latin-1") for n, v in template if n == b"content-language"),
                                            None))
            parts = {**parts, "language": language}
            key = await library_cache_key_async(kind="page", parts=parts)
            body, refresh = await library_page_lookup_async(key)
            if body is not None and refresh:
                _refresh_in_background(filters=filters, page_number=page, limit=limit, key=key, language=language)
        if body is None:  # a miss: Django renders and stores the page
            return await app(scope, receive, send if template is not None else _learning(send, templates, variant))
        length = str(len(body)).encode()
        headers = [(n, length if n == b"content-length" else v) for n, v in template]
        if _state["request_id"]:
            name, request_id_from = _state["request_id"]
            incoming = next((v for n, v in scope["headers"] if n == name), None)
            headers.append((name, request_id_from(incoming and incoming.decode("latin-1")).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        if _state["metrics"]:
            _state["metrics"][0].inc()
            _state["metrics"][1].observe(time.perf_counter() - started)

    return fast_path


def _learning(send, templates: OrderedDict, variant: tuple):
    """``send``, remembering the headers of Django's 200 (without cookies) for this header set."""

    per_request = _state["request_id"][0] if _state["request_id"] else None

    async def learn(message):
        if message["type"] == "http.response.start" and message["status"] == 200:
            headers = [(bytes(n).lower(), bytes(v)) for n, v in message.get("headers", [])
                       if bytes(n).lower() != per_request]
            if not any(n == b"set-cookie" for n, _ in headers):
                templates[variant] = headers
                while len(templates) > _TEMPLATES_KEPT:
                    templates.popitem(last=False)
        await send(message)

    return learn
