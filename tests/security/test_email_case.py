"""Emails are one case on every path: sign-up, API login, login page, password reset, admin (issue 18 §3)."""

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core import mail

pytestmark = pytest.mark.django_db
User = get_user_model()
TYPED = "Shop.Owner-1@Example.test"
PASSWORD = "kain-batik-2026"


@pytest.fixture
def owner(api_client):
    response = api_client.post("/api/auth/register", {"email": TYPED, "password": PASSWORD}, format="json")
    assert response.status_code == 201
    return User.objects.get()


def test_mixed_case_api_login_succeeds_and_never_locks(api_client, owner, settings):
    assert owner.email == "shop.owner-1@example.test"
    for _ in range(settings.LOGIN_MAX_FAILURES + 2):
        response = api_client.post("/api/auth/token", {"email": TYPED, "password": PASSWORD}, format="json")
        assert response.status_code == 200, response.content
    assert api_client.post("/api/auth/token", {"email": " shop.owner-1@EXAMPLE.test ", "password": PASSWORD},
                           format="json").status_code == 200


def test_mixed_case_page_login_succeeds_and_never_locks(client, owner, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES + 2):
        response = client.post("/accounts/login/", {"username": TYPED, "password": PASSWORD})
        assert response.status_code == 302, response.content[:500]
        client.logout()


def test_failures_in_any_case_count_against_the_one_account(api_client, owner, settings):
    settings.LOGIN_MAX_FAILURES = 2
    for email in (TYPED, TYPED.upper()):
        assert api_client.post("/api/auth/token", {"email": email, "password": "wrong"},
                               format="json").status_code == 401
    locked = api_client.post("/api/auth/token", {"email": owner.email, "password": PASSWORD}, format="json")
    assert locked.status_code == 429


def test_password_reset_in_another_case_mails_the_account(client, owner):
    client.post("/accounts/password-reset/", {"email": TYPED.upper()})
    assert [message.to for message in mail.outbox] == [[owner.email]]


def test_admin_created_and_edited_users_are_stored_in_lower_case(client):
    admin = User.objects.create_superuser("Boss@Lumiku.Test", PASSWORD)
    assert admin.email == "boss@lumiku.test"
    client.force_login(admin)
    response = client.post("/admin/accounts/user/add/", {"email": "New.Seller@Toko.ID", "password1": PASSWORD,
                                                          "password2": PASSWORD, "role": "user",
                                                          "usable_password": "true"})
    assert response.status_code == 302, response.content[:3000]
    created = User.objects.get(email="new.seller@toko.id")
    assert authenticate(username="NEW.SELLER@toko.id", password=PASSWORD) == created
    duplicate = client.post("/admin/accounts/user/add/", {"email": "NEW.seller@TOKO.id", "password1": PASSWORD,
                                                           "password2": PASSWORD, "role": "user",
                                                           "usable_password": "true"})
    assert duplicate.status_code == 200  # refused in the form, not a second account
    assert User.objects.filter(email__iexact="new.seller@toko.id").count() == 1
    assert created.check_password(PASSWORD)
