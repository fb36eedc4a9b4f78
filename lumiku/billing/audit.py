"""Every order agrees with the ledger: a paid order has exactly its credits (`purchase:<id>`), a refunded
one its credits less what was taken back, and no other order has moved any credits."""

from __future__ import annotations

from django.db.models import Sum

from lumiku.billing.models import Order, OrderStatus
from lumiku.credits.models import LedgerEntry


def audit_orders() -> list[str]:
    ledger = dict(
        LedgerEntry.objects.filter(reference_type="credit_order").values("reference_id")
        .annotate(total=Sum("amount")).values_list("reference_id", "total")
    )
    problems = []
    for order in Order.objects.only("id", "status", "credits", "credits_reversed", "reversal_shortfall",
                                    "paid_at").iterator(chunk_size=500):
        net = ledger.pop(str(order.pk), 0)
        if order.status == OrderStatus.PAID:
            expected = order.credits
        elif order.status == OrderStatus.REFUNDED:
            expected = order.credits - order.credits_reversed
            if order.credits and order.credits_reversed + order.reversal_shortfall != order.credits:
                problems.append(f"order {order.pk}: reversed {order.credits_reversed} + shortfall "
                                f"{order.reversal_shortfall} != {order.credits} credits")
        else:
            expected = 0
        if net != expected:
            problems.append(f"order {order.pk} ({order.status}): ledger {net} != {expected} credits")
    problems += [f"ledger entries for missing order {ref}: {total}" for ref, total in ledger.items()]
    return problems
