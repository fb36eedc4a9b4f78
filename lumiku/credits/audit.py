"""Invariant checks over the whole database, for operators and the chaos tests.

Every check is one aggregate query; each returns the offending rows (empty when all is well).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
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


def audit_generations() -> list[str]:
    from posegen.models import PoseGeneration
    from posegen.models.choices import ACTIVE_GENERATION_STATUSES, PaymentMethod
    from posegen.services.pricing import generation_image_price

    problems = []
    # reference_id is text (it names rows of any model), so the per-generation sums are joined here.
    ledger = dict(
        LedgerEntry.objects.filter(reference_type="pose_generation").values("reference_id")
        .annotate(total=Sum("amount")).values_list("reference_id", "total")
    )
    generations = PoseGeneration.objects.filter(payment_method=PaymentMethod.CREDITS).only(
        "id", "status", "credit_charged", "credit_refunded", "poses_completed", "total_expected_poses")
    for g in generations.iterator(chunk_size=500):
        net = g.credit_charged - g.credit_refunded
        paid = -ledger.get(str(g.pk), 0)
        if paid != net:
            problems.append(f"generation {g.pk}: ledger net {paid} != charged {g.credit_charged} - "
                            f"refunded {g.credit_refunded}")
        if g.status not in ACTIVE_GENERATION_STATUSES:
            delivered = g.poses_completed * generation_image_price(generation=g)
            if net != delivered:
                problems.append(f"generation {g.pk} ({g.status}): paid {net} != {g.poses_completed} delivered "
                                f"image(s) worth {delivered}")
    return problems


def audit_votes() -> list[str]:
    from requests_community.models import PoseRequest

    rows = PoseRequest.objects.annotate(rows=Count("votes")).exclude(votes_count=F("rows"))
    return [f"pose request {r.pk}: votesCount {r.votes_count} != {r.rows} vote rows" for r in rows]


def audit_categories() -> list[str]:
    from posegen.models import PoseCategory

    rows = PoseCategory.objects.annotate(rows=Count("poses", filter=Q(poses__isnull=False))).exclude(
        pose_count=F("rows"))
    return [f"category {c.slug}: poseCount {c.pose_count} != {c.rows} poses" for c in rows]


def audit_orders() -> list[str]:
    from lumiku.billing.audit import audit_orders as check

    return check()


CHECKS = {
    "wallets": audit_wallets,
    "orders": audit_orders,
    "generations": audit_generations,
    "votes": audit_votes,
    "categories": audit_categories,
}


def audit_all() -> AuditReport:
    return AuditReport(problems={name: check() for name, check in CHECKS.items()})
