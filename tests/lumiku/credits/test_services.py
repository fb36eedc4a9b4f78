from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from lumiku.core.errors import InsufficientCredits, QuotaExceeded, ValidationFailed
from lumiku.credits.models import LedgerEntry, Wallet
from lumiku.credits.selectors import credits_balance, credits_history, credits_ledger_sum, credits_unlimited_tier
from lumiku.credits.services import (
    credits_charge,
    credits_grant,
    credits_refund,
    credits_release_unlimited_quota,
    credits_use_unlimited_quota,
)

pytestmark = pytest.mark.django_db


def _grant(user, amount=100, key="g1"):
    return credits_grant(user_id=user.pk, amount=amount, idempotency_key=f"grant:test:{key}:{user.pk}")


def test_grant_charge_refund_move_balance_and_ledger(user):
    _grant(user, 100)
    charge = credits_charge(user_id=user.pk, amount=30, idempotency_key="charge:generation:a",
                            reference_type="pose_generation", reference_id="a", description="3 poses")
    refund = credits_refund(user_id=user.pk, amount=10, idempotency_key="refund:pose:a1")

    assert credits_balance(user_id=user.pk) == 80
    assert (charge.amount, charge.kind, charge.balance_after) == (-30, "charge", 70)
    assert (refund.amount, refund.kind, refund.balance_after) == (10, "refund", 80)
    assert [e.kind for e in credits_history(user_id=user.pk)] == ["refund", "charge", "grant"]
    assert credits_ledger_sum(user_id=user.pk) == 80


def test_same_key_replays_and_never_moves_twice(user):
    _grant(user, 100)
    first = credits_charge(user_id=user.pk, amount=30, idempotency_key="charge:x")
    second = credits_charge(user_id=user.pk, amount=30, idempotency_key="charge:x")
    r1 = credits_refund(user_id=user.pk, amount=30, idempotency_key="refund:x")
    r2 = credits_refund(user_id=user.pk, amount=30, idempotency_key="refund:x")

    assert first.pk == second.pk and r1.pk == r2.pk
    assert credits_balance(user_id=user.pk) == 100
    assert LedgerEntry.objects.filter(wallet_id=user.pk).count() == 3


def test_key_reused_for_a_different_movement_is_refused(user):
    _grant(user, 100)
    credits_charge(user_id=user.pk, amount=30, idempotency_key="charge:y")
    with pytest.raises(ValueError, match="different movement"):
        credits_charge(user_id=user.pk, amount=40, idempotency_key="charge:y")
    assert credits_balance(user_id=user.pk) == 70


def test_insufficient_credits_changes_nothing(user):
    _grant(user, 50)
    with pytest.raises(InsufficientCredits) as err:
        credits_charge(user_id=user.pk, amount=60, idempotency_key="charge:big")
    assert err.value.extra == {"required": 60, "available": 50, "pricingUrl": "/pricing"}
    assert err.value.status_code == 402
    assert credits_balance(user_id=user.pk) == 50
    assert not LedgerEntry.objects.filter(idempotency_key="charge:big").exists()


@pytest.mark.parametrize("amount", [0, -5, 2.5, True])
def test_amount_must_be_a_positive_integer(user, amount):
    with pytest.raises(ValidationFailed):
        credits_charge(user_id=user.pk, amount=amount, idempotency_key="charge:bad")
    assert LedgerEntry.objects.count() == 0


def test_wallet_created_on_first_movement():
    from tests.factories import UserFactory

    user = UserFactory()
    Wallet.objects.filter(user=user).delete()
    _grant(user, 5)
    assert Wallet.objects.get(user=user).balance == 5


def test_database_refuses_negative_balance(user):
    with pytest.raises(IntegrityError), transaction.atomic():
        Wallet.objects.filter(user=user).update(balance=-1)


def test_database_refuses_a_charge_with_positive_amount(user):
    wallet = Wallet.objects.get(user=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(wallet=wallet, amount=5, kind="charge", balance_after=5, idempotency_key="k")


@pytest.mark.postgres
def test_ledger_rows_cannot_be_rewritten_on_postgres(user):
    entry = _grant(user, 10)
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE credits_ledgerentry SET amount = 1000 WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.amount == 10


# --- unlimited tier quota -----------------------------------------------------------------------

def _tier(user, **fields):
    for k, v in {"unlimited_pose_active": True, **fields}.items():
        setattr(user, k, v)
    user.save()
    return user


def test_quota_not_used_when_tier_inactive(user):
    result = credits_use_unlimited_quota(user_id=user.pk, poses=5)
    assert result.used_quota is False
    user.refresh_from_db()
    assert user.unlimited_pose_quota_used == 0


def test_quota_not_used_when_tier_expired(user):
    _tier(user, unlimited_pose_expires_at=timezone.now() - timedelta(minutes=1))
    assert credits_use_unlimited_quota(user_id=user.pk, poses=5).used_quota is False
    user.refresh_from_db()
    assert user.unlimited_pose_quota_used == 0


def test_first_use_opens_a_24h_window(user):
    _tier(user)
    before = timezone.now()
    result = credits_use_unlimited_quota(user_id=user.pk, poses=30)
    user.refresh_from_db()
    assert result.used_quota is True
    assert user.unlimited_pose_quota_used == 30
    window = user.unlimited_pose_quota_reset_at - before
    assert timedelta(hours=23, minutes=59) < window <= timedelta(hours=24, seconds=5)


def test_quota_exceeded_raises_429_and_changes_nothing(user):
    reset_at = timezone.now() + timedelta(hours=3)
    _tier(user, unlimited_pose_quota_used=90, unlimited_pose_quota_reset_at=reset_at)
    with pytest.raises(QuotaExceeded) as err:
        credits_use_unlimited_quota(user_id=user.pk, poses=11)
    assert err.value.status_code == 429
    assert err.value.extra["remaining"] == 10
    user.refresh_from_db()
    assert user.unlimited_pose_quota_used == 90
    assert user.unlimited_pose_quota_reset_at == reset_at


def test_quota_resets_lazily_after_the_window(user):
    _tier(user, unlimited_pose_quota_used=100, unlimited_pose_quota_reset_at=timezone.now() - timedelta(seconds=1))
    assert credits_use_unlimited_quota(user_id=user.pk, poses=100).used_quota is True
    user.refresh_from_db()
    assert user.unlimited_pose_quota_used == 100
    assert user.unlimited_pose_quota_reset_at > timezone.now()


def test_release_gives_quota_back_only_in_the_same_window(user):
    _tier(user)
    used = credits_use_unlimited_quota(user_id=user.pk, poses=10)
    assert credits_release_unlimited_quota(user_id=user.pk, poses=4, quota_reset_at=used.quota_reset_at) == 4
    user.refresh_from_db()
    assert user.unlimited_pose_quota_used == 6
    stale = used.quota_reset_at - timedelta(days=1)
    assert credits_release_unlimited_quota(user_id=user.pk, poses=4, quota_reset_at=stale) == 0
    user.refresh_from_db()
    assert user.unlimited_pose_quota_used == 6


def test_unlimited_tier_view_hides_a_passed_window(user):
    _tier(user, unlimited_pose_quota_used=40, unlimited_pose_quota_reset_at=timezone.now() - timedelta(hours=1))
    view = credits_unlimited_tier(user=user)
    assert view == {"active": True, "dailyQuota": 100, "quotaUsed": 0, "quotaResetAt": None, "expiresAt": None}
