"""One /realtime/v1 WebSocket: the credential it connected with, its joined channels, and a
bounded outbox. The reader answers the client; the writer drains the outbox; a socket whose
outbox overflows is too slow and is closed (1013), so the fan-out never waits for it."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.websockets import WebSocket

from objectry.auth import credentials
from objectry.auth.principal import Principal
from objectry.errors import APIError
from objectry.realtime.bindings import BindingError, answered, bind
from objectry.realtime.channel import Joined
from objectry.realtime.hub import Hub
from objectry.realtime.protocol import PHOENIX, BadMessage, Message, decode, encode, reply
from objectry.web.context import Context

OUTBOX = 1_000  # frames a socket may have waiting; more and it is dropped
TOO_SLOW = 1013  # "try again later"
CLOSE = ""  # in the outbox: close the socket (no message encodes to an empty frame)


class Socket:
    def __init__(self, ctx: Context, hub: Hub, ws: WebSocket, vsn: str, credential: str
                 ) -> None:
        self.ctx, self.hub, self.ws, self.vsn = ctx, hub, ws, vsn  # ctx: who connected
        self.credential = credential
        self.channels: dict[str, Joined] = {}
        self._outbox: asyncio.Queue[str] = asyncio.Queue(OUTBOX)
        self._overflowed = False

    @property
    def tenant_id(self) -> str:
        return self.ctx.tenant_id

    def send(self, message: Message) -> None:
        if self._overflowed:
            return
        try:
            self._outbox.put_nowait(encode(self.vsn, message))
        except asyncio.QueueFull:
            self._overflow()

    def _overflow(self) -> None:
        """Too slow: what waits is dropped, and the writer closes the socket once the frame it
        is sending has left (a client that reads nothing at all is closed by uvicorn's ping
        timeout); meanwhile the socket gets nothing more and costs the fan-out nothing."""
        self._overflowed = True
        self._leave_all()
        while not self._outbox.empty():
            self._outbox.get_nowait()
        self._outbox.put_nowait(CLOSE)

    async def run(self) -> None:
        tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._write())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            self._leave_all()

    async def _write(self) -> None:
        while (frame := await self._outbox.get()) is not CLOSE:
            await self.ws.send_text(frame)
        await self.ws.close(TOO_SLOW, "too slow: messages were dropped")

    async def _read(self) -> None:
        while True:
            frame = await self.ws.receive()
            if frame["type"] == "websocket.disconnect":
                return
            try:
                message = decode(self.vsn, frame.get("text") or frame.get("bytes") or b"")
            except BadMessage:
                continue  # Phoenix drops what it cannot decode
            await self._handle(message)

    async def _handle(self, message: Message) -> None:
        if message.topic == PHOENIX and message.event == "heartbeat":
            self.send(reply(message))
        elif message.event == "phx_join":
            await self._join(message)
        elif (channel := self.channels.get(message.topic)) is None:
            self.send(reply(message, "error", {"reason": "unmatched topic"}))
        elif message.event == "phx_leave":
            self.send(reply(message))
            self._close(channel)
        elif message.event == "access_token":
            token = message.payload.get("access_token")
            if isinstance(token, str) and token != channel.credential:
                await channel.reauthenticate(token)
        elif message.event == "broadcast":
            await self._broadcast(channel, message)
        elif message.event == "presence":
            self.send(reply(message))  # accepted; presence state stays empty

    async def _join(self, message: Message) -> None:
        if not message.topic.startswith("realtime:"):
            self.send(reply(message, "error", {"reason": "unmatched topic"}))
            return
        principal, credential = await self._joining_as(message)
        if principal is None:
            return
        config: dict[str, Any] = message.payload.get("config") or {}
        raws = config.get("postgres_changes") or []
        bindings, problem = [], None
        snapshot = await self.ctx.state.metadata.get(self.tenant_id)
        for raw in raws:
            try:
                bindings.append(bind(raw, snapshot))
            except BindingError as exc:
                problem = str(exc)
        if (old := self.channels.get(message.topic)) is not None:
            self.hub.remove(self.tenant_id, old)
        channel = Joined(self, message.topic, message.join_ref or message.ref, principal,
                         credential, [] if problem else bindings, config)
        self.channels[message.topic] = channel
        self.hub.add(self.tenant_id, channel)
        if bindings:  # before the "ok": a change committed after it must be sent
            await self.hub.listening(self.tenant_id)
        self.send(reply(message, "ok", {"postgres_changes": [answered(r) for r in raws]}))
        self._announce(channel, config, problem, bool(raws))

    async def _joining_as(self, message: Message) -> tuple[Principal | None, str]:
        """The join's `access_token` (when sent) decides who reads, in this workspace."""
        token = message.payload.get("access_token")
        if not isinstance(token, str) or token == self.credential:
            return self.ctx.principal, self.credential
        try:
            principal = await credentials.resolve(self.ctx.state, token)
        except APIError as exc:
            self.send(reply(message, "error", {"reason": exc.message}))
            return None, token
        if principal.workspace_id != self.tenant_id:
            self.send(reply(message, "error",
                            {"reason": "the access token belongs to another workspace"}))
            return None, token
        return principal, token

    def _announce(self, channel: Joined, config: dict[str, Any], problem: str | None,
                  has_bindings: bool) -> None:
        presence = config.get("presence")
        if isinstance(presence, dict) and presence.get("enabled"):
            channel.push("presence_state", {})
        if problem is not None:
            channel.push("system", {"extension": "postgres_changes", "status": "error",
                                    "message": problem, "channel": channel.name})
        elif has_bindings:
            channel.push("system", {"extension": "postgres_changes", "status": "ok",
                                    "message": "Subscribed to PostgreSQL",
                                    "channel": channel.name})

    async def _broadcast(self, channel: Joined, message: Message) -> None:
        sent = await self.hub.broadcast(self.tenant_id, channel.topic, channel.key,
                                        message.payload)
        if not sent:
            self.send(reply(message, "error", {"reason": "payload_size_exceeded"}))
        elif channel.ack_broadcast:
            self.send(reply(message))

    def shut(self, channel: Joined, reason: str) -> None:
        """Stop a channel as Supabase does: a system error, then phx_close."""
        channel.push("system", {"extension": "system", "status": "error", "message": reason,
                                "channel": channel.name})
        self._close(channel)

    def _close(self, channel: Joined) -> None:
        self.send(Message(channel.topic, "phx_close", {}, channel.join_ref, channel.join_ref))
        self.hub.remove(self.tenant_id, channel)
        self.channels.pop(channel.topic, None)

    def _leave_all(self) -> None:
        for channel in list(self.channels.values()):
            self.hub.remove(self.tenant_id, channel)
        self.channels.clear()
