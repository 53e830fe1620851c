"""Stored rollups (migration 0022): the values a read takes from `record_rollups` equal, after
every kind of write, what aggregating the links at read time gives (the compiler's own SQL
with the stored statements taken away); a schema change recomputes them; two writers of one
record's links never leave a value that misses one; a filtered rollup is stored too, its
filter's values written into the statement; a workspace never sees another's values."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

from objectry.db import tenancy
from objectry.records import query, stored_rollups
from tests.api.builders import add_field, link, make_object, make_record, ok, relate
from tests.api.conftest import client, sign_up

ROLLUPS = "deal_count,pipeline,average,smallest,last_signed,last_closed,big_deals"


async def companies_and_deals(api: Any) -> None:
    await make_object(api, "company", plural_name="companies")
    await add_field(api, "company", "name")
    await make_object(api, "deal")
    await add_field(api, "deal", "title")
    await add_field(api, "deal", "amount", "number")
    await add_field(api, "deal", "signed_on", "date")
    await add_field(api, "deal", "closed_at", "datetime")


async def build(api: Any) -> dict[str, Any]:
    """company 1:N deal; rollups over it both ways (the deal's `companies`, backward)."""
    await companies_and_deals(api)
    rel = await relate(api, "company_deals", "company", "deal", "1:N")
    for name, config in (
            ("deal_count", {"function": "count"}),
            ("pipeline", {"function": "sum", "field": "amount"}),
            ("average", {"function": "avg", "field": "amount"}),
            ("smallest", {"function": "min", "field": "amount"}),
            ("last_signed", {"function": "max", "field": "signed_on"}),
            ("last_closed", {"function": "max", "field": "closed_at"}),
            ("big_deals", {"function": "count", "filter": "amount=gt.100"})):
        await add_field(api, "company", name, "rollup",
                        {"relationship": "company_deals", **config})
    await add_field(api, "deal", "companies", "rollup",
                    {"relationship": "company_deals", "function": "count"})
    return rel


async def read(app: Any, workspace_id: str, obj: str, select: str, *,
               aggregated: bool = False) -> dict[str, dict[str, Any]]:
    """Every record of `obj` by id, as the compiler reads them: from the stored values, or
    (`aggregated`) with the stored statements taken away, aggregating the links."""
    snapshot = await app.state.objectry.metadata.get(workspace_id)
    if aggregated:
        snapshot = replace(snapshot, rollup_statements={}, compiled={}, plans={})
    found = snapshot.object(obj)
    plan = query.plan_read(query.parse_rest([("select", f"id,{select}"), ("order", "id")]),
                           found, snapshot, default_limit=1000, max_limit=1000)
    sql, args = query.render_read(plan)
    assert ("relationship_records" in sql) == aggregated, sql
    async with tenancy.transaction(app.state.objectry.pool, workspace_id) as conn:
        rows = await conn.fetch(sql, *args)
    names = {f.id: f.name for f in found.fields}
    datas = {r["id"]: json.loads(r["data"]) if isinstance(r["data"], str) else r["data"]
             for r in rows}
    return {id_: {names[k]: v for k, v in data.items()} for id_, data in datas.items()}


async def same(app: Any, workspace_id: str) -> dict[str, dict[str, Any]]:
    """The stored values, asserted equal to the aggregated ones on both sides."""
    for obj, select in (("company", ROLLUPS), ("deal", "companies")):
        stored = await read(app, workspace_id, obj, select)
        assert stored == await read(app, workspace_id, obj, select, aggregated=True)
    return await read(app, workspace_id, "company", ROLLUPS)


async def stored_rows(owner_db: Any, workspace_id: str) -> dict[str, dict[str, Any]]:
    rows = await owner_db.fetch("SELECT id, rollups FROM record_rollups"
                                " WHERE tenant_id = $1", workspace_id)
    return {r["id"]: json.loads(r["rollups"]) for r in rows}


async def test_stored_values_follow_every_write(app, api, owner_db, workspace_id):
    rel = await build(api)
    acme, globex, _ = [await make_record(api, "company", name=n)
                       for n in ("Acme", "Globex", "Empty")]
    d1 = await make_record(api, "deal", title="d1", amount=100, signed_on="2026-01-10",
                           closed_at="2026-01-10T09:30:00Z")
    d2 = await make_record(api, "deal", title="d2", amount=250.5, signed_on="2026-03-01")
    d3 = await make_record(api, "deal", title="d3", amount=40)
    links = {}
    for company, deal in ((acme, d1), (acme, d2), (globex, d3)):
        links[deal["id"]] = await link(api, rel["id"], company["id"], deal["id"])
    found = await same(app, workspace_id)
    assert found[acme["id"]] == {
        "deal_count": 2, "pipeline": 350.5, "average": 175.25, "smallest": 100,
        "last_signed": "2026-03-01", "last_closed": "2026-01-10T09:30:00+00:00", "big_deals": 1}
    # The empty company has no row: it reads the value over no records.
    assert set(await stored_rows(owner_db, workspace_id)) == {
        acme["id"], globex["id"], d1["id"], d2["id"], d3["id"]}

    # A linked record's field changed, on both APIs.
    await ok(await api.patch(f"/api/records/{d1['id']}", json={"data": {"amount": 300}}))
    await ok(await api.patch("/rest/v1/deal?title=eq.d2", json={"amount": 7}), 204)
    assert (await same(app, workspace_id))[acme["id"]]["pipeline"] == 307

    # Trashed, then restored.
    await ok(await api.delete(f"/api/records/{d2['id']}"), 204)
    assert (await same(app, workspace_id))[acme["id"]]["deal_count"] == 1
    await ok(await api.post(f"/api/records/{d2['id']}/restore"))
    assert (await same(app, workspace_id))[acme["id"]]["deal_count"] == 2

    # A link moved from one company to the other.
    await ok(await api.delete(f"/api/relationship-records/{links[d3['id']]['id']}"), 204)
    await link(api, rel["id"], acme["id"], d3["id"])
    found = await same(app, workspace_id)
    assert found[acme["id"]]["deal_count"] == 3 and found[globex["id"]]["deal_count"] == 0

    # Deleted for good: its links go with it.
    await ok(await api.delete(f"/api/records/{d1['id']}", params={"permanent": "true"}), 204)
    found = await same(app, workspace_id)
    assert found[acme["id"]]["pipeline"] == 47 and found[acme["id"]]["last_closed"] is None
    # The purged deal's own values went with it.
    assert d1["id"] not in await stored_rows(owner_db, workspace_id)

    # The parent deleted for good: its row too.
    await ok(await api.delete(f"/api/records/{globex['id']}", params={"permanent": "true"}),
             204)
    assert globex["id"] not in await stored_rows(owner_db, workspace_id)
    await same(app, workspace_id)


async def test_a_schema_change_computes_them_afresh(app, api, owner_db, workspace_id):
    rel = await build(api)
    acme = await make_record(api, "company", name="Acme")
    for amount in (5, 50, 500):
        deal = await make_record(api, "deal", title=f"d{amount}", amount=amount)
        await link(api, rel["id"], acme["id"], deal["id"])
    before = await owner_db.fetchval(
        "SELECT statement FROM rollup_statements s JOIN objects o"
        " ON o.tenant_id = s.tenant_id AND o.id = s.object_id"
        " WHERE s.tenant_id = $1 AND o.name = 'company'", workspace_id)
    assert (await same(app, workspace_id))[acme["id"]]["pipeline"] == 555

    # The sum becomes a max: the statement changes, every value is computed again.
    await ok(await api.patch("/api/fields/pipeline", json={
        "config": {"relationship": "company_deals", "function": "max", "field": "amount"}}))
    assert (await same(app, workspace_id))[acme["id"]]["pipeline"] == 500
    after = await owner_db.fetchval(
        "SELECT statement FROM rollup_statements WHERE tenant_id = $1 AND statement <> $2"
        " AND statement LIKE '%max(%'", workspace_id, before)
    assert after is not None

    # A rollup detached: it leaves the statement and the stored values.
    schema = await ok(await api.get("/api/objects/company/schema"))
    smallest = next(f for f in schema["fields"] if f["name"] == "smallest")
    await ok(await api.delete(f"/api/object-fields/{smallest['object_field_id']}"), 204)
    found = await read(app, workspace_id, "company", ROLLUPS.replace("smallest,", ""))
    assert found == await read(app, workspace_id, "company", ROLLUPS.replace("smallest,", ""),
                               aggregated=True)
    assert found[acme["id"]]["pipeline"] == 500
    assert await owner_db.fetch(
        "SELECT 1 FROM record_rollups WHERE tenant_id = $1 AND rollups ? $2",
        workspace_id, smallest["id"]) == []

    # The relationship deleted: no rollup can be stored, the statements and values go.
    await ok(await api.delete(f"/api/relationships/{rel['id']}"), 204)
    assert await owner_db.fetchval(
        "SELECT count(*) FROM rollup_statements WHERE tenant_id = $1", workspace_id) == 0
    assert await stored_rows(owner_db, workspace_id) == {}


async def test_a_workspace_written_before_catches_up_once_loaded(app, api, owner_db,
                                                                 workspace_id):
    rel = await build(api)
    acme = await make_record(api, "company", name="Acme")
    deal = await make_record(api, "deal", title="d", amount=10)
    await link(api, rel["id"], acme["id"], deal["id"])
    version = await owner_db.fetchval("SELECT schema_version FROM workspaces WHERE id = $1",
                                      workspace_id)
    # As a workspace made before migration 0022: no statement, no value.
    await owner_db.execute("DELETE FROM rollup_statements WHERE tenant_id = $1", workspace_id)
    await owner_db.execute("DELETE FROM record_rollups WHERE tenant_id = $1", workspace_id)
    app.state.objectry.metadata.invalidate(workspace_id)
    # The first read loads the snapshot: it aggregates, and starts the catch-up.
    got = await ok(await api.get(f"/api/records/{acme['id']}"))
    assert got["data"]["deal_count"] == 1 and got["data"]["pipeline"] == 10
    await stored_rollups.stop()  # the catch-up, done
    assert acme["id"] in await stored_rows(owner_db, workspace_id)
    assert await owner_db.fetchval("SELECT schema_version FROM workspaces WHERE id = $1",
                                   workspace_id) == version + 1
    assert (await same(app, workspace_id))[acme["id"]]["pipeline"] == 10
    # The next load finds them current: nothing to catch up, the version stays.
    app.state.objectry.metadata.invalidate(workspace_id)
    assert (await ok(await api.get(f"/api/records/{acme['id']}")))["data"]["pipeline"] == 10
    await stored_rollups.stop()
    assert await owner_db.fetchval("SELECT schema_version FROM workspaces WHERE id = $1",
                                   workspace_id) == version + 1


async def test_a_snapshot_loaded_inside_a_held_transaction_starts_no_catch_up(
        app, api, owner_db, workspace_id):
    """What a held transaction (an idempotent request, a template's apply) loads may not be
    committed yet, and its connection is the request's: the catch-up waits for a load outside
    one, which starts it on a connection of its own."""
    rel = await build(api)
    acme = await make_record(api, "company", name="Acme")
    await link(api, rel["id"], acme["id"], (await make_record(api, "deal", amount=5))["id"])
    await owner_db.execute("DELETE FROM rollup_statements WHERE tenant_id = $1", workspace_id)
    cache, pool = app.state.objectry.metadata, app.state.objectry.pool
    cache.invalidate(workspace_id)
    async with tenancy.held_transaction(pool, workspace_id) as conn:
        assert not (await cache.get(workspace_id)).rollup_statements
        assert not stored_rollups._running
        assert await conn.fetchval("SELECT 1") == 1  # the request's connection, untouched
    cache.invalidate(workspace_id)
    async with tenancy.held_transaction(pool, workspace_id):
        pass
    await cache.get(workspace_id)
    assert stored_rollups._running
    await stored_rollups.stop()
    assert (await stored_rows(owner_db, workspace_id))[acme["id"]]
    await same(app, workspace_id)


async def test_a_catch_up_beside_a_metadata_write_takes_the_locks_in_its_order(
        app, api, owner_db, workspace_id):
    """A metadata write takes the rollups lock in its refresh, then the workspace's row to move
    the version; a catch-up starting meanwhile must take them in that order too, or each
    waits for the other (a deadlock, and one of the two aborted)."""
    rel = await build(api)
    acme = await make_record(api, "company", name="Acme")
    await link(api, rel["id"], acme["id"], (await make_record(api, "deal", amount=5))["id"])
    await owner_db.execute("DELETE FROM rollup_statements WHERE tenant_id = $1", workspace_id)
    cache, pool = app.state.objectry.metadata, app.state.objectry.pool
    async with tenancy.transaction(pool, workspace_id) as conn:  # a metadata write, as it ends
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('objectry.rollups'),"
                           " hashtext($1))", workspace_id)
        cache.invalidate(workspace_id)
        await cache.get(workspace_id)  # a request's load starts the catch-up
        assert stored_rollups._running
        await asyncio.sleep(0.3)  # the catch-up takes what it can
        await conn.execute("SET LOCAL lock_timeout = '5s'")
        await conn.execute("UPDATE workspaces SET schema_version = schema_version + 1"
                           " WHERE id = $1", workspace_id)
    await stored_rollups.stop()
    assert acme["id"] in await stored_rows(owner_db, workspace_id)
    await same(app, workspace_id)


