"""Every status change tells the requester: an in-app row, an email after commit, a WebSocket event."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core import mail

from lumiku.core.errors import InvalidTransition
from lumiku.core.realtime import user_group
from lumiku.notifications.models import Notification
from requests_community.services.moderation import (
    pose_request_approve,
    pose_request_merge,
    pose_request_reject,
)
from tests.factories import UserFactory
from tests.requests_community.factories import PoseRequestFactory, VoteFactory

pytestmark = pytest.mark.django_db
URL = "/api/notifications"


def test_status_change_notifies_only_the_requester(moderator, published, django_capture_on_commit_callbacks):
    requester, voter = UserFactory(), UserFactory()
    request = PoseRequestFactory(user=requester, pose_name="Hands on hips")
    VoteFactory(request=request, user=voter)
    with django_capture_on_commit_callbacks(execute=True):
        pose_request_approve(request_id=request.pk, actor=moderator, notes="Lovely idea")

    note = Notification.objects.get()
    assert note.user_id == requester.pk
    assert note.kind == "request.status_changed"
    assert note.title == "Your pose request “Hands on hips” was approved"
    assert "Lovely idea" in note.body
    assert note.link == f"/pose-requests/{request.pk}/"
    assert (note.data["requestId"], note.data["fromStatus"], note.data["toStatus"]) == (
        str(request.pk), "pending", "approved")
    assert note.read_at is None

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [requester.email]
    assert email.subject == note.title
    assert "Lovely idea" in email.body
    assert f"/pose-requests/{request.pk}/" in email.body

    assert published == [(requester.pk, "request.status_changed", {
        "requestId": str(request.pk), "poseName": "Hands on hips", "fromStatus": "pending",
        "toStatus": "approved", "adminNotes": "Lovely idea",
        "adminNotesByLanguage": {"en": "Lovely idea", "id": "Lovely idea"}, "completedPoseId": None,
        "duplicateOfId": None, "notificationId": str(note.pk),
    })]


def test_email_waits_for_commit(moderator, django_capture_on_commit_callbacks):
    request = PoseRequestFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pose_request_reject(request_id=request.pk, actor=moderator, notes="Duplicate of the catalogue pose")
    assert mail.outbox == []
    assert len(callbacks) == 3  # the decision metric, the email and the WebSocket event, all after commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert "was not accepted" in mail.outbox[0].subject


def test_refused_transition_sends_nothing(moderator, published, django_capture_on_commit_callbacks):
    request = PoseRequestFactory(status="rejected")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidTransition):
        pose_request_approve(request_id=request.pk, actor=moderator)
    assert Notification.objects.count() == 0
    assert mail.outbox == []
    assert published == []


def test_merge_notifies_the_duplicates_requester(moderator, django_capture_on_commit_callbacks):
    target = PoseRequestFactory(pose_name="Arms crossed")
    duplicate = PoseRequestFactory(pose_name="Crossed arms")
    with django_capture_on_commit_callbacks(execute=True):
        pose_request_merge(request_id=duplicate.pk, target_id=target.pk, actor=moderator)
    note = Notification.objects.get()
    assert note.user_id == duplicate.user_id
    assert "merged" in note.title
    assert [m.to for m in mail.outbox] == [[duplicate.user.email]]
    assert "Arms crossed" in mail.outbox[0].body


def test_realtime_event_reaches_the_requesters_group(moderator, django_capture_on_commit_callbacks):
    request = PoseRequestFactory()
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(request.user_id), channel)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            pose_request_approve(request_id=request.pk, actor=moderator)
        message = async_to_sync(layer.receive)(channel)
    finally:
        async_to_sync(layer.group_discard)(user_group(request.user_id), channel)
    assert message["type"] == "app.event"
    assert message["event"]["type"] == "request.status_changed"
    assert (message["event"]["requestId"], message["event"]["toStatus"]) == (str(request.pk), "approved")


def test_api_transition_creates_the_notification_the_requester_sees(mod_client, api_client,
                                                                     django_capture_on_commit_callbacks):
    request = PoseRequestFactory()
    with django_capture_on_commit_callbacks(execute=True):
        mod_client.post(f"/api/apps/pose-generator/admin/pose-requests/{request.pk}/reject",
                        {"adminNotes": "Too similar to an existing pose"}, format="json")
    api_client.force_authenticate(request.user)
    items = api_client.get(URL).json()["notifications"]
    assert [(n["kind"], n["data"]["toStatus"], n["isRead"]) for n in items] == [
        ("request.status_changed", "rejected", False)]
    assert [m.to for m in mail.outbox] == [[request.user.email]]
    assert mod_client.get(URL).json()["notifications"] == []
