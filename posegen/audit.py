"""The Pose Generator's invariant checks, run by `audit_credits` with the platform's (registered in
PosegenConfig.ready()). Each is one aggregate query and returns the offending rows (empty when all is well)."""

from __future__ import annotations

from django.db.models import Count, F, Q, Sum

from lumiku.credits.models import LedgerEntry
from posegen.models import PoseCategory, PoseGeneration
from posegen.models.choices import ACTIVE_GENERATION_STATUSES, PaymentMethod
from posegen.selectors.generations import generation_image_price


def audit_generations() -> list[str]:
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


def audit_categories() -> list[str]:
    rows = PoseCategory.objects.annotate(rows=Count("poses", filter=Q(poses__isnull=False))).exclude(
        pose_count=F("rows"))
    return [f"category {c.slug}: poseCount {c.pose_count} != {c.rows} poses" for c in rows]
