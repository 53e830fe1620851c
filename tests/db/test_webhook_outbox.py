"""The webhook outbox trigger (migration 0011), as the runtime role: an AFTER STATEMENT
trigger on record_events sees the records row that the same statement's CTE wrote; a
workspace without an active webhook gets no outbox rows; a rolled-back write leaves none."""

from __future__ import annotations

import json

import asyncpg

from objectry.db import tenancy
from objectry.ids import new_id
from objectry.records import repo as records
from tests.db.conftest import runtime_pool


async def _workspace(owner: asyncpg.Connection) -> tuple[str, str]:
    tenant, obj = new_id("wsp"), new_id("obj")
    await owner.execute("INSERT INTO workspaces (id, name) VALUES ($1, 'w')", tenant)
    await owner.execute("INSERT INTO objects (tenant_id, id, name, label) VALUES"
                        " ($1, $2, 'deal', 'Deal')", tenant, obj)
    return tenant, obj


async def _hook(owner: asyncpg.Connection, tenant: str, active: bool = True) -> None:
    await owner.execute(
        "INSERT INTO webhooks (tenant_id, id, name, url, events, object_ids, active, secret)"
        " VALUES ($1, $2, 'h', 'http://x', '{record.created}', '{}', $3, 'whsec_x')",
        tenant, new_id("whk"), active)


async def test_outbox_rows_carry_the_record_written_by_the_same_statement(migrated: str
                                                                          ) -> None:
    owner = await asyncpg.connect(migrated)
    pool = await runtime_pool(migrated, size=2)
    try:
        watched, obj = await _workspace(owner)
        quiet, quiet_obj = await _workspace(owner)
        await _hook(owner, watched)
        await _hook(owner, quiet, active=False)
        async with tenancy.transaction(pool, watched) as conn:
            await records.insert_many(conn, watched, obj, [new_id("rec"), new_id("rec")],
                                      [{"f": 1}, {"f": 2}], [None, None], None)
        async with tenancy.transaction(pool, quiet) as conn:
            await records.insert_many(conn, quiet, quiet_obj, [new_id("rec")], [{"f": 3}],
                                      [None], None)
        rows = await owner.fetch("SELECT tenant_id, op, record, changes FROM webhook_events"
                                 " ORDER BY seq")
        assert [(r["tenant_id"], r["op"]) for r in rows] == [(watched, "create")] * 2
        stored = [json.loads(r["record"]) for r in rows]  # the owner's connection: JSON as text
        assert [r["data"] for r in stored] == [{"f": 1}, {"f": 2}]
        assert stored[0]["version"] == 1 and json.loads(rows[0]["changes"]) == {"f": [None, 1]}
        try:
            async with tenancy.transaction(pool, watched) as conn:
                await records.insert_many(conn, watched, obj, [new_id("rec")], [{"f": 4}],
                                          [None], None)
                assert await conn.fetchval("SELECT count(*) FROM webhook_events") == 3
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        assert await owner.fetchval("SELECT count(*) FROM webhook_events") == 2
    finally:
        await pool.close()
        await owner.close()
