"""GET /metrics for Prometheus: a bearer token (METRICS_TOKEN) or a staff session; otherwise 404/401."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from lumiku.core.metrics import metrics_exposition


def metrics_token_check(header: str) -> bool | None:
    """True/False for a bearer token that matches or not; None when no bearer token was sent."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    expected = settings.METRICS_TOKEN
    return bool(expected) and hmac.compare_digest(token.strip().encode(), expected.encode())


@require_GET
def metrics(request):
    token = metrics_token_check(request.headers.get("Authorization", ""))
    if token is False:
        response = HttpResponse("invalid metrics token\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if token is None and not (request.user.is_authenticated and request.user.is_staff):
        raise Http404  # do not advertise the endpoint to anyone else
    return HttpResponse(metrics_exposition(), content_type=CONTENT_TYPE_LATEST)
