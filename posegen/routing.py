"""The Pose Generator's WebSocket route (registered with the platform in PosegenConfig.ready())."""

from django.urls import path

from posegen.consumers import PoseGeneratorConsumer

websocket_urlpatterns = [
    path("ws/pose-generator/", PoseGeneratorConsumer.as_asgi()),
]
