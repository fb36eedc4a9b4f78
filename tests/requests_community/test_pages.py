"""The server-rendered pages: board, submit form, my requests, detail, vote and withdraw."""

import pytest

from requests_community.models import PoseRequest, PoseRequestVote
from tests.factories import CategoryFactory, PoseFactory, UserFactory
from tests.images import image_bytes, upload
from tests.requests_community.factories import PoseRequestFactory, VoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, user):
    client.force_login(user)
    client.user = user
    return client


@pytest.mark.parametrize("path", ["/pose-requests/", "/pose-requests/new/", "/pose-requests/mine/"])
def test_login_required(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_board_lists_open_requests_with_filters(web, other_user):
    category = CategoryFactory(display_name="Sitting")
    top = PoseRequestFactory(user=other_user, pose_name="Cross-legged on floor", votes_count=4, category=category)
    PoseRequestFactory(user=other_user, pose_name="Jumping", votes_count=1)
    PoseRequestFactory(user=other_user, pose_name="Hidden rejected", status="rejected")
    response = web.get("/pose-requests/")
    assert response.status_code == 200
    assert [r.pose_name for r in response.context["page"]] == ["Cross-legged on floor", "Jumping"]
    assert "Hidden rejected" not in response.content.decode()
    assert [r.pk for r in web.get("/pose-requests/", {"q": "floor"}).context["page"]] == [top.pk]
    assert [r.pk for r in web.get("/pose-requests/", {"category": str(category.pk)}).context["page"]] == [top.pk]
    assert [r.pose_name for r in web.get("/pose-requests/", {"sort": "newest"}).context["page"]] == [
        "Jumping", "Cross-legged on floor"]
    assert web.get("/pose-requests/", {"sort": "bogus", "category": "bogus", "status": "bogus"}).status_code == 200


def test_vote_button_toggles_and_returns_to_the_board(web, other_user):
    request = PoseRequestFactory(user=other_user)
    response = web.post(f"/pose-requests/{request.pk}/vote/", {"next": "/pose-requests/?sort=newest"})
    assert response.status_code == 302
    assert response["Location"] == f"/pose-requests/?sort=newest#request-{request.pk}"
    assert PoseRequest.objects.get(pk=request.pk).votes_count == 1
    board = web.get("/pose-requests/").content.decode()
    assert "▲ Voted · 1" in board
    web.post(f"/pose-requests/{request.pk}/vote/", {"next": "https://evil.example/"})
    assert PoseRequest.objects.get(pk=request.pk).votes_count == 0
    assert PoseRequestVote.objects.count() == 0


def test_vote_redirect_refuses_foreign_hosts(web, other_user):
    request = PoseRequestFactory(user=other_user)
    response = web.post(f"/pose-requests/{request.pk}/vote/", {"next": "https://evil.example/"})
    assert response["Location"] == f"/pose-requests/{request.pk}/#request-{request.pk}"


def test_vote_on_closed_request_shows_the_error(web, other_user):
    request = PoseRequestFactory(user=other_user, status="completed", completed_pose=PoseFactory())
    response = web.post(f"/pose-requests/{request.pk}/vote/", follow=True)
    assert any("Voting is closed" in str(m) for m in response.context["messages"])
    assert PoseRequestVote.objects.count() == 0


def test_vote_requires_post(web, other_user):
    request = PoseRequestFactory(user=other_user)
    assert web.get(f"/pose-requests/{request.pk}/vote/").status_code == 405


def test_submit_form_renders_with_counters(web):
    response = web.get("/pose-requests/new/")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'maxlength="100"' in content and 'maxlength="500"' in content
    assert 'class="counter"' in content


def test_submit_form_shows_similar_hint_for_a_name(web, other_user):
    similar = PoseRequestFactory(user=other_user, pose_name="Hands on hips")
    response = web.get("/pose-requests/new/", {"poseName": "hands on hips"})
    assert [r.pk for r in response.context["similar"]] == [similar.pk]


def test_submit_creates_and_redirects_to_the_request(web, other_user):
    PoseRequestFactory(user=other_user, pose_name="Hands on hips, side")
    response = web.post("/pose-requests/new/", {
        "pose_name": "Hands on hips", "description": "Power pose", "use_case": "social",
        "reference_image": upload("ref.png", image_bytes()),
    })
    request = PoseRequest.objects.get(user=web.user)
    assert response.status_code == 302
    assert response["Location"] == f"/pose-requests/{request.pk}/?submitted=1"
    detail = web.get(response["Location"])
    assert detail.context["just_submitted"] is True
    assert [r.pose_name for r in detail.context["similar"]] == ["Hands on hips, side"]
    assert request.reference_image.name


def test_submit_errors_are_shown_in_place(web):
    PoseRequestFactory(user=web.user, pose_name="Hands on hips")
    duplicate = web.post("/pose-requests/new/", {"pose_name": "hands on HIPS", "description": "again"})
    assert duplicate.status_code == 200
    assert "You already have an open request “Hands on hips”" in str(duplicate.context["form"].non_field_errors())
    bad_image = web.post("/pose-requests/new/", {"pose_name": "Other", "description": "x",
                                                 "reference_image": upload("x.png", b"nope")})
    assert bad_image.context["form"].errors["reference_image"]
    too_long = web.post("/pose-requests/new/", {"pose_name": "x" * 101, "description": "x"})
    assert too_long.context["form"].errors["pose_name"]
    assert PoseRequest.objects.count() == 1


def test_my_requests_show_badges_notes_and_the_finished_pose(web, other_user):
    pose = PoseFactory(name="Hip sway")
    PoseRequestFactory(user=web.user, pose_name="Done one", status="completed", completed_pose=pose,
                       admin_notes="Shipped!")
    PoseRequestFactory(user=web.user, pose_name="Nope", status="rejected", admin_notes="Already exists")
    PoseRequestFactory(user=other_user, pose_name="Not mine")
    content = web.get("/pose-requests/mine/").content.decode()
    assert "Done one" in content and "Nope" in content and "Not mine" not in content
    assert 'class="badge status-completed"' in content and 'class="badge status-rejected"' in content
    assert "Shipped!" in content and "Already exists" in content
    assert "Hip sway" in content
    filtered = web.get("/pose-requests/mine/", {"status": "rejected"})
    assert [r.pose_name for r in filtered.context["page"]] == ["Nope"]


def test_detail_hides_others_notes_and_hidden_requests(web, other_user):
    visible = PoseRequestFactory(user=other_user, admin_notes="moderator-only remark")
    hidden = PoseRequestFactory(user=other_user, status="rejected")
    content = web.get(f"/pose-requests/{visible.pk}/").content.decode()
    assert "moderator-only remark" not in content
    assert "Withdraw" not in content
    assert web.get(f"/pose-requests/{hidden.pk}/").status_code == 404


def test_withdraw_own_pending_request(web):
    request = PoseRequestFactory(user=web.user)
    VoteFactory(request=request, user=UserFactory())
    assert "Withdraw this request" in web.get(f"/pose-requests/{request.pk}/").content.decode()
    response = web.post(f"/pose-requests/{request.pk}/delete/")
    assert response["Location"] == "/pose-requests/mine/"
    assert PoseRequest.objects.count() == 0


def test_withdraw_refused_after_review(web):
    request = PoseRequestFactory(user=web.user, status="approved")
    response = web.post(f"/pose-requests/{request.pk}/delete/", follow=True)
    assert any("Only pending requests" in str(m) for m in response.context["messages"])
    assert PoseRequest.objects.count() == 1
