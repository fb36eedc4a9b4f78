"""The only code that moves credits.

Locks: every movement locks the user's wallet row (SELECT ... FOR UPDATE) before it reads the
idempotency key, so concurrent calls with the same key serialise and the second one replays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lumiku.core.errors import InsufficientCredits, QuotaExceeded, ValidationFailed
from lumiku.core.metrics import credits_moved
from lumiku.credits.models import EntryKind, LedgerEntry, Wallet

QUOTA_PERIOD = timedelta(hours=24)


def _locked_wallet(*, user_id) -> Wallet:
    wallet = Wallet.objects.select_for_update().filter(user_id=user_id).first()
    if wallet is None:  # first movement for this user: create the wallet, then lock it
        Wallet.objects.get_or_create(user_id=user_id)
        wallet = Wallet.objects.select_for_update().get(user_id=user_id)
    return wallet


def _positive(amount: int) -> int:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise ValidationFailed(_("amount must be a positive whole number of credits"), code="INVALID_AMOUNT")
    return amount


def _move(*, user_id, signed_amount: int, kind: str, idempotency_key: str, reference_type: str,
          reference_id: str, description: str) -> LedgerEntry:
    if not idempotency_key:
        raise ValueError("idempotency_key is required")
    with transaction.atomic():
        wallet = _locked_wallet(user_id=user_id)
        existing = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.wallet_id != wallet.pk or existing.amount != signed_amount or existing.kind != kind:
                raise ValueError(f"idempotency key {idempotency_key!r} was used for a different movement")
            return existing
        if wallet.balance + signed_amount < 0:
            raise InsufficientCredits(required=-signed_amount, available=wallet.balance)
        wallet.balance += signed_amount
        wallet.save(update_fields=["balance", "updated_at"])
        credits_moved(kind=kind, amount=signed_amount)
        return LedgerEntry.objects.create(
            wallet=wallet,
            amount=signed_amount,
            kind=kind,
            balance_after=wallet.balance,
            reference_type=reference_type,
            reference_id=str(reference_id),
            description=description[:255],
            idempotency_key=idempotency_key,
        )


def credits_charge(*, user_id, amount: int, idempotency_key: str, reference_type: str = "",
                   reference_id: str = "", description: str = "") -> LedgerEntry:
    """Take `amount` credits atomically; InsufficientCredits (402) if the balance is short.

    Idempotent: the same key returns the first entry and charges nothing more.
    """
    return _move(user_id=user_id, signed_amount=-_positive(amount), kind=EntryKind.CHARGE,
                 idempotency_key=idempotency_key, reference_type=reference_type,
                 reference_id=reference_id, description=description)


def credits_refund(*, user_id, amount: int, idempotency_key: str, reference_type: str = "",
                   reference_id: str = "", description: str = "") -> LedgerEntry:
    """Give back `amount` credits exactly once per key (e.g. `refund:pose:<id>`)."""
    return _move(user_id=user_id, signed_amount=_positive(amount), kind=EntryKind.REFUND,
                 idempotency_key=idempotency_key, reference_type=reference_type,
                 reference_id=reference_id, description=description)


def credits_grant(*, user_id, amount: int, idempotency_key: str, reference_type: str = "grant",
                  reference_id: str = "", description: str = "") -> LedgerEntry:
    """Add credits (welcome bonus, operator top-up) exactly once per key."""
    return _move(user_id=user_id, signed_amount=_positive(amount), kind=EntryKind.GRANT,
                 idempotency_key=idempotency_key, reference_type=reference_type,
                 reference_id=reference_id, description=description)


@dataclass(frozen=True)
class QuotaUse:
    used_quota: bool  # False: the user is not on an active unlimited tier; pay with credits instead
    quota_used: int
    quota_reset_at: object


def credits_use_unlimited_quota(*, user_id, poses: int) -> QuotaUse:
    """The spec's checkAndUseUnlimitedQuota, made concurrency-safe by locking the user row.

    Active and unexpired tier → take `poses` from today's quota (lazily reset every 24 h) or raise
    QuotaExceeded (429). Inactive or expired → QuotaUse(used_quota=False) and nothing changes.
    """
    _positive(poses)
    user_model = get_user_model()
    now = timezone.now()
    with transaction.atomic():
        user = user_model.objects.select_for_update().get(pk=user_id)
        if not user.unlimited_pose_active:
            return QuotaUse(False, user.unlimited_pose_quota_used, user.unlimited_pose_quota_reset_at)
        if user.unlimited_pose_expires_at and user.unlimited_pose_expires_at < now:
            return QuotaUse(False, user.unlimited_pose_quota_used, user.unlimited_pose_quota_reset_at)
        if user.unlimited_pose_quota_reset_at is None or user.unlimited_pose_quota_reset_at < now:
            used, reset_at = 0, now + QUOTA_PERIOD
        else:
            used, reset_at = user.unlimited_pose_quota_used, user.unlimited_pose_quota_reset_at
        remaining = user.unlimited_pose_daily_quota - used
        if poses > remaining:
            raise QuotaExceeded(requested=poses, remaining=max(remaining, 0), resets_at=reset_at.isoformat())
        user.unlimited_pose_quota_used = used + poses
        user.unlimited_pose_quota_reset_at = reset_at
        user.save(update_fields=["unlimited_pose_quota_used", "unlimited_pose_quota_reset_at"])
        return QuotaUse(True, user.unlimited_pose_quota_used, reset_at)


def credits_release_unlimited_quota(*, user_id, poses: int, quota_reset_at) -> int:
    """Give quota back (a failed image), only within the same 24 h window it was taken from.

    Exactly-once is the caller's job (it flips a refunded flag in the same transaction).
    """
    _positive(poses)
    user_model = get_user_model()
    with transaction.atomic():
        user = user_model.objects.select_for_update().get(pk=user_id)
        if user.unlimited_pose_quota_reset_at != quota_reset_at:
            return 0  # the window rolled over; today's quota is already fresh
        released = min(poses, user.unlimited_pose_quota_used)
        user.unlimited_pose_quota_used -= released
        user.save(update_fields=["unlimited_pose_quota_used"])
        return released


# --- Purchases (lumiku.billing): credits and tier days bought through a payment provider --------------

def credits_purchase(*, user_id, amount: int, idempotency_key: str, reference_id: str,
                     description: str = "") -> LedgerEntry:
    """Add bought credits exactly once per key (`purchase:<order id>`)."""
    return _move(user_id=user_id, signed_amount=_positive(amount), kind=EntryKind.PURCHASE,
                 idempotency_key=idempotency_key, reference_type="credit_order",
                 reference_id=reference_id, description=description)


@dataclass(frozen=True)
class TakeBack:
    taken: int
    shortfall: int
    entry: LedgerEntry | None


def credits_take_back(*, user_id, amount: int, idempotency_key: str, reference_id: str,
                      description: str = "") -> TakeBack:
    """A refunded or charged-back purchase: take back up to `amount`, never below a zero balance.

    What was already spent cannot be taken back; it is returned as `shortfall` for an operator. The
    same key replays the first result (nothing is taken twice).
    """
    _positive(amount)
    with transaction.atomic():
        wallet = _locked_wallet(user_id=user_id)
        existing = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return TakeBack(taken=-existing.amount, shortfall=amount + existing.amount, entry=existing)
        taken = min(amount, wallet.balance)
        if taken == 0:
            return TakeBack(taken=0, shortfall=amount, entry=None)
        entry = _move(user_id=user_id, signed_amount=-taken, kind=EntryKind.REVERSAL,
                      idempotency_key=idempotency_key, reference_type="credit_order",
                      reference_id=reference_id, description=description)
        return TakeBack(taken=taken, shortfall=amount - taken, entry=entry)


def credits_extend_unlimited_tier(*, user_id, days: int) -> object:
    """A bought tier: active from now (or from the current expiry, if later) for `days` more days."""
    _positive(days)
    now = timezone.now()
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user_id)
        current = user.unlimited_pose_expires_at
        running = user.unlimited_pose_active and (current is None or current > now)
        if running and current is None:
            return None  # an operator's tier without an end date: nothing to extend
        start = current if running else now
        user.unlimited_pose_active = True
        user.unlimited_pose_expires_at = start + timedelta(days=days)
        user.save(update_fields=["unlimited_pose_active", "unlimited_pose_expires_at"])
        return user.unlimited_pose_expires_at


def credits_shorten_unlimited_tier(*, user_id, days: int) -> object:
    """A refunded tier purchase: its days come off the expiry; the tier ends if nothing is left."""
    _positive(days)
    now = timezone.now()
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user_id)
        if user.unlimited_pose_expires_at is None:
            return None  # an operator's open-ended tier was not bought; leave it
        expires = user.unlimited_pose_expires_at - timedelta(days=days)
        if expires <= now:
            user.unlimited_pose_active = False
            expires = now
        user.unlimited_pose_expires_at = expires
        user.save(update_fields=["unlimited_pose_active", "unlimited_pose_expires_at"])
        return expires
