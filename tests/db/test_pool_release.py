"""The pool's release (db/pool.py BoundedPool.release): a connection with nothing to undo goes
straight back to the queue; one left in a transaction or with a listener takes asyncpg's own
reset, which rolls back and clears it, so the next request never inherits another's state."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from objectry.db import migrate
from objectry.db import pool as db_pool


@pytest.fixture
async def one_connection(new_database: Any) -> AsyncIterator[asyncpg.Pool]:
    url = await new_database()
    await asyncio.to_thread(migrate.upgrade, url)
    pool = await db_pool.create(url, min_size=1, max_size=1, statement_timeout_ms=10_000,
                                acquire_timeout_ms=5_000)
    try:
        yield pool
    finally:
        await pool.close()


async def test_a_quiet_connection_is_reused_as_it_was(one_connection: asyncpg.Pool) -> None:
    pool = one_connection
    pids = set()
    for _ in range(20):
        async with pool.acquire() as conn:
            pids.add(await conn.fetchval("SELECT pg_backend_pid()"))
        assert pool._queue.qsize() == 1  # back in the queue as soon as the block ends
    assert len(pids) == 1


async def test_an_open_transaction_is_rolled_back_on_release(one_connection: asyncpg.Pool
                                                             ) -> None:
    pool = one_connection
    async with pool.acquire() as conn:
        await conn.execute("SELECT set_config('app.tenant_id', 'wsp_x', false)")
        left = conn.transaction()
        await left.start()  # never committed: a bug elsewhere must not leak it
        await conn.execute("SELECT set_config('app.probe', 'inside', true)")
    async with pool.acquire() as conn:
        assert not conn.is_in_transaction()
        assert await conn.fetchval("SELECT current_setting('app.probe', true)") in (None, "")
        assert await conn.fetchval("SELECT current_setting('app.tenant_id', true)") == "wsp_x"


async def test_a_listener_left_behind_is_removed_on_release(one_connection: asyncpg.Pool) -> None:
    pool = one_connection
    heard: list[str] = []
    with pytest.warns(asyncpg.InterfaceWarning, match="notification listener"):
        async with pool.acquire() as conn:
            await conn.add_listener("objectry_probe", lambda *args: heard.append(args[-1]))
    async with pool.acquire() as conn:
        await conn.execute("NOTIFY objectry_probe, 'late'")
        await asyncio.sleep(0.1)
    assert heard == []
