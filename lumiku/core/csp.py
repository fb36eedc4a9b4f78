"""Content-Security-Policy on every response, and the endpoint browsers report violations to.

Scripts come only from our own origin (`script-src 'self'`): the app vendors htmx and its own scripts,
templates carry no inline script or event handler, and the API docs load Swagger UI's initialiser as a
file. Styles allow inline `style` attributes (progress bars, htmx's indicator style) but still only
our own stylesheets. Images may also come from the S3 host when STORAGE_BACKEND=s3 (signed URLs).
"""

from __future__ import annotations

import json
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger("lumiku.csp")

REPORT_PATH = "/csp-report"
_MAX_REPORT_BYTES = 16 * 1024


def _media_origins() -> list[str]:
    origins = list(settings.CSP_MEDIA_ORIGINS)
    if settings.STORAGE_BACKEND == "s3" and not origins:
        endpoint = getattr(settings, "AWS_S3_ENDPOINT_URL", "") or ""
        parts = urlsplit(endpoint)
        origins = [f"{parts.scheme}://{parts.netloc}"] if parts.netloc else ["https://*.amazonaws.com"]
    return origins


def content_security_policy() -> str:
    media = " ".join(["'self'", "data:", "blob:", *_media_origins()])
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src {media}",
        f"media-src {media}",
        "connect-src 'self'",  # fetch/htmx and the progress WebSocket (CSP 3: 'self' covers ws/wss)
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        f"report-uri {REPORT_PATH}",
    ])


class ContentSecurityPolicyMiddleware:
    # Only adds a response header: a layer that answers cached anonymous GETs ahead of Django (the pose
    # library's ASGI fast path) may replay the headers Django produced instead of running this.
    anonymous_get_headers_only = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


@csrf_exempt  # browsers send reports without our CSRF token; the endpoint only logs
@require_POST
def csp_report(request):
    """Browsers POST `application/csp-report` here; each violation is one warning line (alert on them)."""
    body = request.read(_MAX_REPORT_BYTES + 1)
    if len(body) > _MAX_REPORT_BYTES:
        body = b""
    try:
        report = json.loads(body or b"{}").get("csp-report", {})
    except (ValueError, AttributeError):
        report = {}
    if isinstance(report, dict) and report:
        logger.warning("CSP violation: %s blocked %s on %s",
                       str(report.get("violated-directive") or report.get("effective-directive"))[:100],
                       str(report.get("blocked-uri"))[:200], str(report.get("document-uri"))[:200])
    return HttpResponse(status=204)
