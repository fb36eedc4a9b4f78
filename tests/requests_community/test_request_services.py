"""Submitting, withdrawing and voting; names and similarity."""

import pytest
from django.core.files.storage import default_storage

from lumiku.core.errors import Conflict, NotFound, ValidationFailed
from requests_community.models import PoseRequest, PoseRequestVote
from requests_community.naming import name_similarity, normalize_pose_name
from requests_community.selectors import request_board, request_similar, request_voted
from requests_community.services.requests import pose_request_create, pose_request_delete
from requests_community.services.votes import pose_request_toggle_vote, pose_request_unvote, pose_request_vote
from tests.factories import CategoryFactory, UserFactory
from tests.images import image_bytes, upload
from tests.requests_community.factories import PoseRequestFactory, VoteFactory


@pytest.mark.parametrize(("raw", "normalized"), [
    ("  Hands-on  HIPS!! ", "hands on hips"),
    ("Ｈａｎｄｓ on hips", "hands on hips"),
    ("Straße_Pose", "strasse pose"),
    ("!!!", ""),
])
def test_normalize_pose_name(raw, normalized):
    assert normalize_pose_name(raw) == normalized


def test_name_similarity():
    assert name_similarity("hands on hips", "hands on hips") == 1.0
    assert name_similarity("hand on hip", "hands on hips") == 1.0  # plurals fold
    assert name_similarity("sitting cross legged", "cross legged sitting on floor") >= 0.6
    assert name_similarity("jumping", "sitting") == 0.0


# --- submit --------------------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def test_create_stores_cleaned_fields_and_image(user):
    category = CategoryFactory()
    result = pose_request_create(user=user, pose_name="  Hands   on Hips ", description=" Confident. ",
                                 category_id=category.pk, use_case="e-commerce",
                                 reference_image=upload("ref.png", image_bytes()))
    request = PoseRequest.objects.get()
    assert result.request.pk == request.pk
    assert (request.pose_name, request.normalized_name, request.description) == (
        "Hands on Hips", "hands on hips", "Confident.")
    assert (request.category_id, request.use_case, request.status, request.votes_count) == (
        category.pk, "e-commerce", "pending", 0)
    assert request.reference_image.name.startswith(f"users/{user.pk}/pose-requests/")
    assert default_storage.exists(request.reference_image.name)
    assert result.similar == []


def test_own_open_duplicate_is_409_naming_it(user):
    first = PoseRequestFactory(user=user, pose_name="Hands on hips")
    with pytest.raises(Conflict) as caught:
        pose_request_create(user=user, pose_name="HANDS-ON-HIPS", description="again")
    assert caught.value.code == "DUPLICATE_REQUEST"
    assert "Hands on hips" in caught.value.message
    assert caught.value.extra["existingRequestId"] == str(first.pk)
    assert PoseRequest.objects.count() == 1


def test_same_name_allowed_again_after_rejection_or_completion(user):
    PoseRequestFactory(user=user, pose_name="Hands on hips", status="rejected")
    pose_request_create(user=user, pose_name="Hands on hips", description="please")
    assert PoseRequest.objects.filter(user=user).count() == 2


def test_database_refuses_two_open_requests_with_one_name(user):
    from django.db import IntegrityError, transaction

    PoseRequestFactory(user=user, pose_name="Hands on hips")
    with pytest.raises(IntegrityError), transaction.atomic():
        PoseRequestFactory(user=user, pose_name="hands on hips")


def test_similar_requests_by_others_are_returned(user, other_user):
    similar = PoseRequestFactory(user=other_user, pose_name="Hand on hip, looking back")
    PoseRequestFactory(user=other_user, pose_name="Jumping jacks")
    PoseRequestFactory(user=other_user, pose_name="Hands on hips", status="rejected")
    result = pose_request_create(user=user, pose_name="Hands on hips", description="x")
    assert [r.pk for r in result.similar] == [similar.pk]


def test_similar_ranks_exact_names_first_and_skips_own(user, other_user):
    exact = PoseRequestFactory(user=other_user, pose_name="Arms crossed")
    partial = PoseRequestFactory(user=UserFactory(), pose_name="Arms crossed leaning on wall", votes_count=5)
    PoseRequestFactory(user=user, pose_name="Arms crossed smiling")
    found = request_similar(pose_name="arms crossed", exclude_user=user)
    assert [r.pk for r in found] == [exact.pk, partial.pk]


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"pose_name": "", "description": "x"}, "poseName"),
    ({"pose_name": "x" * 101, "description": "x"}, "poseName"),
    ({"pose_name": "?!", "description": "x"}, "poseName"),
    ({"pose_name": "Ok", "description": "   "}, "description"),
    ({"pose_name": "Ok", "description": "d" * 501}, "description"),
    ({"pose_name": "Ok", "description": "x", "use_case": "fashion"}, "useCase"),
    ({"pose_name": "Ok", "description": "x", "category_id": "00000000-0000-0000-0000-000000000000"}, "categoryId"),
])
def test_bad_input_is_400_naming_the_field_and_stores_nothing(user, kwargs, field):
    with pytest.raises(ValidationFailed) as caught:
        pose_request_create(user=user, **kwargs)
    assert field in caught.value.extra["fields"]
    assert PoseRequest.objects.count() == 0


