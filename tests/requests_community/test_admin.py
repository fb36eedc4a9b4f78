"""The moderation queue in Django admin: stats, thumbnails, bulk actions, transition pages, merge, log."""

import pytest

from lumiku.notifications.models import Notification
from requests_community.models import PoseRequest, PoseRequestTransition
from requests_community.services import library
from tests.factories import CategoryFactory, PoseFactory, UserFactory
from tests.images import image_bytes
from tests.requests_community.factories import PoseRequestFactory, VoteFactory
from tests.requests_community.test_library import _fake_assets, _request_with_photo

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/requests_community/poserequest/"


@pytest.fixture
def mod_web(client, moderator):
    client.force_login(moderator)
    client.user = moderator
    return client


def _change_url(request):
    return f"{CHANGELIST}{request.pk}/change/"


def test_moderator_without_model_permissions_sees_the_queue_with_stats(mod_web):
    PoseRequestFactory.create_batch(2)
    PoseRequestFactory(status="approved")
    response = mod_web.get(CHANGELIST)
    assert response.status_code == 200
    assert response.context["request_stats"] == {"total": 3, "pending": 2, "approved": 1, "in_progress": 0,
                                                 "completed": 0, "rejected": 0}
    content = response.content.decode()
    assert '<span data-stat="total">3</span>' in content
    assert '<span data-stat="pending">2</span>' in content


def test_queue_is_ordered_by_votes_and_filters_by_status(mod_web):
    low = PoseRequestFactory(pose_name="Low")
    high = PoseRequestFactory(pose_name="High")
    VoteFactory.create_batch(3, request=high)
    gone = PoseRequestFactory(pose_name="Gone", status="rejected")
    rows = list(mod_web.get(CHANGELIST).context["cl"].result_list)
    assert [r.pk for r in rows] == [high.pk, gone.pk, low.pk]  # most votes, then newest
    pending = list(mod_web.get(CHANGELIST, {"status__exact": "pending"}).context["cl"].result_list)
    assert {r.pk for r in pending} == {high.pk, low.pk}


def test_thumbnails_on_the_changelist(mod_web):
    request = _request_with_photo(image_bytes(fmt="JPEG"), status="pending")
    content = mod_web.get(CHANGELIST).content.decode()
    assert f'src="{request.reference_image.url}"' in content


def test_plain_users_cannot_open_the_admin(client, user):
    client.force_login(user)
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_change_page_shows_buttons_for_allowed_transitions_and_the_log(mod_web, moderator):
    request = PoseRequestFactory(status="approved")
    PoseRequestTransition.objects.create(request=request, actor=moderator, from_status="pending",
                                         to_status="approved", notes="Good one")
    response = mod_web.get(_change_url(request))
    assert response.status_code == 200
    assert [s for s, _ in response.context["transition_buttons"]] == ["in_progress", "rejected"]
    content = response.content.decode()
    assert f"/admin/requests_community/poserequest/{request.pk}/transition/in_progress/" in content
    assert f"/admin/requests_community/poserequest/{request.pk}/merge/" in content
    assert "Good one" in content  # the moderation log inline


