"""The pool's release (db/pool.py BoundedPool.release): a connection with nothing to undo is
parked and handed out again by the next acquire, or goes to an acquirer waiting in asyncpg's
queue; one left in a transaction or with a listener takes asyncpg's own reset, which rolls back
and clears it, so the next request never inherits another's state. Parked connections never
stall the pool: closing, expiring and a lost connection put them back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from tests.support.databases import runtime_pool


@pytest.fixture
async def one_connection(migrated: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await runtime_pool(migrated)
    try:
        yield pool
    finally:
        await pool.close()


async def test_a_quiet_connection_is_reused_as_it_was(one_connection: asyncpg.Pool) -> None:
    pool = one_connection
    pids, proxies = set(), set()
    for _ in range(20):
        async with pool.acquire() as conn:
            pids.add(await conn.fetchval("SELECT pg_backend_pid()"))
            proxies.add(id(conn))
        assert pool._parked == [conn]  # parked as soon as the block ends
    conn = await pool.acquire()  # `await` takes a parked connection too
    assert await conn.fetchval("SELECT pg_backend_pid()") in pids
    await pool.release(conn)
    assert len(pids) == 1
    assert len(proxies) == 1  # the same checkout all along: asyncpg's acquire never ran


async def test_a_release_goes_to_the_acquirer_waiting_in_the_queue(
        one_connection: asyncpg.Pool) -> None:
    pool = one_connection
    held = await pool.acquire()
    waiting = asyncio.create_task(pool.acquire().__aenter__())
    await asyncio.sleep(0.05)  # in asyncpg's queue: the only connection is held
    assert not waiting.done()
    await pool.release(held)
    conn = await asyncio.wait_for(waiting, 1)  # at once, not after the acquire timeout
    assert await conn.fetchval("SELECT 1") == 1 and pool._parked == []
    await pool.release(conn)
    assert pool._parked == [conn]


async def test_an_exhausted_pool_still_times_out(migrated: str) -> None:
    pool = await runtime_pool(migrated, acquire_timeout_ms=200)
    try:
        async with pool.acquire():
            with pytest.raises(TimeoutError):
                async with pool.acquire():
                    pass
        async with pool.acquire() as conn:  # and the connection is whole afterwards
            assert await conn.fetchval("SELECT 1") == 1
    finally:
        await pool.close()


async def test_closing_and_expiring_put_parked_connections_back(migrated: str) -> None:
    pool = await runtime_pool(migrated, size=2)
    async with pool.acquire() as a, pool.acquire() as b:
        first = {await a.fetchval("SELECT pg_backend_pid()"),
                 await b.fetchval("SELECT pg_backend_pid()")}
    assert len(pool._parked) == 2
    await pool.expire_connections()  # e.g. after a schema change: new connections next
    assert pool._parked == []
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT pg_backend_pid()") not in first
    assert len(pool._parked) == 1
    await asyncio.wait_for(pool.close(), 5)  # would wait for ever on a parked connection
    assert pool._parked == []


async def test_a_parked_connection_the_server_ended_is_replaced(one_connection: asyncpg.Pool,
                                                                database_url: str) -> None:
    pool = one_connection
    async with pool.acquire() as conn:
        pid = await conn.fetchval("SELECT pg_backend_pid()")
    admin = await asyncpg.connect(database_url)
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()
    for _ in range(50):  # the client notices the closed socket
        if pool._parked[0]._con is None or pool._parked[0]._con.is_closed():
            break
        await asyncio.sleep(0.02)
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT pg_backend_pid()") != pid


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


async def test_a_connection_released_twice_is_handed_out_once(one_connection: asyncpg.Pool
                                                             ) -> None:
    pool = one_connection
    conn = await pool.acquire()
    await pool.release(conn)
    await pool.release(conn)  # a caller's bug: asyncpg ignores it, so parking must too
    assert pool._parked == [conn]
    first = await pool.acquire()
    second = asyncio.create_task(pool.acquire().__aenter__())
    await asyncio.sleep(0.05)
    assert not second.done()  # the one connection is not handed to two callers
    await pool.release(first)
    await pool.release(await second)


async def test_a_checkout_never_entered_holds_nothing(one_connection: asyncpg.Pool) -> None:
    pool = one_connection
    async with pool.acquire():
        pass
    pool.acquire()  # made and dropped, as a caller that fails before entering it would
    async with asyncio.timeout(1), pool.acquire() as conn:  # the one connection is still free
        assert await conn.fetchval("SELECT 1") == 1
