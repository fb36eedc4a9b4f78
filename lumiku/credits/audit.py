"""Invariant checks over the whole database, for operators and the chaos tests.

Every check is one aggregate query; each returns the offending rows (empty when all is well). The
platform's own checks are here; each product registers its own (audit_check_register).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from lumiku.credits.models import LedgerEntry, Wallet


@dataclass
class AuditReport:
    problems: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(self.problems.values())


def audit_wallets() -> list[str]:
    ledger_sum = Subquery(
        LedgerEntry.objects.filter(wallet=OuterRef("pk")).values("wallet").annotate(total=Sum("amount"))
        .values("total")[:1],
        output_field=IntegerField(),
    )
    rows = Wallet.objects.annotate(ledger=Coalesce(ledger_sum, Value(0))).exclude(balance=F("ledger"))
    return [f"wallet {w.pk}: balance {w.balance} != ledger sum {w.ledger}" for w in rows]


def audit_orders() -> list[str]:
    from lumiku.billing.audit import audit_orders as check

    return check()


CHECKS: dict[str, Callable[[], list[str]]] = {
    "wallets": audit_wallets,
    "orders": audit_orders,
}


def audit_check_register(*, name: str, check: Callable[[], list[str]]) -> None:
    """Add an app's check (called from its AppConfig.ready()): the platform never imports a product."""
    if name in CHECKS and CHECKS[name] is not check:
        raise ValueError(f"audit check {name!r} is registered twice")
    CHECKS[name] = check


def audit_all() -> AuditReport:
    return AuditReport(problems={name: check() for name, check in CHECKS.items()})
