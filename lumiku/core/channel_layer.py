"""An in-process channel layer that other threads' event loops can publish to (embedded mode only).

Channels' InMemoryChannelLayer keeps one asyncio queue per channel, woken only from the loop that
waits on it; a Celery worker thread publishing from its own loop would leave the consumer asleep.
This layer remembers which loop receives on each channel and hands every send to that loop.
"""

from __future__ import annotations

import asyncio

from channels.layers import InMemoryChannelLayer


class ThreadSafeInMemoryChannelLayer(InMemoryChannelLayer):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._receiving_loops: dict[str, asyncio.AbstractEventLoop] = {}

    async def receive(self, channel):
        self._receiving_loops[channel] = asyncio.get_running_loop()
        return await super().receive(channel)

    async def send(self, channel, message):
        loop = self._receiving_loops.get(channel)
        if loop is not None and loop.is_running() and loop is not asyncio.get_running_loop():
            future = asyncio.run_coroutine_threadsafe(super().send(channel, message), loop)
            return await asyncio.wrap_future(future)
        return await super().send(channel, message)

    async def group_discard(self, group, channel):
        await super().group_discard(group, channel)
        if not any(channel in members for members in self.groups.values()):
            self._receiving_loops.pop(channel, None)
