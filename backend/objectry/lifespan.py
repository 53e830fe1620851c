"""Start-up and shut-down: database (embedded or DATABASE_URL), migrations, pool, caches."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import asyncpg
from fastapi import FastAPI

from objectry import offload
from objectry.auth.sessions.cache import SessionCache
from objectry.auth.signing_key import signing_key
from objectry.auth.tokens.cache import CHANNEL as TOKENS_CHANNEL
from objectry.auth.tokens.cache import TokenCache
from objectry.db import embedded, migrate
from objectry.db import pool as db_pool
from objectry.db.replica import Replica
from objectry.imports.runner import Runner
from objectry.metadata.cache import MetadataCache
from objectry.metadata.listener import MetadataListener
from objectry.realtime.changes import CHANNEL as CHANGES_CHANNEL
from objectry.realtime.hub import BROADCASTS, Hub
from objectry.records import stored_rollups
from objectry.settings import TRANSACTION, Settings
from objectry.webhooks.worker import CHANNEL as WEBHOOKS_CHANNEL
from objectry.webhooks.worker import Worker

log = logging.getLogger("objectry")


@dataclass
class State:
    """Everything a request may need, created once per process (no module globals)."""

    settings: Settings
    # The direct URL (Settings.direct_url): sessions of their own for field-index DDL and the
    # advisory locks they hold, never through a transaction pooler. The pool may use another.
    database_url: str
    pool: asyncpg.Pool
    metadata: MetadataCache
    listener: MetadataListener
    secret_key: str  # signs session JWTs (auth/signing_key.py)
    tokens: TokenCache = field(default_factory=TokenCache)  # verified API tokens
    realtime: Hub | None = None  # /realtime/v1's fan-out (realtime/hub.py)
    webhooks: Worker | None = None  # the webhook delivery queue's worker (webhooks/worker.py)
    imports: Runner = field(default_factory=Runner)  # import jobs running here (imports/job.py)
    replica: Replica | None = None  # reads from DATABASE_READ_URL (db/replica.py)
    sessions: SessionCache = field(default_factory=SessionCache)  # checked signed-in sessions


def database_url(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    return embedded.start(settings.data_dir)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    key = signing_key(settings)  # before anything else: a bad key must stop the start
    url = await asyncio.to_thread(database_url, settings)
    direct = settings.direct_database_url or url
    if settings.database_pooler == TRANSACTION and direct == url:
        log.warning("DATABASE_URL is a transaction pooler's and OBJECTRY_DIRECT_DATABASE_URL "
                    "is not set: migrations, LISTEN and field-index builds need a direct one")
    await asyncio.to_thread(migrate.upgrade, direct)
    pool = await db_pool.create(url, min_size=settings.pool_min_size,
                                max_size=settings.pool_max_size,
                                statement_timeout_ms=settings.statement_timeout_ms,
                                acquire_timeout_ms=settings.pool_acquire_timeout_ms,
                                pooler=settings.database_pooler,
                                workspace_concurrency=settings.workspace_limit)
    replica = await _replica(settings, pool)
    cache, tokens, sessions = MetadataCache(pool), TokenCache(), SessionCache()
    hub = Hub(pool, cache, settings.realtime_recheck_seconds)
    webhooks = Worker(pool, cache, settings)
    listener = MetadataListener(direct, cache, tokens,
                                connect_timeout=settings.pool_acquire_timeout_ms / 1000,
                                extra=[(CHANGES_CHANNEL, hub.notified),
                                       (BROADCASTS, hub.broadcasted),
                                       (TOKENS_CHANNEL, hub.token_changed),
                                       (WEBHOOKS_CHANNEL, webhooks.notified)],
                                sessions=sessions)
    await listener.start()
    await hub.start()
    await webhooks.start()
    try:
        app.state.objectry = State(settings, direct, pool, cache, listener, key, tokens, hub,
                                     webhooks, replica=replica, sessions=sessions)
        # What is alive now lives as long as the process; frozen, a full collection walks only
        # what requests made: its pauses, which hold the GIL and so every request, fell from
        # 80-130 ms to ~10-20 ms (tests/api/test_event_loop.py).
        gc.freeze()
        sys.setswitchinterval(offload.SWITCH_INTERVAL)  # the loop's wait beside a worker thread
        yield
    finally:
        # uvicorn has drained (or, past the grace period, cancelled) every request by now.
        await app.state.objectry.imports.stop()
        await stored_rollups.stop()
        await webhooks.stop(min(settings.shutdown_grace_seconds,
                                settings.webhook_timeout_seconds + 1))
        await hub.stop()
        await listener.stop()
        if replica is not None:
            await replica.stop()
            await _close(replica.pool)
        await _close(pool)
        if not settings.database_url and settings.stop_embedded_on_exit:
            await asyncio.to_thread(embedded.stop, settings.data_dir)


async def _replica(settings: Settings, primary: asyncpg.Pool) -> Replica | None:
    """The read replica's pool and watcher. No connection is made before the first read
    (min_size 0), so a replica that is down does not stop the start: reads go to the primary."""
    if not settings.database_read_url:
        return None
    pool = await db_pool.create(settings.database_read_url, min_size=0,
                                max_size=settings.pool_max_size,
                                statement_timeout_ms=settings.statement_timeout_ms,
                                acquire_timeout_ms=settings.replica_connect_timeout_ms,
                                pooler=settings.database_read_pooler)
    replica = Replica(pool, primary, settings)
    await replica.start()
    return replica


async def _close(pool: asyncpg.Pool, grace_seconds: float = 5) -> None:
    """Close the pool gracefully, but never wait on it for ever: a connection still held (a
    request cancelled mid-query) or a database that no longer answers must not keep the
    process, or the embedded server after it, from stopping."""
    try:
        await asyncio.wait_for(pool.close(), grace_seconds)
    except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        log.warning("closing the database pool did not finish (%s); terminating it", exc)
        pool.terminate()
