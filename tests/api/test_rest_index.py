"""At 100k records, a filtered /rest/v1 list on an `is_indexed` / `is_unique` field uses that
field's expression index: EXPLAIN of the very statement the service runs, with real
statistics (ANALYZE). One workspace of 100k records is shared by the module.

As the runtime role too: reads go through the records_in_scope view (migration 0003), so
forced RLS does not keep field filters out of index conditions.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from objectry.db import tenancy
from objectry.fields import cast_of
from objectry.metadata import indexes
from objectry.records import query, repo
from tests.api.builders import add_field, make_object
from tests.api.conftest import client, sign_up

ROWS = 100_000


@pytest.fixture(scope="module")
async def readings(app, owner_db):
    """(client, snapshot, workspace id): 100k readings, seeded in one INSERT … SELECT."""
    account = await sign_up(app)
    async with client(app, account.headers) as api:
        obj = await make_object(api, "reading", plural_name="readings")
        for name, type_, flag in (("temp", "number", "is_indexed"),
                                  ("station", "text", "is_indexed"),
                                  ("serial", "text", "is_unique"),
                                  ("code", "number", "is_unique"),
                                  ("day", "date", "is_indexed")):
            await add_field(api, "reading", name, type_, **{flag: True})  # built when answered
        snapshot = await app.state.objectry.metadata.get(account.workspace_id)
        f = snapshot.object("reading").fields_by_name
        await owner_db.execute(
            """INSERT INTO records (tenant_id, id, object_id, data)
               SELECT $1, 'rec_' || substr(md5(g::text), 1, 16), $2,
                      jsonb_build_object($3::text, g % 1000, $4::text, 'st' || (g % 5000),
                                         $5::text, 'sn' || g,
                                         $6::text, (date '2020-01-01' + g % 365)::text,
                                         $8::text, g)
               FROM generate_series(1, $7::int) AS g""",
            account.workspace_id, obj["id"], f["temp"].id, f["station"].id, f["serial"].id,
            f["day"].id, ROWS, f["code"].id)
        await owner_db.execute("ANALYZE records")
        yield api, snapshot, account.workspace_id


def statement(app, snapshot, params, max_bytes=None):
    """What GET /rest/v1/readings?<params> runs (rest/reads.py: read); with `max_bytes`, the
    answer's byte cap as the service sets it."""
    most = app.state.objectry.settings.max_page_size
    plan = query.plan_read(query.parse_rest(params), snapshot.object("reading"), snapshot,
                           default_limit=most, max_limit=most, max_bytes=max_bytes)
    return query.render_read(plan)


def index_of(snapshot, field):
    f = snapshot.object("reading").fields_by_name[field]
    return (indexes.unique_name if f.is_unique else indexes.plain_name)(f.object_field_id)


CASES = [
    ("temp", [("temp", "eq.36")], 100),
    ("temp", [("temp", "in.(1,2,3)")], 300),
    ("station", [("station", "eq.st42")], 20),
    ("serial", [("serial", "eq.sn4242")], 1),
    # A range filter: estimated right only thanks to the expression statistics.
    ("temp", [("temp", "gt.997")], 200),
    # A date: the query must repeat the index's IMMUTABLE wrapper (objectry.sqltext).
    ("day", [("day", "eq.2020-02-01")], 274),
]


@pytest.mark.parametrize(("field", "params", "total"), CASES)
async def test_indexed_filters_use_their_index(app, owner_db, readings, field, params, total):
    api, snapshot, _ = readings
    sql, args = statement(app, snapshot, params)
    explained = "\n".join(r[0] for r in await owner_db.fetch("EXPLAIN " + sql, *args))
    assert "Index Cond" in explained and index_of(snapshot, field) in explained, explained
    response = await api.get("/rest/v1/readings", params=[("select", "id"), *params],
                             headers={"Prefer": "count=exact"})
    assert response.status_code == 200
    assert response.headers["content-range"] == f"0-{total - 1}/{total}"


async def test_indexed_filters_use_their_index_as_the_runtime_role(app, readings):
    _, snapshot, workspace_id = readings
    sql, args = statement(app, snapshot, [("temp", "eq.36")])
    async with tenancy.transaction(app.state.objectry.pool, workspace_id) as conn:
        explained = "\n".join(r[0] for r in await conn.fetch("EXPLAIN " + sql, *args))
    assert index_of(snapshot, "temp") in explained, explained


def _sql_value(value) -> str:
    return str(value) if isinstance(value, int | Decimal) else "'" + str(value) + "'"


@pytest.mark.parametrize("params", [[("temp", "eq.36")],
                                    [("temp", "eq.36"), ("order", "created_at.desc"),
                                     ("limit", "50")]])
