"""What can be bought (products an operator edits) and each attempt to buy it (orders)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from lumiku.core.languages import reader_language


class Product(models.Model):
    """A credit package (credits > 0) or the unlimited tier for some days (tier_days > 0), never both."""

    name = models.CharField(max_length=80)
    # The "_id" suffix is the project's for Bahasa Indonesia (posekit.catalog.indonesian.pose_name_id).
    name_id = models.CharField(
        "name (Bahasa Indonesia)", max_length=80, blank=True,
        help_text="What readers of Bahasa Indonesia see (pricing page, receipts, API); empty: the name above.")
    credits = models.PositiveIntegerField(default=0)
    tier_days = models.PositiveIntegerField(default=0)
    price_idr = models.PositiveIntegerField(verbose_name="price (IDR)")
    active = models.BooleanField(default=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(credits__gt=0) & Q(tier_days=0)) | (Q(credits=0) & Q(tier_days__gt=0)),
                name="billing_product_credits_xor_tier",
            ),
            # Midtrans and Xendit both refuse tiny amounts; 1,000 IDR is a safe floor for either.
            models.CheckConstraint(condition=Q(price_idr__gte=1000), name="billing_product_price_min"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def reader_name(self) -> str:
        """The name in the reader's language (the active one), as the pose library says its poses."""
        return self.name_id if self.name_id and reader_language() == "id" else self.name


class Provider(models.TextChoices):
    MIDTRANS = "midtrans", "Midtrans"
    XENDIT = "xendit", "Xendit"


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting payment")
    PAID = "paid", _("Paid")
    EXPIRED = "expired", _("Expired")
    FAILED = "failed", _("Failed")
    REFUNDED = "refunded", _("Refunded")


class Order(models.Model):
    """One checkout. Money fields are copied from the product when it is created (prices may change).

    Credits move only when a verified provider notification says it is paid (`purchase:<id>`), and
    come back on a refund (`purchase-reversal:<id>`); `credits_reversed` + `reversal_shortfall` then
    add up to `credits` (what was already spent is the shortfall, for an operator).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credit_orders")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="orders")
    product_name = models.CharField(max_length=80)
    product_name_id = models.CharField(max_length=80, blank=True)  # the product's Indonesian name, when bought
    amount_idr = models.PositiveIntegerField()
    credits = models.PositiveIntegerField(default=0)
    tier_days = models.PositiveIntegerField(default=0)
    provider = models.CharField(max_length=16, choices=Provider.choices)
    provider_reference = models.CharField(max_length=128, blank=True, db_index=True)
    redirect_url = models.URLField(max_length=500, blank=True)
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    provider_status = models.CharField(max_length=32, blank=True)  # the provider's last word, for operators
    credits_reversed = models.PositiveIntegerField(default=0)
    reversal_shortfall = models.PositiveIntegerField(default=0)
    receipt_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="billing_order_user_recent")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="billing_order_status_valid"),
            models.CheckConstraint(condition=Q(provider__in=Provider.values), name="billing_order_provider_valid"),
            models.CheckConstraint(
                condition=(Q(credits__gt=0) & Q(tier_days=0)) | (Q(credits=0) & Q(tier_days__gt=0)),
                name="billing_order_credits_xor_tier",
            ),
            models.CheckConstraint(
                condition=Q(paid_at__isnull=False) | ~Q(status__in=["paid", "refunded"]),
                name="billing_order_paid_has_paid_at",
            ),
            models.CheckConstraint(
                condition=Q(status="refunded") | (Q(credits_reversed=0) & Q(reversal_shortfall=0)),
                name="billing_order_reversal_only_when_refunded",
            ),
            # A refunded credit order accounts for every credit: taken back, or recorded as already spent.
            models.CheckConstraint(
                condition=~Q(status="refunded") | Q(credits=0)
                | Q(credits=F("credits_reversed") + F("reversal_shortfall")),
                name="billing_order_reversal_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.id} ({self.status})"

    @property
    def reader_product_name(self) -> str:
        """What was bought, in the reader's language (the active one: a receipt e-mail activates the buyer's)."""
        return self.product_name_id if self.product_name_id and reader_language() == "id" else self.product_name
