"""Checkout and the order state machine: the only code that changes an Order.

Credits move only here, through lumiku.credits services, when the provider's own status API confirms
what a verified notification said: `purchase:<order id>` adds them, `purchase-reversal:<order id>` takes
them back after a refund. Every transition holds the order's row lock, so repeated or concurrent
notifications serialise and the later ones find nothing left to do.
"""

from __future__ import annotations

import hmac
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lumiku.billing.gateways import GatewayError, GatewayNotConfigured, ProviderState, gateway_for
from lumiku.billing.models import Order, OrderStatus, Product
from lumiku.core.errors import Conflict, DomainError, Forbidden, NotFound, ServiceUnavailable, ValidationFailed
from lumiku.core.metrics import order_status_changed
from lumiku.credits.services import (
    credits_extend_unlimited_tier,
    credits_purchase,
    credits_shorten_unlimited_tier,
    credits_take_back,
)

logger = logging.getLogger(__name__)

# A provider may still confirm payment for an order we had given up on (a late bank transfer).
_PAYABLE = {OrderStatus.PENDING, OrderStatus.EXPIRED, OrderStatus.FAILED}


def order_create(*, user, product_id, finish_url: str) -> Order:
    """Create the order (pending), then ask the configured provider for its payment page.

    The order row exists before the provider call, so a notification that races the redirect finds it.
    If the provider cannot be reached the order is marked failed and nothing was charged (503).
    """
    product = Product.objects.filter(pk=product_id, active=True).first() if _is_id(product_id) else None
    if product is None:
        raise NotFound(_("This product is not on sale."), code="PRODUCT_NOT_FOUND")
    if product.tier_days and user.unlimited_pose_active and user.unlimited_pose_expires_at is None:
        # An operator's open-ended tier: days bought on top would be paid for and never used.
        raise Conflict(_("Your unlimited tier has no end date; there is nothing to buy."), code="TIER_UNLIMITED")
    provider = settings.PAYMENT_PROVIDER
    try:
        gateway = gateway_for(provider)
    except GatewayNotConfigured as exc:
        logger.error("checkout refused: %s", exc)
        raise ServiceUnavailable(_("Buying credits is not set up on this server yet. Nothing was charged."),
                                 code="PAYMENTS_NOT_CONFIGURED") from None
    order = Order.objects.create(user=user, product=product, product_name=product.name,
                                 product_name_id=product.name_id,
                                 amount_idr=product.price_idr, credits=product.credits,
                                 tier_days=product.tier_days, provider=provider)
    try:
        checkout = gateway.create_checkout(
            order=order, finish_url=finish_url.replace("{order_id}", str(order.id)))
    except GatewayError as exc:
        logger.error("checkout for order %s failed: %s", order.id, exc)
        Order.objects.filter(pk=order.pk).update(status=OrderStatus.FAILED, updated_at=timezone.now())
        raise ServiceUnavailable(_("The payment provider is not answering. Nothing was charged; please try "
                                   "again in a minute."), code="PAYMENT_PROVIDER_UNAVAILABLE") from None
    order.provider_reference = checkout.reference[:128]
    order.redirect_url = checkout.redirect_url
    order.save(update_fields=["provider_reference", "redirect_url", "updated_at"])
    logger.info("order %s created: %s IDR via %s", order.id, order.amount_idr, provider)
    return order


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31


def _find_order(*, order_id, provider: str) -> Order:
    order = Order.objects.filter(pk=order_id, provider=provider).first() if _is_uuid(order_id) else None
    if order is None:
        logger.warning("%s notification for unknown order %r refused", provider, str(order_id)[:64])
        raise NotFound(_("Unknown order."), code="ORDER_NOT_FOUND")
    return order


def _is_uuid(value) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def order_handle_midtrans_notification(*, body) -> Order:
    """A Midtrans HTTP notification: check its signature, then believe only the status API."""
    if not isinstance(body, dict):
        raise ValidationFailed(_("The notification must be a JSON object."), code="INVALID_NOTIFICATION")
    gateway = gateway_for("midtrans")
    if not gateway.signature_valid(body):
        logger.warning("midtrans notification for order %r refused: bad signature", str(body.get("order_id"))[:64])
        raise Forbidden(_("The notification signature is not valid."), code="INVALID_SIGNATURE")
    order = _find_order(order_id=body.get("order_id"), provider="midtrans")
    _check_amount(order=order, amount=body.get("gross_amount"), source="notification")
    return order_sync_with_provider(order=order)


def order_handle_xendit_callback(*, token: str | None, body) -> Order:
    """A Xendit invoice callback: check the callback token, then believe only the invoice API."""
    expected = settings.XENDIT_CALLBACK_TOKEN
    if not expected or not token or not hmac.compare_digest(expected.encode(), token.encode()):
        logger.warning("xendit callback refused: bad x-callback-token")
        raise Forbidden(_("The notification signature is not valid."), code="INVALID_SIGNATURE")
    if not isinstance(body, dict):
        raise ValidationFailed(_("The notification must be a JSON object."), code="INVALID_NOTIFICATION")
    order = _find_order(order_id=body.get("external_id"), provider="xendit")
    if str(body.get("id") or "") != order.provider_reference:
        logger.warning("xendit callback for order %s names another invoice", order.id)
        raise NotFound(_("Unknown order."), code="ORDER_NOT_FOUND")
    _check_amount(order=order, amount=body.get("amount"), source="callback")
    return order_sync_with_provider(order=order)


