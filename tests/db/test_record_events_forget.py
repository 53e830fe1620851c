"""A record's history events go with the record (migration 0020: a statement trigger on
`records`, not a foreign key): when it is purged, when its object is deleted, when its workspace
is deleted by someone who set no workspace; never another workspace's events, and the caller's
workspace setting is what it was afterwards."""

from __future__ import annotations

from typing import Any

import asyncpg

from objectry.db import tenancy
from objectry.ids import new_id
from objectry.records import repo as records
from tests.support.databases import runtime_pool


async def _workspace(owner: asyncpg.Connection, pool: Any, records_each: int = 2
                     ) -> tuple[str, str, list[str]]:
    """A workspace with an object and records made as the runtime role (each with its create
    event, and a trash event for the first): (workspace, object, record ids)."""
    tenant, obj = new_id("wsp"), new_id("obj")
    await owner.execute("INSERT INTO workspaces (id, name) VALUES ($1, 'w')", tenant)
    await owner.execute("INSERT INTO objects (tenant_id, id, name, label) VALUES"
                        " ($1, $2, 'deal', 'Deal')", tenant, obj)
    ids = [new_id("rec") for _ in range(records_each)]
    async with tenancy.connection(pool, tenant) as conn:
        await records.insert_many(conn, tenant, obj, ids, [{"f": i} for i in range(len(ids))],
                                  [None] * len(ids), "usr_a")
        await records.add_events(conn, tenant, ids[:1], "delete", {}, "usr_a")
    return tenant, obj, ids


async def _events(owner: asyncpg.Connection, tenant: str) -> dict[str, int]:
    rows = await owner.fetch("SELECT record_id, count(*) AS n FROM record_events"
                             " WHERE tenant_id = $1 GROUP BY record_id", tenant)
    return {r["record_id"]: r["n"] for r in rows}


async def test_a_purge_deletes_the_records_events_and_no_one_elses(migrated: str) -> None:
    owner = await asyncpg.connect(migrated)
    pool = await runtime_pool(migrated)
    try:
        mine, _, (gone, kept) = await _workspace(owner, pool)
        theirs, _, their_ids = await _workspace(owner, pool)
        assert await _events(owner, mine) == {gone: 2, kept: 1}
        async with tenancy.transaction(pool, mine) as conn:
            await records.purge(conn, mine, [gone, their_ids[0]])  # theirs: not visible here
            assert await conn.fetchval("SELECT current_setting('app.tenant_id', true)") == mine
            assert await conn.fetchval("SELECT count(*) FROM record_events") == 1
        assert await _events(owner, mine) == {kept: 1}
        assert await _events(owner, theirs) == {their_ids[0]: 2, their_ids[1]: 1}
    finally:
        await pool.close()
        await owner.close()


async def test_deleting_an_object_or_a_workspace_deletes_their_records_events(
        migrated: str) -> None:
    owner = await asyncpg.connect(migrated)
    pool = await runtime_pool(migrated)
    try:
        first, first_object, _ = await _workspace(owner, pool)
        second, _, second_ids = await _workspace(owner, pool, records_each=3)
        third, _, _ = await _workspace(owner, pool)
        async with tenancy.connection(pool, first) as conn:  # the object's records cascade
            await conn.execute("DELETE FROM objects WHERE tenant_id = $1 AND id = $2",
                               first, first_object)
        assert await _events(owner, first) == {}
        # The schema's owner with no workspace set: objects, then records, cascade.
        assert await owner.fetchval("SELECT current_setting('app.tenant_id', true)") in (None, "")
        await owner.execute("DELETE FROM workspaces WHERE id = $1", third)
        assert await _events(owner, third) == {}
        assert await _events(owner, second) == {second_ids[0]: 2, second_ids[1]: 1,
                                                second_ids[2]: 1}
        assert await owner.fetchval("SELECT count(*) FROM record_events e WHERE NOT EXISTS"
                                    " (SELECT 1 FROM records r WHERE r.tenant_id = e.tenant_id"
                                    " AND r.id = e.record_id)") == 0
    finally:
        await pool.close()
        await owner.close()