def test_non_image_is_refused_and_nothing_stored(user):
    with pytest.raises(ValidationFailed) as caught:
        pose_request_create(user=user, pose_name="Ok", description="x",
                            reference_image=upload("ref.png", b"not an image at all"))
    assert "referenceImage" in caught.value.message
    assert PoseRequest.objects.count() == 0


def test_delete_own_pending_removes_request_votes_and_image(user, django_capture_on_commit_callbacks):
    result = pose_request_create(user=user, pose_name="Ok", description="x",
                                 reference_image=upload("ref.png", image_bytes()))
    name = result.request.reference_image.name
    VoteFactory(request=result.request)
    with django_capture_on_commit_callbacks(execute=True):
        pose_request_delete(user=user, request_id=result.request.pk)
    assert PoseRequest.objects.count() == 0
    assert PoseRequestVote.objects.count() == 0
    assert not default_storage.exists(name)


def test_delete_refusals(user, other_user):
    others = PoseRequestFactory(user=other_user)
    with pytest.raises(NotFound):
        pose_request_delete(user=user, request_id=others.pk)
    reviewed = PoseRequestFactory(user=user, status="approved")
    with pytest.raises(Conflict) as caught:
        pose_request_delete(user=user, request_id=reviewed.pk)
    assert caught.value.code == "REQUEST_NOT_PENDING"
    assert PoseRequest.objects.count() == 2


# --- votes ----------------------------------------------------------------------------------------------


def test_vote_and_unvote_are_idempotent_and_counted_from_rows(user):
    request = PoseRequestFactory()
    assert pose_request_vote(user=user, request_id=request.pk).votes_count == 1
    again = pose_request_vote(user=user, request_id=request.pk)
    assert (again.votes_count, again.has_voted) == (1, True)
    assert PoseRequestVote.objects.filter(request=request).count() == 1
    gone = pose_request_unvote(user=user, request_id=request.pk)
    assert (gone.votes_count, gone.has_voted) == (0, False)
    assert pose_request_unvote(user=user, request_id=request.pk).votes_count == 0
    assert PoseRequestVote.objects.count() == 0


def test_toggle_vote(user, other_user):
    request = PoseRequestFactory()
    pose_request_vote(user=other_user, request_id=request.pk)
    on = pose_request_toggle_vote(user=user, request_id=request.pk)
    assert (on.votes_count, on.has_voted) == (2, True)
    off = pose_request_toggle_vote(user=user, request_id=request.pk)
    assert (off.votes_count, off.has_voted) == (1, False)


def test_vote_does_not_touch_updated_at(user):
    request = PoseRequestFactory()
    before = PoseRequest.objects.get(pk=request.pk).updated_at
    pose_request_vote(user=user, request_id=request.pk)
    assert PoseRequest.objects.get(pk=request.pk).updated_at == before


@pytest.mark.parametrize("status", ["completed", "rejected"])
def test_voting_is_closed_on_finished_requests(user, status):
    from tests.factories import PoseFactory

    request = PoseRequestFactory(user=user, status=status,
                                 completed_pose=PoseFactory() if status == "completed" else None)
    with pytest.raises(Conflict) as caught:
        pose_request_vote(user=user, request_id=request.pk)
    assert caught.value.code == "VOTING_CLOSED"
    assert PoseRequestVote.objects.count() == 0


def test_others_rejected_request_is_not_found_for_voting(user, other_user):
    request = PoseRequestFactory(user=other_user, status="rejected")
    with pytest.raises(NotFound):
        pose_request_vote(user=user, request_id=request.pk)


def test_board_sorting_and_filters(user, other_user):
    category = CategoryFactory()
    low = PoseRequestFactory(pose_name="Low votes", votes_count=1)
    high = PoseRequestFactory(pose_name="High votes", votes_count=9, category=category)
    PoseRequestFactory(pose_name="Rejected one", status="rejected", votes_count=50)
    assert [r.pk for r in request_board(viewer=user)] == [high.pk, low.pk]
    assert [r.pk for r in request_board(viewer=user, sort="newest")] == [high.pk, low.pk]
    assert [r.pk for r in request_board(viewer=user, category_id=category.pk)] == [high.pk]
    assert [r.pk for r in request_board(viewer=user, search="LOW")] == [low.pk]
    assert list(request_board(viewer=user, status="completed")) == []


def test_voted_lists_most_recent_vote_first(user):
    first, second = PoseRequestFactory.create_batch(2)
    pose_request_vote(user=user, request_id=first.pk)
    pose_request_vote(user=user, request_id=second.pk)
    PoseRequestFactory()
    voted = list(request_voted(user=user))
    assert [r.pk for r in voted] == [second.pk, first.pk]
    assert all(r.has_voted for r in voted)
