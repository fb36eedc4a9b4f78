from __future__ import annotations

from django.db.models import QuerySet, Sum
from django.utils import timezone

from lumiku.credits.models import EntryKind, LedgerEntry, Wallet


def credits_balance(*, user_id) -> int:
    return Wallet.objects.filter(user_id=user_id).values_list("balance", flat=True).first() or 0


def credits_history(*, user_id) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(wallet_id=user_id).order_by("-created_at", "-id")


def credits_ledger_sum(*, user_id) -> int:
    return LedgerEntry.objects.filter(wallet_id=user_id).aggregate(total=Sum("amount"))["total"] or 0


def credits_spend_entries(*, user_id, reference_type: str = "") -> QuerySet[LedgerEntry]:
    """What counts as spending: charges and their refunds (grants are not spend), of every feature, or of
    the one whose rows carry ``reference_type``. The one definition of "spend" (dashboard, stats)."""
    entries = LedgerEntry.objects.filter(wallet_id=user_id, kind__in=[EntryKind.CHARGE, EntryKind.REFUND])
    return entries.filter(reference_type=reference_type) if reference_type else entries


def credits_spent_total(*, user_id) -> int:
    """Credits spent on every feature, net of refunds."""
    return -(credits_spend_entries(user_id=user_id).aggregate(total=Sum("amount"))["total"] or 0)


def credits_unlimited_tier(*, user) -> dict:
    """The tier as the user sees it now: a quota window that has passed reads as unused."""
    now = timezone.now()
    expired = bool(user.unlimited_pose_expires_at and user.unlimited_pose_expires_at < now)
    window_open = bool(user.unlimited_pose_quota_reset_at and user.unlimited_pose_quota_reset_at >= now)
    return {
        "active": bool(user.unlimited_pose_active and not expired),
        "dailyQuota": user.unlimited_pose_daily_quota,
        "quotaUsed": user.unlimited_pose_quota_used if window_open else 0,
        "quotaResetAt": user.unlimited_pose_quota_reset_at.isoformat() if window_open else None,
        "expiresAt": user.unlimited_pose_expires_at.isoformat() if user.unlimited_pose_expires_at else None,
    }
