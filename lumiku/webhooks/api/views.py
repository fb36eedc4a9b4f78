"""`/api/webhooks`: register (the secret is shown once), list, delete, and each endpoint's delivery log."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from lumiku.core.errors import ValidationFailed
from lumiku.core.pagination import PageInput, page_response, paginate, paginated_serializer
from lumiku.webhooks.models import WebhookEventType
from lumiku.webhooks.selectors import webhook_delivery_list, webhook_endpoint_get, webhook_endpoint_list
from lumiku.webhooks.services import webhook_endpoint_create, webhook_endpoint_delete

TAGS = ["webhooks"]


class WebhookEndpointOutput(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEventType.choices))
    createdAt = serializers.DateTimeField(source="created_at")  # noqa: N815


class WebhookDeliveryOutput(serializers.Serializer):
    class WebhookAttemptOutput(serializers.Serializer):
        at = serializers.DateTimeField()
        statusCode = serializers.IntegerField(allow_null=True)  # noqa: N815
        error = serializers.CharField(allow_blank=True)
        durationMs = serializers.IntegerField()  # noqa: N815

    id = serializers.UUIDField()
    eventId = serializers.CharField(source="event_id")  # noqa: N815
    eventType = serializers.CharField(source="event_type")  # noqa: N815
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    lastStatusCode = serializers.IntegerField(source="last_status_code", allow_null=True)  # noqa: N815
    lastError = serializers.CharField(source="last_error", allow_blank=True)  # noqa: N815
    nextAttemptAt = serializers.DateTimeField(source="next_attempt_at", allow_null=True)  # noqa: N815
    deliveredAt = serializers.DateTimeField(source="delivered_at", allow_null=True)  # noqa: N815
    createdAt = serializers.DateTimeField(source="created_at")  # noqa: N815
    attemptLog = WebhookAttemptOutput(source="attempt_log", many=True)  # noqa: N815
    payload = serializers.SerializerMethodField()

    def get_payload(self, obj) -> dict:
        return json.loads(obj.body)


class WebhookListCreateApi(APIView):
    class WebhookCreateInput(serializers.Serializer):
        url = serializers.CharField(max_length=2000)
        events = serializers.ListField(child=serializers.CharField(max_length=40), allow_empty=False, max_length=10)

    class WebhookCreatedOutput(WebhookEndpointOutput):
        secret = serializers.CharField(help_text="Shown once: keep it to verify the Lumiku-Signature header.")

    class WebhookListOutput(serializers.Serializer):
        webhooks = WebhookEndpointOutput(many=True)

    @extend_schema(responses={200: WebhookListOutput}, tags=TAGS, operation_id="webhooks_list")
    def get(self, request):
        return Response({"webhooks": WebhookEndpointOutput(webhook_endpoint_list(user=request.user), many=True).data})

    @extend_schema(request=WebhookCreateInput, responses={201: WebhookCreatedOutput}, tags=TAGS,
                   operation_id="webhooks_create")
    def post(self, request):
        unknown = sorted(set(request.data) - {"url", "events"}) if isinstance(request.data, dict) else []
        if unknown:  # a misspelt field must not be dropped silently
            raise ValidationFailed(_unknown_message(unknown), code="UNKNOWN_FIELD", unknownFields=unknown)
        data = self.WebhookCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = webhook_endpoint_create(user=request.user, **data.validated_data)
        return Response(self.WebhookCreatedOutput(endpoint).data, status=status.HTTP_201_CREATED)


def _unknown_message(fields: list[str]) -> str:
    return _("Unknown field(s): %(fields)s") % {"fields": ", ".join(fields)}


class WebhookDetailApi(APIView):
    @extend_schema(responses={204: None}, tags=TAGS, operation_id="webhooks_delete")
    def delete(self, request, endpoint_id):
        webhook_endpoint_delete(user=request.user, endpoint_id=endpoint_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveriesApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("page", int), OpenApiParameter("limit", int)],
        responses={200: paginated_serializer(name="WebhookDeliveryPage", key="deliveries", item=WebhookDeliveryOutput)},
        tags=TAGS, operation_id="webhooks_deliveries",
    )
    def get(self, request, endpoint_id):
        endpoint = webhook_endpoint_get(user=request.user, endpoint_id=endpoint_id)
        params = PageInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = paginate(queryset=webhook_delivery_list(endpoint=endpoint), **params.validated_data)
        return Response(page_response(key="deliveries", page=page, serializer_class=WebhookDeliveryOutput))
