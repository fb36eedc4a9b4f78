from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from lumiku.core.registry import registry_apps


class AppsApi(APIView):
    """The enabled apps for the dashboard, with their prices, access rules and feature flags."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: inline_serializer("AppList", {"apps": serializers.ListField(child=serializers.DictField())})},
        tags=["platform"],
    )
    def get(self, request):
        return Response({"apps": [app.as_api() for app in registry_apps()]})
