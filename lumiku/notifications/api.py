"""In-app notifications: GET /api/notifications, POST /api/notifications/<id>/read, POST .../read-all."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from lumiku.core.pagination import PageInput, PaginationMetaSerializer, page_response, paginate
from lumiku.notifications.kinds import notification_text_for_reader
from lumiku.notifications.selectors import notification_list, notification_unread_count
from lumiku.notifications.services import notification_mark_all_read, notification_mark_read

TAGS = ["notifications"]


class NotificationOutput(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    link = serializers.CharField()
    data = serializers.JSONField()
    isRead = serializers.SerializerMethodField()  # noqa: N815
    readAt = serializers.DateTimeField(source="read_at", allow_null=True)  # noqa: N815
    createdAt = serializers.DateTimeField(source="created_at")  # noqa: N815

    def get_isRead(self, obj) -> bool:  # noqa: N802
        return obj.read_at is not None

    def to_representation(self, instance):
        body = super().to_representation(instance)
        # Said in the reader's language (Accept-Language or the user's setting) from its code and
        # parameters; old rows keep their stored text.
        body["title"], body["body"] = notification_text_for_reader(instance)
        return body


class NotificationEnvelope(serializers.Serializer):
    notification = NotificationOutput()


class NotificationListApi(APIView):
    class NotificationFilterInput(PageInput):
        unread = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        parameters=[OpenApiParameter("page", int), OpenApiParameter("limit", int),
                    OpenApiParameter("unread", bool, description="only unread ones")],
        responses={200: inline_serializer("NotificationPage", {
            "notifications": NotificationOutput(many=True),
            "pagination": PaginationMetaSerializer(),
            "unreadCount": serializers.IntegerField(),
        })},
        tags=TAGS,
        operation_id="notifications_list",
    )
    def get(self, request):
        params = self.NotificationFilterInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        v = params.validated_data
        page = paginate(queryset=notification_list(user=request.user, unread_only=v["unread"]), page=v["page"],
                        limit=v["limit"])
        body = page_response(key="notifications", page=page, serializer_class=NotificationOutput)
        body["unreadCount"] = notification_unread_count(user=request.user)
        return Response(body)


class NotificationReadApi(APIView):
    @extend_schema(request=None, responses={200: NotificationEnvelope}, tags=TAGS,
                   operation_id="notifications_read")
    def post(self, request, notification_id):
        notification = notification_mark_read(user=request.user, notification_id=notification_id)
        return Response({"notification": NotificationOutput(notification).data})


class NotificationReadAllApi(APIView):
    @extend_schema(request=None, responses={200: inline_serializer("NotificationsReadAll", {
        "updated": serializers.IntegerField()})}, tags=TAGS, operation_id="notifications_read_all")
    def post(self, request):
        return Response({"updated": notification_mark_all_read(user=request.user)})
