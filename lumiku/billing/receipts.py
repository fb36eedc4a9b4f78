"""The e-mail receipt after a payment, in the buyer's language; sent once per order."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lumiku.billing.models import Order, OrderStatus

logger = logging.getLogger(__name__)


def idr(amount: int) -> str:
    """Rupiah as Indonesians write it: Rp 135.000 (dots between thousands, no decimals)."""
    return "Rp " + f"{int(amount):,}".replace(",", ".")


def order_send_receipt(*, order_id) -> bool:
    # Claim the send first: a redelivered task finds receipt_sent_at set and sends nothing.
    claimed = Order.objects.filter(pk=order_id, status=OrderStatus.PAID, receipt_sent_at__isnull=True).update(
        receipt_sent_at=timezone.now())
    if not claimed:
        return False
    order = Order.objects.select_related("user").get(pk=order_id)
    with translation.override(order.user.language or settings.LANGUAGE_CODE):
        context = {"order": order, "amount": idr(order.amount_idr), "site": settings.SITE_URL}
        subject = _("Your Lumiku receipt: %(product)s") % {"product": order.reader_product_name}
        body = render_to_string("billing/receipt_email.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [order.user.email])
    except Exception:
        Order.objects.filter(pk=order_id).update(receipt_sent_at=None)  # let a retry send it
        raise
    logger.info("receipt of order %s sent", order_id)
    return True
