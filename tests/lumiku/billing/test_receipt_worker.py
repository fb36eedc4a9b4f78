"""The e-mail receipt goes through a real Celery worker once the payment commits."""

import time

import pytest
from django.core import mail

from lumiku.billing.models import Order
from tests.clients import api_client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_paid_notification_queues_one_receipt_that_a_worker_sends(celery_worker, midtrans, package, api_client):
    user = UserFactory()
    order_id = api_client_for(user).post("/api/credits/orders", {"productId": package.pk},
                                         format="json").json()["orderId"]
    body = midtrans.settle(order_id)
    for _ in range(3):  # repeated notifications: still one receipt
        assert api_client.post("/api/payments/midtrans/notification", body, format="json").status_code == 200
    deadline = time.monotonic() + 20
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "Rp 49.000" in mail.outbox[0].body
    assert Order.objects.get(pk=order_id).receipt_sent_at is not None
