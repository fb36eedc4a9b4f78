"""The pose library pages (browse, one pose, favourite toggle) and the selection tray's endpoints."""

from django.urls import path

from posegen.pages import tray
from posegen.pages.library import views

urlpatterns = [
    path("library/", views.library, name="library"),
    *tray.urlpatterns,
    path("library/<uuid:pose_id>/", views.pose_detail, name="pose_detail"),
    path("library/<uuid:pose_id>/favorite/", views.pose_favorite, name="pose_favorite"),
]
