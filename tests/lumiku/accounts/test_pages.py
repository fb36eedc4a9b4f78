"""The account pages: sign up, log in (lockout, rate limit), password reset, landing and error pages."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import override_settings

from lumiku.credits.models import LedgerEntry, Wallet
from tests.factories import CategoryFactory, PoseFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "correct-horse-battery"


@pytest.fixture
def limits(settings):
    """Tighten one rate-limit scope for a test: `limits("login", "2/minute")`."""

    def tighten(scope: str, rate: str) -> None:
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, scope: rate}

    return tighten


# --- Sign up -----------------------------------------------------------------------------------------


def test_signup_creates_the_account_with_its_welcome_credits_and_signs_in(client, settings):
    settings.CREDITS_WELCOME_GRANT = 300
    response = client.post("/accounts/signup/", {"name": "Toko Melati", "email": "Owner@Melati.ID",
                                                  "password": "kain-batik-2026"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    user = User.objects.get()
    assert (user.email, user.name, user.language) == ("owner@melati.id", "Toko Melati", "en")
    assert Wallet.objects.get(user=user).balance == 300
    assert client.get("/dashboard/").status_code == 200


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"email": "taken@example.com", "password": "kain-batik-2026"}, None, "An account with this email already exists."),
    ({"email": "new@example.com", "password": "12345678"}, "password", "This password is entirely numeric."),
    ({"email": "not-an-email", "password": "kain-batik-2026"}, "email", "Enter a valid email address."),
])
def test_signup_errors_are_shown_in_place_and_create_nothing(client, data, field, message):
    UserFactory(email="taken@example.com")
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors.get(field or "__all__")
    assert message in " ".join(errors)
    assert message in response.content.decode()
    assert User.objects.count() == 1 and LedgerEntry.objects.count() == 0


def test_signup_is_rate_limited_like_the_registration_api(client, limits):
    limits("register", "2/hour")
    for i in range(2):
        client.post("/accounts/signup/", {"email": f"u{i}@example.com", "password": "kain-batik-2026"})
        client.post("/accounts/logout/")
    response = client.post("/accounts/signup/", {"email": "u2@example.com", "password": "kain-batik-2026"})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert sorted(User.objects.values_list("email", flat=True)) == ["u0@example.com", "u1@example.com"]


# --- Log in ------------------------------------------------------------------------------------------


def test_login_signs_in_and_goes_to_the_dashboard(client):
    UserFactory(email="sari@example.com")
    page = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password-reset/"' in page
    response = client.post("/accounts/login/", {"username": "sari@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).redirect_chain[-1][0] == "/dashboard/"


def test_login_keeps_the_brute_force_lockout(client, settings):
    settings.LOGIN_MAX_FAILURES = 2
    UserFactory(email="sari@example.com")
    for _ in range(2):
        assert client.post("/accounts/login/", {"username": "sari@example.com", "password": "wrong"}).status_code == 200
    locked = client.post("/accounts/login/", {"username": "sari@example.com", "password": PASSWORD})
    assert locked.status_code == 200
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_is_rate_limited_per_client_before_any_password_check(client, limits, settings):
    limits("login", "2/minute")
    settings.LOGIN_MAX_FAILURES = 3
    UserFactory(email="sari@example.com")
    for _ in range(2):
        client.post("/accounts/login/", {"username": "sari@example.com", "password": "wrong"})
    refused = client.post("/accounts/login/", {"username": "sari@example.com", "password": "wrong"})
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    assert 'value="sari@example.com"' in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # The refused attempt never reached the lockout: 2 failures of 3 allowed, so the right password still works.
    limits("login", "100/minute")
    assert client.post("/accounts/login/", {"username": "sari@example.com", "password": PASSWORD}
                       ).status_code == 302


# --- Password reset ----------------------------------------------------------------------------------


def test_password_reset_sends_a_working_link_once(client):
    user = UserFactory(email="sari@example.com")
    response = client.post("/accounts/password-reset/", {"email": "SARI@example.com"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["sari@example.com"] and email.subject == "Reset your Lumiku password"
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", email.body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"] is True
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "baru-sekali-2026", "new_password2": "baru-sekali-2026"})
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    user.refresh_from_db()
    assert user.check_password("baru-sekali-2026")
    assert client.get(link, follow=True).context["validlink"] is False  # the link works once


def test_password_reset_for_an_unknown_email_looks_the_same_and_sends_nothing(client):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []


def test_password_reset_mismatched_passwords_change_nothing(client):
    user = UserFactory(email="sari@example.com")
    client.post("/accounts/password-reset/", {"email": "sari@example.com"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": "baru-sekali-2026", "new_password2": "lain-2026-xx"})
    assert response.status_code == 200 and response.context["form"].errors["new_password2"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_reset_is_rate_limited(client, limits):
    limits("password_reset", "2/hour")
    UserFactory(email="sari@example.com")
    for _ in range(2):
        client.post("/accounts/password-reset/", {"email": "sari@example.com"})
    refused = client.post("/accounts/password-reset/", {"email": "sari@example.com"})
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    assert len(mail.outbox) == 2


# --- Landing and error pages -------------------------------------------------------------------------


def test_landing_for_visitors_and_redirect_for_members(client):
    seller = CategoryFactory(slug="hands-hips-crossed")  # the landing shows seller poses (posegen/pages test_landing)
    PoseFactory(name="Hands on hips", thumbnail="library/thumbs/hips.png", category=seller)
    PoseFactory(name="No picture yet", category=seller)
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="landing-signup"' in html and 'href="/accounts/signup/"' in html
    assert "Shopee" in html and "Tokopedia" in html
    assert re.findall(r'<img class="thumb" src="([^"]+)" alt="([^"]+)"', html) == [
        ("/media/library/thumbs/hips.png", "Hands on hips")]
    assert re.search(r'<strong class="big">(\d+)</strong><span class="muted">credits per generated pose',
                     html).group(1) == "30"
    client.force_login(UserFactory())
    assert client.get("/")["Location"] == "/dashboard/"


def test_404_page_is_friendly_for_pages_and_json_for_the_api(client):
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and "We could not find that page" in page.content.decode()
    api = client.get("/api/no-such-endpoint")
    assert api.status_code == 404 and api.json()["error"]["code"] == "NOT_FOUND"


def test_500_page_renders_without_touching_the_database(rf, django_assert_num_queries):
    from lumiku.core.views import error_500

    request = rf.get("/dashboard/")
    request.user = UserFactory()
    with django_assert_num_queries(0):
        response = error_500(request)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@override_settings(DEBUG=False)
def test_403_and_400_pages_render(rf):
    from lumiku.core.views import error_400, error_403

    request = rf.get("/somewhere/")
    request.user = UserFactory()
    forbidden, bad = error_403(request), error_400(request)
    assert forbidden.status_code == 403 and "You cannot open this page" in forbidden.content.decode()
    assert bad.status_code == 400 and "Something was wrong with the request" in bad.content.decode()
