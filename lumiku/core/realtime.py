"""The one helper that publishes realtime events to a user's WebSocket group, after commit.

Publishing from sync code with async_to_sync would start an event loop — and, with Redis, open a
new connection — for every event. Instead one long-lived publisher loop per process sends them,
reusing the channel layer's connections (re-created after a fork).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from typing import Any

from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

logger = logging.getLogger(__name__)
PUBLISH_TIMEOUT_SECONDS = 5.0

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_loop_pid: int | None = None


def user_group(user_id: object) -> str:
    """The channel-layer group of every socket the user has open, whichever app's consumer accepted it:
    each consumer joins it, and every app publishes to it through realtime_publish."""
    return f"user.{user_id}"


def realtime_text_by_language(text: str) -> dict[str, str]:
    """``{language code: text}`` for every site language (en, id). An event goes to all of the user's sockets,
    the web page and API clients alike, so a reason it carries is said in each and the reader picks; ``text``
    is the stored English the catalogue knows as a msgid, and a text it does not know reads as written."""
    said = {}
    for code, _ in settings.LANGUAGES:
        with translation.override(code):
            said[code] = gettext(text) if text else text
    return said


def _publisher_loop() -> asyncio.AbstractEventLoop:
    global _loop, _loop_pid
    with _lock:
        if _loop is None or _loop_pid != os.getpid() or _loop.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="realtime-publisher", daemon=True).start()
            _loop, _loop_pid = loop, os.getpid()
        return _loop


def run_on_publisher_loop(coroutine, *, timeout: float = PUBLISH_TIMEOUT_SECONDS):
    """Run a channel-layer coroutine on the process's publisher loop (Redis layers bind their
    connections and receive buffers to one loop) and wait for its result."""
    return asyncio.run_coroutine_threadsafe(coroutine, _publisher_loop()).result(timeout=timeout)


def _send_now(*, user_id: object, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "app.event", "event": event}
    try:
        run_on_publisher_loop(layer.group_send(user_group(user_id), message))
    except Exception:  # a lost realtime message must never fail the work; clients resync on connect
        logger.warning("realtime publish failed", exc_info=True)


def realtime_publish(*, user_id: object, event_type: str, payload: dict[str, Any]) -> None:
    """Send `{"type": event_type, **payload}` to the user's sockets once the transaction commits."""
    event = {"type": event_type, **payload}
    transaction.on_commit(lambda: _send_now(user_id=user_id, event=event))
