"""Request and task context for logs: request id, user id, generation id (contextvars).

The middleware accepts a sane incoming `X-Request-ID` (from the proxy or the client) or makes one, and
returns it on the response. Celery tasks get the same ids through message headers (see
`lumiku.core.task_context`), so one id follows a request into the workers it enqueued.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.utils.functional import empty
from django.utils.log import log_response

HEADER = "X-Request-ID"
# Letters, digits and -_.:; bounded. Anything else (spaces, quotes, newlines) could forge log lines.
_SANE = re.compile(r"[A-Za-z0-9._:\-]{8,128}")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
user_id_var: ContextVar[str | None] = ContextVar("user_id", default=None)
generation_id_var: ContextVar[str | None] = ContextVar("generation_id", default=None)
_request_var: ContextVar[object | None] = ContextVar("request", default=None)


def request_id_from(value: str | None) -> str:
    """The incoming id when it is sane, else a new one."""
    if value and _SANE.fullmatch(value):
        return value
    return uuid.uuid4().hex


def current_user_id() -> str | None:
    """The user id of this request once authentication has happened (never triggers it), or of this task."""
    known = user_id_var.get()
    if known is not None:
        return known
    request = _request_var.get()
    if request is None:
        return None
    # DRF stores the authenticated user on the Django request; a session user is a lazy object
    # that is only read here when something already evaluated it (no database query from a log line).
    user = getattr(request, "__dict__", {}).get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or wrapped is empty:  # a SimpleLazyObject nobody has evaluated yet
        return None
    if getattr(wrapped, "is_authenticated", False):
        return str(wrapped.pk)
    return None


class RequestIdMiddleware:
    """Outermost middleware: binds the request id (and, lazily, the user) to everything logged."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def _bind(self, request):
        request_id = request_id_from(request.headers.get(HEADER))
        request.request_id = request_id
        return request_id, (request_id_var.set(request_id), _request_var.set(request), user_id_var.set(None))

    @staticmethod
    def _log(request, response) -> None:
        # Django logs 4xx/5xx after the middleware chain, where this context is gone; log it here
        # (Django then skips it: the response is marked as logged).
        if response.status_code >= 400:
            log_response("%s: %s", response.reason_phrase, request.path, response=response, request=request)

    @staticmethod
    def _unbind(tokens) -> None:
        request_id_var.reset(tokens[0])
        _request_var.reset(tokens[1])
        user_id_var.reset(tokens[2])

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        request_id, tokens = self._bind(request)
        try:
            response = self.get_response(request)
            self._log(request, response)
        finally:
            self._unbind(tokens)
        response[HEADER] = request_id
        return response

    async def __acall__(self, request):
        request_id, tokens = self._bind(request)
        try:
            response = await self.get_response(request)
            self._log(request, response)
        finally:
            self._unbind(tokens)
        response[HEADER] = request_id
        return response
