"""Concurrency on PostgreSQL: row locks keep the balance exact under simultaneous charges."""


import pytest

from lumiku.core.errors import InsufficientCredits, QuotaExceeded
from lumiku.credits.models import LedgerEntry, Wallet
from lumiku.credits.selectors import credits_ledger_sum
from lumiku.credits.services import credits_charge, credits_grant, credits_use_unlimited_quota
from tests.concurrency import run_concurrently
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]




def test_twenty_simultaneous_charges_against_a_balance_for_five():
    user = UserFactory()
    credits_grant(user_id=user.pk, amount=50, idempotency_key="grant:concurrency")

    outcomes = run_concurrently(
        20, lambda i: credits_charge(user_id=user.pk, amount=10, idempotency_key=f"charge:concurrency:{i}")
    )

    succeeded = [o for o in outcomes if o[0] == "ok"]
    refused = [o for o in outcomes if o[0] == "error"]
    assert len(succeeded) == 5
    assert len(refused) == 15
    assert all(isinstance(exc, InsufficientCredits) for _, exc in refused)
    assert Wallet.objects.get(user=user).balance == 0
    assert credits_ledger_sum(user_id=user.pk) == 0
    assert LedgerEntry.objects.filter(wallet_id=user.pk, kind="charge").count() == 5
    assert sorted(e.balance_after for e in LedgerEntry.objects.filter(kind="charge")) == [0, 10, 20, 30, 40]


def test_simultaneous_retries_of_one_key_charge_once():
    user = UserFactory()
    credits_grant(user_id=user.pk, amount=100, idempotency_key="grant:retry")
    outcomes = run_concurrently(
        10, lambda i: credits_charge(user_id=user.pk, amount=30, idempotency_key="charge:same")
    )
    assert {o[0] for o in outcomes} == {"ok"}
    assert len({o[1].pk for o in outcomes}) == 1
    assert Wallet.objects.get(user=user).balance == 70


def test_simultaneous_quota_use_never_exceeds_the_daily_quota():
    user = UserFactory(unlimited_pose_active=True)
    outcomes = run_concurrently(10, lambda i: credits_use_unlimited_quota(user_id=user.pk, poses=20))
    assert sum(1 for o in outcomes if o[0] == "ok") == 5
    assert all(isinstance(o[1], QuotaExceeded) for o in outcomes if o[0] == "error")
    user.refresh_from_db()
    assert user.unlimited_pose_quota_used == 100
