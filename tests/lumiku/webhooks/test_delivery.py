"""Deliveries to a real receiver on loopback: signed bodies, the same event id on every retry, backoff
until a 2xx or the 24 h window, no redirects, private targets refused at send time, on Celery after commit."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from lumiku.webhooks.models import DeliveryStatus, WebhookDelivery
from lumiku.webhooks.services import (
    retry_delay,
    webhook_deliveries_sweep,
    webhook_delivery_attempt,
    webhook_endpoint_create,
    webhook_event_emit,
)


def _verify(received, secret: str) -> dict:
    """What a receiver does: recompute the HMAC over "<t>.<raw body>" and compare in constant time."""
    parts = dict(item.split("=", 1) for item in received.headers["Lumiku-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + received.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected)
    assert abs(int(parts["t"]) - time.time()) < 60
    return json.loads(received.body)


def _emit(user, key="gen-1", event_type="generation.completed", data=None) -> list[WebhookDelivery]:
    with transaction.atomic():
        webhook_event_emit(user_id=user.pk, event_type=event_type, data=data or {"generationId": "g"}, key=key)
    return list(WebhookDelivery.objects.filter(endpoint__user=user))


def _endpoint(user, receiver, events=("generation.completed",)):
    return webhook_endpoint_create(user=user, url=receiver.url, events=list(events))


@pytest.mark.django_db
def test_a_delivery_is_signed_and_shaped_as_the_contract(user, receiver):
    endpoint = _endpoint(user, receiver)
    [delivery] = _emit(user, data={"generationId": "g-1", "status": "completed"})
    assert webhook_delivery_attempt(delivery_id=delivery.pk) == "succeeded"
    [received] = receiver.requests
    assert received.path == "/hooks/lumiku?src=test"
    assert received.headers["Content-Type"] == "application/json"
    body = _verify(received, endpoint.secret)
    assert set(body) == {"id", "type", "createdAt", "data"}
    assert body["id"].startswith("evt_") and body["id"] == delivery.event_id == received.headers["Lumiku-Event-Id"]
    assert body["type"] == "generation.completed"
    assert body["data"] == {"generationId": "g-1", "status": "completed"}
    assert body["createdAt"].endswith("Z")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None
    # Done means done: a duplicate message for it sends nothing.
    assert webhook_delivery_attempt(delivery_id=delivery.pk) == "skipped"
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_a_wrong_secret_does_not_verify(user, receiver):
    _endpoint(user, receiver)
    [delivery] = _emit(user)
    webhook_delivery_attempt(delivery_id=delivery.pk)
    with pytest.raises(AssertionError):
        _verify(receiver.requests[0], "whsec_not-the-secret")


@pytest.mark.django_db
def test_non_2xx_and_timeouts_are_retried_with_backoff_and_the_same_event_id(user, receiver, settings):
    endpoint = _endpoint(user, receiver)
    receiver.script = [500, 302, 503]
    [delivery] = _emit(user)
    outcomes = []
    for attempt in range(1, 5):
        outcomes.append(webhook_delivery_attempt(delivery_id=delivery.pk))
        delivery.refresh_from_db()
        if delivery.status == DeliveryStatus.PENDING:
            assert delivery.next_attempt_at > timezone.now() - timedelta(seconds=1)
            assert webhook_delivery_attempt(delivery_id=delivery.pk) == "skipped"  # not due yet
            time.sleep(retry_delay(attempts=attempt) + 0.02)
    assert outcomes == ["retry", "retry", "retry", "succeeded"]
    assert [r.path for r in receiver.requests] == ["/hooks/lumiku?src=test"] * 4  # the 302 was not followed
    bodies = [_verify(r, endpoint.secret) for r in receiver.requests]
    assert len({b["id"] for b in bodies}) == 1 and len({r.body for r in receiver.requests}) == 1
    assert [a["statusCode"] for a in delivery.attempt_log] == [500, 302, 503, 200]
    assert [a["error"] for a in delivery.attempt_log] == ["HTTP 500", "HTTP 302", "HTTP 503", ""]
    assert (delivery.status, delivery.attempts) == ("succeeded", 4)
    assert [retry_delay(attempts=n) for n in (1, 2, 3)] == [0.05, 0.1, 0.2]  # doubling from the base


@pytest.mark.django_db
def test_a_timeout_is_a_failed_attempt(user, receiver, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    _endpoint(user, receiver)
    receiver.delay = 1.0
    [delivery] = _emit(user)
    assert webhook_delivery_attempt(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert (delivery.last_status_code, delivery.last_error, delivery.status) == (None, "timeout", "pending")


@pytest.mark.django_db
def test_retries_stop_after_the_window(user, receiver, settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 3600.0
    _endpoint(user, receiver)
    receiver.script = [500, 500]
    [delivery] = _emit(user)
    assert webhook_delivery_attempt(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert 3590 < (delivery.next_attempt_at - timezone.now()).total_seconds() <= 3600
    # 23.5 h later the next backoff step (2 h) would end past the 24 h window: the delivery is given up.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - timedelta(hours=23.5),
                                                          next_attempt_at=timezone.now())
    assert webhook_delivery_attempt(delivery_id=delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 2, None)
    assert webhook_deliveries_sweep() == 0


@pytest.mark.django_db
def test_a_target_that_turned_private_is_refused_at_send_time(user, receiver, settings):
    _endpoint(user, receiver)
    [delivery] = _emit(user)
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = []  # as if its name now resolved to a private address
    assert webhook_delivery_attempt(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.last_error.startswith("refused: ")
    assert receiver.requests == []


@pytest.mark.django_db
def test_the_same_event_emitted_twice_is_one_delivery(user, receiver):
    _endpoint(user, receiver)
    first = _emit(user, key="generation.completed:abc")
    second = _emit(user, key="generation.completed:abc")
    assert [d.pk for d in first] == [d.pk for d in second]
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.django_db
def test_only_subscribed_events_and_only_the_users_endpoints(user, other_user, receiver):
    _endpoint(user, receiver, events=["pose.completed"])
    _endpoint(other_user, receiver, events=["generation.completed"])
    assert _emit(user, event_type="generation.completed") == []
    assert len(_emit(user, event_type="pose.completed", key="p1")) == 1
    assert WebhookDelivery.objects.filter(endpoint__user=other_user).count() == 0


@pytest.mark.django_db
def test_a_rolled_back_change_emits_nothing(user, receiver):
    _endpoint(user, receiver)
    with pytest.raises(RuntimeError), transaction.atomic():
        webhook_event_emit(user_id=user.pk, event_type="generation.completed", data={}, key="x")
        raise RuntimeError("the change failed")
    assert WebhookDelivery.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_delivered_by_celery_after_commit_and_retried_by_the_sweep(user, receiver, celery_worker):
    endpoint = _endpoint(user, receiver)
    receiver.script = [500]
    _emit(user)
    [first] = receiver.wait_for(1)
    delivery = WebhookDelivery.objects.get()
    deadline = time.monotonic() + 10
    while delivery.attempts < 1 and time.monotonic() < deadline:  # the worker records the attempt
        time.sleep(0.05)
        delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == ("pending", 500)
    time.sleep(retry_delay(attempts=1) + 0.05)
    assert webhook_deliveries_sweep() == 1  # what beat runs: due deliveries back onto the queue
    [_, second] = receiver.wait_for(2)
    assert _verify(first, endpoint.secret)["id"] == _verify(second, endpoint.secret)["id"]
    deadline = time.monotonic() + 10
    while delivery.status != "succeeded" and time.monotonic() < deadline:
        time.sleep(0.05)
        delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)


def _fake_dns(monkeypatch, answers: dict[str, list[str]]):
    """Names the test controls, answered as getaddrinfo would; every other name resolves for real."""
    import socket

    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                    for a in answers[host]]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.django_db
def test_a_name_with_any_private_address_is_refused(user, monkeypatch):
    from lumiku.core.errors import ValidationFailed

    _fake_dns(monkeypatch, {"mixed.example": ["93.184.215.14", "10.0.0.7"]})
    with pytest.raises(ValidationFailed) as refused:
        webhook_endpoint_create(user=user, url="https://mixed.example/hook", events=["pose.completed"])
    assert refused.value.code == "WEBHOOK_URL_REFUSED"


@pytest.mark.django_db
def test_the_request_goes_to_the_checked_address_with_the_name_as_host(user, receiver, monkeypatch, settings):
    """Resolve once, check, connect to that address: the Host header (and TLS name) stay the URL's name."""
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["hooks.internal"]
    _fake_dns(monkeypatch, {"hooks.internal": ["127.0.0.1"]})
    port = receiver.server.server_address[1]
    endpoint = webhook_endpoint_create(user=user, url=f"http://hooks.internal:{port}/in", events=["pose.completed"])
    [delivery] = _emit(user, event_type="pose.completed")
    assert webhook_delivery_attempt(delivery_id=delivery.pk) == "succeeded"
    [received] = receiver.requests
    assert received.headers["Host"] == f"hooks.internal:{port}"
    _verify(received, endpoint.secret)


