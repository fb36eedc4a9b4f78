"""One error envelope for every API error: {"error": {"message", "code", "statusCode", ...}}."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from lumiku.core.errors import DomainError
from lumiku.core.throttling import rate_limit_message

logger = logging.getLogger(__name__)

_DRF_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.ParseError: "PARSE_ERROR",
    exceptions.AuthenticationFailed: "UNAUTHORIZED",
    exceptions.NotAuthenticated: "UNAUTHORIZED",
    exceptions.PermissionDenied: "FORBIDDEN",
    exceptions.NotFound: "NOT_FOUND",
    exceptions.MethodNotAllowed: "METHOD_NOT_ALLOWED",
    exceptions.NotAcceptable: "NOT_ACCEPTABLE",
    exceptions.UnsupportedMediaType: "UNSUPPORTED_MEDIA_TYPE",
    exceptions.Throttled: "RATE_LIMITED",
    exceptions.ValidationError: "VALIDATION_ERROR",
}


def error_body(*, message: str, code: str, status_code: int, **extra: Any) -> dict[str, Any]:
    return {"error": {"message": message, "code": code, "statusCode": status_code, **extra}}


def _first_message(detail: Any) -> str:
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    if isinstance(detail, dict) and detail:
        key, value = next(iter(detail.items()))
        inner = _first_message(value)
        return inner if key in ("non_field_errors", "detail") else f"{key}: {inner}"
    return str(detail)


def _drf_code(exc: exceptions.APIException) -> str:
    for klass in type(exc).__mro__:
        if klass in _DRF_CODES:
            return _DRF_CODES[klass]
    return str(exc.default_code).upper()


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        set_rollback()
        body = error_body(message=exc.message, code=exc.code, status_code=exc.status_code, **exc.extra)
        headers = {"Retry-After": str(int(exc.extra["retryAfter"]))} if exc.extra.get("retryAfter") else None
        return Response(body, status=exc.status_code, headers=headers)
    if isinstance(exc, RequestDataTooBig):  # a body over DATA_UPLOAD_MAX_MEMORY_SIZE
        set_rollback()
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        message = _("The request body is larger than %(megabytes)s MB.") % {"megabytes": limit}
        return Response(error_body(message=message, code="REQUEST_TOO_LARGE", status_code=413), status=413)
    if isinstance(exc, SuspiciousOperation):  # too many fields, a malformed multipart body...
        exc = exceptions.ParseError()
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.messages)

    if isinstance(exc, exceptions.APIException):
        set_rollback()
        headers: dict[str, str] = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        extra: dict[str, Any] = {}
        if isinstance(exc, exceptions.ValidationError):
            message = _("Invalid input. %(detail)s") % {"detail": _first_message(exc.detail)}
            extra["fields"] = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        elif isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            message = rate_limit_message(wait=exc.wait)
        elif isinstance(exc.detail, dict):
            message = _first_message(exc.detail)
        else:
            message = str(exc.detail)
        body = error_body(message=message, code=_drf_code(exc), status_code=exc.status_code, **extra)
        return Response(body, status=exc.status_code, headers=headers)

    logger.exception("Unhandled API error", exc_info=exc)
    set_rollback()
    return Response(
        error_body(message=_("Internal server error."), code="INTERNAL_ERROR", status_code=500), status=500
    )


def json_error_response(*, status_code: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(message=message, code=code, status_code=status_code), status=status_code)