async def test_two_writers_of_one_records_links_both_count(app, api, owner_db, workspace_id):
    """The second writer computes after the first has committed, whatever the interleaving:
    without the lock taken before its statement, it would write a count that misses the
    first one's link (its UPDATE, after waiting for the row, keeps its earlier snapshot)."""
    rel = await build(api)
    acme = await make_record(api, "company", name="Acme")
    deals = [await make_record(api, "deal", title=f"d{i}", amount=i) for i in range(3)]
    await link(api, rel["id"], acme["id"], deals[0]["id"])  # its row exists
    snapshot = await app.state.objectry.metadata.get(workspace_id)
    company, deal = snapshot.object("company"), snapshot.object("deal")
    insert = ("INSERT INTO relationship_records (tenant_id, id, relationship_id, rel_type,"
              " from_object_id, to_object_id, from_record_id, to_record_id)"
              " VALUES ($1, $2, $3, '1:N', $4, $5, $6, $7)")
    pool = app.state.objectry.pool

    async def second() -> None:
        async with tenancy.transaction(pool, workspace_id) as conn:
            await conn.execute(insert, workspace_id, "rrec_second0000000", rel["id"],
                               company.id, deal.id, acme["id"], deals[2]["id"])

    async with tenancy.transaction(pool, workspace_id) as conn:
        await conn.execute(insert, workspace_id, "rrec_first00000000", rel["id"], company.id,
                           deal.id, acme["id"], deals[1]["id"])
        waiting = asyncio.create_task(second())
        for _ in range(200):  # until the second writer waits for the first one's lock
            if await owner_db.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND query LIKE 'INSERT INTO relationship_records%'"):
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("the second writer never waited")
    await waiting
    found = await same(app, workspace_id)
    assert found[acme["id"]]["deal_count"] == 3


