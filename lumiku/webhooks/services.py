"""Webhooks: register and remove endpoints, emit events, deliver them (signed, retried, logged).

Products call `webhook_event_emit` inside the transaction that makes the change: the delivery rows commit
with it (the outbox), and the delivery task is enqueued after commit. A delivery is attempted until a 2xx,
with exponential backoff (WEBHOOK_RETRY_BASE_SECONDS doubling) for WEBHOOK_RETRY_WINDOW_SECONDS (24 h);
the beat sweep re-enqueues what is due, so a lost message or a dead worker delays a delivery, never
drops it. At least once: a receiver de-duplicates on the body's `id`, identical on every attempt.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lumiku.core.errors import NotFound, ValidationFailed
from lumiku.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEventType
from lumiku.webhooks.targets import target_post, webhook_url_validate

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = "Lumiku-Signature"
_EVENT_NAMESPACE = uuid.UUID("6f1d7c1e-3b2a-4c55-9d0e-7a1b2c3d4e5f")
ATTEMPT_LOG_MAX = 50


def webhook_sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (the receiver recomputes and compares)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


# --- endpoints -----------------------------------------------------------------------------------
def webhook_endpoint_create(*, user, url: str, events: list[str]) -> WebhookEndpoint:
    unknown = sorted(set(events) - set(WebhookEventType.values))
    if not events or unknown:
        raise ValidationFailed(
            _("events: choose one or more of %(allowed)s.") % {"allowed": ", ".join(WebhookEventType.values)},
            code="WEBHOOK_EVENTS_INVALID", field="events", unknown=unknown)
    webhook_url_validate(url=url)
    with transaction.atomic():
        # Serialise one user's registrations so the limit holds under concurrent requests.
        type(user).objects.select_for_update().filter(pk=user.pk).first()
        if WebhookEndpoint.objects.filter(user=user).count() >= settings.WEBHOOK_MAX_ENDPOINTS:
            raise ValidationFailed(
                _("You already have %(count)d webhook endpoints: delete one first.")
                % {"count": settings.WEBHOOK_MAX_ENDPOINTS}, code="WEBHOOK_LIMIT_REACHED")
        return WebhookEndpoint.objects.create(user=user, url=url, events=sorted(set(events)),
                                              secret="whsec_" + secrets.token_hex(32))


def webhook_endpoint_delete(*, user, endpoint_id) -> None:
    deleted, _rows = WebhookEndpoint.objects.filter(pk=endpoint_id, user=user).delete()
    if not deleted:
        raise NotFound(_("Webhook endpoint not found."), code="WEBHOOK_NOT_FOUND")


# --- events --------------------------------------------------------------------------------------
def webhook_event_id(*, key: str) -> str:
    """A stable id for one happening (e.g. `generation.completed:<generation id>`): emitting it again
    (a re-delivered task) yields the same id, so it is delivered once per endpoint."""
    return "evt_" + uuid.uuid5(_EVENT_NAMESPACE, key).hex


def webhook_event_emit(*, user_id, event_type: str, data: dict, key: str) -> int:
    """Queue `event_type` for every endpoint of the user subscribed to it; call it inside the transaction
    that makes the change. Returns how many deliveries were created."""
    event_type = WebhookEventType(event_type).value
    endpoints = [e for e in WebhookEndpoint.objects.filter(user_id=user_id).only("id", "events")
                 if event_type in e.events]
    if not endpoints:
        return 0
    event_id = webhook_event_id(key=key)
    body = json.dumps({"id": event_id, "type": event_type,
                       "createdAt": timezone.now().isoformat().replace("+00:00", "Z"), "data": data},
                      separators=(",", ":"), ensure_ascii=False)
    now = timezone.now()
    rows = [WebhookDelivery(endpoint_id=e.pk, event_id=event_id, event_type=event_type, body=body,
                            next_attempt_at=now) for e in endpoints]
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(WebhookDelivery.objects.filter(endpoint_id__in=[e.pk for e in endpoints], event_id=event_id,
                                              attempts=0, status=DeliveryStatus.PENDING)
               .values_list("pk", flat=True))
    transaction.on_commit(lambda: _enqueue(ids))
    return len(ids)


def _enqueue(delivery_ids) -> None:
    from lumiku.core.queues import Queue
    from lumiku.webhooks.tasks import webhook_deliver

    for delivery_id in delivery_ids:
        try:
            webhook_deliver.apply_async(args=[str(delivery_id)], queue=Queue.DEFAULT)
        except Exception:  # the broker is down: the sweep sends it later (the row is the outbox)
            logger.warning("webhook delivery not enqueued; the sweep will", exc_info=True)


# --- delivery ------------------------------------------------------------------------------------
def _lease() -> timedelta:
    return timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 2 + 60)


def _claim(*, delivery_id) -> uuid.UUID | None:
    now = timezone.now()
    token = uuid.uuid4()
    due = Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.DELIVERING, claimed_at__lt=now - _lease())  # its worker died mid-attempt
    claimed = WebhookDelivery.objects.filter(due, pk=delivery_id).update(
        status=DeliveryStatus.DELIVERING, claim_token=token, claimed_at=now)
    return token if claimed else None


def retry_delay(*, attempts: int) -> float:
    """Seconds before the next attempt after `attempts` failed ones: base, 2×base, 4×base, ..."""
    return settings.WEBHOOK_RETRY_BASE_SECONDS * (2 ** max(attempts - 1, 0))


def webhook_delivery_attempt(*, delivery_id) -> str:
    """Send one due delivery once and record the outcome: `succeeded`, `retry`, `failed` or `skipped`
    (not due, already done, or another worker holds it)."""
    token = _claim(delivery_id=delivery_id)
    if token is None:
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    body = delivery.body.encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Lumiku-Webhooks/1.0",
        SIGNATURE_HEADER: webhook_sign(secret=delivery.endpoint.secret, timestamp=timestamp, body=body),
        "Lumiku-Event-Id": delivery.event_id,
        "Lumiku-Event-Type": delivery.event_type,
    }
    started = time.monotonic()
    result = target_post(url=delivery.endpoint.url, body=body, headers=headers,
                         timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    elapsed_ms = round((time.monotonic() - started) * 1000)
    ok = result.status_code is not None and 200 <= result.status_code < 300
    error = result.error or ("" if ok else f"HTTP {result.status_code}")
    now = timezone.now()
    attempts = delivery.attempts + 1
    log = ([*delivery.attempt_log, {"at": now.isoformat(), "statusCode": result.status_code, "error": error,
                                    "durationMs": elapsed_ms}])[-ATTEMPT_LOG_MAX:]
    # (bandit B105 takes the cleared claim token for a hard-coded password.)
    fields = {"attempts": attempts, "attempt_log": log, "last_status_code": result.status_code,
              "last_error": error[:500], "claim_token": None, "claimed_at": None}  # nosec B105
    if ok:
        outcome = "succeeded"
        fields.update(status=DeliveryStatus.SUCCEEDED, delivered_at=now, next_attempt_at=None)
    else:
        next_at = now + timedelta(seconds=retry_delay(attempts=attempts))
        if next_at > delivery.created_at + timedelta(seconds=settings.WEBHOOK_RETRY_WINDOW_SECONDS):
            outcome = "failed"
            fields.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
        else:
            outcome = "retry"
            fields.update(status=DeliveryStatus.PENDING, next_attempt_at=next_at)
    WebhookDelivery.objects.filter(pk=delivery_id, claim_token=token).update(**fields)
    logger.info("webhook %s %s to endpoint %s: %s (%s)", delivery.event_type, delivery.event_id,
                delivery.endpoint_id, outcome, result.status_code or error)
    return outcome


def webhook_deliveries_sweep(*, limit: int = 500) -> int:
    """Enqueue every delivery that is due (its retry time has come, its message was lost, or its worker
    died mid-attempt). Run by beat; the claim makes a doubly enqueued delivery harmless."""
    now = timezone.now()
    due = WebhookDelivery.objects.filter(
        Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        | Q(status=DeliveryStatus.DELIVERING, claimed_at__lt=now - _lease())
    ).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    ids = list(due)
    _enqueue(ids)
    webhook_log_prune()
    return len(ids)


def webhook_log_prune() -> int:
    """Forget finished deliveries older than WEBHOOK_LOG_RETENTION_DAYS (the log is for recent debugging)."""
    cutoff = timezone.now() - timedelta(days=settings.WEBHOOK_LOG_RETENTION_DAYS)
    ids = list(WebhookDelivery.objects.filter(status__in=[DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED],
                                              created_at__lt=cutoff).values_list("pk", flat=True)[:1000])
    if not ids:
        return 0
    deleted, _rows = WebhookDelivery.objects.filter(pk__in=ids).delete()
    return deleted
