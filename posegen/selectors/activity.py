"""The dashboard's activity: what a user generated and spent per day, and their latest generations.

Days are calendar days in the site's time zone (TIME_ZONE), so "today" matches the user's clock; each
series is one grouped query, and days without activity are filled in as zeros.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from lumiku.credits.selectors import credits_spend_entries
from posegen.models import GeneratedPose, PoseGeneration
from posegen.models.choices import PoseStatus

ACTIVITY_DAYS = 30


@dataclass(frozen=True)
class DailyValue:
    day: date
    value: int


def _window(*, days: int, today: date | None) -> tuple[list[date], datetime]:
    tz = timezone.get_current_timezone()
    last = today or timezone.localdate()
    first = last - timedelta(days=days - 1)
    return [first + timedelta(days=i) for i in range(days)], datetime.combine(first, time.min, tzinfo=tz)


def _fill(*, days: list[date], rows: dict[date, int]) -> list[DailyValue]:
    return [DailyValue(day=d, value=rows.get(d, 0)) for d in days]


def activity_poses_per_day(*, user, days: int = ACTIVITY_DAYS, today: date | None = None) -> list[DailyValue]:
    """Images finished per day (completed poses, by the day they completed), oldest day first."""
    window, since = _window(days=days, today=today)
    rows = (
        GeneratedPose.objects.filter(generation__user=user, status=PoseStatus.COMPLETED, completed_at__gte=since)
        .annotate(day=TruncDate("completed_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    return _fill(days=window, rows=dict(rows))


def activity_credits_per_day(*, user, days: int = ACTIVITY_DAYS, today: date | None = None) -> list[DailyValue]:
    """Credits spent per day: that day's charges less that day's refunds (every feature; grants excluded).
    A day whose refunds exceed its charges reads negative, so the series always sums to the net spend."""
    window, since = _window(days=days, today=today)
    rows = (
        credits_spend_entries(user_id=user.pk).filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(net=Sum("amount"))
        .values_list("day", "net")
    )
    return _fill(days=window, rows={day: -net for day, net in rows})


def generation_recent(*, user, limit: int = 5) -> QuerySet[PoseGeneration]:
    """The user's latest generations with their project, newest first."""
    return PoseGeneration.objects.filter(user=user).select_related("project").order_by("-created_at", "-id")[:limit]
