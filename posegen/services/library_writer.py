"""The library's one writer: every change to *what the library lists* — a pose added (a community
request's pose), poses hidden or shown again (moderators), an admin edit or delete — goes through here.

Each write keeps ``PoseCategory.pose_count`` right and bumps the library cache (posegen/library_cache.py)
**after commit**: a bump inside the transaction would let a reader re-cache the old list under the new
cache generation before the change is visible, and the list would then stay stale for its whole fresh
window. Bumping on commit, before the transaction's other on-commit work (the requester's notification
is sent after the pose is created, so after this), means whoever is told "your pose is in the library"
finds it listed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F

from posegen.library_cache import library_cache_bump
from posegen.models import PoseCategory, PoseLibrary


def _bump_after_commit() -> None:
    transaction.on_commit(library_cache_bump)


def _move_counts(counts: Counter, *, sign: int) -> None:
    for category_id, n in counts.items():
        if category_id is not None and n:
            PoseCategory.objects.filter(pk=category_id).update(pose_count=F("pose_count") + sign * n)


def library_pose_add(*, name: str, category: PoseCategory, description: str = "", keypoints: list,
                     openpose_json: dict[str, Any], pose_structure: dict[str, Any], source_type: str,
                     source_credit: str = "", files: dict[str, str], is_public: bool = True) -> PoseLibrary:
    """Create a library pose from stored pictures (``files``: field name → storage name), count it in its
    category and make it listed as soon as the caller's transaction commits."""
    with transaction.atomic():
        pose = PoseLibrary.objects.create(
            name=name, description=description, category=category, keypoints=keypoints,
            openpose_json=openpose_json, pose_structure=pose_structure, source_type=source_type,
            source_credit=source_credit, is_public=is_public, **files,
        )
        if is_public:
            _move_counts(Counter({category.pk: 1}), sign=1)
        _bump_after_commit()
    return pose


def library_poses_visibility_set(*, pose_ids: Iterable, is_public: bool) -> int:
    """Hide poses from the library (or show them again); a hidden pose is no longer featured. Returns how
    many poses changed. Generations that used a hidden pose keep it: nothing is deleted."""
    with transaction.atomic():
        changing = PoseLibrary.objects.select_for_update().filter(pk__in=list(pose_ids)).exclude(is_public=is_public)
        counts = Counter(changing.values_list("category_id", flat=True))
        changes: dict[str, Any] = {"is_public": is_public} if is_public else {"is_public": False, "is_featured": False}
        changed = PoseLibrary.objects.filter(pk__in=[*changing.values_list("pk", flat=True)]).update(**changes)
        _move_counts(counts, sign=1 if is_public else -1)
        _bump_after_commit()
    return changed


def library_pose_admin_save(*, pose: PoseLibrary, was: tuple[Any, bool] | None) -> None:
    """An admin form's save: ``was`` is the pose's (category id, is_public) before the edit (None when
    added), so the category counts follow a move, a hide or a show."""
    with transaction.atomic():
        pose.save()
        before = Counter({was[0]: 1}) if was and was[1] else Counter()
        after = Counter({pose.category_id: 1}) if pose.is_public else Counter()
        _move_counts(before - after, sign=-1)
        _move_counts(after - before, sign=1)
        _bump_after_commit()


def library_poses_delete(*, pose_ids: Iterable) -> int:
    """An admin's delete (poses no generation used: the foreign keys protect the others)."""
    with transaction.atomic():
        rows = list(PoseLibrary.objects.select_for_update().filter(pk__in=list(pose_ids))
                    .values_list("pk", "category_id", "is_public"))
        PoseLibrary.objects.filter(pk__in=[pk for pk, _, _ in rows]).delete()
        _move_counts(Counter(category for _, category, public in rows if public), sign=-1)
        _bump_after_commit()
    return len(rows)
