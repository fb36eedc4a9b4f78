from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from lumiku.core.health import health_report
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
        "status": serializers.CharField(),
        "app": serializers.CharField(),
        "version": serializers.CharField(),
        "checks": serializers.DictField(),
        "failing": serializers.ListField(child=serializers.CharField()),
        "endpoints": serializers.DictField(),
    },
)


class HealthApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        responses={200: HEALTH, 503: HEALTH},  # 503: the same report, naming what fails
        tags=["health"],
    )
    def get(self, request):
        healthy, report = health_report()
        body = {
            "status": "ok" if healthy else "error",
            "app": POSE_GENERATOR_APP.app_id,
            "version": POSE_GENERATOR_APP.version,
            **report,
            "endpoints": ENDPOINTS,
        }
        return Response(body, status=200 if healthy else 503)
