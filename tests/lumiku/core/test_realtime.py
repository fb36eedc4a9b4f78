"""WebSocket auth and isolation through the real ASGI application and channel layer."""

import asyncio

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction

from lumiku.asgi import application
from lumiku.core.realtime import realtime_publish
from lumiku.core.ws_auth import ws_ticket_issue, ws_ticket_redeem
from tests.factories import GenerationFactory, ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = [(b"origin", b"http://testserver")]


def _communicator(path="/ws/pose-generator/", headers=ORIGIN):
    return WebsocketCommunicator(application, path, headers=headers)


async def _connect(ticket):
    comm = _communicator(f"/ws/pose-generator/?ticket={ticket}")
    connected, code = await comm.connect(timeout=5)
    return comm, connected, code


def test_anonymous_socket_is_closed(user):
    async def run():
        comm = _communicator()
        connected, code = await comm.connect(timeout=5)
        await comm.disconnect()
        return connected, code

    connected, code = async_to_sync(run)()
    assert connected is False
    assert code == 4401


def test_foreign_origin_is_refused(user):
    ticket = ws_ticket_issue(user_id=user.pk)

    async def run():
        comm = _communicator(f"/ws/pose-generator/?ticket={ticket}", headers=[(b"origin", b"https://evil.example")])
        connected, _ = await comm.connect(timeout=5)
        await comm.disconnect()
        return connected

    assert async_to_sync(run)() is False


def test_ticket_is_single_use(user):
    ticket = ws_ticket_issue(user_id=user.pk)
    assert ws_ticket_redeem(ticket=ticket) == str(user.pk)
    assert ws_ticket_redeem(ticket=ticket) is None
    assert ws_ticket_redeem(ticket="made-up") is None


def test_ticket_api_then_socket_gets_state_and_only_own_events(auth_client, other_user):
    user = auth_client.user
    generation = GenerationFactory(project=ProjectFactory(user=user), status="processing", total_expected_poses=4,
                                   poses_completed=1, progress=25)
    ticket = auth_client.post("/api/apps/pose-generator/ws-ticket").json()["ticket"]

    async def run():
        comm, connected, _ = await _connect(ticket)
        assert connected
        ready = await comm.receive_json_from(timeout=5)

        def publish():
            with transaction.atomic():
                realtime_publish(user_id=other_user.pk, event_type="generation.progress", payload={"n": "other"})
                realtime_publish(user_id=user.pk, event_type="generation.progress", payload={"n": "mine"})

        await sync_to_async(publish)()
        event = await comm.receive_json_from(timeout=5)
        nothing_else = await comm.receive_nothing(timeout=0.3)
        reuse, reuse_ok, _ = await _connect(ticket)
        await comm.disconnect()
        await reuse.disconnect()
        return ready, event, nothing_else, reuse_ok

    ready, event, nothing_else, reuse_ok = async_to_sync(run)()
    assert ready["type"] == "connection.ready"
    assert ready["activeGenerations"] == [
        {"generationId": str(generation.pk), "status": "processing", "percentage": 25, "posesCompleted": 1,
         "posesFailed": 0, "totalPosesExpected": 4}
    ]
    assert event == {"type": "generation.progress", "n": "mine"}
    assert nothing_else is True
    assert reuse_ok is False


def test_publish_inside_a_rolled_back_transaction_sends_nothing(user):
    ticket = ws_ticket_issue(user_id=user.pk)

    async def run():
        comm, _connected, _ = await _connect(ticket)
        await comm.receive_json_from(timeout=5)

        def publish_and_roll_back():
            try:
                with transaction.atomic():
                    realtime_publish(user_id=user.pk, event_type="generation.progress", payload={})
                    raise RuntimeError("boom")
            except RuntimeError:
                pass

        await sync_to_async(publish_and_roll_back)()
        silent = await comm.receive_nothing(timeout=0.3)
        await comm.disconnect()
        return silent

    assert async_to_sync(run)() is True


def test_embedded_layer_delivers_from_a_worker_thread(settings, user):
    """The in-process layer must wake a consumer when a publish comes from another thread's loop."""
    if settings.REDIS_URL:
        pytest.skip("embedded channel layer only")
    ticket = ws_ticket_issue(user_id=user.pk)

    async def run():
        comm, _, _ = await _connect(ticket)
        await comm.receive_json_from(timeout=5)
        loop = asyncio.get_running_loop()

        def from_thread():
            realtime_publish(user_id=user.pk, event_type="pose.completed", payload={"poseId": "p1"})

        await loop.run_in_executor(None, from_thread)
        event = await comm.receive_json_from(timeout=5)
        await comm.disconnect()
        return event

    assert async_to_sync(run)() == {"type": "pose.completed", "poseId": "p1"}
