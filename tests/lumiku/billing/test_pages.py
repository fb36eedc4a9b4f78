"""The pricing page, checkout from a page, the order and receipt pages, the account's orders, the admin."""

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from lumiku.billing.models import Order, Product
from lumiku.credits.audit import audit_all
from lumiku.credits.selectors import credits_balance
from lumiku.credits.services import credits_purchase
from tests.factories import UserFactory


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    client.user = user
    return client


def test_pricing_page_lists_active_products_in_rupiah(client, package, tier_product):
    Product.objects.create(name="Retired", credits=10, price_idr=5_000, active=False)
    page = client.get(reverse("billing:pricing")).content.decode()
    assert "Test 500" in page and "Rp 49.000" in page
    assert "Unlimited 30" in page and "Rp 299.000" in page
    assert "Retired" not in page
    assert "Log in to buy" in page  # visitors see prices, buying needs an account


def test_pricing_page_in_indonesian(client, package):
    client.cookies["django_language"] = "id"
    page = client.get(reverse("billing:pricing"), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Beli kredit" in page and "500 kredit" in page


def test_buying_from_the_page_redirects_to_the_payment_page(signed_in, midtrans, package):
    response = signed_in.post(reverse("billing:checkout"), {"product": package.pk})
    order = Order.objects.get(user=signed_in.user)
    assert response.status_code == 302
    assert response["Location"] == f"{midtrans.url}/snap/v4/redirection/{order.provider_reference}"
    assert credits_balance(user_id=signed_in.user.pk) == 0


def test_buying_when_the_provider_is_down_shows_the_reason(signed_in, midtrans, package):
    midtrans.fail("/snap/v1/transactions", drop=True)
    response = signed_in.post(reverse("billing:checkout"), {"product": package.pk})
    assert response.status_code == 503
    assert "Nothing was charged" in response.content.decode()
    assert credits_balance(user_id=signed_in.user.pk) == 0


def test_a_provider_redirect_outside_its_domain_is_refused(signed_in, midtrans, package, settings):
    settings.MIDTRANS_SNAP_URL = midtrans.url + "/elsewhere"  # the fake's redirect_url no longer matches
    response = signed_in.post(reverse("billing:checkout"), {"product": package.pk})
    assert response.status_code == 503
    assert Order.objects.get().status == "failed"


def test_paid_order_page_and_printable_receipt(signed_in, api_client, midtrans, package):
    signed_in.post(reverse("billing:checkout"), {"product": package.pk})
    order = Order.objects.get()
    api_client.post("/api/payments/midtrans/notification", midtrans.settle(order.pk), format="json")
    page = signed_in.get(reverse("billing:order_return", args=[order.pk])).content.decode()
    assert 'data-status="paid"' in page and 'data-testid="order-balance">500<' in page
    receipt = signed_in.get(reverse("billing:order_receipt", args=[order.pk])).content.decode()
    assert str(order.pk) in receipt and "Rp 49.000" in receipt and "Test 500" in receipt
    assert 'data-print data-testid="receipt-print"' in receipt
    account = signed_in.get(reverse("pages:account")).content.decode()
    assert 'data-testid="order-amount">Rp 49.000<' in account
    assert reverse("billing:order_receipt", args=[order.pk]) in account


def test_another_users_order_pages_are_404(client, midtrans, package):
    owner = UserFactory()
    order = Order.objects.create(user=owner, product=package, product_name="x", amount_idr=49_000, credits=500,
                                 provider="midtrans")
    client.force_login(UserFactory())
    assert client.get(reverse("billing:order_receipt", args=[order.pk])).status_code == 404
    assert client.get(reverse("billing:order_return", args=[order.pk])).status_code == 404


def test_insufficient_credits_carries_the_pricing_page(db):
    from lumiku.core.errors import InsufficientCredits

    assert InsufficientCredits(required=3, available=1).extra["pricingUrl"] == reverse("billing:pricing")


@pytest.fixture
def admin_client(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_admin_recheck_credits_a_paid_order_once(admin_client, midtrans, package, user):
    from lumiku.billing.services import order_create

    order = order_create(user=user, product_id=package.pk, finish_url="http://t/{order_id}")
    midtrans.settle(order.pk)  # paid at Midtrans, but the notification never arrived
    url = reverse("admin:billing_order_changelist")
    for _ in range(2):
        response = admin_client.post(url, {"action": "recheck_with_provider", "_selected_action": [order.pk]})
        assert response.status_code == 302
    assert Order.objects.get().status == "paid"
    assert credits_balance(user_id=user.pk) == 500
    assert audit_all().ok


def test_admin_records_a_refund(admin_client, midtrans, package, user):
    from lumiku.billing.services import order_create, order_sync_with_provider

    order = order_create(user=user, product_id=package.pk, finish_url="http://t/{order_id}")
    midtrans.settle(order.pk)
    order_sync_with_provider(order=order)
    admin_client.post(reverse("admin:billing_order_changelist"),
                      {"action": "record_refund", "_selected_action": [order.pk]})
    order.refresh_from_db()
    assert (order.status, order.credits_reversed, order.reversal_shortfall) == ("refunded", 500, 0)
    assert credits_balance(user_id=user.pk) == 0
    assert audit_all().ok


def test_admin_money_fields_are_read_only_and_products_editable(admin_client, package, user):
    order_admin = site._registry[Order]
    assert not order_admin.has_change_permission(request=None)
    assert admin_client.get(reverse("admin:billing_product_change", args=[package.pk])).status_code == 200
    assert admin_client.get(reverse("admin:billing_order_changelist") + "?status__exact=paid").status_code == 200


def test_audit_flags_a_paid_order_without_its_credits_and_credits_without_a_paid_order(package, user):
    paid = Order.objects.create(user=user, product=package, product_name="x", amount_idr=49_000, credits=500,
                                provider="midtrans", status="paid", paid_at="2026-12-01T00:00:00Z")
    pending = Order.objects.create(user=user, product=package, product_name="x", amount_idr=49_000, credits=500,
                                   provider="midtrans")
    credits_purchase(user_id=user.pk, amount=500, idempotency_key=f"purchase:{pending.pk}",
                     reference_id=str(pending.pk))
    assert sorted(audit_all().problems["orders"]) == sorted([
        f"order {paid.pk} (paid): ledger 0 != 500 credits",
        f"order {pending.pk} (pending): ledger 500 != 0 credits",
    ])


def test_checkout_is_rate_limited_on_the_api_and_the_page(signed_in, auth_client, midtrans, package, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "checkout": "2/hour"}
    api = [auth_client.post("/api/credits/orders", {"productId": package.pk}, format="json").status_code
           for _ in range(3)]
    assert api == [201, 201, 429]
    assert auth_client.get("/api/credits/orders").status_code == 200  # reading is not limited
    # The page counts against the same user's counter.
    refused = signed_in.post(reverse("billing:checkout"), {"product": package.pk})
    assert refused.status_code == 429 and 'data-testid="pricing-error"' in refused.content.decode()
    assert Order.objects.count() == 2 and len(midtrans.calls("POST", "/snap/v1/transactions")) == 2


def test_the_database_refuses_a_refund_that_does_not_account_for_every_credit(package, user):
    from django.db import IntegrityError, transaction

    fields = {"user": user, "product": package, "product_name": "x", "amount_idr": 49_000, "credits": 500,
              "provider": "midtrans", "paid_at": "2026-12-01T00:00:00Z"}
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.create(status="refunded", credits_reversed=300, reversal_shortfall=100, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.create(status="paid", credits_reversed=500, **fields)
    assert Order.objects.create(status="refunded", credits_reversed=300, reversal_shortfall=200, **fields).pk
