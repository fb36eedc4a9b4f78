"""G4: the live progress page of a generation, which becomes its results gallery."""

from django.urls import path

from posegen.pages.generations import progress, results

urlpatterns = [
    path("generations/<uuid:generation_id>/", progress.generation_detail, name="generation"),
    path("generations/<uuid:generation_id>/status/", progress.generation_status, name="generation_status"),
    path("generations/<uuid:generation_id>/cards/", progress.generation_cards, name="generation_cards"),
    path("generations/<uuid:generation_id>/cancel/", progress.generation_cancel_view, name="generation_cancel"),
    path("generations/<uuid:generation_id>/download/", results.generation_zip, name="generation_zip"),
    path("generations/<uuid:generation_id>/background/", results.generation_background,
         name="generation_background"),
    path("generations/<uuid:generation_id>/poses/<uuid:pose_id>/favorite/", results.pose_favorite,
         name="pose_favorite"),
    path("generations/<uuid:generation_id>/poses/<uuid:pose_id>/download/", results.pose_download,
         name="pose_download"),
    path("generations/<uuid:generation_id>/poses/<uuid:pose_id>/export/", results.pose_regenerate_export,
         name="pose_regenerate_export"),
    path("generations/<uuid:generation_id>/poses/<uuid:pose_id>/revert-background/",
         results.pose_background_revert, name="pose_background_revert"),
]
