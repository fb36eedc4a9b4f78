"""The library's one writer (issue 17): a pose from a community request, a hide, a show, an admin edit or
delete change what the library lists at once — the cached list pages are bumped on commit, before the
requester's notification goes out — and the category counts follow."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from lumiku.core import realtime
from posegen.models import PoseCategory, PoseLibrary
from posegen.services.library import library_pose_admin_save, library_poses_delete, library_poses_visibility_set
from requests_community.services import library as request_library
from requests_community.services.library import pose_request_create_library_pose
from tests.factories import CategoryFactory, library_pose
from tests.images import image_bytes
from tests.requests_community.test_library import _fake_assets, _request_with_photo

LIST = "/api/apps/pose-generator/library"


def _listed() -> list[str]:
    response = APIClient().get(LIST, {"limit": 100})
    assert response.status_code == 200
    return [pose["name"] for pose in response.json()["poses"]]


@pytest.mark.django_db
def test_a_pose_created_from_a_request_is_listed_before_the_requester_is_told(
        monkeypatch, django_capture_on_commit_callbacks):
    from tests.requests_community.factories import ModeratorFactory

    monkeypatch.setattr(request_library, "library_pictures_from_photo", lambda **kw: _fake_assets())
    category = CategoryFactory()
    library_pose(name="Already there", category=category)
    assert _listed() == ["Already there"]  # the list page is now cached
    assert _listed() == ["Already there"]
    seen_when_told = []

    def send_now(*, user_id, event):
        if event["type"] == "request.status_changed" and event["toStatus"] == "completed":
            seen_when_told.append(_listed())

    monkeypatch.setattr(realtime, "_send_now", send_now)
    request = _request_with_photo(image_bytes(fmt="JPEG"), status="approved")
    with django_capture_on_commit_callbacks(execute=True):
        pose_request_create_library_pose(request_id=request.pk, actor=ModeratorFactory(), name="Community lean",
                                         category_id=category.pk)
    assert [set(names) for names in seen_when_told] == [{"Already there", "Community lean"}]
    assert set(_listed()) == {"Already there", "Community lean"}
    assert PoseCategory.objects.get(pk=category.pk).pose_count == 2


def _stored_cache_version() -> int:
    from posegen import library_cache

    raw = library_cache.library_cache_get_bytes(library_cache._VERSION_KEY)
    return int(raw) if raw else 0


@pytest.mark.django_db
def test_a_pose_from_a_request_bumps_the_library_cache_version_once_after_commit(
        monkeypatch, django_capture_on_commit_callbacks):
    """requests_community creates the pose through posegen's writer, so the cache generation moves by
    exactly one, and only when the transaction commits (not while it is still open)."""
    from tests.requests_community.factories import ModeratorFactory

    monkeypatch.setattr(request_library, "library_pictures_from_photo", lambda **kw: _fake_assets())
    request = _request_with_photo(image_bytes(fmt="JPEG"), status="approved")
    category = CategoryFactory()
    before = _stored_cache_version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pose = pose_request_create_library_pose(request_id=request.pk, actor=ModeratorFactory(), name="Lean",
                                                category_id=category.pk)
    assert _stored_cache_version() == before
    for callback in callbacks:
        callback()
    assert _stored_cache_version() == before + 1
    assert PoseLibrary.objects.get(pk=pose.pk).category_id == category.pk
    assert PoseCategory.objects.get(pk=category.pk).pose_count == 1


@pytest.mark.django_db
def test_hiding_and_showing_poses_changes_the_list_at_once(django_capture_on_commit_callbacks):
    category = CategoryFactory()
    keep, hide = library_pose(name="Keep", category=category), library_pose(name="Hide", category=category)
    PoseLibrary.objects.filter(pk=hide.pk).update(is_featured=True)
    assert set(_listed()) == {"Keep", "Hide"}
    with django_capture_on_commit_callbacks(execute=True):
        assert library_poses_visibility_set(pose_ids=[hide.pk, keep.pk], is_public=False) == 2
    assert _listed() == []
    assert PoseCategory.objects.get(pk=category.pk).pose_count == 0
    assert PoseLibrary.objects.get(pk=hide.pk).is_featured is False
    with django_capture_on_commit_callbacks(execute=True):
        assert library_poses_visibility_set(pose_ids=[hide.pk], is_public=True) == 1
        assert library_poses_visibility_set(pose_ids=[hide.pk], is_public=True) == 0  # already shown: no change
    assert _listed() == ["Hide"]
    assert PoseCategory.objects.get(pk=category.pk).pose_count == 1


@pytest.mark.django_db
def test_admin_edits_and_deletes_keep_counts_and_the_list(django_capture_on_commit_callbacks):
    first, second = CategoryFactory(), CategoryFactory()
    pose = library_pose(name="Mover", category=first)
    assert _listed() == ["Mover"]
    pose.category, pose.name = second, "Moved"
    with django_capture_on_commit_callbacks(execute=True):
        library_pose_admin_save(pose=pose, was=(first.pk, True))
    assert _listed() == ["Moved"]
    assert [PoseCategory.objects.get(pk=c.pk).pose_count for c in (first, second)] == [0, 1]
    with django_capture_on_commit_callbacks(execute=True):
        assert library_poses_delete(pose_ids=[pose.pk]) == 1
    assert _listed() == []
    assert PoseCategory.objects.get(pk=second.pk).pose_count == 0


@pytest.mark.django_db
def test_the_admin_hide_action_goes_through_the_writer(admin_client, django_capture_on_commit_callbacks):
    category = CategoryFactory()
    pose = library_pose(name="Admin hides me", category=category)
    assert _listed() == ["Admin hides me"]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/posegen/poselibrary/", {"action": "hide_from_library",
                                                                     "_selected_action": [str(pose.pk)]})
    assert response.status_code == 302
    assert _listed() == []
    assert PoseCategory.objects.get(pk=category.pk).pose_count == 0
