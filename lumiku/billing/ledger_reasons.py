"""How the credit history says a purchase's rows (``credit_order``): "<product name> (<order id>)", written
in English by the services, is said with the product's Indonesian name to a reader of Bahasa Indonesia.

Registered from BillingConfig.ready(). Each Indonesian row reads its order (by primary key): purchases are
a few rows of a user's history, and an English reader costs no query.
"""

from __future__ import annotations

import re

from lumiku.billing.models import Order
from lumiku.core.languages import reader_language
from lumiku.credits.reasons import ledger_reason_register

_PURCHASE = re.compile(r"^(?P<name>.+) \((?P<order>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\)$")


def purchase_reason(kind: str, text: str) -> str | None:
    found = _PURCHASE.match(text)
    if found is None or reader_language() != "id":
        return None
    name_id = Order.objects.filter(pk=found["order"], product_name=found["name"]).values_list(
        "product_name_id", flat=True).first()
    return f"{name_id} ({found['order']})" if name_id else None


ledger_reason_register(reference_type="credit_order", render=purchase_reason)
