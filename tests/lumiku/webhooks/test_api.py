"""The /api/webhooks contract: register (secret once), list, delete, delivery log; refusals are 400s in the
envelope with nothing written; another user's endpoint is a 404."""

from __future__ import annotations

import pytest

from lumiku.webhooks.models import WebhookDelivery, WebhookEndpoint
from lumiku.webhooks.services import webhook_event_emit

URL = "/api/webhooks"
EVENTS = ["generation.completed", "pose.completed"]


@pytest.fixture(autouse=True)
def _loopback_allowed(settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]


@pytest.mark.django_db
def test_register_returns_the_secret_once_and_lists_without_it(auth_client):
    response = auth_client.post(URL, {"url": "http://127.0.0.1:9/hook", "events": EVENTS}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "url", "events", "secret", "createdAt"}
    assert body["url"] == "http://127.0.0.1:9/hook"
    assert body["events"] == EVENTS
    assert body["secret"].startswith("whsec_") and len(body["secret"]) == 6 + 64
    endpoint = WebhookEndpoint.objects.get()
    assert (str(endpoint.pk), endpoint.user_id, endpoint.secret) == (body["id"], auth_client.user.pk, body["secret"])

    listed = auth_client.get(URL)
    assert listed.status_code == 200
    assert listed.json() == {"webhooks": [{"id": body["id"], "url": body["url"], "events": EVENTS,
                                           "createdAt": body["createdAt"]}]}


@pytest.mark.django_db
def test_delete_removes_the_endpoint_and_its_log(auth_client):
    endpoint_id = auth_client.post(URL, {"url": "http://127.0.0.1:9/h", "events": EVENTS}, format="json").json()["id"]
    webhook_event_emit(user_id=auth_client.user.pk, event_type="pose.completed", data={}, key="k1")
    assert WebhookDelivery.objects.count() == 1
    assert auth_client.delete(f"{URL}/{endpoint_id}").status_code == 204
    assert WebhookEndpoint.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0
    assert auth_client.delete(f"{URL}/{endpoint_id}").status_code == 404


@pytest.mark.django_db
def test_another_users_endpoint_is_not_found(auth_client, other_client):
    endpoint_id = auth_client.post(URL, {"url": "http://127.0.0.1:9/h", "events": EVENTS}, format="json").json()["id"]
    for response in (other_client.delete(f"{URL}/{endpoint_id}"), other_client.get(f"{URL}/{endpoint_id}/deliveries")):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "WEBHOOK_NOT_FOUND"
    assert other_client.get(URL).json() == {"webhooks": []}
    assert WebhookEndpoint.objects.filter(pk=endpoint_id).exists()


@pytest.mark.django_db
def test_deliveries_are_the_endpoints_log(auth_client):
    endpoint_id = auth_client.post(URL, {"url": "http://127.0.0.1:9/h", "events": EVENTS}, format="json").json()["id"]
    webhook_event_emit(user_id=auth_client.user.pk, event_type="generation.completed", data={"n": 1}, key="g1")
    webhook_event_emit(user_id=auth_client.user.pk, event_type="background.completed", data={}, key="b1")  # not chosen
    body = auth_client.get(f"{URL}/{endpoint_id}/deliveries").json()
    assert body["pagination"] == {"page": 1, "limit": 20, "total": 1, "totalPages": 1}
    [delivery] = body["deliveries"]
    assert delivery["eventType"] == "generation.completed"
    assert delivery["status"] == "pending"
    assert delivery["attempts"] == 0 and delivery["attemptLog"] == []
    assert delivery["payload"]["id"] == delivery["eventId"]
    assert delivery["payload"]["data"] == {"n": 1}


@pytest.mark.django_db
@pytest.mark.parametrize("url", [
    "http://127.0.0.2/hook",           # loopback, not the allowed name
    "https://localhost/hook",           # resolves to loopback
    "https://10.1.2.3/hook",            # private
    "https://192.168.1.10/hook",
    "https://172.16.0.5/hook",
    "https://100.64.0.1/hook",          # carrier-grade NAT (shared)
    "https://169.254.169.254/latest/meta-data",  # cloud metadata (link-local)
    "https://[::1]/hook",
    "https://[fe80::1]/hook",           # IPv6 link-local
    "https://[::ffff:10.0.0.1]/hook",   # IPv4-mapped private
    "https://0.0.0.0/hook",
    "http://93.184.215.14/hook",        # public, but http:// only for allowed private hosts
    "ftp://93.184.215.14/hook",
    "https://user:pw@93.184.215.14/hook",
    "https://no-such-host.invalid/hook",
    "not a url",
    "https://93.184.215.14:0/hook",
    "https://[::1/hook",
])
def test_private_and_unsafe_targets_are_refused_at_registration(auth_client, url):
    response = auth_client.post(URL, {"url": url, "events": EVENTS}, format="json")
    assert response.status_code == 400, (url, response.json())
    error = response.json()["error"]
    assert (error["code"], error["statusCode"], error["field"]) == ("WEBHOOK_URL_REFUSED", 400, "url")
    assert error["message"].startswith("url:")
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.django_db
def test_metadata_address_is_refused_even_for_an_allowed_host(auth_client, settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["169.254.169.254"]
    response = auth_client.post(URL, {"url": "http://169.254.169.254/x", "events": EVENTS}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "WEBHOOK_URL_REFUSED"


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "code", "field"), [
    ({"url": "http://127.0.0.1:9/h", "events": ["generation.started"]}, "WEBHOOK_EVENTS_INVALID", "events"),
    ({"url": "http://127.0.0.1:9/h", "events": []}, "VALIDATION_ERROR", "events"),
    ({"url": "http://127.0.0.1:9/h"}, "VALIDATION_ERROR", "events"),
    ({"events": EVENTS}, "VALIDATION_ERROR", "url"),
    ({"url": "http://127.0.0.1:9/h", "events": EVENTS, "secret": "mine"}, "UNKNOWN_FIELD", None),
])
def test_bad_input_is_a_400_naming_the_field(auth_client, body, code, field):
    response = auth_client.post(URL, body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    if code == "UNKNOWN_FIELD":
        assert error["unknownFields"] == ["secret"]
    elif code == "VALIDATION_ERROR":
        assert list(error["fields"]) == [field]
    else:
        assert error["field"] == field and error["unknown"] == ["generation.started"]
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.django_db
def test_endpoint_limit(auth_client, settings):
    settings.WEBHOOK_MAX_ENDPOINTS = 2
    for _ in range(2):
        created = auth_client.post(URL, {"url": "http://127.0.0.1:9/h", "events": EVENTS}, format="json")
        assert created.status_code == 201
    response = auth_client.post(URL, {"url": "http://127.0.0.1:9/h", "events": EVENTS}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "WEBHOOK_LIMIT_REACHED"
    assert WebhookEndpoint.objects.count() == 2


@pytest.mark.django_db
def test_anonymous_is_401(api_client):
    assert api_client.get(URL).status_code == 401
    assert api_client.post(URL, {"url": "https://example.com", "events": EVENTS}, format="json").status_code == 401
