from django.contrib import admin

from lumiku.core.admin import ReadOnlyAdminMixin
from lumiku.webhooks.models import WebhookDelivery


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Support can see what was sent where and what came back (never the endpoint's secret)."""

    list_display = ("event_type", "event_id", "endpoint", "status", "attempts", "last_status_code", "created_at")
    list_filter = ("status", "event_type")
    search_fields = ("event_id",)
    exclude = ("claim_token",)
