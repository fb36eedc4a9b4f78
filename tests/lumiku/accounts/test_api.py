import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from lumiku.credits.models import LedgerEntry
from lumiku.credits.selectors import credits_balance

pytestmark = pytest.mark.django_db
User = get_user_model()


@override_settings(CREDITS_WELCOME_GRANT=300)
def test_register_creates_user_wallet_and_welcome_grant(api_client):
    response = api_client.post(
        "/api/auth/register", {"email": "Shop@Example.com", "password": "sate-ayam-2026!", "name": "Toko Ayu"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()["user"]
    assert body["email"] == "shop@example.com"
    assert body["name"] == "Toko Ayu"
    assert body["role"] == "user"
    user = User.objects.get(email="shop@example.com")
    assert credits_balance(user_id=user.pk) == 300
    assert LedgerEntry.objects.get(wallet_id=user.pk).idempotency_key == f"grant:welcome:{user.pk}"


def test_register_duplicate_email_is_409_case_insensitive(api_client, user):
    response = api_client.post(
        "/api/auth/register", {"email": user.email.upper(), "password": "sate-ayam-2026!"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "EMAIL_TAKEN"
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"password": "sate-ayam-2026!"}, "email"),
        ({"email": "not-an-email", "password": "sate-ayam-2026!"}, "email"),
        ({"email": "a@b.co", "password": "123"}, "password"),
        ({"email": "a@b.co"}, "password"),
        ({"email": "a@b.co", "password": "sate-ayam-2026!", "name": "x" * 151}, "name"),
    ],
)
def test_register_bad_input_is_400_and_writes_nothing(api_client, payload, field):
    response = api_client.post("/api/auth/register", payload, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["statusCode"] == 400
    assert error["code"] == "VALIDATION_ERROR"
    assert field in error["fields"]
    assert User.objects.count() == 0
    assert LedgerEntry.objects.count() == 0


def test_jwt_token_pair_and_refresh_then_me(api_client, user):
    tokens = api_client.post(
        "/api/auth/token", {"email": user.email, "password": "correct-horse-battery"}, format="json"
    ).json()
    assert set(tokens) == {"access", "refresh"}
    refreshed = api_client.post("/api/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json")
    assert refreshed.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {refreshed.json()['access']}")
    me = api_client.get("/api/auth/me")
    assert me.status_code == 200
    assert me.json()["user"]["email"] == user.email
    assert me.json()["user"]["creditBalance"] == 0


def test_wrong_password_is_401_envelope(api_client, user):
    response = api_client.post("/api/auth/token", {"email": user.email, "password": "nope"}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


def test_garbage_bearer_token_is_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
    response = api_client.get("/api/auth/me")
    assert response.status_code == 401
    assert response.json()["error"]["statusCode"] == 401


def test_session_login_page_and_api_with_session(client, user):
    response = client.post("/accounts/login/", {"username": user.email, "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert client.get("/api/auth/me").json()["user"]["id"] == str(user.pk)


def test_signup_page_creates_account_and_logs_in(client):
    response = client.post("/accounts/signup/", {"email": "new@shop.id", "password": "rendang-pedas-99", "name": "N"})
    assert response.status_code == 302
    assert client.get("/api/auth/me").json()["user"]["email"] == "new@shop.id"
