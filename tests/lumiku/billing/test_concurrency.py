"""On PostgreSQL: Midtrans repeating one notification 20 times at once credits the order once."""

import pytest
from rest_framework.test import APIClient

from lumiku.billing.models import Order
from lumiku.credits.audit import audit_all
from lumiku.credits.models import LedgerEntry
from lumiku.credits.selectors import credits_balance
from lumiku.credits.services import credits_charge
from tests.clients import api_client_for
from tests.concurrency import run_concurrently
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _notify_from_thread(body):
    return APIClient().post("/api/payments/midtrans/notification", body, format="json").status_code


def test_twenty_simultaneous_duplicate_notifications_credit_once(midtrans, package):
    user = UserFactory()
    order_id = api_client_for(user).post("/api/credits/orders", {"productId": package.pk},
                                         format="json").json()["orderId"]
    body = midtrans.settle(order_id)

    outcomes = run_concurrently(20, lambda i: _notify_from_thread(body))

    assert outcomes == [("ok", 200)] * 20
    assert LedgerEntry.objects.filter(wallet_id=user.pk).count() == 1
    assert credits_balance(user_id=user.pk) == 500
    assert Order.objects.get(pk=order_id).status == "paid"
    assert len(midtrans.calls("GET", f"/v2/{order_id}/status")) == 20  # each one was checked
    assert audit_all().ok


def test_simultaneous_refund_notifications_and_spending_never_go_below_zero(midtrans, package):
    user = UserFactory()
    order_id = api_client_for(user).post("/api/credits/orders", {"productId": package.pk},
                                         format="json").json()["orderId"]
    _notify_from_thread(midtrans.settle(order_id))
    refund = midtrans.refund(order_id)

    def act(i):
        if i % 2:
            return _notify_from_thread(refund)
        try:
            credits_charge(user_id=user.pk, amount=50, idempotency_key=f"charge:race:{i}")
        except Exception as exc:  # refused once the refund took the balance
            return type(exc).__name__
        return "charged"

    run_concurrently(10, act)
    order = Order.objects.get(pk=order_id)
    spent = -sum(e.amount for e in LedgerEntry.objects.filter(wallet_id=user.pk, kind="charge"))
    assert order.status == "refunded"
    assert order.credits_reversed + order.reversal_shortfall == 500
    assert order.reversal_shortfall == spent
    assert credits_balance(user_id=user.pk) == 0
    assert LedgerEntry.objects.filter(kind="reversal").count() == 1
    assert audit_all().ok
