"""Reads for community pose requests.

Visibility: a user sees all of their own requests, and other people's requests while they are public
(open or completed) or merged into another one (the page points at the request that stayed); someone
else's rejected request is otherwise a 404. Moderators see everything through the
`request_admin_*` selectors. Every list has a total order (ties broken by id) so pages never overlap.
"""

from __future__ import annotations

from django.db.models import BooleanField as BooleanValue
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value

from lumiku.core.errors import NotFound
from requests_community.models import (
    OPEN_STATUSES,
    PoseRequest,
    PoseRequestTransition,
    PoseRequestVote,
    RequestStatus,
)
from requests_community.naming import name_similarity, name_tokens, normalize_pose_name

PUBLIC_STATUSES: tuple[str, ...] = (*OPEN_STATUSES, RequestStatus.COMPLETED)
BOARD_SORTS = {
    "votes": ("-votes_count", "-created_at", "-id"),
    "newest": ("-created_at", "-id"),
    "updated": ("-updated_at", "-id"),
}


def _base() -> QuerySet[PoseRequest]:
    return PoseRequest.objects.select_related("category", "completed_pose")


def request_with_viewer(queryset: QuerySet[PoseRequest], *, viewer) -> QuerySet[PoseRequest]:
    """Annotate `has_voted` for the viewer (False for anonymous viewers)."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return queryset.annotate(has_voted=Value(False, output_field=BooleanValue()))
    return queryset.annotate(
        has_voted=Exists(PoseRequestVote.objects.filter(request=OuterRef("pk"), user=viewer))
    )


def _visible_to(viewer) -> Q:
    return Q(user=viewer) | Q(status__in=PUBLIC_STATUSES) | Q(duplicate_of__isnull=False)


def request_is_visible(*, viewer, request: PoseRequest) -> bool:
    return (request.user_id == viewer.pk or request.status in PUBLIC_STATUSES
            or request.duplicate_of_id is not None)


# --- Users --------------------------------------------------------------------------------------------


def request_list_for_user(*, user, status: str | None = None) -> QuerySet[PoseRequest]:
    qs = _base().filter(user=user)
    if status:
        qs = qs.filter(status=status)
    return request_with_viewer(qs, viewer=user).order_by("-created_at", "-id")


def request_board(*, viewer, status: str | None = None, category_id=None, search: str | None = None,
                  sort: str = "votes") -> QuerySet[PoseRequest]:
    """Everyone's requests: open ones by default, or one public status; by name, category and sort."""
    qs = _base().filter(status=status) if status else _base().filter(status__in=OPEN_STATUSES)
    qs = qs.filter(status__in=PUBLIC_STATUSES)
    if category_id:
        qs = qs.filter(category_id=category_id)
    if search and search.strip():
        normalized = normalize_pose_name(search)
        qs = qs.filter(Q(pose_name__icontains=search.strip()) | Q(normalized_name__contains=normalized))
    return request_with_viewer(qs, viewer=viewer).order_by(*BOARD_SORTS.get(sort, BOARD_SORTS["votes"]))


def request_popular(*, viewer, limit: int) -> list[PoseRequest]:
    """The most voted open requests (ties: the older first)."""
    qs = _base().filter(status__in=OPEN_STATUSES)
    return list(request_with_viewer(qs, viewer=viewer).order_by("-votes_count", "created_at", "id")[:limit])


def request_voted(*, user) -> QuerySet[PoseRequest]:
    """The requests the user has voted on, most recent vote first."""
    qs = _base().filter(votes__user=user).order_by("-votes__created_at", "-id")
    return request_with_viewer(qs, viewer=user)


def request_get_visible(*, viewer, request_id) -> PoseRequest:
    request = request_with_viewer(_base().filter(_visible_to(viewer), pk=request_id), viewer=viewer).first()
    if request is None:
        raise NotFound("Pose request not found.", code="REQUEST_NOT_FOUND")
    return request


def request_get_own(*, user, request_id) -> PoseRequest:
    request = request_with_viewer(_base().filter(user=user, pk=request_id), viewer=user).first()
    if request is None:
        raise NotFound("Pose request not found.", code="REQUEST_NOT_FOUND")
    return request


def request_similar(*, pose_name: str, viewer=None, exclude_user=None, exclude_id=None, limit: int = 5,
                    min_score: float = 0.5) -> list[PoseRequest]:
    """Open requests whose name resembles `pose_name` (most similar, then most voted, first)."""
    normalized = normalize_pose_name(pose_name)
    if not normalized:
        return []
    match = Q(normalized_name=normalized) | Q(normalized_name__contains=normalized)
    for token in sorted(name_tokens(normalized), key=len, reverse=True)[:8]:
        match |= Q(normalized_name__contains=token)
    qs = _base().filter(match, status__in=OPEN_STATUSES)
    if exclude_user is not None:
        qs = qs.exclude(user=exclude_user)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    candidates = list(request_with_viewer(qs, viewer=viewer).order_by("-votes_count", "-created_at")[:200])
    scored = [(name_similarity(normalized, c.normalized_name), c) for c in candidates]
    scored = [(s, c) for s, c in scored if s >= min_score]
    scored.sort(key=lambda sc: (-sc[0], -sc[1].votes_count, -sc[1].created_at.timestamp()))
    return [c for _, c in scored[:limit]]


# --- Moderators ---------------------------------------------------------------------------------------


def request_admin_list(*, viewer, status: str | None = None, category_id=None, user_id=None
                       ) -> QuerySet[PoseRequest]:
    qs = _base().select_related("user")
    if status:
        qs = qs.filter(status=status)
    if category_id:
        qs = qs.filter(category_id=category_id)
    if user_id:
        qs = qs.filter(user_id=user_id)
    return request_with_viewer(qs, viewer=viewer).order_by("-votes_count", "-created_at", "-id")


def request_admin_get(*, viewer, request_id) -> PoseRequest:
    request = request_with_viewer(_base().select_related("user", "duplicate_of").filter(pk=request_id),
                                  viewer=viewer).first()
    if request is None:
        raise NotFound("Pose request not found.", code="REQUEST_NOT_FOUND")
    return request


def request_transitions(*, request_id) -> list[PoseRequestTransition]:
    return list(PoseRequestTransition.objects.filter(request_id=request_id).select_related("actor"))


def request_stats() -> dict[str, int]:
    counts = dict(PoseRequest.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    stats = {status: counts.get(status, 0) for status in RequestStatus.values}
    return {"total": sum(stats.values()), **stats}
