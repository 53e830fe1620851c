"""The process's realtime fan-out: which channels are joined, per workspace; committed record
changes (the `objectry_changes` NOTIFY, from any process) loaded once and sent to each channel
that asked for them and may read them; broadcasts relayed through PostgreSQL so that clients
on other processes get them too.

Nothing here waits on a subscriber: a channel's `send` only queues (subscriber.py), so one
slow socket never holds back the others."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
from typing import Any, Protocol

import asyncpg
import orjson

from objectry.db import tenancy
from objectry.metadata.cache import MetadataCache
from objectry.metadata.model import ObjectDef
from objectry.realtime import repo as realtime_repo
from objectry.realtime.changes import Change, shaped
from objectry.records import repo
from objectry.records.computed_values import with_computed_of_any

BROADCASTS = "objectry_broadcasts"
MAX_BROADCAST_BYTES = 7000  # NOTIFY's payload limit is 8000 bytes, the envelope included
# Notifications waiting for their records to be loaded: past this the loader is far behind,
# and dropping (logged) keeps memory bounded; subscribers then miss those changes.
INBOX_SIZE = 10_000
# Record changes are NOTIFYed only for workspaces in `realtime_listeners` (migration 0010): a
# process holding a channel of one promises LISTENING_SECONDS and renews every RENEW_SECONDS,
# so a process that died stops costing the workspace's writers a NOTIFY soon after.
LISTENING_SECONDS = 90.0
RENEW_SECONDS = 30.0
log = logging.getLogger("objectry.realtime")


class Channel(Protocol):
    """A joined `realtime:…` topic on one socket (subscriber.Joined)."""

    topic: str
    key: str  # unique in the cluster: the process's prefix and a counter

    def deliver(self, obj: ObjectDef, changes: list[Change]) -> None: ...
    def relay(self, payload: dict[str, Any], sender: str) -> None: ...
    def token_hash(self) -> str | None: ...
    async def reauthenticate(self, credential: str) -> None: ...
    @property
    def credential(self) -> str: ...


class Hub:
    def __init__(self, pool: asyncpg.Pool, metadata: MetadataCache,
                 recheck_seconds: float = 30) -> None:
        self._pool = pool
        self._recheck_seconds = recheck_seconds
        self._metadata = metadata
        self._channels: dict[str, set[Channel]] = {}  # by workspace
        self._inbox: asyncio.Queue[str] = asyncio.Queue(INBOX_SIZE)
        self._tasks: list[asyncio.Task[None]] = []
        self._checks: set[asyncio.Task[None]] = set()  # held, so that they are not collected
        self.process_key = f"{os.getpid()}-{secrets.token_hex(4)}"

    def add(self, tenant_id: str, channel: Channel) -> None:
        self._channels.setdefault(tenant_id, set()).add(channel)

    def remove(self, tenant_id: str, channel: Channel) -> None:
        channels = self._channels.get(tenant_id)
        if channels is not None:
            channels.discard(channel)
            if not channels:
                del self._channels[tenant_id]

    def count(self) -> int:
        return sum(len(c) for c in self._channels.values())

    # --- record changes ------------------------------------------------------------------

    def notified(self, payload: str) -> None:
        """The listener's callback: queue, never wait (it runs on the listener's connection)."""
        try:
            self._inbox.put_nowait(payload)
        except asyncio.QueueFull:
            log.warning("realtime: %d change notifications waiting; dropping one", INBOX_SIZE)

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._run(), name="objectry-realtime-fanout"),
                       asyncio.create_task(self._recheck_sessions(),
                                           name="objectry-realtime-sessions"),
                       asyncio.create_task(self._renew(), name="objectry-realtime-renew")]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def listening(self, tenant_id: str) -> None:
        """Ask for the workspace's record changes (see LISTENING_SECONDS). If the database cannot
        be told now, the channel still joins; the renewal tries again."""
        try:
            async with tenancy.connection(self._pool, tenant_id) as conn:
                await realtime_repo.listening(conn, tenant_id, LISTENING_SECONDS)
        except (asyncpg.PostgresError, OSError, asyncpg.InterfaceError) as exc:
            log.warning("realtime: could not mark %s as listened to: %r", tenant_id, exc)

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            for tenant_id in list(self._channels):
                await self.listening(tenant_id)

    async def _run(self) -> None:
        while True:
            payload = await self._inbox.get()
            try:
                await self._fan_out(orjson.loads(payload))
            except Exception:  # noqa: BLE001 - one bad delivery must not end the fan-out
                log.exception("realtime: delivering %s failed", payload[:200])

    async def _fan_out(self, note: dict[str, Any]) -> None:
        tenant_id = note["t"]
        if not self._channels.get(tenant_id):
            return  # nobody here listens to this workspace: nothing to load
        snapshot = await self._metadata.get(tenant_id)
        async with tenancy.connection(self._pool, tenant_id) as conn:
            rows = await repo.get_many(conn, tenant_id, note["ids"], for_update=False)
            rows = await with_computed_of_any(conn, snapshot, rows)
        position = {record_id: i for i, record_id in enumerate(note["ids"])}
        rows.sort(key=lambda r: position[r["id"]])  # in the order they were written
        by_object: dict[str, list[Change]] = {}
        for change in shaped(snapshot, rows, note["op"], note["at"]):
            by_object.setdefault(change.obj.id, []).append(change)
        for channel in list(self._channels.get(tenant_id, ())):
            for changes in by_object.values():
                channel.deliver(changes[0].obj, changes)

    def token_changed(self, token_hash: str) -> None:
        """An API token was revoked, re-scoped or re-dated (any process): the channels reading
        with it check it again, and stop if it no longer holds."""
        for channels in self._channels.values():
            for channel in list(channels):
                if channel.token_hash() is not None and token_hash in ("", channel.token_hash()):
                    task = asyncio.create_task(channel.reauthenticate(channel.credential))
                    self._checks.add(task)
                    task.add_done_callback(self._checks.discard)

    async def _recheck_sessions(self) -> None:
        """Session JWTs carry no revocation notice: check those channels now and then (one
        at a time, so a crowd of sockets never floods the pool; a check that cannot be made
        now, the database away, is made next time)."""
        while True:
            await asyncio.sleep(self._recheck_seconds)
            for channels in list(self._channels.values()):
                for channel in list(channels):
                    if channel.token_hash() is None:
                        await channel.reauthenticate(channel.credential)

    # --- broadcast -----------------------------------------------------------------------

    async def broadcast(self, tenant_id: str, topic: str, sender: str,
                        payload: dict[str, Any]) -> bool:
        """Send to the topic's channels of this workspace on every process; False when the
        message is too large to travel."""
        note = orjson.dumps({"t": tenant_id, "topic": topic, "from": sender, "p": payload})
        if len(note) > MAX_BROADCAST_BYTES:
            return False
        async with tenancy.unscoped(self._pool) as conn:
            await realtime_repo.notify(conn, BROADCASTS, note.decode())
        return True

    def broadcasted(self, payload: str) -> None:
        note = orjson.loads(payload)
        for channel in list(self._channels.get(note["t"], ())):
            if channel.topic == note["topic"]:
                channel.relay(note["p"], note["from"])
