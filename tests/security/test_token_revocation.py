"""API tokens die with the password and with "log out everywhere"; refresh tokens rotate, and a reused
one revokes its family (issue 18 §2)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from rest_framework.test import APIClient

from lumiku.accounts.models import RefreshTokenFamily

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "sambal-matah-2027"


def _login(user) -> dict:
    response = APIClient().post("/api/auth/token", {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def _me(access: str) -> int:
    return APIClient().get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {access}").status_code


def _refresh(refresh: str):
    return APIClient().post("/api/auth/token/refresh", {"refresh": refresh}, format="json")


def _assert_refused(tokens: dict) -> None:
    assert _me(tokens["access"]) == 401
    refused = _refresh(tokens["refresh"])
    assert refused.status_code == 401
    assert refused.json()["error"] == {"message": "Your session has ended. Please log in again.",
                                       "code": "UNAUTHORIZED", "statusCode": 401}


def test_tokens_work_until_the_password_is_reset_by_mail(client, user):
    tokens = _login(user)
    assert _me(tokens["access"]) == 200
    client.post("/accounts/password-reset/", {"email": user.email})
    link = re.search(r"/accounts/reset/\S+/", mail.outbox[0].body).group(0)
    form_url = client.get(link)["Location"]
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    _assert_refused(tokens)
    user.refresh_from_db()
    fresh = APIClient().post("/api/auth/token", {"email": user.email, "password": NEW_PASSWORD}, format="json")
    assert _me(fresh.json()["access"]) == 200


def test_set_password_anywhere_ends_the_tokens(user):
    tokens = _login(user)
    user.set_password(NEW_PASSWORD)
    user.save()
    _assert_refused(tokens)


def test_the_admin_password_form_ends_the_tokens(client, user):
    tokens = _login(user)
    admin = get_user_model().objects.create_superuser("boss@lumiku.test", PASSWORD)
    client.force_login(admin)
    response = client.post(f"/admin/accounts/user/{user.pk}/password/",
                           {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 302, response.content[:2000]
    _assert_refused(tokens)


def test_log_out_everywhere_from_the_account_page_ends_tokens_and_other_sessions(client, user):
    tokens = _login(user)
    other_browser = APIClient()
    other_browser.force_login(user)
    assert other_browser.get("/api/auth/me").status_code == 200
    client.force_login(user)
    page = client.get("/account/")
    assert b'data-testid="logout-everywhere"' in page.content
    response = client.post("/accounts/logout-everywhere/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    _assert_refused(tokens)
    assert other_browser.get("/api/auth/me").status_code in (401, 403)
    assert client.get("/account/").status_code == 302  # this browser too
    assert not RefreshTokenFamily.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert _me(_login(user)["access"]) == 200  # a new login works


def test_log_out_everywhere_through_the_api(user):
    tokens, other = _login(user), _login(user)
    response = APIClient().post("/api/auth/logout-everywhere", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert response.status_code == 204
    _assert_refused(tokens)
    _assert_refused(other)


def test_log_out_everywhere_needs_a_signed_in_user(client):
    assert client.post("/accounts/logout-everywhere/")["Location"].startswith("/accounts/login/")
    assert client.get("/accounts/logout-everywhere/").status_code in (302, 405)


def test_refresh_rotates_and_the_new_pair_works(user):
    tokens = _login(user)
    rotated = _refresh(tokens["refresh"])
    assert rotated.status_code == 200
    body = rotated.json()
    assert set(body) == {"access", "refresh"} and body["refresh"] != tokens["refresh"]
    assert _me(body["access"]) == 200
    assert _refresh(body["refresh"]).status_code == 200


def test_refresh_reuse_is_refused_and_revokes_the_family(user):
    tokens = _login(user)
    other_login = _login(user)
    rotated = _refresh(tokens["refresh"]).json()
    reused = _refresh(tokens["refresh"])  # the old token again: someone holds a copy
    assert reused.status_code == 401
    # The whole family is gone: the legitimate holder's new tokens too...
    assert _refresh(rotated["refresh"]).status_code == 401
    assert _me(rotated["access"]) == 401
    assert _me(tokens["access"]) == 401
    # ...but not another login of the same user.
    assert _me(other_login["access"]) == 200
    assert _refresh(other_login["refresh"]).status_code == 200


def test_tokens_without_our_claims_are_refused(user):
    from rest_framework_simplejwt.tokens import RefreshToken

    bare = RefreshToken.for_user(user)
    _assert_refused({"access": str(bare.access_token), "refresh": str(bare)})


def test_garbage_refresh_is_401_in_the_envelope():
    response = _refresh("not-a-token")
    assert response.status_code == 401
    assert response.json()["error"]["statusCode"] == 401


def test_expired_families_are_purged_by_the_beat_task(user, settings):
    from datetime import timedelta

    from django.utils import timezone

    from lumiku.accounts.tasks import refresh_families_purge_task

    assert "lumiku.accounts.tasks.refresh_families_purge" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    live = _login(user)
    RefreshTokenFamily.objects.create(user=user, current_jti="old", expires_at=timezone.now() - timedelta(days=2))
    assert refresh_families_purge_task() == 1
    assert RefreshTokenFamily.objects.count() == 1
    assert _refresh(live["refresh"]).status_code == 200
