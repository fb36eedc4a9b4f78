"""Community pose requests' invariant check, run by `audit_credits` (registered in RequestsCommunityConfig.ready())."""

from __future__ import annotations

from django.db.models import Count, F

from requests_community.models import PoseRequest


def audit_votes() -> list[str]:
    rows = PoseRequest.objects.annotate(rows=Count("votes")).exclude(votes_count=F("rows"))
    return [f"pose request {r.pk}: votesCount {r.votes_count} != {r.rows} vote rows" for r in rows]
