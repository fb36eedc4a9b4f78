from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from lumiku.core.errors import NotFound
from lumiku.webhooks.models import WebhookDelivery, WebhookEndpoint


def webhook_endpoint_list(*, user) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(user=user).order_by("created_at")


def webhook_endpoint_get(*, user, endpoint_id) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, user=user).first()
    if endpoint is None:  # another user's endpoint is as unknown as a made-up id
        raise NotFound(_("Webhook endpoint not found."), code="WEBHOOK_NOT_FOUND")
    return endpoint


def webhook_delivery_list(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-id")
