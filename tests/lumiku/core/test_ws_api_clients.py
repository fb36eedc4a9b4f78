"""WebSockets for API clients (issue 17): a handshake without `Origin` (a script, a mobile app)
authenticates with its single-use ticket; a browser's foreign `Origin` is still refused."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.db import transaction

from lumiku.asgi import application
from lumiku.core.realtime import realtime_publish
from lumiku.core.ws_auth import ws_ticket_issue, ws_ticket_redeem

pytestmark = pytest.mark.django_db(transaction=True)
PATH = "/ws/pose-generator/"


def _handshake(path: str, headers: list) -> tuple[bool, object, dict | None]:
    async def run():
        comm = WebsocketCommunicator(application, path, headers=headers)
        connected, code = await comm.connect(timeout=5)
        first = await comm.receive_json_from(timeout=5) if connected else None
        await comm.disconnect()
        return connected, code, first

    return async_to_sync(run)()


def test_ticket_without_origin_is_accepted(user):
    ticket = ws_ticket_issue(user_id=user.pk)
    connected, _, first = _handshake(f"{PATH}?ticket={ticket}", headers=[])
    assert connected is True
    assert first == {"type": "connection.ready", "activeGenerations": []}
    assert ws_ticket_redeem(ticket=ticket) is None  # the handshake consumed it


def test_foreign_browser_origin_is_refused_even_with_a_valid_ticket(user):
    ticket = ws_ticket_issue(user_id=user.pk)
    connected, _, _ = _handshake(f"{PATH}?ticket={ticket}", headers=[(b"origin", b"https://evil.example")])
    assert connected is False
    assert ws_ticket_redeem(ticket=ticket) == str(user.pk)  # refused before the ticket was looked at


def test_allowed_browser_origin_is_accepted(user):
    ticket = ws_ticket_issue(user_id=user.pk)
    connected, _, first = _handshake(f"{PATH}?ticket={ticket}", headers=[(b"origin", b"http://localhost:8000")])
    assert connected is True
    assert first["type"] == "connection.ready"


def test_no_origin_and_no_ticket_is_refused(user, client):
    client.force_login(user)  # a session cookie alone never authenticates a handshake without Origin
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    connected, _, _ = _handshake(PATH, headers=[(b"cookie", cookie)])
    assert connected is False


def test_no_origin_with_a_bad_ticket_ignores_the_session_cookie(user, client):
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    connected, code, _ = _handshake(f"{PATH}?ticket=made-up", headers=[(b"cookie", cookie)])
    assert connected is False
    assert code == 4401  # reached the consumer as an anonymous user


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_asgi():
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config("lumiku.asgi:application", host="127.0.0.1", port=port,
                                           lifespan="off", log_level="warning", ws="websockets-sansio"))
    thread = threading.Thread(target=server.run, name="uvicorn-ws-client", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_a_python_websocket_client_gets_its_events(user, live_asgi):
    """The `websockets` library sends no Origin, as any non-browser client: over a real socket it is
    accepted with a ticket and receives the events published for its user."""
    from websockets.sync.client import connect

    ticket = ws_ticket_issue(user_id=user.pk)
    with connect(f"ws://{live_asgi}{PATH}?ticket={ticket}", open_timeout=10) as ws:
        assert json.loads(ws.recv(timeout=10)) == {"type": "connection.ready", "activeGenerations": []}
        with transaction.atomic():
            realtime_publish(user_id=user.pk, event_type="pose.completed", payload={"poseId": "p1"})
        assert json.loads(ws.recv(timeout=10)) == {"type": "pose.completed", "poseId": "p1"}
        ws.send(json.dumps({"type": "ping"}))
        assert json.loads(ws.recv(timeout=10)) == {"type": "pong"}
