"""The state machine: every allowed move, every refused move, the exact moderation log."""

import pytest

from lumiku.core.errors import InvalidTransition, NotFound, ValidationFailed
from lumiku.notifications.models import Notification
from requests_community.models import PoseRequest, PoseRequestTransition, PoseRequestVote
from requests_community.services.moderation import (
    TRANSITIONS,
    pose_request_approve,
    pose_request_bulk_transition,
    pose_request_complete,
    pose_request_merge,
    pose_request_notes_update,
    pose_request_reject,
    pose_request_start,
    pose_request_transition,
)
from tests.factories import PoseFactory, UserFactory
from tests.requests_community.factories import PoseRequestFactory, VoteFactory

pytestmark = pytest.mark.django_db

STATUSES = ["pending", "approved", "in_progress", "completed", "rejected"]
ALLOWED = {
    ("pending", "approved"), ("pending", "rejected"),
    ("approved", "in_progress"), ("approved", "rejected"),
    ("in_progress", "completed"), ("in_progress", "rejected"),
}


def _request_in(status):
    pose = PoseFactory() if status == "completed" else None
    return PoseRequestFactory(status=status, completed_pose=pose)


def _move(request, to_status, actor, pose=None):
    return pose_request_transition(
        request_id=request.pk, actor=actor, to_status=to_status,
        notes="Because." if to_status == "rejected" else None,
        completed_pose_id=(pose or PoseFactory()).pk if to_status == "completed" else None,
    )


def test_the_table_is_exactly_the_spec():
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED


@pytest.mark.parametrize(("from_status", "to_status"), sorted(ALLOWED))
def test_allowed_transition_changes_status_and_logs_one_row(moderator, published, from_status, to_status):
    request = _request_in(from_status)
    result = _move(request, to_status, moderator)
    request.refresh_from_db()
    assert result.status == request.status == to_status
    log = list(PoseRequestTransition.objects.filter(request=request).values_list(
        "actor_id", "from_status", "to_status", "notes"))
    assert log == [(moderator.pk, from_status, to_status, "Because." if to_status == "rejected" else "")]
    assert Notification.objects.filter(user=request.user).count() == 1
    assert len(published) == 1


@pytest.mark.parametrize(("from_status", "to_status"),
                         [(a, b) for a in STATUSES for b in STATUSES if (a, b) not in ALLOWED])
def test_refused_transition_is_409_and_writes_nothing(moderator, published, from_status, to_status):
    request = _request_in(from_status)
    before = PoseRequest.objects.filter(pk=request.pk).values().get()
    with pytest.raises(InvalidTransition) as caught:
        _move(request, to_status, moderator)
    assert caught.value.status_code == 409
    assert caught.value.code == "INVALID_TRANSITION"
    assert caught.value.extra["fromStatus"] == from_status
    assert PoseRequest.objects.filter(pk=request.pk).values().get() == before
    assert PoseRequestTransition.objects.count() == 0
    assert Notification.objects.count() == 0
    assert published == []


def test_full_lifecycle_log_is_ordered_with_actors_and_notes(moderator, published):
    other_mod = UserFactory(role="admin", is_staff=True)
    request = PoseRequestFactory()
    pose = PoseFactory()
    pose_request_approve(request_id=request.pk, actor=moderator, notes="Great idea")
    pose_request_start(request_id=request.pk, actor=other_mod)
    pose_request_complete(request_id=request.pk, actor=moderator, completed_pose_id=pose.pk, notes="Shipped")
    request.refresh_from_db()
    assert request.status == "completed"
    assert request.completed_pose_id == pose.pk
    assert request.admin_notes == "Shipped"
    log = list(PoseRequestTransition.objects.filter(request=request).order_by("created_at", "id").values_list(
        "actor_id", "from_status", "to_status", "notes"))
    assert log == [
        (moderator.pk, "pending", "approved", "Great idea"),
        (other_mod.pk, "approved", "in_progress", ""),
        (moderator.pk, "in_progress", "completed", "Shipped"),
    ]
    assert [e[2]["toStatus"] for e in published] == ["approved", "in_progress", "completed"]


def test_approve_without_notes_keeps_existing_notes(moderator):
    request = PoseRequestFactory(admin_notes="Earlier note")
    pose_request_approve(request_id=request.pk, actor=moderator)
    request.refresh_from_db()
    assert request.admin_notes == "Earlier note"


@pytest.mark.parametrize("notes", [None, "", "   "])
def test_reject_requires_notes(moderator, notes):
    request = PoseRequestFactory()
    with pytest.raises(ValidationFailed) as caught:
        pose_request_reject(request_id=request.pk, actor=moderator, notes=notes)
    assert "adminNotes" in caught.value.extra["fields"]
    request.refresh_from_db()
    assert request.status == "pending"
    assert PoseRequestTransition.objects.count() == 0


def test_complete_requires_an_existing_pose(moderator):
    request = PoseRequestFactory(status="in_progress")
    with pytest.raises(ValidationFailed) as missing:
        pose_request_complete(request_id=request.pk, actor=moderator, completed_pose_id=None)
    assert "completedPoseId" in missing.value.extra["fields"]
    with pytest.raises(ValidationFailed):
        pose_request_complete(request_id=request.pk, actor=moderator,
                              completed_pose_id="00000000-0000-0000-0000-000000000000")
    request.refresh_from_db()
    assert request.status == "in_progress"
    assert request.completed_pose_id is None
    assert PoseRequestTransition.objects.count() == 0