def _check_amount(*, order: Order, amount, source: str) -> None:
    from lumiku.billing.gateways.base import parse_amount

    value = parse_amount(amount)
    if value is None or value != order.amount_idr:
        logger.error("%s %s for order %s refused: amount %r, the order is %s IDR", order.provider, source,
                     order.id, str(amount)[:32], order.amount_idr)
        raise Conflict(_("The amount does not match the order."), code="AMOUNT_MISMATCH")


def order_sync_with_provider(*, order: Order) -> Order:
    """Ask the provider for the order's state and apply it (notifications and the admin's re-check)."""
    try:
        state = gateway_for(order.provider).fetch_state(order=order)
    except GatewayError as exc:
        logger.error("status check of order %s failed: %s", order.id, exc)
        raise ServiceUnavailable(_("The payment provider is not answering. Please retry."),
                                 code="PAYMENT_PROVIDER_UNAVAILABLE") from None
    if state.outcome == "unknown":
        logger.warning("%s does not know order %s", order.provider, order.id)
        raise NotFound(_("Unknown order."), code="ORDER_NOT_FOUND")
    if state.amount is None or state.amount != order.amount_idr:
        logger.error("%s status of order %s refused: amount %s, the order is %s IDR", order.provider, order.id,
                     state.amount, order.amount_idr)
        raise Conflict(_("The amount does not match the order."), code="AMOUNT_MISMATCH")
    return order_apply_state(order_id=order.pk, state=state)


def order_apply_state(*, order_id, state: ProviderState) -> Order:
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("user").get(pk=order_id)
        before = order.status
        order.provider_status = state.raw_status[:32]
        if state.outcome == "paid" and order.status in _PAYABLE:
            _deliver(order=order)
        elif state.outcome == "expired" and order.status == OrderStatus.PENDING:
            order.status = OrderStatus.EXPIRED
        elif state.outcome == "failed" and order.status == OrderStatus.PENDING:
            order.status = OrderStatus.FAILED
        elif state.outcome == "refunded" and order.status == OrderStatus.PAID:
            _reverse(order=order)
        elif state.outcome == "partial_refund":
            # How much of the purchase a partial refund covers is an operator's call.
            logger.warning("order %s was partially refunded at %s: no automatic reversal; record it in admin",
                           order.id, order.provider)
        order.save()
    if order.status != before:
        order_status_changed(status=order.status)
        logger.info("order %s: %s -> %s (%s says %s)", order.id, before, order.status, order.provider,
                    state.raw_status)
    return order


def _deliver(*, order: Order) -> None:
    order.status = OrderStatus.PAID
    order.paid_at = timezone.now()
    if order.credits:
        credits_purchase(user_id=order.user_id, amount=order.credits, idempotency_key=f"purchase:{order.id}",
                         reference_id=str(order.id), description=f"{order.product_name} ({order.id})")
    else:
        credits_extend_unlimited_tier(user_id=order.user_id, days=order.tier_days)
    order_id = order.pk
    transaction.on_commit(lambda: _enqueue_receipt(order_id=order_id))


def _reverse(*, order: Order) -> None:
    order.status = OrderStatus.REFUNDED
    order.refunded_at = timezone.now()
    if order.credits:
        result = credits_take_back(user_id=order.user_id, amount=order.credits,
                                   idempotency_key=f"purchase-reversal:{order.id}", reference_id=str(order.id),
                                   description=f"{order.product_name} ({order.id})")
        order.credits_reversed, order.reversal_shortfall = result.taken, result.shortfall
        if result.shortfall:
            logger.warning("order %s refunded after %s of its %s credits were spent: shortfall recorded",
                           order.id, result.shortfall, order.credits)
    else:
        credits_shorten_unlimited_tier(user_id=order.user_id, days=order.tier_days)


def order_record_refund(*, order: Order) -> Order:
    """An operator records a refund or chargeback made outside the notification flow (e.g. Xendit)."""
    if order.status != OrderStatus.PAID:
        raise Conflict(_("Only a paid order can be refunded."), code="INVALID_TRANSITION")
    return order_apply_state(order_id=order.pk, state=ProviderState(outcome="refunded", raw_status="manual_refund",
                                                                    amount=None))


def _enqueue_receipt(*, order_id) -> None:
    from lumiku.billing.tasks import order_send_receipt_task

    try:
        order_send_receipt_task.apply_async(args=[str(order_id)])
    except Exception:  # the purchase stands; the account page has the receipt
        logger.warning("could not queue the e-mail receipt of order %s", order_id, exc_info=True)


def orders_sweep_pending(*, older_than_hours: float, limit: int = 200) -> dict[str, int]:
    """Beat: ask the provider about orders still pending after their payment page has expired.

    A lost notification is recovered here (paid → credited once, as from a notification); an order the
    provider never heard of (the buyer left without choosing how to pay) becomes expired. Provider
    errors leave the order for the next sweep.
    """
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    outcomes: dict[str, int] = {}
    for order in Order.objects.filter(status=OrderStatus.PENDING, created_at__lt=cutoff).order_by("created_at")[:limit]:
        try:
            result = order_sync_with_provider(order=order).status
        except NotFound:
            result = order_apply_state(order_id=order.pk, state=ProviderState(
                outcome="expired", raw_status="not_found", amount=None)).status
        except DomainError as exc:
            logger.warning("sweep could not settle order %s: %s", order.id, exc.code)
            result = "error"
        outcomes[result] = outcomes.get(result, 0) + 1
    return outcomes
