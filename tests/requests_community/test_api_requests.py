"""User routes under /api/apps/pose-generator/requests."""

from urllib.parse import urlsplit

import pytest
from rest_framework.test import APIClient

from requests_community.models import PoseRequest, PoseRequestVote
from tests.factories import CategoryFactory, PoseFactory, UserFactory
from tests.images import image_bytes, upload
from tests.requests_community.factories import PoseRequestFactory, VoteFactory

pytestmark = pytest.mark.django_db
URL = "/api/apps/pose-generator/requests"
FIELDS = {"id", "poseName", "description", "referenceImageUrl", "categoryId", "categoryName", "useCase",
          "votesCount", "status", "adminNotes", "completedPoseId", "duplicateOfId", "createdAt", "updatedAt",
          "hasVoted"}


def test_create_multipart_with_image(auth_client):
    category = CategoryFactory(display_name="Standing")
    response = auth_client.post(URL, {
        "poseName": "Hands on hips", "description": "Confident, facing the camera", "categoryId": str(category.pk),
        "useCase": "professional", "referenceImage": upload("ref.jpg", image_bytes(fmt="JPEG"), "image/jpeg"),
    }, format="multipart")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"request", "similarRequests"}
    item = body["request"]
    assert set(item) == FIELDS
    assert item["poseName"] == "Hands on hips"
    assert item["categoryId"] == str(category.pk)
    assert item["categoryName"] == "Standing"
    assert item["useCase"] == "professional"
    assert (item["status"], item["votesCount"], item["hasVoted"], item["adminNotes"]) == ("pending", 0, False, None)
    stored = PoseRequest.objects.get()
    assert urlsplit(item["referenceImageUrl"]).path.endswith(stored.reference_image.name)  # signed: ?s=...
    assert stored.reference_image.name.endswith(".jpg")


def test_create_json_returns_similar_requests_by_others(auth_client, other_user):
    similar = PoseRequestFactory(user=other_user, pose_name="Hands on hips, side view", votes_count=3)
    response = auth_client.post(URL, {"poseName": "hands on hips", "description": "x"}, format="json")
    assert response.status_code == 201
    assert [r["id"] for r in response.json()["similarRequests"]] == [str(similar.pk)]
    assert response.json()["request"]["useCase"] is None


