"""Moderator routes (spec 003 §2C) under /api/apps/pose-generator/admin/pose-requests: 401 anonymous,
403 FORBIDDEN for non-moderators. Status changes all go through the one state-machine service."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from lumiku.core.pagination import PageInput, page_response, paginate, paginated_serializer
from requests_community.api.permissions import IsModerator
from requests_community.api.serializers import (
    AdminRequestDetailEnvelope,
    AdminRequestDetailOutput,
    AdminRequestEnvelope,
    AdminRequestListOutput,
    AdminRequestOutput,
    MergeOutput,
    StatsEnvelope,
    StatsOutput,
)
from requests_community.models import RequestStatus
from requests_community.selectors import (
    request_admin_get,
    request_admin_list,
    request_popular,
    request_stats,
    request_transitions,
)
from requests_community.services.library import pose_request_create_library_pose
from requests_community.services.moderation import (
    NOTES_MAX,
    allowed_transitions,
    pose_request_approve,
    pose_request_complete,
    pose_request_merge,
    pose_request_notes_update,
    pose_request_reject,
    pose_request_start,
)

TAGS = ["pose requests (moderation)"]
AdminRequestPage = paginated_serializer(name="AdminPoseRequestPage", key="requests", item=AdminRequestOutput)


class ModeratorApi(APIView):
    permission_classes = [IsModerator]

    def respond(self, request, request_id, status_code: int = 200) -> Response:
        item = request_admin_get(viewer=request.user, request_id=request_id)
        return Response({"request": AdminRequestOutput(item, context={"viewer": request.user}).data},
                        status=status_code)


class AdminRequestListApi(ModeratorApi):
    class AdminFilterInput(PageInput):
        status = serializers.ChoiceField(choices=RequestStatus.choices, required=False)
        categoryId = serializers.UUIDField(required=False)  # noqa: N815
        userId = serializers.UUIDField(required=False)  # noqa: N815

    @extend_schema(
        parameters=[
            OpenApiParameter("page", int),
            OpenApiParameter("limit", int),
            OpenApiParameter("status", str, enum=RequestStatus.values),
            OpenApiParameter("categoryId", str),
            OpenApiParameter("userId", str),
        ],
        responses={200: AdminRequestPage},
        tags=TAGS,
        operation_id="admin_pose_requests_list",
        summary="All requests (most voted first)",
    )
    def get(self, request):
        params = self.AdminFilterInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        v = params.validated_data
        qs = request_admin_list(viewer=request.user, status=v.get("status"), category_id=v.get("categoryId"),
                                user_id=v.get("userId"))
        page = paginate(queryset=qs, page=v["page"], limit=v["limit"])
        return Response(page_response(key="requests", page=page, serializer_class=AdminRequestOutput,
                                      context={"viewer": request.user}))


class AdminRequestStatsApi(ModeratorApi):
    @extend_schema(responses={200: StatsEnvelope}, tags=TAGS, operation_id="admin_pose_requests_stats",
                   summary="Counts by status")
    def get(self, request):
        return Response({"stats": StatsOutput(request_stats()).data})


class AdminRequestPopularApi(ModeratorApi):
    class AdminPopularInput(serializers.Serializer):
        limit = serializers.IntegerField(min_value=1, max_value=100, default=20)

    @extend_schema(parameters=[OpenApiParameter("limit", int, description="1–100, default 20")],
                   responses={200: AdminRequestListOutput}, tags=TAGS, operation_id="admin_pose_requests_popular",
                   summary="The most voted open requests")
    def get(self, request):
        params = self.AdminPopularInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        items = request_popular(viewer=request.user, limit=params.validated_data["limit"])
        return Response(
            {"requests": AdminRequestOutput(items, many=True, context={"viewer": request.user}).data}
        )


class AdminRequestDetailApi(ModeratorApi):
    @extend_schema(responses={200: AdminRequestDetailEnvelope}, tags=TAGS,
                   operation_id="admin_pose_requests_retrieve", summary="A request with its moderation log")
    def get(self, request, request_id):
        item = request_admin_get(viewer=request.user, request_id=request_id)
        context = {
            "viewer": request.user,
            "transitions": request_transitions(request_id=item.pk),
            "allowed": allowed_transitions(item.status),
        }
        return Response({"request": AdminRequestDetailOutput(item, context=context).data})


class OptionalNotesInput(serializers.Serializer):
    adminNotes = serializers.CharField(  # noqa: N815
        max_length=NOTES_MAX, required=False, allow_blank=True, allow_null=True
    )


class AdminRequestApproveApi(ModeratorApi):
    class ApproveInput(OptionalNotesInput):
        pass

    @extend_schema(request=ApproveInput, responses={200: AdminRequestEnvelope}, tags=TAGS,
                   operation_id="admin_pose_requests_approve", summary="pending → approved")
    def post(self, request, request_id):
        data = self.ApproveInput(data=request.data)
        data.is_valid(raise_exception=True)
        pose_request_approve(request_id=request_id, actor=request.user, notes=data.validated_data.get("adminNotes"))
        return self.respond(request, request_id)


class AdminRequestRejectApi(ModeratorApi):
    class RejectInput(serializers.Serializer):
        adminNotes = serializers.CharField(max_length=NOTES_MAX)  # noqa: N815

    @extend_schema(request=RejectInput, responses={200: AdminRequestEnvelope}, tags=TAGS,
                   operation_id="admin_pose_requests_reject", summary="pending/approved/in_progress → rejected")
    def post(self, request, request_id):
        data = self.RejectInput(data=request.data)
        data.is_valid(raise_exception=True)
        pose_request_reject(request_id=request_id, actor=request.user, notes=data.validated_data["adminNotes"])
        return self.respond(request, request_id)


class AdminRequestStartApi(ModeratorApi):
    class MarkInProgressInput(OptionalNotesInput):
        pass

    @extend_schema(request=MarkInProgressInput, responses={200: AdminRequestEnvelope}, tags=TAGS,
                   operation_id="admin_pose_requests_mark_in_progress", summary="approved → in_progress")
    def post(self, request, request_id):
        data = self.MarkInProgressInput(data=request.data)
        data.is_valid(raise_exception=True)
        pose_request_start(request_id=request_id, actor=request.user, notes=data.validated_data.get("adminNotes"))
        return self.respond(request, request_id)


class AdminRequestCompleteApi(ModeratorApi):
    class MarkCompletedInput(OptionalNotesInput):
        completedPoseId = serializers.UUIDField()  # noqa: N815

    @extend_schema(request=MarkCompletedInput, responses={200: AdminRequestEnvelope}, tags=TAGS,
                   operation_id="admin_pose_requests_mark_completed", summary="in_progress → completed")
    def post(self, request, request_id):
        data = self.MarkCompletedInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        pose_request_complete(request_id=request_id, actor=request.user, completed_pose_id=v["completedPoseId"],
                              notes=v.get("adminNotes"))
        return self.respond(request, request_id)


class AdminRequestNotesApi(ModeratorApi):
    class NotesInput(serializers.Serializer):
        adminNotes = serializers.CharField(max_length=NOTES_MAX, allow_blank=True)  # noqa: N815

    @extend_schema(request=NotesInput, responses={200: AdminRequestEnvelope}, tags=TAGS,
                   operation_id="admin_pose_requests_notes", summary="Replace the note to the requester")
    def put(self, request, request_id):
        data = self.NotesInput(data=request.data)
        data.is_valid(raise_exception=True)
        pose_request_notes_update(request_id=request_id, actor=request.user, notes=data.validated_data["adminNotes"])
        return self.respond(request, request_id)


class AdminRequestMergeApi(ModeratorApi):
    class MergeInput(OptionalNotesInput):
        targetId = serializers.UUIDField()  # noqa: N815

    @extend_schema(request=MergeInput, responses={200: MergeOutput}, tags=TAGS,
                   operation_id="admin_pose_requests_merge",
                   summary="Mark as a duplicate of another request: votes move, this one is rejected")
    def post(self, request, request_id):
        data = self.MergeInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        result = pose_request_merge(request_id=request_id, target_id=v["targetId"], actor=request.user,
                                    notes=v.get("adminNotes"))
        context = {"viewer": request.user}
        return Response({
            "request": AdminRequestOutput(request_admin_get(viewer=request.user, request_id=result.duplicate.pk),
                                          context=context).data,
            "target": AdminRequestOutput(request_admin_get(viewer=request.user, request_id=result.target.pk),
                                         context=context).data,
            "votesMoved": result.votes_moved,
            "votesDropped": result.votes_dropped,
        })


class AdminRequestCreatePoseApi(ModeratorApi):
    class CreatePoseInput(OptionalNotesInput):
        name = serializers.CharField(max_length=150)
        categoryId = serializers.UUIDField()  # noqa: N815
        description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    @extend_schema(
        request=CreatePoseInput,
        responses={201: AdminRequestEnvelope},
        tags=TAGS,
        operation_id="admin_pose_requests_create_pose",
        summary="Extract the pose from the reference photo, add it to the library, complete the request",
    )
    def post(self, request, request_id):
        data = self.CreatePoseInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        pose_request_create_library_pose(
            request_id=request_id, actor=request.user, name=v["name"], category_id=v["categoryId"],
            description=v["description"], notes=v.get("adminNotes"),
        )
        return self.respond(request, request_id, status_code=201)
