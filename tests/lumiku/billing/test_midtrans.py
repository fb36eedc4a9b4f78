"""Buying credits through Midtrans Snap against a fake Midtrans on a loopback socket."""

import base64
import logging
import uuid

from django.core import mail
from django.urls import reverse

from lumiku.billing.models import Order
from lumiku.billing.receipts import order_send_receipt
from lumiku.credits.audit import audit_all
from lumiku.credits.models import LedgerEntry
from lumiku.credits.selectors import credits_balance
from lumiku.credits.services import credits_charge, credits_grant
from tests.lumiku.billing.conftest import SERVER_KEY

NOTIFY = "/api/payments/midtrans/notification"


def _buy(client, product):
    response = client.post("/api/credits/orders", {"productId": product.pk}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _notify(client, body):
    return client.post(NOTIFY, body, format="json")


def test_products_are_public_and_exact(api_client, package, tier_product):
    body = api_client.get("/api/credits/products").json()
    got = {p["name"]: p for p in body["products"]}
    assert got["Test 500"] == {"id": package.pk, "name": "Test 500", "credits": 500, "tierDays": 0,
                               "priceIdr": 49000}
    assert got["Unlimited 30"]["tierDays"] == 30 and got["Unlimited 30"]["credits"] == 0


def test_checkout_creates_a_pending_order_and_a_snap_transaction(auth_client, midtrans, package):
    body = _buy(auth_client, package)
    order = Order.objects.get(pk=body["orderId"])
    assert body == {"orderId": str(order.pk), "status": "pending", "amountIdr": 49000,
                    "redirectUrl": f"{midtrans.url}/snap/v4/redirection/{order.provider_reference}"}
    (sent,) = midtrans.calls("POST", "/snap/v1/transactions")
    assert sent.headers["authorization"] == "Basic " + base64.b64encode(f"{SERVER_KEY}:".encode()).decode()
    assert sent.json["transaction_details"] == {"order_id": str(order.pk), "gross_amount": 49000}
    assert sent.json["callbacks"]["finish"].endswith(f"/credits/orders/{order.pk}/return")
    assert credits_balance(user_id=auth_client.user.pk) == 0


def test_paid_notification_credits_once_and_balance_shows_it(auth_client, api_client, midtrans, package):
    order_id = _buy(auth_client, package)["orderId"]
    body = midtrans.settle(order_id)
    first = _notify(api_client, body)
    assert first.status_code == 200 and first.json() == {"status": "paid"}
    assert auth_client.get("/api/credits").json()["balance"] == 500
    # Midtrans repeats notifications; each is confirmed again and changes nothing.
    for _ in range(3):
        assert _notify(api_client, body).status_code == 200
    assert credits_balance(user_id=auth_client.user.pk) == 500
    (entry,) = LedgerEntry.objects.filter(idempotency_key=f"purchase:{order_id}")
    assert (entry.kind, entry.amount, entry.reference_type) == ("purchase", 500, "credit_order")
    assert len(midtrans.calls("GET", f"/v2/{order_id}/status")) == 4
    detail = auth_client.get(f"/api/credits/orders/{order_id}").json()["order"]
    assert detail["status"] == "paid" and detail["paidAt"] and detail["credits"] == 500
    assert detail["amountIdr"] == 49000 and detail["productId"] == package.pk
    assert audit_all().ok


def test_notification_is_believed_only_after_the_status_api_confirms(auth_client, api_client, midtrans, package):
    order_id = _buy(auth_client, package)["orderId"]
    # A correctly signed "settlement" while Midtrans itself still says pending: nothing is credited.
    body = midtrans.notification(order_id, transaction_status="settlement")
    assert _notify(api_client, body).json() == {"status": "pending"}
    assert credits_balance(user_id=auth_client.user.pk) == 0


def test_wrong_signature_credits_nothing_and_is_logged(auth_client, api_client, midtrans, package, caplog):
    order_id = _buy(auth_client, package)["orderId"]
    midtrans.settle(order_id)
    forged = midtrans.notification(order_id, key="not-the-server-key")
    with caplog.at_level(logging.WARNING):
        response = _notify(api_client, forged)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "INVALID_SIGNATURE"
    assert credits_balance(user_id=auth_client.user.pk) == 0
    assert Order.objects.get(pk=order_id).status == "pending"
    assert "bad signature" in caplog.text and order_id in caplog.text
    assert midtrans.calls("GET", f"/v2/{order_id}/status") == []  # refused before asking anyone


def test_wrong_amount_credits_nothing_and_is_logged(auth_client, api_client, midtrans, package, caplog):
    order_id = _buy(auth_client, package)["orderId"]
    midtrans.settle(order_id)
    cheap = midtrans.notification(order_id, gross_amount="1000.00")  # correctly signed, wrong amount
    with caplog.at_level(logging.WARNING):
        response = _notify(api_client, cheap)
    assert response.status_code == 409 and response.json()["error"]["code"] == "AMOUNT_MISMATCH"
    # The provider's own record disagreeing with the order is refused too.
    midtrans.transactions[order_id]["gross_amount"] = "1000.00"
    with caplog.at_level(logging.WARNING):
        assert _notify(api_client, midtrans.notification(order_id, gross_amount="49000.00")).status_code == 409
    assert credits_balance(user_id=auth_client.user.pk) == 0
    assert Order.objects.get(pk=order_id).status == "pending"
    assert caplog.text.count("refused: amount") == 2


def test_unknown_order_credits_nothing_and_is_logged(api_client, midtrans, caplog, db):
    with caplog.at_level(logging.WARNING):
        response = _notify(api_client, midtrans.notification("2b1f4c7e-0000-4000-8000-000000000000"))
        garbage = _notify(api_client, midtrans.notification("../../etc/passwd"))
    assert response.status_code == 404 and response.json()["error"]["code"] == "ORDER_NOT_FOUND"
    assert garbage.status_code == 404
    assert LedgerEntry.objects.count() == 0
    assert caplog.text.count("unknown order") == 2


def test_notification_that_is_not_json_object_is_refused(api_client, midtrans, db):
    listed = api_client.post(NOTIFY, [1, 2], format="json")
    assert listed.status_code == 400 and listed.json()["error"]["code"] == "INVALID_NOTIFICATION"
    assert api_client.post(NOTIFY, "{", content_type="application/json").status_code == 400
    assert LedgerEntry.objects.count() == 0


def test_return_url_alone_credits_nothing(auth_client, client, midtrans, package):
    order_id = _buy(auth_client, package)["orderId"]
    client.force_login(auth_client.user)
    # What Midtrans appends to the finish URL; a buyer can type it too.
    page = client.get(reverse("billing:order_return", args=[order_id]),
                      {"order_id": order_id, "status_code": "200", "transaction_status": "settlement"})
    assert page.status_code == 200
    assert 'data-status="pending"' in page.content.decode()
    assert credits_balance(user_id=auth_client.user.pk) == 0
    assert Order.objects.get(pk=order_id).status == "pending"
    assert midtrans.calls("GET") == []


def test_expiry_leaves_nothing_and_a_late_duplicate_changes_nothing(auth_client, api_client, midtrans, package):
    order_id = _buy(auth_client, package)["orderId"]
    assert _notify(api_client, midtrans.expire(order_id)).json() == {"status": "expired"}
    assert _notify(api_client, midtrans.notification(order_id)).json() == {"status": "expired"}
    assert credits_balance(user_id=auth_client.user.pk) == 0
    assert LedgerEntry.objects.count() == 0
    assert audit_all().ok


def test_deny_fails_the_order(auth_client, api_client, midtrans, package):
    order_id = _buy(auth_client, package)["orderId"]
    assert _notify(api_client, midtrans.deny(order_id)).json() == {"status": "failed"}
    assert credits_balance(user_id=auth_client.user.pk) == 0


def test_card_capture_under_fraud_challenge_waits(auth_client, api_client, midtrans, package):
    order_id = _buy(auth_client, package)["orderId"]
    assert _notify(api_client, midtrans.capture(order_id, fraud_status="challenge")).json() == {"status": "pending"}
    assert credits_balance(user_id=auth_client.user.pk) == 0
    assert _notify(api_client, midtrans.capture(order_id, fraud_status="accept")).json() == {"status": "paid"}
    assert credits_balance(user_id=auth_client.user.pk) == 500


def test_refund_after_partial_spending_takes_back_exactly_what_is_left(auth_client, api_client, midtrans, package):
    user = auth_client.user
    order_id = _buy(auth_client, package)["orderId"]
    _notify(api_client, midtrans.settle(order_id))
    credits_charge(user_id=user.pk, amount=180, idempotency_key="charge:test:spend")
    assert _notify(api_client, midtrans.refund(order_id)).json() == {"status": "refunded"}
    order = Order.objects.get(pk=order_id)
    assert (order.credits_reversed, order.reversal_shortfall) == (320, 180)
    assert credits_balance(user_id=user.pk) == 0
    (reversal,) = LedgerEntry.objects.filter(idempotency_key=f"purchase-reversal:{order_id}")
    assert (reversal.kind, reversal.amount, reversal.balance_after) == ("reversal", -320, 0)
    # The same refund notified again takes nothing more.
    assert _notify(api_client, midtrans.refund(order_id)).json() == {"status": "refunded"}
    assert LedgerEntry.objects.filter(kind="reversal").count() == 1
    assert audit_all().ok


def test_refund_takes_back_all_of_it_when_nothing_was_spent(auth_client, api_client, midtrans, package):
    user = auth_client.user
    credits_grant(user_id=user.pk, amount=40, idempotency_key="grant:test")
    order_id = _buy(auth_client, package)["orderId"]
    _notify(api_client, midtrans.settle(order_id))
    _notify(api_client, midtrans.refund(order_id))
    order = Order.objects.get(pk=order_id)
    assert (order.credits_reversed, order.reversal_shortfall) == (500, 0)
    assert credits_balance(user_id=user.pk) == 40


def test_tier_purchase_and_its_refund_end_the_tier(auth_client, api_client, midtrans, tier_product):
    user = auth_client.user
    order_id = _buy(auth_client, tier_product)["orderId"]
    _notify(api_client, midtrans.settle(order_id))
    user.refresh_from_db()  # the test client authenticates this very object
    tier = auth_client.get("/api/credits").json()["unlimitedTier"]
    assert tier["active"] is True and tier["expiresAt"]
    days = (user.unlimited_pose_expires_at - Order.objects.get(pk=order_id).paid_at).days
    assert days == 29 or days == 30
    assert credits_balance(user_id=user.pk) == 0 and LedgerEntry.objects.count() == 0
    _notify(api_client, midtrans.refund(order_id))
    user.refresh_from_db()
    assert user.unlimited_pose_active is False
    assert auth_client.get("/api/credits").json()["unlimitedTier"]["active"] is False
    assert audit_all().ok


def test_provider_down_at_checkout_is_503_and_nothing_charged(auth_client, midtrans, package):
    midtrans.fail("/snap/v1/transactions", status=500)
    response = auth_client.post("/api/credits/orders", {"productId": package.pk}, format="json")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "PAYMENT_PROVIDER_UNAVAILABLE"
    assert Order.objects.get().status == "failed"
    assert LedgerEntry.objects.count() == 0


def test_status_api_down_is_503_so_midtrans_retries_later(auth_client, api_client, midtrans, package):
    order_id = _buy(auth_client, package)["orderId"]
    body = midtrans.settle(order_id)
    midtrans.fail(f"/v2/{order_id}/status", stall=3.0)  # longer than PAYMENT_HTTP_TIMEOUT
    assert _notify(api_client, body).status_code == 503
    assert credits_balance(user_id=auth_client.user.pk) == 0
    assert _notify(api_client, body).json() == {"status": "paid"}  # the retry
    assert credits_balance(user_id=auth_client.user.pk) == 500


def test_bad_order_requests(auth_client, api_client, midtrans, package):
    assert auth_client.post("/api/credits/orders", {"productId": 999}, format="json").status_code == 404
    extra = auth_client.post("/api/credits/orders", {"productId": package.pk, "price": 1}, format="json")
    assert extra.status_code == 400 and "price" in extra.json()["error"]["message"]
    assert auth_client.post("/api/credits/orders", {}, format="json").status_code == 400
    package.active = False
    package.save()
    assert auth_client.post("/api/credits/orders", {"productId": package.pk}, format="json").status_code == 404
    assert api_client.post("/api/credits/orders", {"productId": package.pk}, format="json").status_code == 401
    assert Order.objects.count() == 0 and midtrans.calls("POST") == []


def test_another_users_order_is_404(auth_client, other_client, midtrans, package):
    order_id = _buy(auth_client, package)["orderId"]
    assert other_client.get(f"/api/credits/orders/{order_id}").status_code == 404
    assert other_client.get("/api/credits/orders").json() == {"orders": []}
    mine = auth_client.get("/api/credits/orders").json()["orders"]
    assert [o["id"] for o in mine] == [order_id]
    assert set(mine[0]) == {"id", "status", "productId", "amountIdr", "credits", "createdAt", "paidAt"}


def test_keys_never_appear_in_logs_or_errors(auth_client, api_client, midtrans, package, caplog):
    with caplog.at_level(logging.DEBUG):
        order_id = _buy(auth_client, package)["orderId"]
        _notify(api_client, midtrans.notification(order_id, key="wrong"))
        _notify(api_client, midtrans.settle(order_id))
        midtrans.fail("/snap/v1/transactions", status=401)
        failed = auth_client.post("/api/credits/orders", {"productId": package.pk}, format="json")
    encoded = base64.b64encode(f"{SERVER_KEY}:".encode()).decode()
    assert SERVER_KEY not in caplog.text and encoded not in caplog.text
    assert SERVER_KEY not in failed.content.decode()


def test_receipt_email_is_sent_once_in_the_buyers_language(auth_client, api_client, midtrans, package):
    user = auth_client.user
    user.language = "id"
    user.save(update_fields=["language"])
    order_id = _buy(auth_client, package)["orderId"]
    _notify(api_client, midtrans.settle(order_id))
    assert order_send_receipt(order_id=order_id) is True
    assert order_send_receipt(order_id=order_id) is False
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert "Rp 49.000" in message.body and order_id in message.body
    assert "Struk" in message.subject


def test_receipt_is_not_sent_for_an_unpaid_order(auth_client, midtrans, package):
    order_id = _buy(auth_client, package)["orderId"]
    assert order_send_receipt(order_id=order_id) is False
    assert mail.outbox == []


def test_sweep_recovers_a_lost_notification_and_expires_abandoned_orders(auth_client, midtrans, package, settings):
    from datetime import timedelta

    from django.utils import timezone

    from lumiku.billing.tasks import orders_sweep_pending_task

    paid = _buy(auth_client, package)["orderId"]
    abandoned = _buy(auth_client, package)["orderId"]
    waiting = _buy(auth_client, package)["orderId"]
    fresh = _buy(auth_client, package)["orderId"]
    midtrans.settle(paid)  # paid, but the notification never reached us
    midtrans.transactions.pop(abandoned)  # the buyer never chose how to pay: Midtrans has no transaction
    midtrans.fail(f"/v2/{waiting}/status", status=503)
    Order.objects.exclude(pk=fresh).update(created_at=timezone.now() - timedelta(hours=26))
    settings.PAYMENT_PENDING_EXPIRE_HOURS = 25

    assert orders_sweep_pending_task() == {"paid": 1, "expired": 1, "error": 1}
    statuses = dict(Order.objects.values_list("pk", "status"))
    assert [statuses[o] for o in map(uuid.UUID, (paid, abandoned, waiting, fresh))] == [
        "paid", "expired", "pending", "pending"]
    assert credits_balance(user_id=auth_client.user.pk) == 500
    assert orders_sweep_pending_task() == {"pending": 1}  # `waiting` again; the rest are settled
    assert audit_all().ok


def test_notifications_and_order_transitions_are_counted(auth_client, api_client, midtrans, package,
                                                         django_capture_on_commit_callbacks):
    from prometheus_client import REGISTRY

    def count(name, **labels):
        return REGISTRY.get_sample_value(name, labels) or 0

    before = (count("lumiku_payment_notifications_total", provider="midtrans", outcome="paid"),
              count("lumiku_payment_notifications_total", provider="midtrans", outcome="INVALID_SIGNATURE"),
              count("lumiku_orders_total", status="paid"))
    order_id = _buy(auth_client, package)["orderId"]
    _notify(api_client, midtrans.notification(order_id, key="wrong"))
    body = midtrans.settle(order_id)
    with django_capture_on_commit_callbacks(execute=True):  # counted once the change commits
        _notify(api_client, body)
        _notify(api_client, body)
    after = (count("lumiku_payment_notifications_total", provider="midtrans", outcome="paid"),
             count("lumiku_payment_notifications_total", provider="midtrans", outcome="INVALID_SIGNATURE"),
             count("lumiku_orders_total", status="paid"))
    assert [a - b for a, b in zip(after, before, strict=True)] == [2, 1, 1]


def test_tier_days_are_not_sold_to_an_open_ended_tier(auth_client, midtrans, tier_product):
    user = auth_client.user
    user.unlimited_pose_active = True
    user.save(update_fields=["unlimited_pose_active"])
    response = auth_client.post("/api/credits/orders", {"productId": tier_product.pk}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "TIER_UNLIMITED"
    assert Order.objects.count() == 0 and midtrans.calls("POST") == []


def test_buying_tier_days_again_extends_the_tier(auth_client, api_client, midtrans, tier_product):
    first = _buy(auth_client, tier_product)["orderId"]
    _notify(api_client, midtrans.settle(first))
    user = auth_client.user
    user.refresh_from_db()
    expires = user.unlimited_pose_expires_at
    second = _buy(auth_client, tier_product)["orderId"]
    _notify(api_client, midtrans.settle(second))
    user.refresh_from_db()
    assert (user.unlimited_pose_expires_at - expires).days == 30
    _notify(api_client, midtrans.refund(second))  # refunding one purchase leaves the other's days
    user.refresh_from_db()
    assert user.unlimited_pose_active is True and user.unlimited_pose_expires_at == expires


def test_without_a_server_key_checkout_says_so_and_creates_nothing(auth_client, package, settings):
    settings.PAYMENT_PROVIDER = "midtrans"
    settings.MIDTRANS_SERVER_KEY = ""
    response = auth_client.post("/api/credits/orders", {"productId": package.pk}, format="json")
    assert response.status_code == 503 and response.json()["error"]["code"] == "PAYMENTS_NOT_CONFIGURED"
    assert Order.objects.count() == 0