async def test_a_rollup_created_while_a_link_is_written_counts_it(app, api, owner_db,
                                                                  workspace_id):
    """A schema change that stores a rollup waits for the workspace's writes in flight, so the
    first values count a link written (not yet committed) as the rollup was created; without
    the advisory lock they were computed without it, and nothing computed them again."""
    await make_object(api, "company", plural_name="companies")
    await make_object(api, "deal")
    rel = await relate(api, "company_deals", "company", "deal", "1:N")
    acme, deal = await make_record(api, "company"), await make_record(api, "deal")
    snapshot = await app.state.objectry.metadata.get(workspace_id)
    company, deal_object = snapshot.object("company"), snapshot.object("deal")
    async with tenancy.transaction(app.state.objectry.pool, workspace_id) as conn:
        await conn.execute(
            "INSERT INTO relationship_records (tenant_id, id, relationship_id, rel_type,"
            " from_object_id, to_object_id, from_record_id, to_record_id)"
            " VALUES ($1, 'rrec_inflight000000', $2, '1:N', $3, $4, $5, $6)",
            workspace_id, rel["id"], company.id, deal_object.id, acme["id"], deal["id"])
        creating = asyncio.create_task(add_field(
            api, "company", "deal_count", "rollup",
            {"relationship": "company_deals", "function": "count"}))
        for _ in range(100):  # until the schema change waits for this write (2 s at most)
            if await owner_db.fetchval("SELECT count(*) FROM pg_stat_activity"
                                       " WHERE wait_event = 'advisory'"):
                break
            await asyncio.sleep(0.02)
    field = await creating
    assert (await stored_rows(owner_db, workspace_id)).get(acme["id"]) == {field["id"]: 1}
    got = await ok(await api.get(f"/api/records/{acme['id']}"))
    assert got["data"]["deal_count"] == 1


