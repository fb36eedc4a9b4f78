"""The community requests' metrics: moderators' decisions (counted on commit), and scrape-time gauges
(the pending queue; spec 003 §11's "popular request categories") read from the database when /metrics is
scraped, so every process reports the same complete numbers. The gauges are registered with the platform's
/metrics in RequestsCommunityConfig.ready()."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import transaction
from django.db.models import Count, Q, Sum
from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily

from requests_community.models import OPEN_STATUSES, PoseRequest, RequestStatus
from requests_community.selectors import request_stats

POSE_REQUEST_DECISIONS = Counter("lumiku_pose_request_decisions_total",
                                 "Moderator decisions on community pose requests (approved, rejected).", ["decision"])


def pose_request_decided(*, decision: str) -> None:
    """Counted once the decision is committed (a rollback counts nothing)."""
    transaction.on_commit(lambda: POSE_REQUEST_DECISIONS.labels(decision=str(decision)).inc())


def request_pending_metrics() -> Iterator[GaugeMetricFamily]:
    pending = GaugeMetricFamily("lumiku_pose_requests_pending",
                                "Community pose requests waiting for a moderator (status pending).")
    pending.add_metric([], request_stats()[RequestStatus.PENDING])
    yield pending


def request_category_metrics() -> Iterator[GaugeMetricFamily]:
    requests = GaugeMetricFamily("lumiku_pose_requests_by_category",
                                 "Community pose requests ever submitted, per library category.", labels=["category"])
    votes = GaugeMetricFamily("lumiku_pose_request_votes_by_category",
                              "Votes on the open community pose requests, per library category.", labels=["category"])
    rows = (PoseRequest.objects.values("category__slug")
            .annotate(n=Count("id"), votes=Sum("votes_count", filter=Q(status__in=OPEN_STATUSES)))
            .order_by("category__slug"))
    for row in rows:
        label = row["category__slug"] or "none"
        requests.add_metric([label], row["n"])
        votes.add_metric([label], row["votes"] or 0)
    yield requests
    yield votes
