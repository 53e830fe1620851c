"""A pipelined bulk (records/bulk.py) under the statement timeout, slowed on purpose: another
session holds the workspace's rollups lock, which every record write's fan-out trigger takes
shared, so a chunk's INSERT waits, and waiting counts against statement_timeout.

- A slow write makes the chunks after it smaller, so that each stays within a quarter of the
  timeout (`chunk_size`): a workspace whose records carry many indexes, on a busy server,
  still gets its batch written.
- A write the timeout cancels answers 503 `query_timeout`, saves nothing, and leaves no chunk
  being validated behind it whose refusal asyncio would log as never retrieved.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest

from objectry.records.bulk import FIRST_CHUNK, PIPELINE_CHUNK, TIMEOUT_SHARE
from tests.api.builders import add_field, make_object, ok
from tests.api.conftest import client, refused, sign_up
from tests.conftest import running_app, settings_for

TIMEOUT_MS = 600
HELD = 0.3  # seconds the first chunk's write is kept waiting: half the timeout
N = 2 * PIPELINE_CHUNK + 10


@pytest.fixture(scope="module")
async def impatient(database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    settings = settings_for(database_url, statement_timeout_ms=TIMEOUT_MS, open_signup=True)
    async with running_app(settings) as application:
        account = await sign_up(application)
        async with client(application, account.headers) as api:
            await make_object(api, "contact", plural_name="contacts")
            await add_field(api, "contact", "name", is_required=True)
            yield api, account.workspace_id


def rows(count: int, tag: str) -> list[dict[str, Any]]:
    return [{"data": {"name": f"{tag}{i}"}} for i in range(count)]


@asynccontextmanager
async def writes_held(database_url: str, tenant: str) -> AsyncIterator[asyncpg.Connection]:
    """The workspace's rollups lock, held by another session until the block ends."""
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("SELECT pg_advisory_lock(hashtext('objectry.rollups'), hashtext($1))",
                           tenant)
        yield conn
    finally:
        await conn.close()  # releases it


async def a_write_waits(conn: asyncpg.Connection) -> None:
    """Until some session waits for an advisory lock (the bulk's first INSERT, in its trigger)."""
    async with asyncio.timeout(10):
        while not await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'advisory'"
                " AND pid <> pg_backend_pid() AND datname = current_database()"):
            await asyncio.sleep(0.01)


async def stored(owner_db: Any, tenant: str, tag: str) -> tuple[int, int]:
    """Records of this batch, and the INSERT statements that wrote them (each statement of a
    transaction has its own command id, `cmin`)."""
    row = await owner_db.fetchrow(
        "SELECT count(*) AS records, count(DISTINCT cmin::text::int) AS statements"
        " FROM records WHERE tenant_id = $1 AND primary_value LIKE $2", tenant, f"{tag}%")
    return row["records"], row["statements"]


async def test_a_slow_write_makes_the_chunks_after_it_smaller(impatient, database_url,
                                                              owner_db):
    api, tenant = impatient
    async with writes_held(database_url, tenant) as holder:
        sent = asyncio.ensure_future(api.post("/api/records/bulk", json={
            "object": "contact", "records": rows(N, "slow")}))
        await a_write_waits(holder)
        await asyncio.sleep(HELD)
    made = await ok(await sent, 201)
    assert [r["data"]["name"] for r in made["items"]] == [f"slow{i}" for i in range(N)]
    # The first chunk took HELD or more, so a record at least HELD / FIRST_CHUNK; the second
    # was sized before that was known; every later one holds at most what fits in
    # TIMEOUT_SHARE of the timeout at that pace. Left to double, the chunks would be five.
    cap = int(TIMEOUT_MS / 1000 * TIMEOUT_SHARE / (HELD / FIRST_CHUNK))
    rest = N - 2 * FIRST_CHUNK
    records, statements = await stored(owner_db, tenant, "slow")
    assert records == N
    assert statements >= 2 + -(-rest // cap) > 5


async def test_a_write_the_timeout_cancels_saves_nothing_and_leaves_nothing_behind(
        impatient, database_url, owner_db, caplog):
    api, tenant = impatient
    batch = rows(N, "lost")
    batch[FIRST_CHUNK + 1]["data"]["name"] = None  # the second chunk is refused meanwhile
    caplog.set_level(logging.ERROR, logger="asyncio")
    async with writes_held(database_url, tenant):  # for longer than the timeout
        answer = await api.post("/api/records/bulk", json={"object": "contact",
                                                           "records": batch})
    refused(answer, 503, "query_timeout")
    assert int(answer.headers["retry-after"]) > 0
    assert await stored(owner_db, tenant, "lost") == (0, 0)
    gc.collect()  # a task whose exception nobody read is logged when it is collected
    await asyncio.sleep(0)
    assert [r.getMessage() for r in caplog.records if r.name == "asyncio"] == []
    # The server goes on: the batch, mended, is written once the lock is gone.
    batch[FIRST_CHUNK + 1]["data"]["name"] = "mended"
    made = await ok(await api.post("/api/records/bulk", json={"object": "contact",
                                                              "records": batch}), 201)
    assert made["created"] == N
    assert (await stored(owner_db, tenant, "lost"))[0] == N - 1  # and "mended"
