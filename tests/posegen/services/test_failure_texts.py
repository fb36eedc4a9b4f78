"""A failure's reason in both languages: every reason the engines and imaging store can be said in Bahasa
Indonesia; the pose.failed and background.failed WebSocket events keep errorMessage (the stored English) and
add errorMessageByLanguage {en, id}; the progress page's cards and summary say the reason in the reader's
language."""

from __future__ import annotations

import ast

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import translation
from django.utils.translation import gettext

from lumiku.asgi import application
from lumiku.core.realtime import realtime_text_by_language
from lumiku.core.ws_auth import ws_ticket_issue
from posegen.models import GeneratedPose
from tests.factories import ProjectFactory, UserFactory, library_pose
from tests.paths import REPO
from tests.posegen.api.test_background_api import completed_pose
from tests.posegen.pages.helpers import signed_in
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body, wait_for_terminal

ORIGIN = [(b"origin", b"http://testserver")]
WRONG_SIZE_EN = "The engine returned an image of the wrong size."
WRONG_SIZE_ID = "Mesin pembuat foto mengirim foto dengan ukuran yang salah."
NONE_MADE_EN = "No image could be generated; every image was refunded."
NONE_MADE_ID = "Tidak ada foto yang bisa dibuat; biaya semua foto dikembalikan."
QUEUE_EN = "The background change could not be queued; your credits were refunded."
QUEUE_ID = "Penggantian latar belakang tidak dapat dimasukkan ke antrean; kredit Anda telah dikembalikan."


def _stored_reasons() -> dict[str, str]:
    """Every literal reason in posegen/engines and posegen/imaging: user_message=... (a literal or a module
    constant), the base class's default, and BackgroundFailed("...") → where it is."""
    sources = sorted([*(REPO / "posegen" / "engines").rglob("*.py"), *(REPO / "posegen" / "imaging").rglob("*.py")])
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in sources}
    constants = {node.targets[0].id: node.value.value for tree in trees.values() for node in tree.body
                 if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                 and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)}

    def text(node):
        if isinstance(node, ast.Name):
            return constants.get(node.id)
        return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None

    found = {}
    for path, tree in trees.items():
        for node in ast.walk(tree):
            candidates = []
            if isinstance(node, ast.Call):
                candidates += [kw.value for kw in node.keywords if kw.arg == "user_message"]
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                candidates += node.args[:1] if name == "BackgroundFailed" else []
            elif isinstance(node, ast.BoolOp) and any(getattr(v, "id", "") == "user_message" for v in node.values):
                candidates.append(node.values[-1])
            for candidate in candidates:
                if text(candidate):
                    found.setdefault(text(candidate), f"{path.relative_to(REPO)}:{node.lineno}")
    return found


def test_every_reason_the_engines_and_imaging_store_is_said_in_indonesian():
    reasons = _stored_reasons()
    assert len(reasons) >= 17  # the scan found them: literals, module constants, the default
    assert reasons[WRONG_SIZE_EN].startswith("posegen/engines/")
    assert "The image service declined this image under its content rules; it was refunded." in reasons
    with translation.override("id"):
        unsaid = [f"{text!r} [{where}]" for text, where in reasons.items() if gettext(text) == text]
    assert unsaid == []


def test_realtime_text_by_language_says_a_known_reason_in_each_and_an_unknown_one_as_written():
    assert realtime_text_by_language(WRONG_SIZE_EN) == {"en": WRONG_SIZE_EN, "id": WRONG_SIZE_ID}
    assert realtime_text_by_language("An internal error stopped this image.") == {
        "en": "An internal error stopped this image.", "id": "Kesalahan internal menghentikan pembuatan foto ini."}
    assert realtime_text_by_language("engine said 97x144") == {"en": "engine said 97x144", "id": "engine said 97x144"}


async def _events_until(comm, last_types: tuple[str, ...]) -> list[dict]:
    events = [await comm.receive_json_from(timeout=5)]
    while events[-1]["type"] not in last_types:
        events.append(await comm.receive_json_from(timeout=20))
    return events


