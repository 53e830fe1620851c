"""A create's history event, as the runtime role: one record (VALUES, its changes given by
Python) and several (unnest, its changes built by PostgreSQL from the row) write the same
`{field: [null, value]}`, for every kind of stored value, and an empty record `{}`."""

from __future__ import annotations

import json

import asyncpg

from objectry.db import tenancy
from objectry.ids import new_id
from objectry.records import repo as records
from tests.support.databases import runtime_pool

DATA = {"fld_text": "Ada <b>", "fld_num": 12.5, "fld_int": 7, "fld_bool": False,
        "fld_tags": ["a", "b"], "fld_json": {"nested": [1, None, "x"]}, "fld_date": "2026-12-06",
        "fld_unicode": "Zoë ✓"}


async def test_one_and_many_records_write_the_same_create_event(migrated: str) -> None:
    owner = await asyncpg.connect(migrated)
    pool = await runtime_pool(migrated)
    try:
        tenant, obj = new_id("wsp"), new_id("obj")
        await owner.execute("INSERT INTO workspaces (id, name) VALUES ($1, 'w')", tenant)
        await owner.execute("INSERT INTO objects (tenant_id, id, name, label) VALUES"
                            " ($1, $2, 'deal', 'Deal')", tenant, obj)
        one, empty, many = new_id("rec"), new_id("rec"), [new_id("rec"), new_id("rec")]
        async with tenancy.connection(pool, tenant) as conn:
            made = await records.insert_many(conn, tenant, obj, [one], [DATA], ["Ada"], "usr_a")
            await records.insert_many(conn, tenant, obj, [empty], [{}], [None], "usr_a")
            await records.insert_many(conn, tenant, obj, many, [DATA, {}], ["Ada", None],
                                      "usr_a")
        assert [r["id"] for r in made] == [one] and made[0]["data"] == DATA
        rows = await owner.fetch("SELECT record_id, op, changes, actor FROM record_events"
                                 " WHERE tenant_id = $1", tenant)
        events = {r["record_id"]: (r["op"], json.loads(r["changes"]), r["actor"]) for r in rows}
        expected = {k: [None, v] for k, v in DATA.items()}
        assert events == {one: ("create", expected, "usr_a"), empty: ("create", {}, "usr_a"),
                          many[0]: ("create", expected, "usr_a"),
                          many[1]: ("create", {}, "usr_a")}
        # Equal as jsonb too, not only once decoded: the history reads them back alike.
        assert await owner.fetchval(
            "SELECT count(DISTINCT changes) FROM record_events WHERE tenant_id = $1"
            " AND record_id = any($2::text[])", tenant, [one, many[0]]) == 1
    finally:
        await pool.close()
        await owner.close()