async def test_an_object_with_too_many_links_to_fill_aggregates_at_read_time(
        app, api, owner_db, workspace_id, monkeypatch):
    """Filling its values would run past what a metadata write may take: the rollups of an
    object fed by more than FILL_LIMIT links are not stored, and read the same values."""
    monkeypatch.setattr(stored_rollups, "FILL_LIMIT", 2)
    await make_object(api, "company", plural_name="companies")
    await make_object(api, "deal")
    await add_field(api, "deal", "amount", "number")
    rel = await relate(api, "company_deals", "company", "deal", "1:N")
    acme = await make_record(api, "company")
    deals = [await make_record(api, "deal", amount=a) for a in (1, 2, 3)]
    links = [await link(api, rel["id"], acme["id"], d["id"]) for d in deals]
    await add_field(api, "company", "pipeline", "rollup",
                    {"relationship": "company_deals", "function": "sum", "field": "amount"})
    assert await owner_db.fetchval(
        "SELECT count(*) FROM rollup_statements WHERE tenant_id = $1", workspace_id) == 0
    version = await owner_db.fetchval("SELECT schema_version FROM workspaces WHERE id = $1",
                                      workspace_id)
    app.state.objectry.metadata.invalidate(workspace_id)
    assert (await ok(await api.get(f"/api/records/{acme['id']}")))["data"]["pipeline"] == 6
    # The load's catch-up finds it still too big: it stores nothing, and moves no version
    # (which would load the snapshot again, and catch up again).
    await stored_rollups.stop()
    assert await owner_db.fetchval("SELECT schema_version FROM workspaces WHERE id = $1",
                                   workspace_id) == version
    # Down to the limit: the next schema change stores them.
    await ok(await api.delete(f"/api/relationship-records/{links[0]['id']}"), 204)
    await add_field(api, "company", "note")
    assert (await stored_rows(owner_db, workspace_id)).get(acme["id"]) is not None
    assert (await ok(await api.get(f"/api/records/{acme['id']}")))["data"]["pipeline"] == 5


