from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Wallet(models.Model):
    """One per user. The balance is a cache of the ledger's sum, kept in step inside each transaction."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True)
    balance = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="wallet_balance_non_negative")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.balance}"


class EntryKind(models.TextChoices):
    CHARGE = "charge", _("Charge")
    REFUND = "refund", _("Refund")
    GRANT = "grant", _("Grant")
    # Bought through a payment provider (lumiku.billing), and what a refund or chargeback took back.
    PURCHASE = "purchase", _("Purchase")
    REVERSAL = "reversal", _("Payment reversal")


class LedgerEntry(models.Model):
    """Append-only: every credit movement, signed (charges negative), with a unique idempotency key."""

    wallet = models.ForeignKey(Wallet, on_delete=models.CASCADE, related_name="entries")
    amount = models.IntegerField()
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    balance_after = models.IntegerField()
    reference_type = models.CharField(max_length=64, blank=True)
    reference_id = models.CharField(max_length=64, blank=True)
    description = models.CharField(max_length=255, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "ledger entries"
        indexes = [
            models.Index(fields=["wallet", "-created_at"], name="ledger_wallet_recent"),
            models.Index(fields=["reference_type", "reference_id"], name="ledger_reference"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="ledger_balance_after_non_negative"),
            models.CheckConstraint(condition=Q(kind__in=EntryKind.values), name="ledger_kind_valid"),
            models.CheckConstraint(
                condition=(Q(kind__in=["charge", "reversal"]) & Q(amount__lt=0))
                | (Q(kind__in=["refund", "grant", "purchase"]) & Q(amount__gt=0)),
                name="ledger_amount_sign_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({self.idempotency_key})"
