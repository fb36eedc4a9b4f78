"""The nine moderator routes of spec 003 §2C, plus merge."""

import pytest

from lumiku.notifications.models import Notification
from requests_community.models import PoseRequest, PoseRequestTransition, PoseRequestVote
from tests.factories import CategoryFactory, PoseFactory, UserFactory
from tests.requests_community.factories import PoseRequestFactory, VoteFactory

pytestmark = pytest.mark.django_db
URL = "/api/apps/pose-generator/admin/pose-requests"
ZERO = "00000000-0000-0000-0000-000000000000"


def _routes(request_id):
    return [
        ("get", URL, None),
        ("get", f"{URL}/stats", None),
        ("get", f"{URL}/popular", None),
        ("get", f"{URL}/{request_id}", None),
        ("post", f"{URL}/{request_id}/approve", {}),
        ("post", f"{URL}/{request_id}/reject", {"adminNotes": "No"}),
        ("post", f"{URL}/{request_id}/mark-in-progress", {}),
        ("post", f"{URL}/{request_id}/mark-completed", {"completedPoseId": ZERO}),
        ("put", f"{URL}/{request_id}/notes", {"adminNotes": "x"}),
        ("post", f"{URL}/{request_id}/merge", {"targetId": ZERO}),
        ("post", f"{URL}/{request_id}/create-pose", {"name": "x", "categoryId": ZERO}),
    ]


def test_plain_users_get_403_forbidden_everywhere(auth_client):
    request = PoseRequestFactory()
    for method, url, data in _routes(request.pk):
        response = getattr(auth_client, method)(url, data, format="json")
        assert response.status_code == 403, url
        assert response.json()["error"]["code"] == "FORBIDDEN"
        assert response.json()["error"]["statusCode"] == 403
    request.refresh_from_db()
    assert (request.status, request.admin_notes) == ("pending", "")


def test_staff_flag_without_moderator_role_is_not_enough(api_client):
    staff = UserFactory(is_staff=True)
    api_client.force_authenticate(staff)
    assert api_client.get(URL).status_code == 403


def test_anonymous_gets_401_everywhere(api_client):
    request = PoseRequestFactory()
    for method, url, data in _routes(request.pk):
        response = getattr(api_client, method)(url, data, format="json")
        assert response.status_code == 401, url
        assert response.json()["error"]["code"] == "UNAUTHORIZED"


def test_admin_role_is_a_moderator(api_client):
    api_client.force_authenticate(UserFactory(role="admin", is_staff=True))
    assert api_client.get(URL).status_code == 200


def test_list_filters_and_pagination(mod_client):
    category = CategoryFactory()
    author = UserFactory()
    a = PoseRequestFactory(user=author, votes_count=3, category=category)
    b = PoseRequestFactory(votes_count=7, status="approved")
    c = PoseRequestFactory(user=author, votes_count=1, status="rejected", admin_notes="dup")
    body = mod_client.get(URL).json()
    assert [r["id"] for r in body["requests"]] == [str(b.pk), str(a.pk), str(c.pk)]
    assert body["pagination"] == {"page": 1, "limit": 20, "total": 3, "totalPages": 1}
    first = body["requests"][2]
    assert (first["userId"], first["userEmail"], first["adminNotes"]) == (str(author.pk), author.email, "dup")
    ids = lambda params: [r["id"] for r in mod_client.get(URL, params).json()["requests"]]  # noqa: E731
    assert ids({"status": "approved"}) == [str(b.pk)]
    assert ids({"categoryId": str(category.pk)}) == [str(a.pk)]
    assert ids({"userId": str(author.pk)}) == [str(a.pk), str(c.pk)]
    assert ids({"limit": 1, "page": 2}) == [str(a.pk)]
    assert mod_client.get(URL, {"status": "nope"}).status_code == 400
    assert mod_client.get(URL, {"userId": "nope"}).status_code == 400


def test_details_include_the_moderation_log(mod_client):
    request = PoseRequestFactory()
    mod_client.post(f"{URL}/{request.pk}/approve", {"adminNotes": "Yes"}, format="json")
    body = mod_client.get(f"{URL}/{request.pk}").json()["request"]
    assert body["status"] == "approved"
    assert body["allowedTransitions"] == ["in_progress", "rejected"]
    assert [(t["fromStatus"], t["toStatus"], t["notes"], t["actorEmail"]) for t in body["transitions"]] == [
        ("pending", "approved", "Yes", mod_client.user.email)]
    assert mod_client.get(f"{URL}/{ZERO}").status_code == 404


def test_the_whole_workflow_through_the_api(mod_client):
    request = PoseRequestFactory()
    pose = PoseFactory()
    approved = mod_client.post(f"{URL}/{request.pk}/approve", {}, format="json")
    assert approved.status_code == 200
    assert approved.json()["request"]["status"] == "approved"
    assert approved.json()["request"]["adminNotes"] is None
    started = mod_client.post(f"{URL}/{request.pk}/mark-in-progress", {"adminNotes": "Shooting"}, format="json")
    assert (started.json()["request"]["status"], started.json()["request"]["adminNotes"]) == (
        "in_progress", "Shooting")
    done = mod_client.post(f"{URL}/{request.pk}/mark-completed", {"completedPoseId": str(pose.pk)}, format="json")
    assert done.status_code == 200
    assert (done.json()["request"]["status"], done.json()["request"]["completedPoseId"]) == (
        "completed", str(pose.pk))
    assert PoseRequestTransition.objects.filter(request=request).count() == 3
    assert Notification.objects.filter(user=request.user).count() == 3


