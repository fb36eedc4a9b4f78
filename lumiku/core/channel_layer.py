"""An in-process channel layer that worker threads can publish to (embedded mode only).

Channels' InMemoryChannelLayer keeps asyncio queues bound to the server's event loop; a Celery
worker thread running its own loop must hand its sends to that loop, or waiting consumers are
never woken. This layer remembers the server loop and forwards foreign-loop sends to it.
"""

from __future__ import annotations

import asyncio

from channels.layers import InMemoryChannelLayer


class ThreadSafeInMemoryChannelLayer(InMemoryChannelLayer):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._home_loop: asyncio.AbstractEventLoop | None = None

    def _remember_loop(self) -> None:
        if self._home_loop is None or self._home_loop.is_closed():
            self._home_loop = asyncio.get_running_loop()

    def _foreign_loop(self) -> asyncio.AbstractEventLoop | None:
        home = self._home_loop
        if home is None or home.is_closed() or not home.is_running():
            return None
        return None if asyncio.get_running_loop() is home else home

    async def receive(self, channel):
        self._remember_loop()
        return await super().receive(channel)

    async def group_add(self, group, channel):
        self._remember_loop()
        return await super().group_add(group, channel)

    async def send(self, channel, message):
        home = self._foreign_loop()
        if home is not None:
            return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(super().send(channel, message), home))
        return await super().send(channel, message)

    async def group_send(self, group, message):
        home = self._foreign_loop()
        if home is not None:
            future = asyncio.run_coroutine_threadsafe(super().group_send(group, message), home)
            return await asyncio.wrap_future(future)
        return await super().group_send(group, message)
