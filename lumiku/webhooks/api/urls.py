from django.urls import path

from lumiku.webhooks.api.views import WebhookDeliveriesApi, WebhookDetailApi, WebhookListCreateApi

urlpatterns = [
    path("webhooks", WebhookListCreateApi.as_view(), name="webhooks"),
    path("webhooks/<uuid:endpoint_id>", WebhookDetailApi.as_view(), name="webhook-detail"),
    path("webhooks/<uuid:endpoint_id>/deliveries", WebhookDeliveriesApi.as_view(), name="webhook-deliveries"),
]
