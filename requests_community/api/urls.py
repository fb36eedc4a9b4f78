"""Routes under /api/apps/pose-generator/, beside the posegen routes (no path is in both)."""

from django.urls import path

from requests_community.api import moderation, requests

urlpatterns = [
    path("requests", requests.RequestListCreateApi.as_view(), name="pose-requests"),
    path("requests/board", requests.RequestBoardApi.as_view(), name="pose-requests-board"),
    path("requests/popular", requests.RequestPopularApi.as_view(), name="pose-requests-popular"),
    path("requests/voted", requests.RequestVotedApi.as_view(), name="pose-requests-voted"),
    path("requests/similar", requests.RequestSimilarApi.as_view(), name="pose-requests-similar"),
    path("requests/<uuid:request_id>", requests.RequestDetailApi.as_view(), name="pose-request-detail"),
    path("requests/<uuid:request_id>/vote", requests.RequestVoteApi.as_view(), name="pose-request-vote"),
    path("admin/pose-requests", moderation.AdminRequestListApi.as_view(), name="admin-pose-requests"),
    path("admin/pose-requests/stats", moderation.AdminRequestStatsApi.as_view(), name="admin-pose-requests-stats"),
    path("admin/pose-requests/popular", moderation.AdminRequestPopularApi.as_view(),
         name="admin-pose-requests-popular"),
    path("admin/pose-requests/<uuid:request_id>", moderation.AdminRequestDetailApi.as_view(),
         name="admin-pose-request-detail"),
    path("admin/pose-requests/<uuid:request_id>/approve", moderation.AdminRequestApproveApi.as_view(),
         name="admin-pose-request-approve"),
    path("admin/pose-requests/<uuid:request_id>/reject", moderation.AdminRequestRejectApi.as_view(),
         name="admin-pose-request-reject"),
    path("admin/pose-requests/<uuid:request_id>/mark-in-progress", moderation.AdminRequestStartApi.as_view(),
         name="admin-pose-request-mark-in-progress"),
    path("admin/pose-requests/<uuid:request_id>/mark-completed", moderation.AdminRequestCompleteApi.as_view(),
         name="admin-pose-request-mark-completed"),
    path("admin/pose-requests/<uuid:request_id>/notes", moderation.AdminRequestNotesApi.as_view(),
         name="admin-pose-request-notes"),
    path("admin/pose-requests/<uuid:request_id>/merge", moderation.AdminRequestMergeApi.as_view(),
         name="admin-pose-request-merge"),
    path("admin/pose-requests/<uuid:request_id>/create-pose", moderation.AdminRequestCreatePoseApi.as_view(),
         name="admin-pose-request-create-pose"),
]
