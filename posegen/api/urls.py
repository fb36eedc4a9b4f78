from django.urls import path

from posegen.api.generation import (
    GenerateApi,
    GenerationCancelApi,
    GenerationResultsApi,
    GenerationStatusApi,
    PoseDownloadApi,
    PoseFavoriteApi,
    ProjectGenerationsApi,
)
from posegen.api.health import HealthApi
from posegen.api.projects import ProjectDetailApi, ProjectListCreateApi
from posegen.api.realtime import WsTicketApi
from posegen.api.stats import StatsApi

urlpatterns = [
    path("health", HealthApi.as_view(), name="posegen-health"),
    path("projects", ProjectListCreateApi.as_view(), name="posegen-projects"),
    path("projects/<uuid:project_id>", ProjectDetailApi.as_view(), name="posegen-project-detail"),
    path("ws-ticket", WsTicketApi.as_view(), name="posegen-ws-ticket"),
    path("projects/<uuid:project_id>/generations", ProjectGenerationsApi.as_view(), name="posegen-project-generations"),
    path("generate", GenerateApi.as_view(), name="posegen-generate"),
    path("stats", StatsApi.as_view(), name="posegen-stats"),
    path("generations/<uuid:generation_id>", GenerationStatusApi.as_view(), name="posegen-generation"),
    path("generations/<uuid:generation_id>/results", GenerationResultsApi.as_view(), name="posegen-results"),
    path("generations/<uuid:generation_id>/cancel", GenerationCancelApi.as_view(), name="posegen-cancel"),
    path("poses/<uuid:pose_id>/favorite", PoseFavoriteApi.as_view(), name="posegen-pose-favorite"),
    path("poses/<uuid:pose_id>/download", PoseDownloadApi.as_view(), name="posegen-pose-download"),
]

# --- Background changer and exports (issue 7) ---
from posegen.api.background import (  # noqa: E402
    BackdropLibraryApi,
    BackdropPreviewApi,
    GenerationBackgroundApi,
    PoseBackgroundApi,
    PoseBackgroundRevertApi,
    UserAssetUploadApi,
)
from posegen.api.exports import ExportFormatsApi, GenerationExportZipApi, PoseRegenerateExportApi  # noqa: E402

urlpatterns += [
    path("poses/<uuid:pose_id>/background", PoseBackgroundApi.as_view(), name="posegen-pose-background"),
    path("poses/<uuid:pose_id>/background/revert", PoseBackgroundRevertApi.as_view(),
         name="posegen-pose-background-revert"),
    path("generations/<uuid:generation_id>/background", GenerationBackgroundApi.as_view(),
         name="posegen-generation-background"),
    path("backgrounds", BackdropLibraryApi.as_view(), name="posegen-backgrounds"),
    path("backgrounds/<str:backdrop_id>/preview", BackdropPreviewApi.as_view(), name="posegen-backdrop-preview"),
    path("uploads", UserAssetUploadApi.as_view(), name="posegen-uploads"),
    path("export-formats", ExportFormatsApi.as_view(), name="posegen-export-formats"),
    path("generations/<uuid:generation_id>/export-zip", GenerationExportZipApi.as_view(),
         name="posegen-export-zip"),
    path("poses/<uuid:pose_id>/regenerate-export", PoseRegenerateExportApi.as_view(),
         name="posegen-regenerate-export"),
]

# --- Pose library (issue: pose library) ---
from posegen.api.library import (  # noqa: E402
    CategoryListApi,
    LibraryDetailApi,
    LibraryExtractApi,
    LibraryFavoriteApi,
    LibraryListApi,
    LibraryOpenPoseApi,
    LibraryTextToPoseApi,
)

urlpatterns += [
    path("library", LibraryListApi.as_view(), name="posegen-library"),
    path("library/extract", LibraryExtractApi.as_view(), name="posegen-library-extract"),
    path("library/text-to-pose", LibraryTextToPoseApi.as_view(), name="posegen-library-text-to-pose"),
    path("library/<uuid:pose_id>", LibraryDetailApi.as_view(), name="posegen-library-detail"),
    path("library/<uuid:pose_id>/openpose.json", LibraryOpenPoseApi.as_view(), name="posegen-library-openpose"),
    path("library/<uuid:pose_id>/favorite", LibraryFavoriteApi.as_view(), name="posegen-library-favorite"),
    path("categories", CategoryListApi.as_view(), name="posegen-categories"),
]
