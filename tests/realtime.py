"""Recording what reaches users' WebSocket groups through the real channel layer.

While a recorder is active, every user the factories create gets a channel of the recorder's
subscribed to their group, so events published after commit are received exactly as a browser's
socket would receive them (nothing in the product code is replaced).
"""

from __future__ import annotations

import asyncio

from channels.layers import get_channel_layer

from lumiku.core.realtime import run_on_publisher_loop, user_group

active: RealtimeRecorder | None = None


class RealtimeRecorder:
    def __init__(self) -> None:
        self.layer = get_channel_layer()
        self.channels: dict[str, str] = {}
        self.events: list[tuple[object, str, dict]] = []

    def listen(self, user_id) -> None:
        channel = run_on_publisher_loop(self.layer.new_channel())
        run_on_publisher_loop(self.layer.group_add(user_group(user_id), channel))
        self.channels[channel] = user_id

    def drain(self, timeout: float = 0.3) -> list[tuple[object, str, dict]]:
        async def receive_all():
            for channel, user_id in self.channels.items():
                while True:
                    try:
                        message = await asyncio.wait_for(self.layer.receive(channel), timeout)
                    except TimeoutError:
                        break
                    event = dict(message["event"])
                    self.events.append((user_id, event.pop("type"), event))

        run_on_publisher_loop(receive_all(), timeout=60)
        return self.events


class RecordedEvents:
    """A list-like view of (user_id, event_type, payload) that first collects what has arrived."""

    def __init__(self, recorder: RealtimeRecorder) -> None:
        self._recorder = recorder

    def _events(self):
        return self._recorder.drain()

    def __len__(self):
        return len(self._events())

    def __iter__(self):
        return iter(list(self._events()))

    def __getitem__(self, index):
        return self._events()[index]

    def __eq__(self, other):
        return list(self._events()) == other

    def __repr__(self):
        return repr(self._recorder.events)
