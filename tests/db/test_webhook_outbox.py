"""The webhook outbox trigger (migration 0011), as the runtime role: an AFTER STATEMENT
trigger on record_events sees the records row that the same statement's CTE wrote; a
workspace without an active webhook gets no outbox rows; a rolled-back write leaves none."""

from __future__ import annotations

import json

import asyncpg

from objectry.db import tenancy
from objectry.ids import new_id
from objectry.records import repo as records
from tests.support.databases import runtime_pool


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


async def test_who_follows_is_answered_alike_for_a_scoped_writer_and_for_the_owner(
        migrated: str) -> None:
    """The fan-out trigger (migration 0018) notifies and fills the outbox for exactly the
    followed workspaces, whether the writer is the runtime role scoped to one workspace (under
    RLS, which also hides the other workspaces' listeners and webhooks from the trigger's query)
    or the owner, unscoped, who sees them all."""
    owner = await asyncpg.connect(migrated)
    pool = await runtime_pool(migrated, size=1)
    heard: list[tuple[str, str]] = []
    listener = await asyncpg.connect(migrated)
    for channel in ("objectry_changes", "objectry_webhooks"):
        await listener.add_listener(channel, lambda _c, _p, ch, payload: heard.append(
            (ch, json.loads(payload)["t"] if ch == "objectry_changes" else payload)))
    try:
        hooked, hooked_obj = await _workspace(owner)  # a webhook and a realtime channel
        watched, watched_obj = await _workspace(owner)  # a realtime channel only
        quiet, quiet_obj = await _workspace(owner)
        await _hook(owner, hooked)
        await owner.execute("INSERT INTO realtime_listeners (tenant_id, until) VALUES"
                            " ($1, now() + interval '1 minute'), ($2, now() + interval"
                            " '1 minute')", hooked, watched)
        writes = ((hooked, hooked_obj), (watched, watched_obj), (quiet, quiet_obj))
        for tenant, obj in writes:
            async with tenancy.transaction(pool, tenant) as conn:
                await records.insert_many(conn, tenant, obj, [new_id("rec")], [{"f": 1}],
                                          [None], None)
        scoped = await _drained(listener, heard)
        unscoped_writer = await asyncpg.connect(migrated)  # the owner: no RLS, no scope
        await unscoped_writer.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads,
                                             schema="pg_catalog")
        for tenant, obj in writes:
            await records.insert_many(unscoped_writer, tenant, obj, [new_id("rec")],
                                      [{"f": 2}], [None], None)
        await unscoped_writer.close()
        unscoped = await _drained(listener, heard)
        expected = [("objectry_changes", hooked), ("objectry_webhooks", hooked),
                    ("objectry_changes", watched)]
        assert scoped == unscoped == expected
        outbox = await owner.fetch("SELECT tenant_id, record FROM webhook_events ORDER BY seq")
        assert [(r["tenant_id"], json.loads(r["record"])["data"]) for r in outbox] == [
            (hooked, {"f": 1}), (hooked, {"f": 2})]
    finally:
        await listener.close()
        await pool.close()
        await owner.close()


async def _drained(listener: asyncpg.Connection, heard: list[tuple[str, str]]
                   ) -> list[tuple[str, str]]:
    await listener.fetchval("SELECT 1")  # notifications sent before this answer have arrived
    got, heard[:] = list(heard), []
    return got