def test_bulk_approve_shows_a_form_then_approves(mod_web, moderator):
    pending = PoseRequestFactory.create_batch(2)
    rejected = PoseRequestFactory(status="rejected")
    selected = [str(r.pk) for r in [*pending, rejected]]
    form = mod_web.post(CHANGELIST, {"action": "approve_selected", "_selected_action": selected})
    assert form.status_code == 200
    assert b"Approve requests" in form.content
    assert set(PoseRequest.objects.values_list("status", flat=True)) == {"pending", "rejected"}

    response = mod_web.post(CHANGELIST, {"action": "approve_selected", "_selected_action": selected,
                                         "apply": "1", "notes": "Queued for the next shoot"}, follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("Approve requests: 2 request(s)." in m for m in messages)
    assert any(m.startswith("Skipped") for m in messages)
    assert sorted(PoseRequest.objects.values_list("status", "admin_notes")) == sorted(
        [("approved", "Queued for the next shoot")] * 2 + [("rejected", "")])
    assert list(PoseRequestTransition.objects.values_list("actor_id", "from_status", "to_status", "notes")) == [
        (moderator.pk, "pending", "approved", "Queued for the next shoot")] * 2
    assert Notification.objects.count() == 2


def test_bulk_reject_requires_a_note(mod_web):
    requests = PoseRequestFactory.create_batch(2)
    selected = [str(r.pk) for r in requests]
    response = mod_web.post(CHANGELIST, {"action": "reject_selected", "_selected_action": selected, "apply": "1",
                                         "notes": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["notes"]
    assert set(PoseRequest.objects.values_list("status", flat=True)) == {"pending"}
    mod_web.post(CHANGELIST, {"action": "reject_selected", "_selected_action": selected, "apply": "1",
                              "notes": "Not a pose we can shoot"})
    assert set(PoseRequest.objects.values_list("status", "admin_notes")) == {("rejected", "Not a pose we can shoot")}
    assert PoseRequestTransition.objects.filter(to_status="rejected", notes="Not a pose we can shoot").count() == 2


def test_bulk_mark_in_progress(mod_web):
    approved = PoseRequestFactory(status="approved")
    pending = PoseRequestFactory()
    mod_web.post(CHANGELIST, {"action": "mark_in_progress_selected", "_selected_action": [approved.pk, pending.pk],
                              "apply": "1", "notes": ""})
    assert PoseRequest.objects.get(pk=approved.pk).status == "in_progress"
    assert PoseRequest.objects.get(pk=pending.pk).status == "pending"


def test_transition_page_reject_and_complete(mod_web):
    request = PoseRequestFactory(status="in_progress")
    url = f"{CHANGELIST}{request.pk}/transition/completed/"
    page = mod_web.get(url)
    assert page.status_code == 200
    assert "completed_pose" in page.context["form"].fields
    pose = PoseFactory()
    response = mod_web.post(url, {"completed_pose": str(pose.pk), "notes": "Here it is"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.completed_pose_id, request.admin_notes) == ("completed", pose.pk, "Here it is")

    other = PoseRequestFactory()
    reject_url = f"{CHANGELIST}{other.pk}/transition/rejected/"
    assert mod_web.post(reject_url, {"notes": ""}).status_code == 200  # form error, nothing changed
    assert PoseRequest.objects.get(pk=other.pk).status == "pending"
    mod_web.post(reject_url, {"notes": "Duplicate"})
    assert PoseRequest.objects.get(pk=other.pk).status == "rejected"


def test_refused_transition_is_reported_not_applied(mod_web):
    request = PoseRequestFactory()
    response = mod_web.post(f"{CHANGELIST}{request.pk}/transition/in_progress/", {"notes": ""}, follow=True)
    assert any("Cannot move a request from pending to in_progress" in str(m) for m in response.context["messages"])
    assert PoseRequest.objects.get(pk=request.pk).status == "pending"
    assert mod_web.get(f"{CHANGELIST}{request.pk}/transition/bogus/").status_code == 403


def test_merge_page(mod_web):
    target = PoseRequestFactory(pose_name="Hands on hips")
    duplicate = PoseRequestFactory(pose_name="hands on hip")
    voter = UserFactory()
    VoteFactory(request=duplicate, user=voter)
    VoteFactory(request=target, user=voter)
    page = mod_web.get(f"{CHANGELIST}{duplicate.pk}/merge/")
    assert duplicate.pk not in [r.pk for r in page.context["form"].fields["target"].queryset]
    response = mod_web.post(f"{CHANGELIST}{duplicate.pk}/merge/", {"target": str(target.pk), "notes": ""},
                            follow=True)
    assert any("1 already there; it now has 1" in str(m) for m in response.context["messages"])
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.duplicate_of_id, duplicate.votes_count) == ("rejected", target.pk, 0)


def test_create_pose_page(mod_web, monkeypatch):
    monkeypatch.setattr(library, "library_pictures_from_photo", lambda **kw: _fake_assets())
    category = CategoryFactory()
    request = _request_with_photo(image_bytes(fmt="JPEG"), status="approved", pose_name="Lean on wall")
    assert mod_web.get(_change_url(request)).context["can_create_pose"] is True
    page = mod_web.get(f"{CHANGELIST}{request.pk}/create-pose/")
    assert page.context["form"].initial["name"] == "Lean on wall"
    response = mod_web.post(f"{CHANGELIST}{request.pk}/create-pose/",
                            {"name": "Wall lean", "category": str(category.pk), "description": "", "notes": ""})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "completed"
    assert request.completed_pose.name == "Wall lean"


def test_editing_notes_in_the_change_form_goes_through_the_service(mod_web):
    request = PoseRequestFactory()
    response = mod_web.post(_change_url(request), {
        "admin_notes": "Please add a clearer photo",
        "transitions-TOTAL_FORMS": "0", "transitions-INITIAL_FORMS": "0",
        "transitions-MIN_NUM_FORMS": "0", "transitions-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    request.refresh_from_db()
    assert (request.admin_notes, request.status) == ("Please add a clearer photo", "pending")
    assert PoseRequestTransition.objects.count() == 0


def test_admin_pages_render_for_superuser(client):
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("root@example.com", "root-pass-123!")
    client.force_login(admin_user)
    request = PoseRequestFactory()
    VoteFactory(request=request)
    PoseRequestTransition.objects.create(request=request, actor=admin_user, from_status="pending",
                                         to_status="approved")
    Notification.objects.create(user=request.user, kind="x", title="t")
    for model in ("requests_community/poserequest", "requests_community/poserequestvote",
                  "requests_community/poserequesttransition", "notifications/notification"):
        assert client.get(f"/admin/{model}/").status_code == 200, model


def test_the_old_notification_admin_pages_redirect_to_the_platform_app(client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("root@example.com", "root-pass-123!"))
    note = Notification.objects.create(user=get_user_model().objects.create_user("u@example.com", "pw-123456!"),
                                       kind="x", title="t")
    listing = client.get("/admin/requests_community/notification/?q=t")
    assert listing.status_code == 301 and listing["Location"] == "/admin/notifications/notification/?q=t"
    change = client.get(f"/admin/requests_community/notification/{note.pk}/change/")
    assert change.status_code == 301 and change["Location"] == f"/admin/notifications/notification/{note.pk}/change/"
    assert client.get(change["Location"]).status_code == 200