async def test_a_filter_on_an_embedded_records_stored_rollup(app, api, owner_db, workspace_id):
    """`/rest/v1/deal?select=title,company_deals(name,pipeline)&company_deals.pipeline=gt.50`:
    the embedded companies' stored values are probed where the filter is, and the answer is the
    one aggregating gives."""
    rel = await build(api)
    big, small = (await make_record(api, "company", name="Big"),
                  await make_record(api, "company", name="Small"))
    for company, title, amount in ((big, "b1", 40), (big, "b2", 30), (small, "s1", 20)):
        deal = await make_record(api, "deal", title=title, amount=amount)
        await link(api, rel["id"], company["id"], deal["id"])
    params = {"select": "title,company_deals!inner(name,pipeline)",
              "company_deals.pipeline": "gt.50", "order": "title"}
    stored = await ok(await api.get("/rest/v1/deal", params=params))
    assert stored == [{"title": t, "company_deals": {"name": "Big", "pipeline": 70}}
                      for t in ("b1", "b2")]
    await owner_db.execute("DELETE FROM rollup_statements WHERE tenant_id = $1", workspace_id)
    app.state.objectry.metadata.invalidate(workspace_id)
    assert await ok(await api.get("/rest/v1/deal", params=params)) == stored


async def test_a_page_of_stored_rollups_reads_no_link(app, api, workspace_id):
    await build(api)
    await make_record(api, "company", name="Acme")
    snapshot = await app.state.objectry.metadata.get(workspace_id)
    company = snapshot.object("company")
    for order in ("pipeline", "big_deals"):
        params = [("select", "name,deal_count,big_deals"), ("order", f"{order}.desc")]
        plan = query.plan_read(query.parse_rest(params), company, snapshot, default_limit=50,
                               max_limit=1000)
        sql, _ = query.render_read(plan)
        # Stored values, filtered ones and ordered on too, come from record_rollups.
        assert "record_rollups" in sql and "relationship_records" not in sql, sql


