"""The spec's getUserStats, aggregated in the database (a few queries, no Python loops over rows)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from lumiku.credits.selectors import credits_spend_entries
from posegen.models import GeneratedPose, PoseGeneration, PoseGeneratorProject
from posegen.models.choices import LedgerReference, PoseStatus, ProjectStatus


def user_stats(*, user) -> dict:
    now = timezone.now()
    generations = PoseGeneration.objects.filter(user=user).aggregate(
        total_poses=Coalesce(Sum("poses_completed"), 0),
        total_generations=Count("id"),
        last_7_days=Count("id", filter=Q(created_at__gte=now - timedelta(days=7))),
    )
    # Generation spend only (the spec's getUserStats): its charges less its refunds.
    spend = credits_spend_entries(user_id=user.pk, reference_type=LedgerReference.GENERATION).aggregate(
        net=Coalesce(Sum("amount"), 0),
        net_30=Coalesce(Sum("amount", filter=Q(created_at__gte=now - timedelta(days=30))), 0),
    )
    total_spent = -spend["net"]
    top = (
        GeneratedPose.objects.filter(generation__user=user, status=PoseStatus.COMPLETED, pose_library__isnull=False)
        .values("pose_library_id", "pose_library__name")
        .annotate(uses=Count("id"))
        .order_by("-uses", "pose_library__name")[:5]
    )
    return {
        "totalPosesGenerated": generations["total_poses"],
        "totalGenerations": generations["total_generations"],
        "activeProjects": PoseGeneratorProject.objects.filter(user=user, status=ProjectStatus.ACTIVE).count(),
        "recentGenerations": generations["last_7_days"],
        "credits": {
            "totalSpent": total_spent,
            "last30Days": -spend["net_30"],
            "averagePerGeneration": round(total_spent / generations["total_generations"], 1)
            if generations["total_generations"] else 0,
        },
        "topPoses": [{"poseId": str(row["pose_library_id"]), "name": row["pose_library__name"], "count": row["uses"]}
                     for row in top],
    }
