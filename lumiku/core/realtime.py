"""The one helper that publishes realtime events to a user's WebSocket group, after commit."""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def user_group(user_id: object) -> str:
    return f"pose-generator.{user_id}"


def _send_now(*, user_id: object, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(user_group(user_id), {"type": "app.event", "event": event})
    except Exception:  # a lost realtime message must never fail the work; clients resync on connect
        logger.warning("realtime publish failed", exc_info=True)


def realtime_publish(*, user_id: object, event_type: str, payload: dict[str, Any]) -> None:
    """Send `{"type": event_type, **payload}` to the user's sockets once the transaction commits."""
    event = {"type": event_type, **payload}
    transaction.on_commit(lambda: _send_now(user_id=user_id, event=event))
