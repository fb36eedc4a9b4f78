"""Scrape-time gauges of the community requests (spec 003 §11, "popular request categories"), read from
the database when /metrics is scraped, so every process reports the same complete numbers."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Q, Sum
from prometheus_client.core import GaugeMetricFamily

from requests_community.models import OPEN_STATUSES, PoseRequest


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