@pytest.mark.django_db(transaction=True)
def test_websocket_pose_failed_carries_the_reason_in_both_languages_and_the_page_says_it(
        auth_client, celery_worker, engine, client):
    engine("wrong-size")  # the worker's own check refuses the image (run.py), as a real engine's bad answer
    user = auth_client.user
    user.language = "id"
    user.save(update_fields=["language"])
    fund(user, 200)
    body = gallery_body(ProjectFactory(user=user), [library_pose()])
    ticket = ws_ticket_issue(user_id=user.pk)

    async def run():
        comm = WebsocketCommunicator(application, f"/ws/pose-generator/?ticket={ticket}", headers=ORIGIN)
        connected, _ = await comm.connect(timeout=5)
        assert connected
        response = await sync_to_async(auth_client.post)(GENERATE_URL, body, format="json")
        events = await _events_until(comm, ("generation.completed", "generation.failed"))
        await comm.disconnect()
        return response.json()["generationId"], events

    generation_id, events = async_to_sync(run)()
    wait_for_terminal(generation_id)
    (failed,) = [e for e in events if e["type"] == "pose.failed"]
    pose = GeneratedPose.objects.get(generation_id=generation_id)
    assert (failed["poseId"], failed["errorMessage"], failed["posesFailed"]) == (str(pose.pk), WRONG_SIZE_EN, 1)
    assert failed["errorMessageByLanguage"] == {"en": WRONG_SIZE_EN, "id": WRONG_SIZE_ID}
    assert events[-1]["type"] == "generation.failed"

    page = signed_in(client, user)
    card = page.get(f"/generations/{generation_id}/cards/?ids={pose.pk}").content.decode()
    assert f'<p class="small muted" data-testid="pose-error">{WRONG_SIZE_ID}</p>' in card
    summary = page.get(f"/generations/{generation_id}/status/").json()["summaryHtml"]
    assert f'<p class="muted small" data-testid="generation-error">{NONE_MADE_ID}</p>' in summary
    user.language = "en"
    user.save(update_fields=["language"])
    summary = page.get(f"/generations/{generation_id}/status/").json()["summaryHtml"]
    assert f'<p class="muted small" data-testid="generation-error">{NONE_MADE_EN}</p>' in summary
    # The REST API says both reasons in the reader's language too (Accept-Language).
    for language, image, none in (("id", WRONG_SIZE_ID, NONE_MADE_ID), ("en", WRONG_SIZE_EN, NONE_MADE_EN)):
        body = auth_client.get(f"/api/apps/pose-generator/generations/{generation_id}/results",
                               HTTP_ACCEPT_LANGUAGE=language).json()
        assert (body["generation"]["errorMessage"], body["results"][0]["errorMessage"]) == (none, image)


@pytest.mark.django_db(transaction=True)
def test_websocket_background_failed_carries_the_reason_in_both_languages(monkeypatch):
    from posegen import tasks
    from posegen.services.backgrounds import BackgroundRequest, background_change_start, background_job_fail

    monkeypatch.setattr(tasks.background_change, "apply_async", lambda **kwargs: None)  # no worker takes it
    user = UserFactory(language="id")
    fund(user, 100)
    pose = completed_pose(user, person=False)
    job, _ = background_change_start(user=user, pose_id=pose.pk,
                                     request=BackgroundRequest(mode="solid_color", color="#FFFFFF"))
    ticket = ws_ticket_issue(user_id=user.pk)

    async def run():
        comm = WebsocketCommunicator(application, f"/ws/pose-generator/?ticket={ticket}", headers=ORIGIN)
        connected, _ = await comm.connect(timeout=5)
        assert connected
        assert (await comm.receive_json_from(timeout=5))["type"] == "connection.ready"
        assert await sync_to_async(background_job_fail)(job_id=job.pk, token=None, reason=QUEUE_EN) is True
        event = await comm.receive_json_from(timeout=5)
        await comm.disconnect()
        return event

    event = async_to_sync(run)()
    assert event == {"type": "background.failed", "poseId": str(pose.pk), "jobId": f"bg-{pose.pk}",
                     "errorMessage": QUEUE_EN, "errorMessageByLanguage": {"en": QUEUE_EN, "id": QUEUE_ID},
                     "creditRefunded": 10}

