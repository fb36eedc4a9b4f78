"""Buying credits in a real browser: pricing page → the (fake) Midtrans payment page on its own loopback
origin → pay → Midtrans notifies the live app over HTTP → back on the order page the balance shows the
credits → the account's orders → the printable receipt."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from lumiku.billing.models import Order, Product
from lumiku.credits.audit import audit_all
from lumiku.credits.models import LedgerEntry
from lumiku.credits.selectors import credits_balance
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import UserFactory
from tests.fakes.midtrans import FakeMidtrans

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY = "SB-Mid-server-BROWSER-0000"


@pytest.fixture
def midtrans(settings, asgi_server):
    with FakeMidtrans(server_key=KEY) as fake:
        fake.notify_url = f"{asgi_server}/api/payments/midtrans/notification"
        settings.PAYMENT_PROVIDER = "midtrans"
        settings.MIDTRANS_SERVER_KEY = KEY
        settings.MIDTRANS_SNAP_URL = settings.MIDTRANS_API_URL = fake.url
        yield fake


def _signed_in_page(browser, asgi_server, user, *, viewport=DESKTOP, locale="en-US"):
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=asgi_server, viewport=viewport, locale=locale, device_scale_factor=1)
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": asgi_server}])
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    return page


@pytest.mark.parametrize(("viewport", "language"), [(DESKTOP, "en"), (PHONE, "id")])
def test_buy_a_package_and_see_the_balance(browser, asgi_server, midtrans, shots, viewport, language):
    user = UserFactory(language=language)
    package = Product.objects.filter(credits=1500, active=True).first() or Product.objects.create(
        name="Seller 1.500", credits=1500, price_idr=129_000, sort_order=20)
    page = _signed_in_page(browser, asgi_server, user, viewport=viewport)

    page.goto("/dashboard/")
    page.get_by_test_id("nav-balance").click()  # the balance pill leads to the account page
    page.get_by_test_id("account-buy").click()
    page.wait_for_url(re.compile(r"/pricing$"))
    assert page.get_by_test_id(f"product-{package.pk}").get_by_test_id("product-price").inner_text() == "Rp 129.000"
    shots(page, f"pricing-{language}")

    page.get_by_test_id(f"buy-{package.pk}").click()
    page.wait_for_url(re.compile(re.escape(midtrans.url) + r"/snap/v4/redirection/"))
    assert page.get_by_test_id("fake-amount").inner_text() == "IDR 129000.00"
    assert credits_balance(user_id=user.pk) == 0  # nothing before the payment
    shots(page, f"fake-midtrans-{language}")

    page.get_by_test_id("fake-pay").click()
    page.wait_for_url(re.compile(r"/credits/orders/[0-9a-f-]+/return\?order_id="))
    status = page.get_by_test_id("order-status")
    assert status.get_attribute("data-status") == "paid"
    assert page.get_by_test_id("order-balance").inner_text() == "1500"
    assert page.get_by_test_id("nav-balance").inner_text().split()[1] == "1500"
    shots(page, f"order-paid-{language}")

    page.goto("/account/")
    assert page.get_by_test_id("order-amount").first.inner_text() == "Rp 129.000"
    page.get_by_test_id("order-receipt").first.click()
    receipt = page.get_by_test_id("receipt")
    order = Order.objects.get(user=user)
    assert page.get_by_test_id("receipt-order").inner_text() == str(order.pk)
    assert page.get_by_test_id("receipt-amount").inner_text() == "Rp 129.000"
    assert receipt.is_visible()
    # (A string that evaluates to a function is called by Playwright: end with a number.)
    page.evaluate("window.__printed = 0; window.print = function () { window.__printed += 1; }; 0")
    page.get_by_test_id("receipt-print").click()
    assert page.evaluate("window.__printed") == 1
    shots(page, f"receipt-{language}")

    assert order.status == "paid"
    assert LedgerEntry.objects.filter(wallet_id=user.pk).count() == 1
    assert len(midtrans.calls("GET", f"/v2/{order.pk}/status")) == 1
    assert audit_all().ok
    assert page.js_errors == []