async def test_another_workspace_never_sees_or_moves_the_values(app, api, owner_db,
                                                                workspace_id):
    rel = await build(api)
    acme = await make_record(api, "company", name="Acme")
    deal = await make_record(api, "deal", title="d", amount=10)
    await link(api, rel["id"], acme["id"], deal["id"])
    mine = await stored_rows(owner_db, workspace_id)
    other = await sign_up(app)
    async with client(app, other.headers) as theirs:
        their_rel = await build(theirs)
        initech = await make_record(theirs, "company", name="Initech")
        their_deal = await make_record(theirs, "deal", title="t", amount=99)
        await link(theirs, their_rel["id"], initech["id"], their_deal["id"])
        # Their rollup reads their record only, and names nothing of mine.
        got = await ok(await theirs.get(f"/api/records/{initech['id']}"))
        assert got["data"]["pipeline"] == 99
        missing = await theirs.get(f"/api/records/{acme['id']}")
        assert missing.status_code == 404
    assert await stored_rows(owner_db, workspace_id) == mine
    # Scoped to their workspace, the runtime role sees none of my rows or statements.
    async with tenancy.transaction(app.state.objectry.pool, other.workspace_id) as conn:
        assert await conn.fetchval("SELECT count(*) FROM record_rollups"
                                   " WHERE tenant_id = $1", workspace_id) == 0
        assert await conn.fetchval("SELECT count(*) FROM rollup_statements"
                                   " WHERE tenant_id = $1", workspace_id) == 0
        assert await conn.fetchval("SELECT count(*) FROM record_rollups") == 2


async def test_updates_of_many_linked_records_follow(app, api, workspace_id):
    rel = await build(api)
    acme = await make_record(api, "company", name="Acme")
    made = await ok(await api.post("/api/records/bulk", json={"object": "deal", "records": [
        {"data": {"title": f"d{i}", "amount": i}} for i in range(5)]}), 201)
    for item in made["items"]:
        await link(api, rel["id"], acme["id"], item["id"])
    await ok(await api.patch("/rest/v1/deal?amount=gte.0", json={"amount": 100}), 204)
    assert (await same(app, workspace_id))[acme["id"]]["pipeline"] == 500


