"""A bare Phoenix-channel client for /realtime/v1 tests and the bench: the `websockets` library
and the wire format of either serializer, nothing of Objectry's. Every frame is normalised to
`{join_ref, ref, topic, event, payload}` whatever the `vsn`."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlencode

import websockets

WAIT = 15.0  # seconds for a message that must come (never a timing assertion)


class Phx:
    def __init__(self, ws: websockets.ClientConnection, vsn: str) -> None:
        self.ws, self.vsn = ws, vsn
        self._refs = itertools.count(1)

    async def push(self, topic: str, event: str, payload: dict[str, Any],
                   join_ref: str | None = None) -> str:
        ref = str(next(self._refs))
        if self.vsn == "2.0.0":
            frame: Any = [join_ref, ref, topic, event, payload]
        else:
            frame = {"topic": topic, "event": event, "payload": payload, "ref": ref,
                     "join_ref": join_ref}
        await self.ws.send(json.dumps(frame))
        return ref

    async def receive(self, seconds: float = WAIT) -> dict[str, Any]:
        raw = json.loads(await asyncio.wait_for(self.ws.recv(), seconds))
        if self.vsn == "2.0.0":
            assert isinstance(raw, list) and len(raw) == 5, raw
            return dict(zip(("join_ref", "ref", "topic", "event", "payload"), raw, strict=True))
        assert isinstance(raw, dict) and set(raw) == {"join_ref", "ref", "topic", "event",
                                                       "payload"}, raw
        return raw

    async def join(self, topic: str, changes: list[dict[str, Any]] | None = None,
                   **config: Any) -> dict[str, Any]:
        """Join and return the reply (the messages after it are left to the caller)."""
        payload = {"config": {"broadcast": {"ack": False, "self": False},
                              "presence": {"key": "", "enabled": False},
                              "postgres_changes": changes or [], "private": False, **config}}
        ref = await self.push(topic, "phx_join", payload, join_ref=None)
        reply = await self.receive()
        assert reply["event"] == "phx_reply" and reply["ref"] == ref, reply
        return reply


def url(base: str, apikey: str, vsn: str) -> str:
    return (base.replace("http://", "ws://") + "/realtime/v1/websocket?"
            + urlencode({"apikey": apikey, "vsn": vsn}))


@asynccontextmanager
async def connected(base: str, apikey: str, vsn: str = "1.0.0") -> AsyncIterator[Phx]:
    async with websockets.connect(url(base, apikey, vsn), max_size=None) as ws:
        yield Phx(ws, vsn)
