"""Favourites and usage counts of library poses: a view of a public pose counts one use, a favourite is a
``PoseFavorite`` row.

``popularity_score`` is ``usage_count + favorite_count`` (a database check constraint), so every change
moves both columns in one ``UPDATE ... SET x = x + 1`` with ``F()``: concurrent views and favourites never
lose an increment and the constraint always holds. A favourite is unique per user and pose; the count moves
only when a row was really inserted or deleted, so repeating a POST or DELETE changes nothing. These
counters do not change what the library lists, so they do not bump the library cache (list pages show them
up to the cache's fresh window late; the detail and favourite responses are exact).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from lumiku.core.errors import NotFound
from posegen.models import PoseLibrary
from posegen.models.library import PoseFavorite
from posegen.selectors.library import library_favorite_ids, library_pose_get


@dataclass(frozen=True)
class FavoriteState:
    pose_id: Any
    is_favorite: bool
    favorite_count: int
    popularity_score: int
    changed: bool


def library_pose_record_use(*, pose_id) -> None:
    """Count one use (a detail view) of a public pose: usage_count and popularity_score + 1."""
    updated = PoseLibrary.objects.filter(pk=pose_id, is_public=True).update(
        usage_count=F("usage_count") + 1, popularity_score=F("popularity_score") + 1
    )
    if not updated:
        raise NotFound(_("Pose not found."), code="POSE_NOT_FOUND")


def library_pose_open(*, pose_id, user=None) -> tuple[dict[str, Any], bool]:
    """A public pose's detail row, counting the view as a use; and whether the user favourited it."""
    library_pose_record_use(pose_id=pose_id)
    row = library_pose_get(pose_id=pose_id)
    return row, bool(library_favorite_ids(user=user, pose_ids=[row["id"]]))


def _state(*, pose_id, is_favorite: bool, changed: bool) -> FavoriteState:
    favorite_count, popularity = PoseLibrary.objects.filter(pk=pose_id).values_list(
        "favorite_count", "popularity_score").get()
    return FavoriteState(pose_id, is_favorite, favorite_count, popularity, changed)


def library_pose_favorite(*, user, pose_id) -> FavoriteState:
    """Add a public pose to the user's favourites (idempotent)."""
    if not PoseLibrary.objects.filter(pk=pose_id, is_public=True).exists():
        raise NotFound(_("Pose not found."), code="POSE_NOT_FOUND")
    with transaction.atomic():
        try:
            with transaction.atomic():
                PoseFavorite.objects.create(user=user, pose_id=pose_id)
            created = True
        except IntegrityError:
            created = False  # already a favourite (or a concurrent request just made it one)
        if created:
            PoseLibrary.objects.filter(pk=pose_id).update(
                favorite_count=F("favorite_count") + 1, popularity_score=F("popularity_score") + 1
            )
        return _state(pose_id=pose_id, is_favorite=True, changed=created)


def library_pose_unfavorite(*, user, pose_id) -> FavoriteState:
    """Remove a pose from the user's favourites (idempotent; works for hidden poses too)."""
    if not PoseLibrary.objects.filter(pk=pose_id).exists():
        raise NotFound(_("Pose not found."), code="POSE_NOT_FOUND")
    with transaction.atomic():
        deleted, _per_model = PoseFavorite.objects.filter(user=user, pose_id=pose_id).delete()
        if deleted:
            PoseLibrary.objects.filter(pk=pose_id, favorite_count__gt=0).update(
                favorite_count=F("favorite_count") - 1, popularity_score=F("popularity_score") - 1
            )
        return _state(pose_id=pose_id, is_favorite=False, changed=bool(deleted))