@pytest.mark.django_db
def test_dns_rebinding_to_loopback_after_registration_is_refused_at_send(user, receiver, monkeypatch):
    answers = {"rebind.example": ["93.184.215.14"]}
    _fake_dns(monkeypatch, answers)
    webhook_endpoint_create(user=user, url="https://rebind.example/hook", events=["pose.completed"])
    answers["rebind.example"] = ["127.0.0.1"]  # the attacker's DNS now points the name at us
    [delivery] = _emit(user, event_type="pose.completed")
    assert webhook_delivery_attempt(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.last_error == ("refused: the host resolves to a private, loopback, link-local or metadata "
                                   "address")
    assert receiver.requests == []


@pytest.mark.django_db
def test_the_sweep_forgets_finished_deliveries_after_the_retention(user, receiver, settings):
    from lumiku.webhooks.services import webhook_event_id

    settings.WEBHOOK_LOG_RETENTION_DAYS = 30
    _endpoint(user, receiver)
    for key in ("old-done", "old-pending", "recent-done"):
        _emit(user, key=key)
    ids = {key: WebhookDelivery.objects.get(event_id=webhook_event_id(key=key)).pk
           for key in ("old-done", "old-pending", "recent-done")}
    month_ago = timezone.now() - timedelta(days=31)
    WebhookDelivery.objects.filter(pk=ids["old-done"]).update(status="succeeded", delivered_at=month_ago,
                                                              created_at=month_ago)
    WebhookDelivery.objects.filter(pk=ids["old-pending"]).update(created_at=month_ago,
                                                                 next_attempt_at=timezone.now() + timedelta(hours=1))
    WebhookDelivery.objects.filter(pk=ids["recent-done"]).update(status="succeeded", delivered_at=timezone.now())
    assert webhook_deliveries_sweep() == 0  # nothing due
    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == {ids["old-pending"], ids["recent-done"]}


@pytest.mark.django_db
def test_a_delivery_whose_worker_died_mid_attempt_is_taken_over_after_the_lease(user, receiver, settings,
                                                                               monkeypatch):
    from lumiku.webhooks import services

    _endpoint(user, receiver)
    [delivery] = _emit(user)
    sent = []
    monkeypatch.setattr(services, "_enqueue", lambda ids: sent.extend(ids))
    # A worker claimed it, then died before recording anything.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="delivering", claim_token=uuid.uuid4(),
                                                          claimed_at=timezone.now() - timedelta(seconds=30))
    assert webhook_delivery_attempt(delivery_id=delivery.pk) == "skipped"  # within its lease: still theirs
    assert webhook_deliveries_sweep() == 0
    WebhookDelivery.objects.filter(pk=delivery.pk).update(claimed_at=timezone.now() - services._lease()
                                                          - timedelta(seconds=1))
    assert webhook_deliveries_sweep() == 1 and sent == [delivery.pk]
    assert webhook_delivery_attempt(delivery_id=delivery.pk) == "succeeded"
    assert len(receiver.requests) == 1
