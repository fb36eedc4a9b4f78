"""The application's URLs plus ``GET /bench/empty``: an empty DRF view behind the same middleware,
authentication and renderer as the API (routed only by lumiku.settings.bench)."""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from lumiku.urls import handler400, handler403, handler404, handler500  # noqa: F401
from lumiku.urls import urlpatterns as app_urlpatterns


class EmptyApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({})


urlpatterns = [path("bench/empty", EmptyApi.as_view(), name="bench-empty"), *app_urlpatterns]
