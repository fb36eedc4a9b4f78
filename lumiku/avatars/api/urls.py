from django.urls import path

from lumiku.avatars.api.views import AvatarDetailApi, AvatarListCreateApi

urlpatterns = [
    path("", AvatarListCreateApi.as_view(), name="avatars"),
    path("<uuid:avatar_id>", AvatarDetailApi.as_view(), name="avatar-detail"),
]
