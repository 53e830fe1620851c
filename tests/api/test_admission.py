"""Per-workspace admission control (OBJECTRY_WORKSPACE_CONCURRENCY, db/admission.py): a
workspace flooding the server with slow requests has at most N units of database work running
at once; the rest wait their turn, so another workspace's request is served at once, the flood's
requests all succeed in the end, and one that waits past the acquire timeout gets the
documented 503 `unavailable`.

The flood is made slow without timing: another session holds the lock on the flood's record, so
every PATCH of it waits in PostgreSQL (holding its pooled connection) until the lock goes.
pg_stat_activity counts how many of them are in the database at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx

from tests.api.builders import add_field, make_object, make_record, ok
from tests.api.conftest import client, refused, sign_up
from tests.conftest import running_app, settings_for
from tests.support.round_trips import counting_relay

POOL = 5


@asynccontextmanager
async def app_with(database_url: str, **settings: Any) -> AsyncIterator[Any]:
    config = settings_for(database_url, pool_max_size=POOL, open_signup=True, **settings)
    async with running_app(config) as application:
        yield application


@dataclass
class Workspace:
    id: str
    api: httpx.AsyncClient
    record: str  # a `note` record's id


async def workspace(application: Any, title: str) -> Workspace:
    """A fresh workspace with one `note` record."""
    account = await sign_up(application)
    api = client(application, account.headers)
    await make_object(api, "note")
    await add_field(api, "note", "title")
    return Workspace(account.workspace_id, api,
                     (await make_record(api, "note", title=title))["id"])


@asynccontextmanager
async def closed_after(*workspaces: Workspace) -> AsyncIterator[None]:
    try:
        yield
    finally:
        for ws in workspaces:
            await ws.api.aclose()


@asynccontextmanager
async def row_locked(database_url: str, record_id: str) -> AsyncIterator[None]:
    """Another session holds the record's row lock: writes to it wait until the block ends."""
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute("SELECT 1 FROM records WHERE id = $1 FOR UPDATE", record_id)
            yield
    finally:
        await conn.close()


async def waiting_on_locks(owner_db: asyncpg.Connection) -> int:
    return await owner_db.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND application_name = 'objectry' AND wait_event_type = 'Lock'")


async def until_waiting(owner_db: asyncpg.Connection, n: int) -> None:
    async with asyncio.timeout(10):
        while await waiting_on_locks(owner_db) != n:
            await asyncio.sleep(0.02)


def flood(ws: Workspace, n: int) -> list[asyncio.Task[httpx.Response]]:
    return [asyncio.create_task(ws.api.patch(f"/api/records/{ws.record}",
                                             json={"data": {"title": f"flood {i}"}}))
            for i in range(n)]


async def version(owner_db: asyncpg.Connection, record_id: str) -> int:
    return await owner_db.fetchval("SELECT version FROM records WHERE id = $1", record_id)


async def test_a_flood_runs_two_at_a_time_and_another_workspace_is_served_meanwhile(
        database_url, owner_db):
    async with app_with(database_url, workspace_concurrency=2) as application:
        gate = application.state.objectry.pool.admission
        busy, quiet = await workspace(application, "busy"), await workspace(application, "quiet")
        before = await version(owner_db, busy.record)
        async with closed_after(busy, quiet):
            async with row_locked(database_url, busy.record):
                patches = flood(busy, 8)
                await until_waiting(owner_db, 2)
                await asyncio.sleep(0.3)  # time for more to get in, were they let in
                assert await waiting_on_locks(owner_db) == 2
                assert gate.running(busy.id) == 2
                got = await quiet.api.get(f"/api/records/{quiet.record}")
                assert (await ok(got))["id"] == quiet.record
                patched = await quiet.api.patch(f"/api/records/{quiet.record}",
                                                json={"data": {"title": "still quiet"}})
                assert (await ok(patched))["data"] == {"title": "still quiet"}
                listed = await quiet.api.get("/rest/v1/note", params={"select": "title"})
                assert await ok(listed) == [{"title": "still quiet"}]
                assert not any(p.done() for p in patches)  # the flood still waits its turn
                assert gate.running(quiet.id) == 0  # done: its lane is gone
            answers = await asyncio.gather(*patches)
        assert [a.status_code for a in answers] == [200] * 8
        assert await version(owner_db, busy.record) == before + 8
        assert gate.running(busy.id) == 0


