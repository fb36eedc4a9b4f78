"""Buying credits through Xendit Invoices (PAYMENT_PROVIDER=xendit) against a fake Xendit on loopback."""

import base64
import logging

import pytest

from lumiku.billing.models import Order
from lumiku.credits.audit import audit_all
from lumiku.credits.models import LedgerEntry
from lumiku.credits.selectors import credits_balance
from tests.fakes.xendit import FakeXendit

SECRET = "xnd_development_TEST_do_not_log_abcdef"
TOKEN = "callback-token-TEST-0123456789"
CALLBACK = "/api/payments/xendit/callback"


@pytest.fixture
def xendit(settings):
    with FakeXendit(secret_key=SECRET) as fake:
        settings.PAYMENT_PROVIDER = "xendit"
        settings.XENDIT_SECRET_KEY = SECRET
        settings.XENDIT_CALLBACK_TOKEN = TOKEN
        settings.XENDIT_API_URL = fake.url
        settings.PAYMENT_HTTP_TIMEOUT = 2.0
        yield fake


def _buy(client, product):
    response = client.post("/api/credits/orders", {"productId": product.pk}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _callback(client, body, token=TOKEN):
    headers = {"HTTP_X_CALLBACK_TOKEN": token} if token is not None else {}
    return client.post(CALLBACK, body, format="json", **headers)


def test_checkout_creates_an_invoice(auth_client, xendit, package):
    body = _buy(auth_client, package)
    order = Order.objects.get(pk=body["orderId"])
    (sent,) = xendit.calls("POST", "/v2/invoices")
    assert sent.headers["authorization"] == "Basic " + base64.b64encode(f"{SECRET}:".encode()).decode()
    assert sent.json["external_id"] == str(order.pk) and sent.json["amount"] == 49000
    assert sent.json["currency"] == "IDR"
    assert sent.json["success_redirect_url"].endswith(f"/credits/orders/{order.pk}/return")
    assert body["redirectUrl"] == f"{xendit.url}/web/{order.provider_reference}"
    assert (order.provider, order.status) == ("xendit", "pending")


@pytest.mark.parametrize("pay", ["pay", "settle"])
def test_paid_callback_credits_once(auth_client, api_client, xendit, package, pay):
    order_id = _buy(auth_client, package)["orderId"]
    body = getattr(xendit, pay)(order_id)
    assert _callback(api_client, body).json() == {"status": "paid"}
    assert _callback(api_client, body).json() == {"status": "paid"}
    assert auth_client.get("/api/credits").json()["balance"] == 500
    assert LedgerEntry.objects.filter(idempotency_key=f"purchase:{order_id}").count() == 1
    assert audit_all().ok


def test_wrong_or_missing_token_credits_nothing_and_is_logged(auth_client, api_client, xendit, package, caplog):
    order_id = _buy(auth_client, package)["orderId"]
    body = xendit.pay(order_id)
    with caplog.at_level(logging.WARNING):
        wrong = _callback(api_client, body, token="guess")
        missing = _callback(api_client, body, token=None)
    assert wrong.status_code == missing.status_code == 403
    assert wrong.json()["error"]["code"] == "INVALID_SIGNATURE"
    assert credits_balance(user_id=auth_client.user.pk) == 0
    assert caplog.text.count("bad x-callback-token") == 2
    assert xendit.calls("GET") == []


def test_wrong_amount_or_invoice_credits_nothing(auth_client, api_client, xendit, package, caplog):
    order_id = _buy(auth_client, package)["orderId"]
    xendit.pay(order_id)
    with caplog.at_level(logging.WARNING):
        cheap = _callback(api_client, xendit.callback(order_id, amount=1000))
        other = _callback(api_client, xendit.callback(order_id, id="someoneelsesinvoice"))
        unknown = _callback(api_client, xendit.callback(order_id, external_id="5e0c8a8e-0000-4000-8000-000000000000"))
    assert cheap.status_code == 409 and cheap.json()["error"]["code"] == "AMOUNT_MISMATCH"
    assert other.status_code == 404 and unknown.status_code == 404
    assert credits_balance(user_id=auth_client.user.pk) == 0
    assert "refused: amount" in caplog.text and "unknown order" in caplog.text


def test_callback_believed_only_after_the_invoice_api_confirms(auth_client, api_client, xendit, package):
    order_id = _buy(auth_client, package)["orderId"]
    forged = xendit.callback(order_id, status="PAID")  # the invoice itself is still PENDING
    assert _callback(api_client, forged).json() == {"status": "pending"}
    assert credits_balance(user_id=auth_client.user.pk) == 0


def test_expired_invoice_leaves_nothing(auth_client, api_client, xendit, package):
    order_id = _buy(auth_client, package)["orderId"]
    assert _callback(api_client, xendit.expire(order_id)).json() == {"status": "expired"}
    assert credits_balance(user_id=auth_client.user.pk) == 0 and LedgerEntry.objects.count() == 0


def test_secret_and_token_never_in_logs(auth_client, api_client, xendit, package, caplog):
    with caplog.at_level(logging.DEBUG):
        order_id = _buy(auth_client, package)["orderId"]
        _callback(api_client, xendit.pay(order_id), token="wrong")
        _callback(api_client, xendit.pay(order_id))
    assert SECRET not in caplog.text and TOKEN not in caplog.text
    assert base64.b64encode(f"{SECRET}:".encode()).decode() not in caplog.text
