"""The moderation workflow: one state machine, a moderation log, duplicate merges, notifications.

    pending ──► approved ──► in_progress ──► completed
       │            │              │
       └────────────┴──────────────┴──► rejected

Every status change goes through `pose_request_transition`: it locks the request row, refuses any
move not in `TRANSITIONS` with 409 INVALID_TRANSITION, writes one `PoseRequestTransition` row (who,
when, from, to, notes) and tells the requester (in-app notification, email after commit, WebSocket
event after commit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from lumiku.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from lumiku.core.realtime import realtime_publish
from lumiku.notifications.kinds import notification_text, recipient_language
from lumiku.notifications.services import notification_send
from posegen.selectors.library import library_pose_find
from requests_community.merge_note import admin_notes_by_language, merge_note
from requests_community.metrics import pose_request_decided
from requests_community.models import (
    PoseRequest,
    PoseRequestTransition,
    PoseRequestVote,
    RequestStatus,
)
from requests_community.notification_texts import REQUEST_STATUS_KIND

if TYPE_CHECKING:  # a type only: the library's rows are posegen's, read through its selectors
    from posegen.models import PoseLibrary

S = RequestStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.APPROVED, S.REJECTED}),
    S.APPROVED: frozenset({S.IN_PROGRESS, S.REJECTED}),
    S.IN_PROGRESS: frozenset({S.COMPLETED, S.REJECTED}),
    S.COMPLETED: frozenset(),
    S.REJECTED: frozenset(),
}
NOTES_MAX = 2000



def allowed_transitions(status: str) -> list[str]:
    return sorted(TRANSITIONS.get(status, frozenset()))


def _clean_notes(notes: str | None, *, required: bool, field_name: str = "adminNotes") -> str | None:
    if notes is None or not notes.strip():
        if required:
            raise ValidationFailed(
                _("Invalid input. %(field)s: a note for the requester is required.") % {"field": field_name},
                fields={field_name: [_("A note for the requester is required.")]},
            )
        return None
    notes = notes.strip()
    if len(notes) > NOTES_MAX:
        raise ValidationFailed(
            _("Invalid input. %(field)s: keep notes to %(max)s characters or fewer.")
            % {"field": field_name, "max": NOTES_MAX},
            fields={field_name: [_("Keep notes to %(max)s characters or fewer.") % {"max": NOTES_MAX}]},
        )
    return notes


def _lock(request_id) -> PoseRequest:
    request = PoseRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        raise NotFound(_("Pose request not found."), code="REQUEST_NOT_FOUND")
    return request


def _check_transition(request: PoseRequest, to_status: str) -> None:
    if to_status not in TRANSITIONS.get(request.status, frozenset()):
        allowed = allowed_transitions(request.status)
        values = {"from": request.status, "to": to_status, "allowed": ", ".join(allowed)}
        raise InvalidTransition(
            (_("Cannot move a request from %(from)s to %(to)s. Allowed: %(allowed)s.") if allowed
             else _("Cannot move a request from %(from)s to %(to)s. It is final.")) % values,
            fromStatus=request.status,
            toStatus=to_status,
            allowed=allowed,
        )


def _merge_note(target: PoseRequest) -> str:
    """The note a merge leaves on the duplicate when the moderator wrote none (stored English; said in the
    reader's language when read: requests_community.merge_note)."""
    return merge_note(target_name=target.pose_name)


def request_page_path(request_id) -> str:
    return reverse("requests_community:detail", args=[request_id])


def _notify_status_change(*, request: PoseRequest, from_status: str, to_status: str, notes: str,
                          transition: PoseRequestTransition, merged_into: PoseRequest | None = None) -> None:
    link = request_page_path(merged_into.pk if merged_into is not None else request.pk)
    payload = {
        "requestId": str(request.pk),
        "poseName": request.pose_name,
        "fromStatus": from_status,
        "toStatus": to_status,
        "adminNotes": request.admin_notes or None,
        "completedPoseId": str(request.completed_pose_id) if request.completed_pose_id else None,
        "duplicateOfId": str(request.duplicate_of_id) if request.duplicate_of_id else None,
    }
    # Stored as a code and parameters, said in the reader's language when read (notification_texts);
    # the merge's default note is not repeated: the merge sentence already says where to vote.
    data = {**payload, "transitionId": transition.pk,
            "note": None if merged_into is not None and notes == _merge_note(merged_into) else (notes or None),
            "mergedIntoName": merged_into.pose_name if merged_into is not None else None}
    title, body = notification_text(kind=REQUEST_STATUS_KIND, data=data, language=recipient_language(request.user))
    notification = notification_send(user=request.user, kind=REQUEST_STATUS_KIND, title=title, body=body,
                                     link=link, data=data)
    # adminNotes stays as stored; adminNotesByLanguage says it in each site language (en, id).
    by_language = admin_notes_by_language(request.admin_notes) if request.admin_notes else None
    realtime_publish(
        user_id=request.user_id,
        event_type="request.status_changed",
        payload={**payload, "adminNotesByLanguage": by_language, "notificationId": str(notification.pk)},
    )


def _apply(*, request: PoseRequest, actor, to_status: str, notes: str | None,
           merged_into: PoseRequest | None = None) -> PoseRequest:
    """Inside the caller's transaction, with `request` locked: change status, log, notify."""
    from_status = request.status
    request.status = to_status
    fields = ["status", "updated_at"]
    if notes is not None:
        request.admin_notes = notes
        fields.append("admin_notes")
    if merged_into is not None:
        request.duplicate_of = merged_into
        fields.append("duplicate_of")
    request.save(update_fields=[*fields, *(["completed_pose"] if to_status == S.COMPLETED else [])])
    if to_status in (S.APPROVED, S.REJECTED):  # the moderators' approval/rejection ratio (spec 003 §11)
        pose_request_decided(decision=to_status)
    transition = PoseRequestTransition.objects.create(
        request=request, actor=actor, from_status=from_status, to_status=to_status, notes=notes or ""
    )
    _notify_status_change(request=request, from_status=from_status, to_status=to_status, notes=notes or "",
                          transition=transition, merged_into=merged_into)
    return request


def pose_request_transition(*, request_id, actor, to_status: str, notes: str | None = None,
                            completed_pose_id=None) -> PoseRequest:
    """Move a request to `to_status` (the only way its status changes). Rejecting needs notes;
    completing needs the library pose it became."""
    if to_status not in TRANSITIONS:
        raise ValidationFailed(_("Unknown status %(status)s.") % {"status": repr(to_status)})
    notes = _clean_notes(notes, required=to_status == S.REJECTED)
    pose = None
    if to_status == S.COMPLETED:
        if not completed_pose_id:
            raise ValidationFailed(
                _("Invalid input. completedPoseId: the library pose that fulfils the request is required."),
                fields={"completedPoseId": [_("The library pose that fulfils the request is required.")]},
            )
        pose = library_pose_find(pose_id=completed_pose_id)
        if pose is None:
            raise ValidationFailed(
                _("Invalid input. completedPoseId: no such library pose."),
                fields={"completedPoseId": [_("No such library pose.")]},
            )
    with transaction.atomic():
        request = _lock(request_id)
        return pose_request_transition_locked(request=request, actor=actor, to_status=to_status, notes=notes,
                                              completed_pose=pose)


def pose_request_transition_locked(*, request: PoseRequest, actor, to_status: str, notes: str | None = None,
                                   completed_pose: PoseLibrary | None = None) -> PoseRequest:
    """The state machine's step for a request the caller has locked (`select_for_update`) inside its
    own transaction: refuse a move not in TRANSITIONS (409), apply it, log it, notify."""
    _check_transition(request, to_status)
    if to_status == S.COMPLETED:
        if completed_pose is None:
            raise ValidationFailed(_("A completed request needs the library pose that fulfils it."))
        request.completed_pose = completed_pose
    return _apply(request=request, actor=actor, to_status=to_status, notes=notes)


def pose_request_approve(*, request_id, actor, notes: str | None = None) -> PoseRequest:
    return pose_request_transition(request_id=request_id, actor=actor, to_status=S.APPROVED, notes=notes)


def pose_request_reject(*, request_id, actor, notes: str) -> PoseRequest:
    return pose_request_transition(request_id=request_id, actor=actor, to_status=S.REJECTED, notes=notes)


def pose_request_start(*, request_id, actor, notes: str | None = None) -> PoseRequest:
    return pose_request_transition(request_id=request_id, actor=actor, to_status=S.IN_PROGRESS, notes=notes)


def pose_request_complete(*, request_id, actor, completed_pose_id, notes: str | None = None) -> PoseRequest:
    return pose_request_transition(request_id=request_id, actor=actor, to_status=S.COMPLETED, notes=notes,
                                   completed_pose_id=completed_pose_id)


def pose_request_notes_update(*, request_id, actor, notes: str) -> PoseRequest:
    """Replace the moderator's note shown to the requester (blank clears it). Not a status change."""
    cleaned = _clean_notes(notes, required=False) or ""
    with transaction.atomic():
        request = _lock(request_id)
        request.admin_notes = cleaned
        request.save(update_fields=["admin_notes", "updated_at"])
    return request


@dataclass
class BulkResult:
    changed: list[PoseRequest] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (request id, reason)


def pose_request_bulk_transition(*, request_ids, actor, to_status: str, notes: str | None = None) -> BulkResult:
    """The same transition for many requests, each in its own transaction: one refused request
    (already reviewed, say) does not undo the others. Bad input (missing reject notes) refuses all."""
    _clean_notes(notes, required=to_status == S.REJECTED)
    result = BulkResult()
    for request_id in request_ids:
        try:
            result.changed.append(
                pose_request_transition(request_id=request_id, actor=actor, to_status=to_status, notes=notes)
            )
        except (InvalidTransition, NotFound) as exc:
            result.refused.append((str(request_id), exc.message))
    return result


def _recount_votes(request_ids) -> None:
    count = (
        PoseRequestVote.objects.filter(request=OuterRef("pk"))
        .order_by()
        .values("request")
        .annotate(n=Count("id"))
        .values("n")
    )
    PoseRequest.objects.filter(pk__in=request_ids).update(votes_count=Coalesce(Subquery(count), 0))


@dataclass(frozen=True)
class MergeResult:
    duplicate: PoseRequest
    target: PoseRequest
    votes_moved: int
    votes_dropped: int


def pose_request_merge(*, request_id, target_id, actor, notes: str | None = None) -> MergeResult:
    """Mark `request_id` a duplicate of `target_id`: its votes move to the target (a user who voted on
    both keeps one vote), both counts are recomputed from the vote rows, and the duplicate is
    rejected with a note pointing at the target."""
    if str(request_id) == str(target_id):
        raise ValidationFailed(
            _("Invalid input. targetId: a request cannot be a duplicate of itself."),
            fields={"targetId": [_("A request cannot be a duplicate of itself.")]},
        )
    notes = _clean_notes(notes, required=False)
    with transaction.atomic():
        # Both rows locked in primary-key order, so two opposite merges cannot deadlock.
        locked = {r.pk: r for r in PoseRequest.objects.select_for_update().filter(pk__in=[request_id, target_id])
                  .order_by("pk")}
        duplicate = next((r for pk, r in locked.items() if str(pk) == str(request_id)), None)
        target = next((r for pk, r in locked.items() if str(pk) == str(target_id)), None)
        if duplicate is None:
            raise NotFound(_("Pose request not found."), code="REQUEST_NOT_FOUND")
        if target is None:
            raise ValidationFailed(
                _("Invalid input. targetId: no such request."), fields={"targetId": [_("No such request.")]}
            )
        _check_transition(duplicate, S.REJECTED)
        if target.status == S.REJECTED:
            raise Conflict(
                _("“%(name)s” is rejected; merge into a request that is still open or completed.")
                % {"name": target.pose_name},
                code="MERGE_TARGET_CLOSED",
            )
        target_voters = PoseRequestVote.objects.filter(request=target).values("user_id")
        dropped, _per_model = (PoseRequestVote.objects.filter(request=duplicate, user_id__in=Subquery(target_voters))
                               .delete())
        moved = PoseRequestVote.objects.filter(request=duplicate).update(request=target)
        _recount_votes([duplicate.pk, target.pk])
        duplicate.refresh_from_db(fields=["votes_count"])
        target.refresh_from_db(fields=["votes_count"])
        note = notes or _merge_note(target)
        _apply(request=duplicate, actor=actor, to_status=S.REJECTED, notes=note, merged_into=target)
    return MergeResult(duplicate=duplicate, target=target, votes_moved=moved, votes_dropped=dropped)