def test_duplicate_is_409_naming_the_existing_request(auth_client):
    existing = PoseRequestFactory(user=auth_client.user, pose_name="Hands on hips")
    response = auth_client.post(URL, {"poseName": "Hands  on HIPS", "description": "x"}, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "DUPLICATE_REQUEST"
    assert error["statusCode"] == 409
    assert "Hands on hips" in error["message"]
    assert error["existingRequestId"] == str(existing.pk)
    assert PoseRequest.objects.count() == 1


@pytest.mark.parametrize(("payload", "field"), [
    ({"description": "x"}, "poseName"),
    ({"poseName": "x" * 101, "description": "x"}, "poseName"),
    ({"poseName": "   ", "description": "x"}, "poseName"),
    ({"poseName": "Ok"}, "description"),
    ({"poseName": "Ok", "description": "d" * 501}, "description"),
    ({"poseName": "Ok", "description": "x", "useCase": "fashion"}, "useCase"),
    ({"poseName": "Ok", "description": "x", "categoryId": "nope"}, "categoryId"),
    ({"poseName": "Ok", "description": "x", "categoryId": "00000000-0000-0000-0000-000000000000"}, "categoryId"),
])
def test_bad_create_is_400_naming_the_field_and_writes_nothing(auth_client, payload, field):
    response = auth_client.post(URL, payload, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert field in error["fields"]
    assert PoseRequest.objects.count() == 0


def test_non_image_upload_is_400(auth_client):
    response = auth_client.post(URL, {"poseName": "Ok", "description": "x",
                                      "referenceImage": upload("ref.png", b"%PDF-1.4 not an image")},
                                format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_IMAGE"
    assert PoseRequest.objects.count() == 0


def test_anonymous_is_401(api_client):
    assert api_client.get(URL).status_code == 401
    assert api_client.post(URL, {"poseName": "x", "description": "y"}, format="json").status_code == 401
    assert api_client.get(f"{URL}/board").status_code == 401


def test_list_mine_with_status_filter_and_pagination(auth_client, other_user):
    mine = [PoseRequestFactory(user=auth_client.user) for _ in range(3)]
    PoseRequestFactory(user=auth_client.user, status="approved", admin_notes="Nice")
    PoseRequestFactory(user=other_user)
    body = auth_client.get(URL, {"limit": 2}).json()
    assert body["pagination"] == {"page": 1, "limit": 2, "total": 4, "totalPages": 2}
    assert len(body["requests"]) == 2
    pending = auth_client.get(URL, {"status": "pending"}).json()
    assert sorted(r["id"] for r in pending["requests"]) == sorted(str(r.pk) for r in mine)
    approved = auth_client.get(URL, {"status": "approved"}).json()["requests"]
    assert [(r["status"], r["adminNotes"]) for r in approved] == [("approved", "Nice")]
    assert auth_client.get(URL, {"status": "bogus"}).status_code == 400


def test_board_shows_everyones_open_requests_sorted_and_filtered(auth_client, other_user):
    category = CategoryFactory()
    top = PoseRequestFactory(user=other_user, pose_name="Arms crossed", votes_count=5, category=category,
                             admin_notes="internal")
    mine = PoseRequestFactory(user=auth_client.user, pose_name="Sitting on stairs", votes_count=2)
    PoseRequestFactory(user=other_user, status="rejected", votes_count=9)
    done = PoseRequestFactory(user=other_user, status="completed", completed_pose=PoseFactory())
    VoteFactory(request=top, user=auth_client.user)
    body = auth_client.get(f"{URL}/board").json()
    assert [r["id"] for r in body["requests"]] == [str(top.pk), str(mine.pk)]
    assert body["requests"][0]["hasVoted"] is True
    assert body["requests"][0]["adminNotes"] is None  # notes are for the requester
    assert body["requests"][1]["hasVoted"] is False
    assert body["pagination"]["total"] == 2
    newest = auth_client.get(f"{URL}/board", {"sort": "newest"}).json()["requests"]
    assert [r["id"] for r in newest] == [str(mine.pk), str(top.pk)]
    by_category = auth_client.get(f"{URL}/board", {"categoryId": str(category.pk)}).json()["requests"]
    assert [r["id"] for r in by_category] == [str(top.pk)]
    by_name = auth_client.get(f"{URL}/board", {"search": "stairs"}).json()["requests"]
    assert [r["id"] for r in by_name] == [str(mine.pk)]
    completed = auth_client.get(f"{URL}/board", {"status": "completed"}).json()["requests"]
    assert [r["id"] for r in completed] == [str(done.pk)]
    assert auth_client.get(f"{URL}/board", {"status": "rejected"}).status_code == 400
    assert auth_client.get(f"{URL}/board", {"sort": "random"}).status_code == 400


def test_board_updated_sort_follows_status_changes_not_votes(auth_client, other_user):
    older = PoseRequestFactory(user=other_user)
    newer = PoseRequestFactory(user=other_user)
    auth_client.post(f"{URL}/{older.pk}/vote")
    ids = [r["id"] for r in auth_client.get(f"{URL}/board", {"sort": "updated"}).json()["requests"]]
    assert ids == [str(newer.pk), str(older.pk)]


def test_detail_visibility(auth_client, other_user):
    own_rejected = PoseRequestFactory(user=auth_client.user, status="rejected", admin_notes="Not a pose")
    others_open = PoseRequestFactory(user=other_user, admin_notes="secret")
    others_rejected = PoseRequestFactory(user=other_user, status="rejected")
    own = auth_client.get(f"{URL}/{own_rejected.pk}").json()["request"]
    assert (own["status"], own["adminNotes"]) == ("rejected", "Not a pose")
    other = auth_client.get(f"{URL}/{others_open.pk}").json()["request"]
    assert other["adminNotes"] is None
    response = auth_client.get(f"{URL}/{others_rejected.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "REQUEST_NOT_FOUND"
    assert auth_client.get(f"{URL}/00000000-0000-0000-0000-000000000000").status_code == 404


def test_delete_own_pending_only(auth_client, other_user):
    own = PoseRequestFactory(user=auth_client.user)
    reviewed = PoseRequestFactory(user=auth_client.user, status="approved")
    others = PoseRequestFactory(user=other_user)
    assert auth_client.delete(f"{URL}/{others.pk}").status_code == 404
    conflict = auth_client.delete(f"{URL}/{reviewed.pk}")
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "REQUEST_NOT_PENDING"
    assert auth_client.delete(f"{URL}/{own.pk}").status_code == 204
    assert set(PoseRequest.objects.values_list("pk", flat=True)) == {reviewed.pk, others.pk}


def test_vote_and_unvote(auth_client, other_client):
    request = PoseRequestFactory(user=other_client.user)
    voted = auth_client.post(f"{URL}/{request.pk}/vote")
    assert voted.status_code == 200
    assert (voted.json()["request"]["votesCount"], voted.json()["request"]["hasVoted"]) == (1, True)
    again = auth_client.post(f"{URL}/{request.pk}/vote").json()["request"]
    assert (again["votesCount"], again["hasVoted"]) == (1, True)
    seen_by_owner = other_client.get(f"{URL}/{request.pk}").json()["request"]
    assert (seen_by_owner["votesCount"], seen_by_owner["hasVoted"]) == (1, False)
    removed = auth_client.delete(f"{URL}/{request.pk}/vote").json()["request"]
    assert (removed["votesCount"], removed["hasVoted"]) == (0, False)
    assert PoseRequestVote.objects.count() == 0


def test_vote_refusals(auth_client, other_user):
    closed = PoseRequestFactory(user=other_user, status="completed", completed_pose=PoseFactory())
    hidden = PoseRequestFactory(user=other_user, status="rejected")
    response = auth_client.post(f"{URL}/{closed.pk}/vote")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "VOTING_CLOSED"
    assert auth_client.post(f"{URL}/{hidden.pk}/vote").status_code == 404
    assert auth_client.post(f"{URL}/00000000-0000-0000-0000-000000000000/vote").status_code == 404
    assert PoseRequestVote.objects.count() == 0


def test_popular_and_voted(auth_client, other_user):
    a = PoseRequestFactory(user=other_user, votes_count=10)
    b = PoseRequestFactory(user=other_user, votes_count=30)
    c = PoseRequestFactory(user=other_user, votes_count=20)
    PoseRequestFactory(user=other_user, votes_count=99, status="rejected")
    popular = auth_client.get(f"{URL}/popular", {"limit": 2}).json()
    assert list(popular) == ["requests"]
    assert [r["id"] for r in popular["requests"]] == [str(b.pk), str(c.pk)]
    assert len(auth_client.get(f"{URL}/popular").json()["requests"]) == 3
    assert auth_client.get(f"{URL}/popular", {"limit": 0}).status_code == 400
    assert auth_client.get(f"{URL}/popular", {"limit": 51}).status_code == 400

    auth_client.post(f"{URL}/{a.pk}/vote")
    auth_client.post(f"{URL}/{c.pk}/vote")
    voted = auth_client.get(f"{URL}/voted").json()
    assert [r["id"] for r in voted["requests"]] == [str(c.pk), str(a.pk)]
    assert all(r["hasVoted"] for r in voted["requests"])
    assert voted["pagination"]["total"] == 2


def test_similar_endpoint(auth_client, other_user):
    match = PoseRequestFactory(user=other_user, pose_name="Leaning on a wall")
    PoseRequestFactory(user=auth_client.user, pose_name="Leaning on wall, arms crossed")
    body = auth_client.get(f"{URL}/similar", {"poseName": "leaning wall"}).json()
    assert [r["id"] for r in body["requests"]] == [str(match.pk)]
    assert auth_client.get(f"{URL}/similar").status_code == 400


def test_another_users_votes_are_not_shown_as_mine(other_user):
    request = PoseRequestFactory(user=other_user)
    voter = UserFactory()
    VoteFactory(request=request, user=voter)
    client = APIClient()
    client.force_authenticate(UserFactory())
    item = client.get(f"{URL}/{request.pk}").json()["request"]
    assert (item["votesCount"], item["hasVoted"]) == (1, False)