def test_invalid_transition_is_409_with_the_envelope(mod_client):
    request = PoseRequestFactory()
    response = mod_client.post(f"{URL}/{request.pk}/mark-in-progress", {}, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["statusCode"], error["fromStatus"], error["toStatus"]) == (
        "INVALID_TRANSITION", 409, "pending", "in_progress")
    assert error["allowed"] == ["approved", "rejected"]
    completed = PoseRequestFactory(status="completed", completed_pose=PoseFactory())
    assert mod_client.post(f"{URL}/{completed.pk}/reject", {"adminNotes": "x"}, format="json").status_code == 409
    assert PoseRequestTransition.objects.count() == 0


@pytest.mark.parametrize(("action", "payload", "field"), [
    ("reject", {}, "adminNotes"),
    ("reject", {"adminNotes": ""}, "adminNotes"),
    ("reject", {"adminNotes": "x" * 2001}, "adminNotes"),
    ("approve", {"adminNotes": "x" * 2001}, "adminNotes"),
    ("mark-completed", {}, "completedPoseId"),
    ("mark-completed", {"completedPoseId": "nope"}, "completedPoseId"),
    ("mark-completed", {"completedPoseId": ZERO}, "completedPoseId"),
])
def test_bad_moderation_input_is_400_and_changes_nothing(mod_client, action, payload, field):
    request = PoseRequestFactory(status="in_progress" if action == "mark-completed" else "pending")
    before = request.status
    response = mod_client.post(f"{URL}/{request.pk}/{action}", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    request.refresh_from_db()
    assert request.status == before
    assert PoseRequestTransition.objects.count() == 0
    assert Notification.objects.count() == 0


def test_unknown_request_is_404_for_every_action(mod_client):
    for method, url, data in _routes(ZERO)[3:9]:
        if "mark-completed" in url:
            data = {"completedPoseId": str(PoseFactory().pk)}
        response = getattr(mod_client, method)(url, data, format="json")
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "REQUEST_NOT_FOUND"


def test_reject_with_notes(mod_client):
    request = PoseRequestFactory(status="approved")
    response = mod_client.post(f"{URL}/{request.pk}/reject", {"adminNotes": "Already in the library"},
                               format="json")
    assert response.status_code == 200
    assert (response.json()["request"]["status"], response.json()["request"]["adminNotes"]) == (
        "rejected", "Already in the library")


def test_put_notes(mod_client):
    request = PoseRequestFactory()
    response = mod_client.put(f"{URL}/{request.pk}/notes", {"adminNotes": "Need a clearer photo"}, format="json")
    assert response.status_code == 200
    assert response.json()["request"]["adminNotes"] == "Need a clearer photo"
    assert response.json()["request"]["status"] == "pending"
    assert mod_client.put(f"{URL}/{request.pk}/notes", {}, format="json").status_code == 400
    cleared = mod_client.put(f"{URL}/{request.pk}/notes", {"adminNotes": ""}, format="json")
    assert cleared.json()["request"]["adminNotes"] is None
    assert PoseRequestTransition.objects.count() == 0


def test_stats(mod_client):
    for status, n in {"pending": 3, "approved": 2, "in_progress": 1, "rejected": 4}.items():
        PoseRequestFactory.create_batch(n, status=status)
    PoseRequestFactory(status="completed", completed_pose=PoseFactory())
    assert mod_client.get(f"{URL}/stats").json() == {"stats": {
        "total": 11, "pending": 3, "approved": 2, "inProgress": 1, "completed": 1, "rejected": 4}}


def test_stats_when_empty(mod_client):
    assert mod_client.get(f"{URL}/stats").json() == {"stats": {
        "total": 0, "pending": 0, "approved": 0, "inProgress": 0, "completed": 0, "rejected": 0}}


def test_popular(mod_client):
    requests = [PoseRequestFactory(votes_count=n) for n in (5, 50, 20)]
    PoseRequestFactory(votes_count=500, status="rejected")
    body = mod_client.get(f"{URL}/popular", {"limit": 2}).json()
    assert [r["id"] for r in body["requests"]] == [str(requests[1].pk), str(requests[2].pk)]
    assert "userEmail" in body["requests"][0]
    assert mod_client.get(f"{URL}/popular", {"limit": 101}).status_code == 400


def test_merge(mod_client):
    target = PoseRequestFactory(pose_name="Hands on hips")
    duplicate = PoseRequestFactory(pose_name="hand on hip")
    shared = UserFactory()
    VoteFactory(request=duplicate, user=shared)
    VoteFactory(request=target, user=shared)
    VoteFactory(request=duplicate)
    response = mod_client.post(f"{URL}/{duplicate.pk}/merge", {"targetId": str(target.pk)}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["votesMoved"], body["votesDropped"]) == (1, 1)
    assert (body["request"]["status"], body["request"]["duplicateOfId"], body["request"]["votesCount"]) == (
        "rejected", str(target.pk), 0)
    assert body["target"]["votesCount"] == 2 == PoseRequestVote.objects.filter(request=target).count()
    again = mod_client.post(f"{URL}/{duplicate.pk}/merge", {"targetId": str(target.pk)}, format="json")
    assert again.status_code == 409
    assert mod_client.post(f"{URL}/{target.pk}/merge", {"targetId": str(target.pk)},
                           format="json").status_code == 400
    assert PoseRequest.objects.get(pk=target.pk).status == "pending"