async def test_without_the_limit_the_flood_takes_the_pool_from_the_other_workspace(
        database_url, owner_db):
    """The same flood with the limit off (0): it holds every pooled connection, and the other
    workspace's read waits for one until the acquire timeout (what the limit prevents)."""
    async with app_with(database_url, workspace_concurrency=0,
                        pool_acquire_timeout_ms=500) as application:
        assert application.state.objectry.pool.admission is None
        busy, quiet = await workspace(application, "busy"), await workspace(application, "quiet")
        async with closed_after(busy, quiet):
            async with row_locked(database_url, busy.record):
                patches = flood(busy, POOL)
                await until_waiting(owner_db, POOL)
                starved = await quiet.api.get(f"/api/records/{quiet.record}")
            refused(starved, 503, "unavailable")
            assert [a.status_code for a in await asyncio.gather(*patches)] == [200] * POOL


async def test_a_request_that_waits_past_the_acquire_timeout_gets_503_unavailable(
        database_url, owner_db):
    async with app_with(database_url, workspace_concurrency=2,
                        pool_acquire_timeout_ms=600) as application:
        busy, quiet = await workspace(application, "busy"), await workspace(application, "quiet")
        before = await version(owner_db, busy.record)
        async with closed_after(busy, quiet):
            async with row_locked(database_url, busy.record):
                admitted = flood(busy, 2)
                await until_waiting(owner_db, 2)
                queued = flood(busy, 2)
                read = await busy.api.get(f"/api/records/{busy.record}")
                rest = await busy.api.get("/rest/v1/note")
                late = await asyncio.gather(*queued)
                # The other workspace is not held up by any of it.
                await ok(await quiet.api.get(f"/api/records/{quiet.record}"))
            assert [a.status_code for a in await asyncio.gather(*admitted)] == [200, 200]
        for answer in (read, *late):
            refused(answer, 503, "unavailable")
            assert answer.headers["retry-after"] == "1"
        assert rest.status_code == 503 and rest.json()["code"] == "unavailable"  # its dialect
        assert await version(owner_db, busy.record) == before + 2  # the refused wrote nothing


async def test_nested_doors_and_held_transactions_never_wait_for_themselves(database_url,
                                                                           owner_db):
    """With a limit of 1, requests that open one door inside another (an idempotent write's
    held transaction, a counted list, a bulk, an export) still go through, one after another
    when sent together."""
    async with app_with(database_url, workspace_concurrency=1,
                        pool_acquire_timeout_ms=3000) as application:
        ws = await workspace(application, "one")
        async with closed_after(ws), asyncio.timeout(30):
            api = ws.api
            keyed = {"Idempotency-Key": "admission-nested-1"}
            body = {"object": "note", "data": {"title": "keyed"}}
            answers = await asyncio.gather(
                api.post("/api/records", json=body, headers=keyed),
                api.post("/api/records/bulk", json={"object": "note", "records": [
                    {"data": {"title": f"bulk {i}"}} for i in range(20)]}),
                api.get("/api/records", params={"object": "note", "count": "exact"}),
                api.get("/rest/v1/note", headers={"Prefer": "count=exact"}),
                api.get("/api/objects/note/export", params={"format": "csv"}),
                api.patch(f"/api/records/{ws.record}", json={"data": {"title": "patched"}}))
            statuses = [a.status_code for a in answers]
            assert statuses[0] == 201 and statuses[2:] == [200, 200, 200, 200], statuses
            assert statuses[1] == 201, answers[1].text
            again = await api.post("/api/records", json=body, headers=keyed)
            assert again.headers["idempotent-replayed"] == "true"
        assert await owner_db.fetchval(
            "SELECT count(*) FROM records WHERE tenant_id = $1", ws.id) == 22
        assert application.state.objectry.pool.admission.running(ws.id) == 0


async def test_reads_from_the_replica_take_a_turn_too(database_url, owner_db):
    """With DATABASE_READ_URL (here a relay to the same database), a record read goes to the
    replica's pool, yet it waits for its workspace's turn like any other unit of work."""
    async with counting_relay(database_url) as (read_url, reads), \
            app_with(database_url, database_read_url=read_url, workspace_concurrency=1,
                     pool_acquire_timeout_ms=500) as application:
        await application.state.objectry.replica.stop()  # only requests use the read URL
        busy, quiet = await workspace(application, "busy"), await workspace(application, "quiet")
        async with closed_after(busy, quiet):
            async with row_locked(database_url, busy.record):
                held = flood(busy, 1)
                await until_waiting(owner_db, 1)
                before = reads.round_trips
                queued = await busy.api.get(f"/api/records/{busy.record}")
                assert reads.round_trips == before  # it never reached the replica
                served = await quiet.api.get(f"/api/records/{quiet.record}")
                assert reads.round_trips > before  # the other workspace's read went there
            refused(queued, 503, "unavailable")
            assert (await ok(served))["id"] == quiet.record
            assert [a.status_code for a in await asyncio.gather(*held)] == [200]