# Every kind of value a filter binds, each a count of the deals it keeps.
FILTERS = {
    "n_over_100": "amount=gt.100",
    "n_quoted": "title=eq.O'Brien \\ d1",
    "n_signed_since": "signed_on=gte.2026-02-01",
    "n_closed_before": "closed_at=lt.2026-01-10T10:00:00%2B01:00",
    "n_won": "won=is.true",
    "n_not_won": "won=eq.false",
    "n_open_or_won": "stage=in.(open,won)",
    "n_vip": "tags=cs.{vip}",
    "n_meta_a": 'meta=cs.{"a":1}',
    "n_like_d": "title=like.*d*",
    "n_words": "title=fts(english).deals",
    "n_nested": "or=(and(amount.gt.0,won.is.true),title.ilike.*NOTE*)",
}


async def test_filtered_rollups_are_stored_with_their_values_as_literals(app, api, owner_db,
                                                                          workspace_id):
    await companies_and_deals(api)
    await add_field(api, "deal", "won", "boolean")
    options = {"options": [{"value": v, "label": v} for v in ("open", "won", "lost", "vip")]}
    await add_field(api, "deal", "stage", "select", options)
    await add_field(api, "deal", "tags", "multi_select", options)
    await add_field(api, "deal", "meta", "json")
    rel = await relate(api, "company_deals", "company", "deal", "1:N")
    for name, condition in FILTERS.items():
        await add_field(api, "company", name, "rollup",
                        {"relationship": "company_deals", "function": "count",
                         "filter": condition})
    acme = await make_record(api, "company", name="Acme")
    deals = [
        {"title": "O'Brien \\ d1", "amount": 150, "signed_on": "2026-02-01",
         "closed_at": "2026-01-10T08:59:00Z", "won": True, "stage": "won", "tags": ["vip"],
         "meta": {"a": 1, "b": 2}},
        {"title": "two deals", "amount": 100, "signed_on": "2026-01-31",
         "closed_at": "2026-01-10T09:00:00Z", "won": False, "stage": "open"},
        {"title": "a NOTE", "amount": 0, "won": False, "stage": "lost", "tags": ["open"],
         "meta": {"a": 2}},
    ]
    for data in deals:
        deal = await make_record(api, "deal", **data)
        await link(api, rel["id"], acme["id"], deal["id"])
    select = ",".join(FILTERS)
    stored = await read(app, workspace_id, "company", select)
    assert stored == await read(app, workspace_id, "company", select, aggregated=True)
    assert stored[acme["id"]] == {
        "n_over_100": 1, "n_quoted": 1, "n_signed_since": 1, "n_closed_before": 1, "n_won": 1,
        "n_not_won": 2, "n_open_or_won": 2, "n_vip": 1, "n_meta_a": 1, "n_like_d": 2,
        "n_words": 1, "n_nested": 2}
    # The values are the stored ones, kept by the writes.
    rows = await stored_rows(owner_db, workspace_id)
    snapshot = await app.state.objectry.metadata.get(workspace_id)
    ids = {f.name: f.id for f in snapshot.object("company").fields}
    assert rows[acme["id"]][ids["n_open_or_won"]] == 2
    await ok(await api.patch("/rest/v1/deal?title=eq.two%20deals", json={"stage": "lost"}), 204)
    # Filters read the title too: changing it recomputes them.
    await ok(await api.patch("/rest/v1/deal?title=eq.a%20NOTE", json={"title": "a note"}), 204)
    rows = await stored_rows(owner_db, workspace_id)
    assert rows[acme["id"]][ids["n_open_or_won"]] == 1
    assert await read(app, workspace_id, "company", select) == await read(
        app, workspace_id, "company", select, aggregated=True)


async def row_version(owner_db: Any, workspace_id: str, record_id: str) -> str:
    """The transaction that last wrote the record's row of values."""
    return await owner_db.fetchval("SELECT xmin::text FROM record_rollups"
                                   " WHERE tenant_id = $1 AND id = $2", workspace_id, record_id)


