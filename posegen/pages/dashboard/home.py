"""The signed-in home: balance and totals, latest projects and generations, and 30 days of activity."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from lumiku.credits.selectors import credits_balance, credits_spent_total, credits_unlimited_tier
from posegen.models.choices import GenerationStatus
from posegen.pages.dashboard.chart import bar_chart
from posegen.selectors.activity import (
    ACTIVITY_DAYS,
    activity_credits_per_day,
    activity_poses_per_day,
    generation_recent,
)
from posegen.selectors.projects import project_list
from posegen.selectors.stats import user_stats

LATEST_PROJECTS = 4
RECENT_GENERATIONS = 6

# Generation status → badge modifier from the design system.
STATUS_BADGES = {
    GenerationStatus.PENDING: "badge-brand",
    GenerationStatus.PROCESSING: "badge-brand",
    GenerationStatus.COMPLETED: "badge-ok",
    GenerationStatus.PARTIAL: "badge-warn",
    GenerationStatus.FAILED: "badge-danger",
    GenerationStatus.CANCELLED: "",
}


@login_required
def dashboard(request):
    user = request.user
    poses = activity_poses_per_day(user=user)
    spent = activity_credits_per_day(user=user)
    recent = list(generation_recent(user=user, limit=RECENT_GENERATIONS))
    for generation in recent:
        generation.badge = STATUS_BADGES.get(generation.status, "")
    stats = user_stats(user=user)
    return render(request, "pages/dashboard/dashboard.html", {
        # A new account is welcomed and shown the way to its first photos, not empty charts.
        "first_run": not stats.get("totalGenerations"),
        "balance": credits_balance(user_id=user.pk),
        # The tile and the chart say the same thing: ledger charges minus refunds, every feature.
        "spent_total": credits_spent_total(user_id=user.pk),
        "spent_30_days": sum(day.value for day in spent),
        "stats": stats,
        "tier": credits_unlimited_tier(user=user),
        "projects": list(project_list(user=user)[:LATEST_PROJECTS]),
        "recent": recent,
        "days": ACTIVITY_DAYS,
        "activity": list(zip(poses, spent, strict=True)),
        "poses_chart": bar_chart(series=poses),
        "credits_chart": bar_chart(series=spent),
    })
