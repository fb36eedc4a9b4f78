"""A merge's default note (the moderator wrote none) is stored in English and said in the reader's language:
the request's page and the requester's list, GET .../requests/<id> (adminNotes), and the
request.status_changed WebSocket event (adminNotes as stored, adminNotesByLanguage with both)."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.urls import reverse

from lumiku.asgi import application
from lumiku.core.ws_auth import ws_ticket_issue
from requests_community.models import PoseRequest
from requests_community.services.moderation import pose_request_merge
from tests.clients import api_client_for
from tests.factories import UserFactory
from tests.requests_community.factories import PoseRequestFactory

NOTE_EN = "This asks for the same pose as “Arms crossed”; your votes were moved there."
NOTE_ID = "Permintaan ini meminta pose yang sama dengan “Arms crossed”; dukungan Anda dipindahkan ke sana."


def _merged(moderator, *, language: str, notes: str | None = None) -> PoseRequest:
    target = PoseRequestFactory(pose_name="Arms crossed")
    duplicate = PoseRequestFactory(pose_name="Crossed arms", user=UserFactory(language=language))
    pose_request_merge(request_id=duplicate.pk, target_id=target.pk, actor=moderator, notes=notes)
    return PoseRequest.objects.get(pk=duplicate.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "said", "unsaid"), [("id", NOTE_ID, NOTE_EN), ("en", NOTE_EN, NOTE_ID)])
def test_pages_say_the_default_merge_note_in_the_requesters_language(client, moderator, language, said, unsaid):
    duplicate = _merged(moderator, language=language)
    assert duplicate.admin_notes == NOTE_EN  # stored as before: English
    client.force_login(duplicate.user)
    detail = client.get(reverse("requests_community:detail", args=[duplicate.pk])).content.decode()
    assert f'<div class="alert admin-notes"><strong>Moderator:</strong> {said}</div>' in detail
    mine = client.get(reverse("requests_community:mine")).content.decode()
    assert f'<p class="admin-notes small"><strong>Moderator:</strong> {said}</p>' in mine
    assert unsaid not in detail + mine


@pytest.mark.django_db
def test_api_says_the_default_merge_note_in_the_readers_language(moderator):
    duplicate = _merged(moderator, language="en")
    owner = api_client_for(duplicate.user)
    url = f"/api/apps/pose-generator/requests/{duplicate.pk}"
    assert owner.get(url, HTTP_ACCEPT_LANGUAGE="id").json()["request"]["adminNotes"] == NOTE_ID
    assert owner.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["request"]["adminNotes"] == NOTE_EN
    # Anyone else on the board still sees no note at all.
    assert api_client_for(UserFactory()).get(url, HTTP_ACCEPT_LANGUAGE="id").json()["request"]["adminNotes"] is None


@pytest.mark.django_db
def test_a_moderators_own_merge_note_is_shown_as_written(client, moderator):
    duplicate = _merged(moderator, language="id", notes="Sama dengan yang lain")
    client.force_login(duplicate.user)
    detail = client.get(reverse("requests_community:detail", args=[duplicate.pk])).content.decode()
    assert "<strong>Moderator:</strong> Sama dengan yang lain</div>" in detail and NOTE_ID not in detail


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("notes", "by_language"), [
    (None, {"en": NOTE_EN, "id": NOTE_ID}),
    ("Same as the other one", {"en": "Same as the other one", "id": "Same as the other one"}),
])
def test_websocket_event_carries_the_note_in_both_languages(moderator, notes, by_language):
    target = PoseRequestFactory(pose_name="Arms crossed")
    requester = UserFactory(language="id")
    duplicate = PoseRequestFactory(pose_name="Crossed arms", user=requester)
    ticket = ws_ticket_issue(user_id=requester.pk)

    async def run():
        comm = WebsocketCommunicator(application, f"/ws/pose-generator/?ticket={ticket}",
                                     headers=[(b"origin", b"http://testserver")])
        connected, _ = await comm.connect(timeout=5)
        assert connected
        assert (await comm.receive_json_from(timeout=5))["type"] == "connection.ready"
        await sync_to_async(pose_request_merge)(request_id=duplicate.pk, target_id=target.pk, actor=moderator,
                                                notes=notes)
        event = await comm.receive_json_from(timeout=5)
        await comm.disconnect()
        return event

    event = async_to_sync(run)()
    assert event["type"] == "request.status_changed"
    assert (event["requestId"], event["fromStatus"], event["toStatus"], event["duplicateOfId"]) == (
        str(duplicate.pk), "pending", "rejected", str(target.pk))
    assert event["adminNotes"] == by_language["en"]  # the existing field: the note as stored
    assert event["adminNotesByLanguage"] == by_language