async def test_an_update_recomputes_only_when_it_changes_a_field_a_rollup_reads(
        app, api, owner_db, workspace_id):
    """Migration 0023: the company's rollups read the deals' amount, signed_on and closed_at
    (and, through big_deals' filter, amount again); a PATCH of a deal's title changes none of
    them and leaves the company's row alone, one of its amount computes it afresh."""
    rel = await build(api)
    acme = await make_record(api, "company", name="Acme")
    deal = await make_record(api, "deal", title="d", amount=10)
    await link(api, rel["id"], acme["id"], deal["id"])
    snapshot = await app.state.objectry.metadata.get(workspace_id)
    deal_fields = {f.name: f.id for f in snapshot.object("deal").fields}
    company = snapshot.object("company").id
    assert await owner_db.fetchval(
        "SELECT reads FROM rollup_statements WHERE tenant_id = $1 AND object_id = $2",
        workspace_id, company) == sorted(deal_fields[n] for n in ("amount", "signed_on",
                                                                 "closed_at"))
    before = await row_version(owner_db, workspace_id, acme["id"])
    await ok(await api.patch(f"/api/records/{deal['id']}", json={"data": {"title": "e"}}))
    await ok(await api.patch("/rest/v1/deal?title=eq.e", json={"title": "f"}), 204)
    assert await row_version(owner_db, workspace_id, acme["id"]) == before
    await ok(await api.patch(f"/api/records/{deal['id']}", json={"data": {"amount": 12}}))
    assert await row_version(owner_db, workspace_id, acme["id"]) != before
    assert (await same(app, workspace_id))[acme["id"]]["pipeline"] == 12

    # Deletes and restores recompute whatever they change.
    before = await row_version(owner_db, workspace_id, acme["id"])
    await ok(await api.delete(f"/api/records/{deal['id']}"), 204)
    assert (await same(app, workspace_id))[acme["id"]]["deal_count"] == 0
    await ok(await api.post(f"/api/records/{deal['id']}/restore"))
    assert (await same(app, workspace_id))[acme["id"]]["deal_count"] == 1



async def test_a_statement_stored_before_its_reads_gets_them_when_loaded(
        app, api, owner_db, workspace_id):
    rel = await build(api)
    acme = await make_record(api, "company", name="Acme")
    deal = await make_record(api, "deal", title="d", amount=10)
    await link(api, rel["id"], acme["id"], deal["id"])
    version = await owner_db.fetchval("SELECT schema_version FROM workspaces WHERE id = $1",
                                      workspace_id)
    # As stored before migration 0023: every update recomputes.
    await owner_db.execute("UPDATE rollup_statements SET reads = NULL WHERE tenant_id = $1",
                           workspace_id)
    before = await row_version(owner_db, workspace_id, acme["id"])
    await ok(await api.patch(f"/api/records/{deal['id']}", json={"data": {"title": "e"}}))
    assert await row_version(owner_db, workspace_id, acme["id"]) != before
    # The next load counts it as not stored (its reads aggregate) and catches up: the reads
    # are stored, the values are not computed again, and the version moves.
    app.state.objectry.metadata.invalidate(workspace_id)
    before = await row_version(owner_db, workspace_id, acme["id"])
    got = await ok(await api.get(f"/api/records/{acme['id']}"))
    assert got["data"]["pipeline"] == 10
    await stored_rollups.stop()
    assert await row_version(owner_db, workspace_id, acme["id"]) == before
    assert not await owner_db.fetchval(
        "SELECT bool_or(reads IS NULL) FROM rollup_statements WHERE tenant_id = $1",
        workspace_id)
    assert await owner_db.fetchval("SELECT schema_version FROM workspaces WHERE id = $1",
                                   workspace_id) == version + 1
    await ok(await api.patch(f"/api/records/{deal['id']}", json={"data": {"title": "f"}}))
    assert await row_version(owner_db, workspace_id, acme["id"]) == before
    await same(app, workspace_id)