def test_unknown_request_is_not_found(moderator):
    with pytest.raises(NotFound):
        pose_request_approve(request_id="00000000-0000-0000-0000-000000000000", actor=moderator)


def test_notes_update_is_not_a_transition(moderator):
    request = PoseRequestFactory(status="approved")
    pose_request_notes_update(request_id=request.pk, actor=moderator, notes="  Shooting next week  ")
    request.refresh_from_db()
    assert request.admin_notes == "Shooting next week"
    assert request.status == "approved"
    assert PoseRequestTransition.objects.count() == 0
    assert Notification.objects.count() == 0
    pose_request_notes_update(request_id=request.pk, actor=moderator, notes="")
    request.refresh_from_db()
    assert request.admin_notes == ""


def test_bulk_transition_changes_what_it_can_and_reports_the_rest(moderator):
    pending = PoseRequestFactory.create_batch(2)
    done = PoseRequestFactory(status="rejected")
    result = pose_request_bulk_transition(request_ids=[r.pk for r in [*pending, done]], actor=moderator,
                                          to_status="approved")
    assert sorted(str(r.pk) for r in result.changed) == sorted(str(r.pk) for r in pending)
    assert [rid for rid, _ in result.refused] == [str(done.pk)]
    assert set(PoseRequest.objects.values_list("status", flat=True)) == {"approved", "rejected"}
    assert PoseRequestTransition.objects.count() == 2


def test_bulk_reject_without_notes_changes_nothing(moderator):
    requests = PoseRequestFactory.create_batch(2)
    with pytest.raises(ValidationFailed):
        pose_request_bulk_transition(request_ids=[r.pk for r in requests], actor=moderator, to_status="rejected")
    assert set(PoseRequest.objects.values_list("status", flat=True)) == {"pending"}


# --- merging duplicates ----------------------------------------------------------------------------


def test_merge_moves_votes_without_double_counting(moderator, published):
    target = PoseRequestFactory(pose_name="Hands on hips")
    duplicate = PoseRequestFactory(pose_name="Hand on hip")
    both, only_dup_1, only_dup_2, only_target = UserFactory.create_batch(4)
    for voter in (both, only_dup_1, only_dup_2):
        VoteFactory(request=duplicate, user=voter)
    for voter in (both, only_target):
        VoteFactory(request=target, user=voter)

    result = pose_request_merge(request_id=duplicate.pk, target_id=target.pk, actor=moderator)

    assert (result.votes_moved, result.votes_dropped) == (2, 1)
    target.refresh_from_db()
    duplicate.refresh_from_db()
    assert target.votes_count == 4 == PoseRequestVote.objects.filter(request=target).count()
    assert set(PoseRequestVote.objects.filter(request=target).values_list("user_id", flat=True)) == {
        both.pk, only_dup_1.pk, only_dup_2.pk, only_target.pk}
    assert duplicate.votes_count == 0 == PoseRequestVote.objects.filter(request=duplicate).count()
    assert duplicate.status == "rejected"
    assert duplicate.duplicate_of_id == target.pk
    assert "Hands on hips" in duplicate.admin_notes
    assert list(PoseRequestTransition.objects.values_list("request_id", "from_status", "to_status")) == [
        (duplicate.pk, "pending", "rejected")]
    note = Notification.objects.get()
    assert note.user_id == duplicate.user_id
    assert note.link == f"/pose-requests/{target.pk}/"
    assert published[0][2]["duplicateOfId"] == str(target.pk)


def test_merge_recomputes_counts_from_rows(moderator):
    target = PoseRequestFactory(votes_count=99)  # a drifted counter is corrected by the merge
    duplicate = PoseRequestFactory()
    VoteFactory(request=duplicate)
    pose_request_merge(request_id=duplicate.pk, target_id=target.pk, actor=moderator, notes="Same pose")
    target.refresh_from_db()
    assert target.votes_count == 1


def test_merge_refusals(moderator):
    request = PoseRequestFactory()
    with pytest.raises(ValidationFailed):
        pose_request_merge(request_id=request.pk, target_id=request.pk, actor=moderator)
    with pytest.raises(ValidationFailed):
        pose_request_merge(request_id=request.pk, target_id="00000000-0000-0000-0000-000000000000",
                           actor=moderator)
    rejected = PoseRequestFactory(status="rejected")
    with pytest.raises(Exception) as closed_target:
        pose_request_merge(request_id=request.pk, target_id=rejected.pk, actor=moderator)
    assert closed_target.value.code == "MERGE_TARGET_CLOSED"
    completed = _request_in("completed")
    with pytest.raises(InvalidTransition):
        pose_request_merge(request_id=completed.pk, target_id=request.pk, actor=moderator)
    assert PoseRequestTransition.objects.count() == 0
    request.refresh_from_db()
    assert (request.status, request.duplicate_of_id) == ("pending", None)
