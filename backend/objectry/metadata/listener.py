"""LISTEN for metadata, API-token and session changes from every process (and, on the same
connection and reconnect loop, any other channel a caller adds: record changes for
/realtime/v1). While the connection is down a notice may be lost, so the caches keep nothing
(paused) until it is back; the listener reconnects by itself, backing off while the database
stays away."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence

import asyncpg

from objectry.auth.sessions.cache import CHANNEL as SESSIONS_CHANNEL
from objectry.auth.sessions.cache import SessionCache
from objectry.auth.tokens.cache import CHANNEL as TOKENS_CHANNEL
from objectry.auth.tokens.cache import TokenCache
from objectry.db.pool import ping
from objectry.metadata.cache import MetadataCache

CHANNEL = "objectry_metadata"
log = logging.getLogger("objectry.listener")

# A connection silently gone (a frozen server, a dropped network path) closes no socket: a
# query now and then finds out.
HEARTBEAT_SECONDS = 10.0
MAX_RETRY_SECONDS = 5.0

Handler = Callable[[str], None]  # called with a notification's payload


class MetadataListener:
    def __init__(self, url: str, cache: MetadataCache, tokens: TokenCache,
                 retry_seconds: float = 0.25, connect_timeout: float = 5.0,
                 extra: Sequence[tuple[str, Handler]] = (),
                 sessions: SessionCache | None = None) -> None:
        self._url = url
        self._cache = cache
        self._tokens = tokens
        self._retry = retry_seconds
        self._connect_timeout = connect_timeout
        self._task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()
        self._extra = extra
        self._sessions = sessions or SessionCache()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="objectry-metadata-listener")
        await asyncio.wait_for(self._connected.wait(), timeout=30)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _on_notify(self, conn: object, pid: int, channel: str, payload: str) -> None:
        self._cache.invalidate(payload or None)

    def _on_token(self, conn: object, pid: int, channel: str, payload: str) -> None:
        self._tokens.forget(payload or None)

    def _on_session(self, conn: object, pid: int, channel: str, payload: str) -> None:
        self._sessions.forget()  # the payload names no one session: forget them all

    async def _run(self) -> None:
        delay = self._retry
        while True:
            try:
                await self._listen()
                delay = self._retry  # it was connected: the next try comes quickly
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - whatever broke, the loop must go on
                log.warning("metadata listener cannot connect (%r); retrying in %.2fs",
                            exc, delay)
            self._cache.pause()
            self._tokens.pause()
            self._sessions.pause()
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_SECONDS)

    async def _listen(self) -> None:
        """Connect, listen, and return when the connection is lost."""
        conn = await asyncpg.connect(self._url, timeout=self._connect_timeout)
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _conn: lost.set())
        try:
            await conn.add_listener(CHANNEL, self._on_notify)
            await conn.add_listener(TOKENS_CHANNEL, self._on_token)
            await conn.add_listener(SESSIONS_CHANNEL, self._on_session)
            for channel, handler in self._extra:
                await conn.add_listener(channel, _payload_only(handler))
            self._cache.resume()  # anything may have changed while we were away
            self._tokens.resume()
            self._sessions.resume()
            self._connected.set()
            while not await _lost_within(lost, HEARTBEAT_SECONDS):
                await ping(conn, self._connect_timeout)
            log.warning("metadata listener lost its connection; reconnecting")
        finally:
            await _close(conn, self._connect_timeout)


def _payload_only(handler: Handler) -> Callable[[object, int, str, str], None]:
    return lambda _conn, _pid, _channel, payload: handler(payload)


async def _lost_within(lost: asyncio.Event, seconds: float) -> bool:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(lost.wait(), seconds)
    return lost.is_set()


async def _close(conn: asyncpg.Connection, seconds: float) -> None:
    """Say goodbye if the server still listens; else just drop the socket."""
    try:
        await conn.close(timeout=seconds)
    except Exception:  # noqa: BLE001 - close() has already aborted the connection
        conn.terminate()
