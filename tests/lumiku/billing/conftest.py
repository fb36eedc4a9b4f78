import pytest

from lumiku.billing.models import Product
from tests.fakes.midtrans import FakeMidtrans

SERVER_KEY = "SB-Mid-server-TEST-do-not-log-0123456789"


@pytest.fixture
def midtrans(settings):
    with FakeMidtrans(server_key=SERVER_KEY) as fake:
        settings.PAYMENT_PROVIDER = "midtrans"
        settings.MIDTRANS_SERVER_KEY = SERVER_KEY
        settings.MIDTRANS_SNAP_URL = fake.url
        settings.MIDTRANS_API_URL = fake.url
        settings.PAYMENT_HTTP_TIMEOUT = 2.0
        yield fake


@pytest.fixture
def package(db):
    return Product.objects.create(name="Test 500", credits=500, price_idr=49_000, sort_order=1)


@pytest.fixture
def tier_product(db):
    return Product.objects.create(name="Unlimited 30", tier_days=30, price_idr=299_000, sort_order=2)
