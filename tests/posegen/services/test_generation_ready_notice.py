"""“Your photos are ready”: a finished generation with images notifies its owner in-app and by e-mail
with a link to the results, stored as a code and parameters and said in the reader's language; a
generation without images sends nothing."""

import time

import pytest
from django.core import mail

from lumiku.notifications.models import Notification
from posegen.services.generation_notices import READY_KIND, generation_ready_text
from tests.factories import ProjectFactory, library_pose
from tests.posegen.pages.helpers import signed_in
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body, wait_for_terminal

pytestmark = pytest.mark.django_db(transaction=True)


def _outbox_after_commit(timeout: float = 5.0) -> list:
    """The worker thread sends the e-mail after its transaction commits, which the test can see before the
    worker has run its on-commit callbacks: wait for it (a little) instead of reading the outbox at once."""
    deadline = time.monotonic() + timeout
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.02)
    return list(mail.outbox)


@pytest.fixture
def project(auth_client):
    return ProjectFactory(user=auth_client.user, project_name="Batik Sari")


def test_a_partial_generation_notifies_in_the_owners_language_with_a_link(auth_client, project, celery_worker,
                                                                          engine, client):
    engine("odd-fail")
    user = auth_client.user
    user.language = "id"
    user.save(update_fields=["language"])
    fund(user, 500)
    body = auth_client.post(GENERATE_URL, gallery_body(project, [library_pose()], batchSize=4, seed=20),
                            format="json").json()
    generation = wait_for_terminal(body["generationId"])
    assert (generation.status, generation.poses_completed) == ("partial", 2)

    (note,) = Notification.objects.filter(user=user)
    assert note.kind == READY_KIND and note.link == f"/generations/{generation.pk}/"
    assert note.data == {"generationId": str(generation.pk), "images": 2, "total": 4, "project": "Batik Sari"}
    assert note.title == "2 foto Anda sudah siap"
    assert note.body == ("2 dari 4 foto untuk “Batik Sari” siap diunduh. 2 foto tidak dapat dibuat; "
                         "kreditnya sudah dikembalikan.")
    (email,) = _outbox_after_commit()
    assert email.to == [user.email] and email.subject == note.title
    assert f"/generations/{generation.pk}/" in email.body

    # Read back by an English reader: the same notice in English, from its code and parameters.
    user.language = "en"
    user.save(update_fields=["language"])
    html = signed_in(client, user).get("/notifications/").content.decode()
    assert "Your 2 photos are ready" in html and "2 of 4 photos for “Batik Sari” are ready to download." in html


def test_a_generation_without_images_sends_no_ready_notice(auth_client, project, celery_worker, engine):
    engine("wrong-size")
    fund(auth_client.user, 100)
    body = auth_client.post(GENERATE_URL, gallery_body(project, [library_pose()]), format="json").json()
    assert wait_for_terminal(body["generationId"]).status == "failed"
    assert not Notification.objects.filter(kind=READY_KIND).exists() and mail.outbox == []


def test_one_photo_reads_as_one_photo():
    title, body = generation_ready_text(data={"images": 1, "total": 1, "project": "Toko"}, language="en")
    assert (title, body) == ("Your photo is ready", "1 of 1 photos for “Toko” are ready to download.")