async def test_generic_plans_use_the_field_index(app, readings, params):
    """asyncpg prepares a statement once per connection, and after five runs PostgreSQL may
    switch to a generic plan, planned without the values. The field index is partial on the
    workspace and the object, so the statement carries those ids as literals too: without
    them a generic plan cannot use the index (bench/: 0.9 ms → 2.4 ms a list at 5,000
    contacts, worse as the table grows)."""
    _, snapshot, workspace_id = readings
    sql, args = statement(app, snapshot, params)
    async with tenancy.transaction(app.state.objectry.pool, workspace_id) as conn:
        await conn.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        await conn.execute(f"PREPARE listing AS {sql}")
        explained = "\n".join(r[0] for r in await conn.fetch(
            f"EXPLAIN EXECUTE listing({', '.join(_sql_value(a) for a in args)})"))
        await conn.execute("DEALLOCATE listing")
    assert "$3" in explained, explained  # really the generic plan: the value is a parameter
    assert index_of(snapshot, "temp") in explained, explained


@pytest.mark.parametrize("params", [[("temp", "eq.36"), ("order", "created_at.desc"),
                                     ("limit", "5")],
                                    [("temp", "eq.36"), ("limit", "5"), ("offset", "10")]])
async def test_a_prepared_page_is_not_planned_again_on_every_run(app, readings, params):
    """PostgreSQL plans a prepared statement for its values five times, then keeps a generic
    plan unless that plan looks costlier. With `LIMIT $n` it did whenever a filter matched more
    than ten pages (the generic plan assumes a tenth of the matching rows are wanted: here 10
    of 100, above the page's 5), so every page was planned anew, which took longer than
    reading it; the limit is a literal (sqlexpr.page). As the service runs it: the answer's
    byte cap on, as the runtime role."""
    _, snapshot, workspace_id = readings
    sql, args = statement(app, snapshot, params,
                          max_bytes=app.state.objectry.settings.max_response_bytes)
    async with tenancy.transaction(app.state.objectry.pool, workspace_id) as conn:
        await conn.execute(f"PREPARE page AS {sql}")
        for _ in range(8):
            await conn.execute(f"EXECUTE page({', '.join(_sql_value(a) for a in args)})")
        plans = await conn.fetchrow("SELECT generic_plans, custom_plans FROM"
                                    " pg_prepared_statements WHERE name = 'page'")
        await conn.execute("DEALLOCATE page")
    assert (plans["custom_plans"], plans["generic_plans"]) == (5, 3), dict(plans)


@pytest.mark.parametrize(("field", "value"), [("serial", "sn4242"), ("code", "4242")])
async def test_an_upserts_match_is_an_index_probe(app, readings, field, value):
    """An upsert (`on_conflict`, bulk `match_on`) first finds the records holding its values of
    the unique field. With the field id as a parameter no index matched that and every upsert
    read all the object's records (60 ms a call at 100k); the statement repo.live_by_value
    sends now uses the field's unique index even as a generic plan."""
    _, snapshot, workspace_id = readings
    obj = snapshot.object("reading")
    f = obj.fields_by_name[field]
    sent: list[str] = []
    async with tenancy.transaction(app.state.objectry.pool, workspace_id) as conn:
        conn.add_query_logger(lambda logged: sent.append(logged.query))
        found = await repo.live_by_value(conn, workspace_id, obj.id, f.id, cast_of(f.type),
                                         [value])
        assert [row["data"][f.id] for row in found] == [4242 if field == "code" else value]
        await conn.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        await conn.execute(f"PREPARE matching AS {sent[-1]}")
        explained = "\n".join(r[0] for r in await conn.fetch(
            f"EXPLAIN EXECUTE matching('{workspace_id}', '{obj.id}', '{{{value}}}')"))
        await conn.execute("DEALLOCATE matching")
    assert "$3" in explained, explained  # the generic plan
    assert index_of(snapshot, field) in explained, explained


async def test_an_upsert_on_a_unique_field_updates_the_record_holding_it(app, owner_db,
                                                                         readings):
    api, snapshot, workspace_id = readings
    response = await api.post("/rest/v1/readings?on_conflict=serial",
                              json={"serial": "sn777", "temp": 5, "code": 777},
                              headers={"Prefer": "resolution=merge-duplicates,"
                                                 "return=representation"})
    assert response.status_code == 201, response.text
    assert [(r["serial"], r["temp"]) for r in response.json()] == [("sn777", 5)]
    holding = await owner_db.fetch(
        "SELECT data ->> $2 AS temp FROM records WHERE tenant_id = $1 AND data ->> $3 = 'sn777'",
        workspace_id, snapshot.object("reading").fields_by_name["temp"].id,
        snapshot.object("reading").fields_by_name["serial"].id)
    assert [r["temp"] for r in holding] == ["5"]  # the same one record, updated
