from django.contrib.auth import get_user
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from lumiku.accounts.tokens import StampedJWTAuthentication
from lumiku.core.health import health_report
from lumiku.core.metrics_view import metrics_token_check
from posegen.plugin import POSE_GENERATOR_APP

ENDPOINTS = {
    "health": "GET /health",
    "library": "GET /library (browse poses)",
    "categories": "GET /categories (list categories)",
    "projects": "GET, POST /projects (project management)",
    "project": "GET, PUT, DELETE /projects/:id",
    "generate": "POST /generate (start a generation)",
    "generation": "GET /generations/:id (status)",
    "results": "GET /generations/:id/results",
    "stats": "GET /stats (your statistics)",
    "requests": "GET, POST /requests (community pose requests)",
}


HEALTH = inline_serializer(
    "Health",
    {
        "status": serializers.ChoiceField(choices=["ok", "error"]),
        # The rest only for staff and the METRICS_TOKEN bearer; anonymous callers get `status` alone.
        "app": serializers.CharField(required=False),
        "version": serializers.CharField(required=False),
        "checks": serializers.DictField(required=False),
        "failing": serializers.ListField(child=serializers.CharField(), required=False),
        "endpoints": serializers.DictField(required=False),
    },
)


def _may_see_details(request) -> bool:
    """The full report is for operators: the METRICS_TOKEN bearer (monitoring) or a staff user (session
    or API token). A wrong or expired token just gets the anonymous answer."""
    if metrics_token_check(request.headers.get("Authorization", "")):
        return True
    # From the session itself: with no authentication classes DRF has already set request.user anonymous.
    user = get_user(request._request)
    if not user.is_authenticated:
        try:
            authenticated = StampedJWTAuthentication().authenticate(request)
        except AuthenticationFailed:
            authenticated = None
        user = authenticated[0] if authenticated else None
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


class HealthApi(APIView):
    """200/503 for everyone; the checks' details only for operators (see _may_see_details)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        # 503: the same report, naming what fails. Anonymous callers get {"status"} only.
        responses={200: HEALTH, 503: HEALTH},
        tags=["health"],
    )
    def get(self, request):
        healthy, report = health_report()
        if not _may_see_details(request):
            # Host names, queues, vendors and latencies are a map for an attacker: status only.
            return Response({"status": "ok" if healthy else "error"}, status=200 if healthy else 503)
        body = {
            "status": "ok" if healthy else "error",
            "app": POSE_GENERATOR_APP.app_id,
            "version": POSE_GENERATOR_APP.version,
            **report,
            "endpoints": ENDPOINTS,
        }
        return Response(body, status=200 if healthy else 503)
