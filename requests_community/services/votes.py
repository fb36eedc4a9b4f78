"""Votes: one per user and request (database constraint), toggled on and off.

`votes_count` always equals the number of vote rows: each change locks the request row
(`select_for_update`), writes or deletes the vote row and moves the counter with `F()` in the same
transaction, so concurrent votes on one request are serialised and none is lost or counted twice.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from lumiku.core.errors import Conflict, NotFound
from requests_community.models import OPEN_STATUSES, PoseRequest, PoseRequestVote
from requests_community.selectors import request_is_visible, request_with_viewer


def _lock_votable(*, user, request_id) -> PoseRequest:
    request = PoseRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None or not request_is_visible(viewer=user, request=request):
        raise NotFound(_("Pose request not found."), code="REQUEST_NOT_FOUND")
    if request.status not in OPEN_STATUSES:
        raise Conflict(
            _("Voting is closed: this request is %(status)s.") % {"status": request.get_status_display().lower()},
            code="VOTING_CLOSED",
        )
    return request


def _fresh(*, user, request_id) -> PoseRequest:
    qs = PoseRequest.objects.select_related("category", "completed_pose").filter(pk=request_id)
    return request_with_viewer(qs, viewer=user).get()


def pose_request_vote(*, user, request_id) -> PoseRequest:
    """Vote for a request (idempotent: voting again changes nothing). 409 once it is closed."""
    with transaction.atomic():
        request = _lock_votable(user=user, request_id=request_id)
        _vote, created = PoseRequestVote.objects.get_or_create(user=user, request=request)
        if created:
            PoseRequest.objects.filter(pk=request.pk).update(votes_count=F("votes_count") + 1)
    return _fresh(user=user, request_id=request_id)


def pose_request_unvote(*, user, request_id) -> PoseRequest:
    """Take your vote back (idempotent). 409 once the request is closed."""
    with transaction.atomic():
        request = _lock_votable(user=user, request_id=request_id)
        deleted, _per_model = PoseRequestVote.objects.filter(user=user, request=request).delete()
        if deleted:
            PoseRequest.objects.filter(pk=request.pk).update(votes_count=F("votes_count") - 1)
    return _fresh(user=user, request_id=request_id)


def pose_request_toggle_vote(*, user, request_id) -> PoseRequest:
    """Vote if you have not, unvote if you have (the board's vote button)."""
    with transaction.atomic():
        request = _lock_votable(user=user, request_id=request_id)
        deleted, _per_model = PoseRequestVote.objects.filter(user=user, request=request).delete()
        if deleted:
            PoseRequest.objects.filter(pk=request.pk).update(votes_count=F("votes_count") - 1)
        else:
            PoseRequestVote.objects.create(user=user, request=request)
            PoseRequest.objects.filter(pk=request.pk).update(votes_count=F("votes_count") + 1)
    return _fresh(user=user, request_id=request_id)
