"""LISTEN for metadata and API-token changes from every process; on any reconnect assume
notices were lost and drop everything cached."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from objectry.auth.tokens.cache import CHANNEL as TOKENS_CHANNEL
from objectry.auth.tokens.cache import TokenCache
from objectry.metadata.cache import MetadataCache

CHANNEL = "objectry_metadata"
log = logging.getLogger("objectry.listener")


class MetadataListener:
    def __init__(self, url: str, cache: MetadataCache, tokens: TokenCache,
                 retry_seconds: float = 1.0) -> None:
        self._url = url
        self._cache = cache
        self._tokens = tokens
        self._retry = retry_seconds
        self._task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()

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
        self._tokens.drop(payload or None)

    async def _run(self) -> None:
        while True:
            try:
                conn = await asyncpg.connect(self._url)
                try:
                    await conn.add_listener(CHANNEL, self._on_notify)
                    await conn.add_listener(TOKENS_CHANNEL, self._on_token)
                    self._cache.invalidate()  # anything may have changed while we were away
                    self._tokens.drop()
                    self._connected.set()
                    while not conn.is_closed():
                        await asyncio.sleep(self._retry)
                finally:
                    await conn.close()
            except asyncio.CancelledError:
                raise
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("metadata listener lost its connection (%s); retrying", exc)
                await asyncio.sleep(self._retry)
