"""Notifications are stored as a code and parameters and said in the reader's language when read, on the
notifications page and in GET /api/notifications; the stored text and the e-mail are in the recipient's
language when it was sent; rows written before their parameters were stored keep their text."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import translation

from lumiku.notifications.kinds import notification_text
from lumiku.notifications.models import Notification
from lumiku.notifications.services import notification_send
from posegen.services.generation_notices import READY_KIND
from requests_community.notification_texts import REQUEST_STATUS_KIND
from requests_community.services.moderation import pose_request_approve, pose_request_merge, pose_request_reject
from tests.clients import api_client_for
from tests.factories import UserFactory
from tests.lumiku.notifications.factories import NotificationFactory
from tests.posegen.pages.helpers import signed_in
from tests.requests_community.factories import PoseRequestFactory

pytestmark = pytest.mark.django_db
URL = "/api/notifications"

APPROVED_EN = ("Your pose request “Hands on hips” was approved",
               "Your pose request “Hands on hips” was approved. We will add it to the library.\n\n"
               "Moderator's note: Lovely idea")
APPROVED_ID = ("Permintaan pose Anda “Hands on hips” disetujui",
               "Permintaan pose Anda “Hands on hips” disetujui. Kami akan menambahkannya ke pustaka pose.\n\n"
               "Catatan moderator: Lovely idea")


def _set_language(user, language: str):
    user.language = language
    user.save(update_fields=["language"])
    return user


def _page_html(client, user) -> str:
    return signed_in(client, user).get("/notifications/").content.decode()


def _api_items(user, language: str) -> list[tuple[str, str]]:
    body = api_client_for(user).get(URL, HTTP_ACCEPT_LANGUAGE=language).json()
    return [(n["title"], n["body"]) for n in body["notifications"]]


def test_an_english_requesters_notification_reads_in_indonesian_for_an_indonesian_reader(
        client, moderator, django_capture_on_commit_callbacks):
    requester = _set_language(UserFactory(), "en")
    request = PoseRequestFactory(user=requester, pose_name="Hands on hips")
    with django_capture_on_commit_callbacks(execute=True):
        pose_request_approve(request_id=request.pk, actor=moderator, notes="Lovely idea")

    note = Notification.objects.get()
    assert (note.kind, note.title, note.body) == (REQUEST_STATUS_KIND, *APPROVED_EN)  # sent in English
    assert (note.data["poseName"], note.data["toStatus"], note.data["note"], note.data["mergedIntoName"]) == (
        "Hands on hips", "approved", "Lovely idea", None)
    (email,) = mail.outbox
    assert email.subject == APPROVED_EN[0] and email.body.startswith(APPROVED_EN[1])

    _set_language(requester, "id")
    html = _page_html(client, requester)
    assert APPROVED_ID[0] in html and "Kami akan menambahkannya ke pustaka pose." in html
    assert "Catatan moderator: Lovely idea" in html and "was approved" not in html
    assert _api_items(requester, "id") == [APPROVED_ID]
    note.refresh_from_db()
    assert (note.title, note.body) == APPROVED_EN  # reading never rewrites the row


def test_an_indonesian_requesters_notification_reads_in_english_for_an_english_reader(
        client, moderator, django_capture_on_commit_callbacks):
    requester = _set_language(UserFactory(), "id")
    request = PoseRequestFactory(user=requester, pose_name="Hands on hips")
    with django_capture_on_commit_callbacks(execute=True):
        pose_request_approve(request_id=request.pk, actor=moderator, notes="Lovely idea")

    note = Notification.objects.get()
    assert (note.title, note.body) == APPROVED_ID  # stored and e-mailed in the recipient's language
    (email,) = mail.outbox
    assert email.subject == APPROVED_ID[0] and email.body.startswith(APPROVED_ID[1])

    _set_language(requester, "en")
    html = _page_html(client, requester)
    assert APPROVED_EN[0] in html and "disetujui" not in html
    assert _api_items(requester, "en") == [APPROVED_EN]


@pytest.mark.parametrize(("language", "expected"), [
    ("en", ("Your pose request “Bag on shoulder” was not accepted",
            "Your pose request “Bag on shoulder” was not accepted.\n\nModerator's note: Already in the library")),
    ("id", ("Permintaan pose Anda “Bag on shoulder” tidak diterima",
            "Permintaan pose Anda “Bag on shoulder” tidak diterima.\n\nCatatan moderator: Already in the library")),
])
def test_a_rejection_in_the_api_follows_accept_language(moderator, language, expected):
    requester = _set_language(UserFactory(), language)
    request = PoseRequestFactory(user=requester, pose_name="Bag on shoulder")
    pose_request_reject(request_id=request.pk, actor=moderator, notes="Already in the library")
    assert _api_items(requester, language) == [expected]


def test_a_merge_says_where_to_vote_without_repeating_its_default_note(moderator):
    target = PoseRequestFactory(pose_name="Arms crossed")
    duplicate = PoseRequestFactory(user=_set_language(UserFactory(), "en"), pose_name="Crossed arms")
    pose_request_merge(request_id=duplicate.pk, target_id=target.pk, actor=moderator)
    note = Notification.objects.get()
    assert (note.data["mergedIntoName"], note.data["note"]) == ("Arms crossed", None)
    assert _api_items(duplicate.user, "id") == [(
        "Permintaan pose Anda “Crossed arms” digabungkan dengan permintaan lain",
        "Permintaan pose Anda “Crossed arms” digabungkan dengan “Arms crossed”, yang meminta pose yang sama: "
        "dukung di sana.")]


def test_a_ready_notice_reads_in_the_api_readers_language():
    owner = _set_language(UserFactory(), "en")
    data = {"generationId": "g-1", "images": 3, "total": 4, "project": "Batik Sari"}
    title, body = notification_text(kind=READY_KIND, data=data, language="en")
    notification_send(user=owner, kind=READY_KIND, title=title, body=body, link="/generations/g-1/", data=data,
                      email=False)
    assert _api_items(owner, "id") == [(
        "3 foto Anda sudah siap",
        "3 dari 4 foto untuk “Batik Sari” siap diunduh. 1 foto tidak dapat dibuat; kreditnya sudah dikembalikan.")]
    assert _api_items(owner, "en") == [(
        "Your 3 photos are ready",
        "3 of 4 photos for “Batik Sari” are ready to download. 1 photo could not be made; its credits were refunded.")]


@pytest.mark.parametrize("data", [
    {"poseName": "Hands on hips", "toStatus": "approved"},  # before the note was stored with it
    {"poseName": "Hands on hips", "toStatus": "archived", "note": None},  # a status with no wording
    {},
])
def test_an_old_row_keeps_its_stored_text_on_the_page_and_in_the_api(client, data):
    reader = _set_language(UserFactory(), "id")
    NotificationFactory(user=reader, kind=REQUEST_STATUS_KIND, title="Your pose request was approved",
                        body="Stored before codes.", data=data)
    html = _page_html(client, reader)
    assert "Your pose request was approved" in html and "Stored before codes." in html
    assert _api_items(reader, "id") == [("Your pose request was approved", "Stored before codes.")]


def test_an_unregistered_kind_keeps_its_stored_text():
    reader = UserFactory()
    NotificationFactory(user=reader, kind="system.notice", title="Maintenance tonight", body="22:00 WIB",
                        data={"poseName": "x", "toStatus": "approved", "note": None})
    assert _api_items(reader, "id") == [("Maintenance tonight", "22:00 WIB")]


def test_every_request_status_has_wording_in_both_languages():
    for status in ("approved", "in_progress", "completed", "rejected"):
        data = {"poseName": "P", "toStatus": status, "note": None}
        english = notification_text(kind=REQUEST_STATUS_KIND, data=data, language="en")
        indonesian = notification_text(kind=REQUEST_STATUS_KIND, data=data, language="id")
        assert english[0].startswith("Your pose request “P” ")
        assert indonesian[0].startswith("Permintaan pose Anda “P” ")
        assert not re.search(r"\b(Your|request|was|is)\b", " ".join(indonesian))
    with translation.override("id"):
        assert translation.gettext("Moderator's note: %(note)s") == "Catatan moderator: %(note)s"
