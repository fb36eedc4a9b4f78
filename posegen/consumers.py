"""The user's WebSocket: authenticate, join the user's group, send current state, relay events."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from lumiku.core.realtime import user_group
from posegen.selectors.generations import generation_active_states


class PoseGeneratorConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.group_name = user_group(user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        states = await database_sync_to_async(generation_active_states)(user_id=user.pk)
        await self.send_json({"type": "connection.ready", "activeGenerations": states})

    async def disconnect(self, code):
        if getattr(self, "group_name", None):
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def app_event(self, message):
        await self.send_json(message["event"])
