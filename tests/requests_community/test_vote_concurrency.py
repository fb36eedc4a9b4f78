"""Vote integrity on PostgreSQL: with the request row locked per change, votes_count == vote rows."""

import random

import pytest

from requests_community.models import PoseRequest, PoseRequestVote
from requests_community.services.moderation import pose_request_merge
from requests_community.services.votes import pose_request_toggle_vote, pose_request_unvote, pose_request_vote
from tests.concurrency import run_concurrently
from tests.factories import UserFactory
from tests.requests_community.factories import ModeratorFactory, PoseRequestFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]




def _rows(request):
    return PoseRequestVote.objects.filter(request=request).count()


def test_twenty_users_voting_at_once_count_twenty():
    request = PoseRequestFactory()
    users = UserFactory.create_batch(20)
    outcomes = run_concurrently(20, lambda i: pose_request_vote(user=users[i], request_id=request.pk))
    assert [o[0] for o in outcomes] == ["ok"] * 20
    request.refresh_from_db()
    assert request.votes_count == 20 == _rows(request)


def test_one_user_voting_twenty_times_at_once_counts_once():
    request = PoseRequestFactory()
    user = UserFactory()
    outcomes = run_concurrently(20, lambda i: pose_request_vote(user=user, request_id=request.pk))
    assert [o[0] for o in outcomes] == ["ok"] * 20
    request.refresh_from_db()
    assert request.votes_count == 1 == _rows(request)


def test_twenty_threads_voting_and_unvoting_keep_the_count_exact():
    request = PoseRequestFactory()
    users = UserFactory.create_batch(5)
    # Every user already voted; 20 threads (4 per user) vote, unvote or toggle in random order.
    for user in users:
        pose_request_vote(user=user, request_id=request.pk)
    ops = [pose_request_vote, pose_request_unvote, pose_request_toggle_vote, pose_request_unvote] * 5
    random.Random(7).shuffle(ops)
    outcomes = run_concurrently(20, lambda i: ops[i](user=users[i % 5], request_id=request.pk))
    assert [o[0] for o in outcomes] == ["ok"] * 20
    request.refresh_from_db()
    assert request.votes_count == _rows(request)
    assert 0 <= request.votes_count <= 5


def test_votes_arriving_during_a_merge_are_never_lost_or_doubled():
    target = PoseRequestFactory()
    duplicate = PoseRequestFactory()
    moderator = ModeratorFactory()
    users = UserFactory.create_batch(19)

    def act(i):
        if i == 0:
            return pose_request_merge(request_id=duplicate.pk, target_id=target.pk, actor=moderator)
        return pose_request_vote(user=users[i - 1], request_id=(duplicate if i % 2 else target).pk)

    outcomes = run_concurrently(20, act)
    # A vote on the duplicate that lands after the merge is refused (voting closed); nothing else fails.
    refused = [o[1] for o in outcomes if o[0] == "error"]
    assert all(getattr(exc, "code", None) == "VOTING_CLOSED" for exc in refused)
    target.refresh_from_db()
    duplicate.refresh_from_db()
    assert duplicate.status == "rejected"
    assert duplicate.votes_count == 0 == _rows(duplicate)
    assert target.votes_count == _rows(target) == 19 - len(refused)
    assert PoseRequest.objects.get(pk=target.pk).votes_count == PoseRequestVote.objects.filter(
        request=target).values("user").distinct().count()
