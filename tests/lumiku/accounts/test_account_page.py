"""The account page (profile, balance, ledger, unlimited tier) and the notifications list."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from lumiku.credits.models import LedgerEntry
from lumiku.credits.services import credits_charge, credits_grant, credits_refund
from lumiku.notifications.models import Notification
from tests.lumiku.notifications.factories import NotificationFactory
from tests.posegen.pages.helpers import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, user):
    return signed_in(client, user)


@pytest.mark.parametrize("path", ["/account/", "/notifications/"])
def test_login_required(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_account_shows_balance_and_ledger_newest_first_paginated(web, user, other_user):
    credits_grant(user_id=user.pk, amount=500, idempotency_key="g", description="Welcome credits")
    for i in range(22):
        credits_charge(user_id=user.pk, amount=10, idempotency_key=f"c{i}", description=f"Generation {i}")
    credits_refund(user_id=user.pk, amount=10, idempotency_key="r", description="Refund for a failed pose")
    credits_grant(user_id=other_user.pk, amount=70, idempotency_key="og", description="Not mine")

    first = web.get("/account/")
    assert first.status_code == 200
    html = first.content.decode()
    assert re.search(r'data-testid="account-balance">.*?class="value">(\d+)<', html, re.S).group(1) == "290"
    assert "24 movements" in html and "Not mine" not in html
    assert re.findall(r'data-testid="ledger-amount">([^<]+)<', html)[:3] == ["+10", "-10", "-10"]
    assert html.count('data-testid="ledger-row"') == 20
    assert "Refund for a failed pose" in html and "Page 1 of 2" in html
    last = web.get("/account/", {"page": 2}).content.decode()
    assert re.findall(r'data-testid="ledger-amount">([^<]+)<', last) == ["-10", "-10", "-10", "+500"]
    assert "Welcome credits" in last


def test_profile_update_changes_name_and_language_only(web, user):
    credits_grant(user_id=user.pk, amount=50, idempotency_key="g")
    email, password = user.email, user.password
    response = web.post("/account/", {"name": "  Toko Melati  ", "language": "id"})
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert response.cookies["django_language"].value == "id"
    user.refresh_from_db()
    assert (user.name, user.language, user.email, user.password) == ("Toko Melati", "id", email, password)
    assert LedgerEntry.objects.filter(wallet_id=user.pk).count() == 1


def test_profile_refuses_an_unknown_language_and_changes_nothing(web, user):
    before = (user.name, user.language)
    response = web.post("/account/", {"name": "New name", "language": "fr"})
    assert response.status_code == 200
    assert "language" in response.context["form"].errors
    user.refresh_from_db()
    assert (user.name, user.language) == before


def test_unlimited_tier_shows_quota_used_remaining_reset_and_expiry(web, user):
    now = timezone.now()
    user.unlimited_pose_active = True
    user.unlimited_pose_daily_quota = 100
    user.unlimited_pose_quota_used = 35
    user.unlimited_pose_quota_reset_at = now + timedelta(hours=5)
    user.unlimited_pose_expires_at = now + timedelta(days=20)
    user.save()
    html = web.get("/account/").content.decode()
    assert re.search(r'data-testid="tier-status">([^<]+)<', html).group(1) == "Active"
    assert "35 of 100 poses used today" in html
    assert re.search(r'data-testid="tier-remaining">(\d+)<', html).group(1) == "65"
    assert timezone.localtime(now + timedelta(days=20)).strftime("%-d %b %Y") in html


def test_an_inactive_or_expired_tier_reads_not_active(web, user):
    user.unlimited_pose_active = True
    user.unlimited_pose_expires_at = timezone.now() - timedelta(days=1)
    user.save()
    html = web.get("/account/").content.decode()
    assert re.search(r'data-testid="tier-status">([^<]+)<', html).group(1) == "Not active"
    assert 'data-testid="tier-remaining"' not in html


# --- Notifications -----------------------------------------------------------------------------------


def test_notifications_list_only_the_users_own(web, user, other_user):
    NotificationFactory(user=user, title="Your pose request was approved")
    NotificationFactory(user=user, title="Old news", read_at=timezone.now())
    NotificationFactory(user=other_user, title="Someone else's")
    html = web.get("/notifications/").content.decode()
    assert html.count('data-testid="notification"') == 2
    assert "Someone else" not in html
    assert re.search(r'data-testid="unread-count">([^<]+)<', html).group(1) == "1 unread"
    assert re.search(r'data-testid="nav-unread">(\d+)<', html).group(1) == "1"
    unread = web.get("/notifications/", {"filter": "unread"}).content.decode()
    assert unread.count('data-testid="notification"') == 1 and "Old news" not in unread


def test_mark_one_read(web, user):
    note = NotificationFactory(user=user)
    other = NotificationFactory(user=user)
    response = web.post(f"/notifications/{note.pk}/read/", {"next": "/notifications/?filter=unread"})
    assert response.status_code == 302 and response["Location"] == "/notifications/?filter=unread"
    note.refresh_from_db()
    other.refresh_from_db()
    assert note.read_at is not None and other.read_at is None


def test_open_marks_read_and_follows_only_a_local_link(web, user):
    local = NotificationFactory(user=user, link="/pose-requests/")
    foreign = NotificationFactory(user=user, link="https://evil.example/phish")
    assert web.post(f"/notifications/{local.pk}/read/", {"open": "1"})["Location"] == "/pose-requests/"
    assert web.post(f"/notifications/{foreign.pk}/read/", {"open": "1", "next": "//evil.example/"}
                    )["Location"] == "/notifications/"
    assert Notification.objects.filter(user=user, read_at__isnull=True).count() == 0


def test_another_users_notification_is_404_and_stays_unread(web, other_user):
    note = NotificationFactory(user=other_user)
    assert web.post(f"/notifications/{note.pk}/read/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read_touches_only_the_users_unread(web, user, other_user):
    earlier = timezone.now() - timedelta(days=2)
    NotificationFactory.create_batch(3, user=user)
    kept = NotificationFactory(user=user, read_at=earlier)
    theirs = NotificationFactory(user=other_user)
    response = web.post("/notifications/read-all/", follow=True)
    assert [str(m) for m in response.context["messages"]] == ["3 notifications marked as read."]
    assert Notification.objects.filter(user=user, read_at__isnull=True).count() == 0
    kept.refresh_from_db()
    theirs.refresh_from_db()
    assert kept.read_at == earlier and theirs.read_at is None


def test_read_endpoints_accept_only_post(web, user):
    note = NotificationFactory(user=user)
    assert web.get(f"/notifications/{note.pk}/read/").status_code == 405
    assert web.get("/notifications/read-all/").status_code == 405
    note.refresh_from_db()
    assert note.read_at is None
