"""Community pose requests for users: submit, list, board, vote. Thin views over services/selectors."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from lumiku.core.pagination import PageInput, page_response, paginate, paginated_serializer
from lumiku.core.throttling import rate_limited
from requests_community.api.serializers import (
    RequestCreatedEnvelope,
    RequestEnvelope,
    RequestListOutput,
    RequestOutput,
)
from requests_community.models import RequestStatus, UseCase
from requests_community.selectors import (
    BOARD_SORTS,
    PUBLIC_STATUSES,
    request_board,
    request_get_visible,
    request_list_for_user,
    request_popular,
    request_similar,
    request_voted,
)
from requests_community.services.requests import (
    DESCRIPTION_MAX,
    POSE_NAME_MAX,
    pose_request_create,
    pose_request_delete,
)
from requests_community.services.votes import pose_request_unvote, pose_request_vote

TAGS = ["pose requests"]
RequestPage = paginated_serializer(name="PoseRequestPage", key="requests", item=RequestOutput)
_PAGE_PARAMS = [OpenApiParameter("page", int), OpenApiParameter("limit", int)]


def _page(request, *, queryset, params) -> Response:
    page = paginate(queryset=queryset, page=params["page"], limit=params["limit"])
    return Response(
        page_response(key="requests", page=page, serializer_class=RequestOutput, context={"viewer": request.user})
    )


@rate_limited("pose_request_create", methods=("POST",))
class RequestListCreateApi(APIView):
    class RequestFilterInput(PageInput):
        status = serializers.ChoiceField(choices=RequestStatus.choices, required=False)

    class RequestCreateInput(serializers.Serializer):
        poseName = serializers.CharField(max_length=POSE_NAME_MAX)  # noqa: N815
        description = serializers.CharField(max_length=DESCRIPTION_MAX)
        categoryId = serializers.UUIDField(required=False, allow_null=True)  # noqa: N815
        useCase = serializers.ChoiceField(choices=UseCase.choices, required=False, allow_blank=True)  # noqa: N815
        referenceImage = serializers.FileField(required=False, allow_null=True)  # noqa: N815
        referenceImageUrl = serializers.CharField(  # noqa: N815
            required=False, allow_blank=True, allow_null=True, max_length=2000, default="",
            help_text="instead of referenceImage: a URL that POST /uploads (kind references) returned to you")

    @extend_schema(
        parameters=[*_PAGE_PARAMS, OpenApiParameter("status", str, enum=RequestStatus.values)],
        responses={200: RequestPage},
        tags=TAGS,
        operation_id="pose_requests_mine",
        summary="Your pose requests",
    )
    def get(self, request):
        params = self.RequestFilterInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        qs = request_list_for_user(user=request.user, status=params.validated_data.get("status"))
        return _page(request, queryset=qs, params=params.validated_data)

    @extend_schema(
        request={"multipart/form-data": RequestCreateInput, "application/json": RequestCreateInput},
        responses={201: RequestCreatedEnvelope},
        tags=TAGS,
        operation_id="pose_requests_create",
        summary="Submit a pose request",
        description="409 DUPLICATE_REQUEST when you already have an open request with the same name; "
        "`similarRequests` lists open requests by others that you may prefer to vote for.",
    )
    def post(self, request):
        data = self.RequestCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        result = pose_request_create(
            user=request.user,
            pose_name=v["poseName"],
            description=v["description"],
            category_id=v.get("categoryId"),
            use_case=v.get("useCase") or "",
            reference_image=v.get("referenceImage"),
            reference_image_url=v.get("referenceImageUrl") or "",
        )
        context = {"viewer": request.user}
        return Response(
            {
                "request": RequestOutput(result.request, context=context).data,
                "similarRequests": RequestOutput(result.similar, many=True, context=context).data,
            },
            status=status.HTTP_201_CREATED,
        )


class RequestBoardApi(APIView):
    class BoardFilterInput(PageInput):
        status = serializers.ChoiceField(choices=PUBLIC_STATUSES, required=False)
        categoryId = serializers.UUIDField(required=False)  # noqa: N815
        search = serializers.CharField(max_length=100, required=False, allow_blank=True)
        sort = serializers.ChoiceField(choices=list(BOARD_SORTS), default="votes")

    @extend_schema(
        parameters=[
            *_PAGE_PARAMS,
            OpenApiParameter("status", str, enum=list(PUBLIC_STATUSES), description="default: every open status"),
            OpenApiParameter("categoryId", str),
            OpenApiParameter("search", str, description="part of the pose name"),
            OpenApiParameter("sort", str, enum=list(BOARD_SORTS), description="votes (default), newest, updated"),
        ],
        responses={200: RequestPage},
        tags=TAGS,
        operation_id="pose_requests_board",
        summary="Everyone's open requests",
    )
    def get(self, request):
        params = self.BoardFilterInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        v = params.validated_data
        qs = request_board(viewer=request.user, status=v.get("status"), category_id=v.get("categoryId"),
                           search=v.get("search"), sort=v["sort"])
        return _page(request, queryset=qs, params=v)


class RequestPopularApi(APIView):
    class PopularInput(serializers.Serializer):
        limit = serializers.IntegerField(min_value=1, max_value=50, default=10)

    @extend_schema(
        parameters=[OpenApiParameter("limit", int, description="1–50, default 10")],
        responses={200: RequestListOutput},
        tags=TAGS,
        operation_id="pose_requests_popular",
        summary="The most voted open requests",
    )
    def get(self, request):
        params = self.PopularInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        items = request_popular(viewer=request.user, limit=params.validated_data["limit"])
        return Response({"requests": RequestOutput(items, many=True, context={"viewer": request.user}).data})


class RequestVotedApi(APIView):
    @extend_schema(parameters=_PAGE_PARAMS, responses={200: RequestPage}, tags=TAGS,
                   operation_id="pose_requests_voted", summary="Requests you voted for")
    def get(self, request):
        params = PageInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        return _page(request, queryset=request_voted(user=request.user), params=params.validated_data)


class RequestSimilarApi(APIView):
    class SimilarInput(serializers.Serializer):
        poseName = serializers.CharField(max_length=POSE_NAME_MAX)  # noqa: N815

    @extend_schema(
        parameters=[OpenApiParameter("poseName", str, required=True)],
        responses={200: RequestListOutput},
        tags=TAGS,
        operation_id="pose_requests_similar",
        summary="Open requests by others with a similar name (the submit form's hint)",
    )
    def get(self, request):
        params = self.SimilarInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        items = request_similar(pose_name=params.validated_data["poseName"], viewer=request.user,
                                exclude_user=request.user)
        return Response({"requests": RequestOutput(items, many=True, context={"viewer": request.user}).data})


class RequestDetailApi(APIView):
    @extend_schema(responses={200: RequestEnvelope}, tags=TAGS, operation_id="pose_requests_retrieve")
    def get(self, request, request_id):
        item = request_get_visible(viewer=request.user, request_id=request_id)
        return Response({"request": RequestOutput(item, context={"viewer": request.user}).data})

    @extend_schema(responses={204: None}, tags=TAGS, operation_id="pose_requests_delete",
                   summary="Withdraw your request while it is pending")
    def delete(self, request, request_id):
        pose_request_delete(user=request.user, request_id=request_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


@rate_limited("vote")
class RequestVoteApi(APIView):
    @extend_schema(request=None, responses={200: RequestEnvelope}, tags=TAGS, operation_id="pose_requests_vote",
                   summary="Vote for a request (idempotent)")
    def post(self, request, request_id):
        item = pose_request_vote(user=request.user, request_id=request_id)
        return Response({"request": RequestOutput(item, context={"viewer": request.user}).data})

    @extend_schema(responses={200: RequestEnvelope}, tags=TAGS, operation_id="pose_requests_unvote",
                   summary="Take your vote back (idempotent)")
    def delete(self, request, request_id):
        item = pose_request_unvote(user=request.user, request_id=request_id)
        return Response({"request": RequestOutput(item, context={"viewer": request.user}).data})
