"""Signed webhooks: a user's endpoints and one delivery row per (endpoint, event), which is also the log."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookEventType(models.TextChoices):
    GENERATION_COMPLETED = "generation.completed", "generation.completed"
    GENERATION_FAILED = "generation.failed", "generation.failed"
    POSE_COMPLETED = "pose.completed", "pose.completed"
    BACKGROUND_COMPLETED = "background.completed", "background.completed"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERING = "delivering", _("Delivering")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookEndpoint(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list)
    # Kept readable: every delivery is signed with it (HMAC needs the key itself, not a hash of it).
    secret = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint: the exact body (re-sent byte for byte on every attempt, so its `id`
    lets a receiver de-duplicate), the retry schedule and what each attempt got back."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=64)
    event_type = models.CharField(max_length=40, choices=WebhookEventType.choices)
    body = models.TextField()
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    attempt_log = models.JSONField(default=list)  # [{"at", "statusCode", "error", "durationMs"}, ...]
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # The same event emitted twice (a re-delivered task) is one delivery per endpoint.
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once_per_event"),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in DeliveryStatus]), name="webhook_delivery_status_valid"),
            models.CheckConstraint(
                condition=~models.Q(status=DeliveryStatus.SUCCEEDED) | models.Q(delivered_at__isnull=False),
                name="webhook_delivery_succeeded_has_time"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"]),
                   models.Index(fields=["endpoint", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"
