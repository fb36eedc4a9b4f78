"""Products' Indonesian names: the pricing page, the order and receipt pages, the account's orders, the
receipt e-mail and the products API say what was bought in the reader's language (an operator's product
without an Indonesian name reads as written); the seeded products got theirs from a data migration."""

import importlib

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lumiku.billing.models import Order, Product
from lumiku.billing.receipts import order_send_receipt
from tests.clients import api_client_for
from tests.factories import UserFactory
from tests.fakes.xendit import FakeXendit

SEED = importlib.import_module("lumiku.billing.migrations.0004_product_name_indonesian")


@pytest.fixture
def starter(db):
    return Product.objects.create(name="Starter 500 test", name_id="Pemula 500 test", credits=500,
                                  price_idr=49_000, sort_order=1)


@pytest.fixture
def unnamed(db):
    return Product.objects.create(name="Flash 50", credits=50, price_idr=9_000, sort_order=2)


def _paid_order(user, product):
    return Order.objects.create(user=user, product=product, product_name=product.name,
                                product_name_id=product.name_id, amount_idr=product.price_idr,
                                credits=product.credits, provider="midtrans", status="paid", paid_at=timezone.now())


def test_products_api_names_them_in_the_readers_language(api_client, starter, unnamed):
    def names(language):
        response = api_client.get("/api/credits/products", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200 and response["Content-Language"] == language
        return {p["id"]: p for p in response.json()["products"]}

    indonesian, english = names("id"), names("en")
    assert indonesian[starter.pk] == {"id": starter.pk, "name": "Pemula 500 test", "credits": 500, "tierDays": 0,
                                      "priceIdr": 49000}
    assert english[starter.pk] == {"id": starter.pk, "name": "Starter 500 test", "credits": 500, "tierDays": 0,
                                   "priceIdr": 49000}
    assert indonesian[unnamed.pk]["name"] == english[unnamed.pk]["name"] == "Flash 50"


def test_pricing_page_names_products_in_the_readers_language(client, starter):
    english = client.get(reverse("billing:pricing"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<h3 data-testid="product-name">Starter 500 test</h3>' in english and "Pemula 500 test" not in english
    client.cookies["django_language"] = "id"
    indonesian = client.get(reverse("billing:pricing")).content.decode()
    assert '<h3 data-testid="product-name">Pemula 500 test</h3>' in indonesian
    assert "Starter 500 test" not in indonesian


@pytest.mark.parametrize(("language", "said", "unsaid"),
                         [("id", "Pemula 500 test", "Starter 500 test"), ("en", "Starter 500 test", "Pemula 500 test")])
def test_order_receipt_and_account_pages_name_it_in_the_accounts_language(client, starter, language, said, unsaid):
    user = UserFactory(language=language)
    order = _paid_order(user, starter)
    client.force_login(user)
    receipt = client.get(reverse("billing:order_receipt", args=[order.pk])).content.decode()
    assert f'<span data-testid="receipt-product">{said}</span>' in receipt
    returned = client.get(reverse("billing:order_return", args=[order.pk])).content.decode()
    assert f"<p>{said} · Rp 49.000</p>" in returned
    account = client.get(reverse("pages:account")).content.decode()
    assert f'<td data-testid="order-product">{said}</td>' in account
    assert unsaid not in receipt + returned + account


@pytest.mark.parametrize(("language", "subject", "line"), [
    ("id", "Struk Lumiku Anda: Pemula 500 test", "Dibeli: Pemula 500 test (500 kredit)"),
    ("en", "Your Lumiku receipt: Starter 500 test", "Bought: Starter 500 test (500 credits)"),
])
def test_receipt_email_names_it_in_the_buyers_language(starter, language, subject, line):
    order = _paid_order(UserFactory(language=language), starter)
    assert order_send_receipt(order_id=order.pk) is True
    (sent,) = mail.outbox
    assert sent.subject == subject
    assert line in sent.body.splitlines()


def test_an_order_keeps_the_names_it_was_bought_under(auth_client, midtrans, starter):
    order_id = auth_client.post("/api/credits/orders", {"productId": starter.pk}, format="json").json()["orderId"]
    Product.objects.filter(pk=starter.pk).update(name="Renamed", name_id="Berganti nama")
    order = Order.objects.get(pk=order_id)
    assert (order.product_name, order.product_name_id) == ("Starter 500 test", "Pemula 500 test")


def test_the_seeded_products_have_their_indonesian_names(db):
    # The test database is migrated: 0002 seeded these, 0004 named them.
    got = dict(Product.objects.filter(name__in=SEED.SEEDED_NAMES_ID).values_list("name", "name_id"))
    assert got == {"Starter 500": "Pemula 500", "Seller 1.500": "Penjual 1.500", "Studio 5.000": "Studio 5.000",
                   "Unlimited 30": "Tanpa Batas 30"}


def test_the_data_migration_names_seeded_products_and_their_orders_but_not_renamed_ones(db):
    Product.objects.filter(name__in=SEED.SEEDED_NAMES_ID).update(name_id="")
    Product.objects.filter(name="Studio 5.000").update(name="Studio Besar")  # an operator's rename
    user = UserFactory()
    tier = Product.objects.get(name="Unlimited 30")
    old = Order.objects.create(user=user, product=tier, product_name="Unlimited 30", amount_idr=299_000,
                               tier_days=30, provider="xendit")
    before_rename = Order.objects.create(user=user, product=tier, product_name="Unlimited month", amount_idr=299_000,
                                         tier_days=30, provider="xendit")

    SEED.name_seeded_products(apps, None)

    got = dict(Product.objects.filter(name__in=[*SEED.SEEDED_NAMES_ID, "Studio Besar"]).values_list("name", "name_id"))
    assert got == {"Starter 500": "Pemula 500", "Seller 1.500": "Penjual 1.500", "Studio Besar": "",
                   "Unlimited 30": "Tanpa Batas 30"}
    assert Order.objects.get(pk=old.pk).product_name_id == "Tanpa Batas 30"
    assert Order.objects.get(pk=before_rename.pk).product_name_id == ""  # bought under another name: as written


def test_admin_edits_the_indonesian_name(client, starter):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:billing_product_change", args=[starter.pk])
    assert 'name="name_id" value="Pemula 500 test"' in client.get(url).content.decode()
    response = client.post(url, {"name": "Starter 500 test", "name_id": "Paket Pemula", "credits": 500,
                                 "tier_days": 0, "price_idr": 49_000, "active": "on", "sort_order": 1})
    assert response.status_code == 302
    assert Product.objects.get(pk=starter.pk).name_id == "Paket Pemula"


@pytest.mark.parametrize(("language", "said"), [("id", "Pemula 500 test"), ("en", "Starter 500 test")])
def test_credit_history_says_a_purchase_with_the_readers_product_name(midtrans, starter, language, said):
    user = UserFactory(language=language)
    buyer = api_client_for(user)
    order_id = buyer.post("/api/credits/orders", {"productId": starter.pk}, format="json").json()["orderId"]
    api_client_for(None).post("/api/payments/midtrans/notification", midtrans.settle(order_id), format="json")
    # The API reads the reader's language from Accept-Language; the page from the account.
    (row,) = buyer.get("/api/credits/history", HTTP_ACCEPT_LANGUAGE=language).json()["transactions"]
    assert (row["kind"], row["amount"], row["description"]) == ("purchase", 500, f"{said} ({order_id})")
    page = Client()
    page.force_login(user)
    assert f"{said} ({order_id})" in page.get(reverse("pages:account")).content.decode()


@pytest.mark.parametrize(("language", "said"), [("id", "Pemula 500 test"), ("en", "Starter 500 test")])
def test_the_payment_page_names_the_product_in_the_buyers_language(client, midtrans, starter, language, said):
    client.force_login(UserFactory(language=language))
    assert client.post(reverse("billing:checkout"), {"product": starter.pk}).status_code == 302
    (sent,) = midtrans.calls("POST", "/snap/v1/transactions")
    assert sent.json["item_details"][0]["name"] == said


def test_the_xendit_invoice_names_the_product_in_the_buyers_language(client, settings, starter):
    with FakeXendit(secret_key="xnd_TEST_0123456789") as xendit:
        settings.PAYMENT_PROVIDER, settings.XENDIT_SECRET_KEY = "xendit", "xnd_TEST_0123456789"
        settings.XENDIT_CALLBACK_TOKEN, settings.XENDIT_API_URL = "token-TEST", xendit.url
        client.force_login(UserFactory(language="id"))
        assert client.post(reverse("billing:checkout"), {"product": starter.pk}).status_code == 302
        (sent,) = xendit.calls("POST", "/v2/invoices")
    assert sent.json["description"] == "Pemula 500 test"
