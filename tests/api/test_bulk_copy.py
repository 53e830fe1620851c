"""Batches of COPY_FROM records or more are staged by binary COPY and written by one
INSERT … SELECT (records/bulk.py): the rows, history events, autonumbers, primary values,
unique checks, upsert merges and workspaces come out exactly as through the unnest path."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import httpx

from objectry.records import repo
from objectry.records.bulk import COPY_CHUNK, COPY_FROM
from tests.api.builders import add_field, codes, make_object, make_record, ok
from tests.api.conftest import client, sign_up
from tests.api.test_import import run

N = COPY_FROM + 25  # one batch on the COPY path
REPRESENT = {"Prefer": "return=representation"}


async def contact(api: httpx.AsyncClient) -> None:
    await make_object(api, "contact", plural_name="contacts")
    await add_field(api, "contact", "name", is_required=True)
    await add_field(api, "contact", "email", "email", is_unique=True)
    await add_field(api, "contact", "phone", "phone")
    await add_field(api, "contact", "n", "autonumber", {"prefix": "C-", "digits": 3})


def rows(start: int, count: int) -> list[dict[str, Any]]:
    return [{"data": {"name": f"P{i}", "email": f"P{i}@X.io", "phone": "+33612345678"}}
            for i in range(start, start + count)]


async def stored(owner_db: Any, tenant: str) -> list[dict[str, Any]]:
    """The workspace's records by autonumber, data and create event's changes by value (the
    owner's connection reads them keyed by field ids, as JSON text)."""
    found = await owner_db.fetch(
        "SELECT r.id, r.tenant_id, r.data, r.primary_value, r.created_by, r.version,"
        " (SELECT count(*) FROM record_events e WHERE e.tenant_id = r.tenant_id"
        "  AND e.record_id = r.id AND e.op = 'create') AS events,"
        " (SELECT e.changes FROM record_events e WHERE e.tenant_id = r.tenant_id"
        "  AND e.record_id = r.id AND e.op = 'create') AS changes"
        " FROM records r WHERE r.tenant_id = $1", tenant)
    out = [{**r, "data": sorted(json.loads(r["data"]).values()),
            "changes": sorted(json.loads(r["changes"]).values())} for r in found]
    return sorted(out, key=lambda r: next(v for v in r["data"] if v.startswith("C-")))


async def test_a_copied_batch_is_stored_like_any_create(api, owner_db, workspace_id):
    await contact(api)
    await make_record(api, "contact", name="Old", email="old@x.io")  # C-001
    made = await ok(await api.post("/api/records/bulk", json={"object": "contact",
                                                               "records": rows(0, N)}), 201)
    assert (made["created"], made["updated"]) == (N, 0)
    assert [r["data"]["name"] for r in made["items"]] == [f"P{i}" for i in range(N)]
    assert [r["data"]["n"] for r in made["items"]] == [f"C-{i + 2:03}" for i in range(N)]
    db = await stored(owner_db, workspace_id)
    assert len(db) == N + 1
    new = db[1:]
    assert [r["id"] for r in new] == [r["id"] for r in made["items"]]
    assert all(r["tenant_id"] == workspace_id and r["version"] == 1 and r["events"] == 1
               for r in new)
    assert new[0]["data"] == ["+33612345678", "C-002", "P0", "p0@x.io"]
    assert new[0]["primary_value"] == "P0" and new[0]["created_by"] == db[0]["created_by"]
    assert new[0]["changes"] == [[None, v] for v in new[0]["data"]]
    history = await ok(await api.get(f"/api/records/{made['items'][5]['id']}/history"))
    assert [e["op"] for e in history["items"]] == ["create"]


async def test_every_path_writes_a_create_event_of_each_stored_value(api, owner_db,
                                                                      workspace_id):
    """One record, a batch under COPY_FROM (unnest) and one over it (staged): each record's
    create event is `[null, value]` of every value it stored, made in Python for all three."""
    await contact(api)
    await make_record(api, "contact", name="One", email="one@x.io")
    for batch in (rows(0, 3), rows(10, N)):
        await ok(await api.post("/api/records/bulk",
                                json={"object": "contact", "records": batch}), 201)
    db = await stored(owner_db, workspace_id)
    assert len(db) == 1 + 3 + N and all(r["events"] == 1 for r in db)
    assert all(r["changes"] == [[None, v] for v in r["data"]] for r in db)
    assert db[1]["data"] == ["+33612345678", "C-002", "P0", "p0@x.io"]


async def test_a_taken_or_repeated_unique_value_saves_nothing(api, owner_db, workspace_id):
    await contact(api)
    await make_record(api, "contact", name="Old", email="p30@x.io")
    taken = await api.post("/api/records/bulk", json={"object": "contact",
                                                       "records": rows(0, N)})
    assert taken.status_code == 409
    assert codes(taken) == [("email", "unique")]
    repeated = rows(100, N)
    repeated[-1]["data"]["email"] = repeated[0]["data"]["email"]
    again = await api.post("/api/records/bulk", json={"object": "contact", "records": repeated})
    assert again.status_code == 409 and codes(again) == [("email", "unique")]
    assert len(await stored(owner_db, workspace_id)) == 1
    events = await owner_db.fetchval("SELECT count(*) FROM record_events WHERE tenant_id = $1",
                                     workspace_id)
    assert events == 1
    # The same transaction-less retry succeeds: nothing was left staged or half written.
    fine = await ok(await api.post("/api/records/bulk", json={"object": "contact",
                                                               "records": rows(100, N)}), 201)
    assert fine["created"] == N


async def test_an_upsert_merges_the_matched_and_copies_the_rest(api, owner_db, workspace_id):
    await contact(api)
    kept = await make_record(api, "contact", name="Kim", email="p3@x.io")
    batch = rows(0, N)
    made = await ok(await api.post("/api/records/bulk", json={
        "object": "contact", "mode": "upsert", "match_on": "email", "records": batch}), 201)
    assert (made["created"], made["updated"]) == (N - 1, 1)
    assert made["items"][3]["id"] == kept["id"] and made["items"][3]["version"] == 2
    assert made["items"][3]["data"]["name"] == "P3"
    assert made["items"][3]["data"]["n"] == kept["data"]["n"] == "C-001"
    assert len(await stored(owner_db, workspace_id)) == N


async def test_rest_array_post_returns_the_copied_rows_in_input_order(api):
    await contact(api)
    body = [r["data"] for r in rows(0, N)]
    made = await ok(await api.post("/rest/v1/contacts", json=body, headers=REPRESENT), 201)
    assert [r["name"] for r in made] == [f"P{i}" for i in range(N)]
    assert [r["email"] for r in made] == [f"p{i}@x.io" for i in range(N)]
    listed = await ok(await api.get("/rest/v1/contacts", params={"select": "id",
                                                                  "order": "n"}))
    assert [r["id"] for r in listed] == [r["id"] for r in made]


async def test_two_workspaces_copying_at_once_each_get_their_own(app, api, owner_db,
                                                                  workspace_id):
    await contact(api)
    stranger = await sign_up(app)
    async with client(app, stranger.headers) as other:
        await contact(other)
        answers = await asyncio.gather(
            api.post("/api/records/bulk", json={"object": "contact", "records": rows(0, N)}),
            other.post("/api/records/bulk", json={"object": "contact",
                                                  "records": rows(1000, N)}))
        mine, theirs = [await ok(answer, 201) for answer in answers]
        page = await ok(await other.get("/api/records", params={"object": "contact",
                                                                "limit": 200}))
        assert {r["id"] for r in page["items"]} == {r["id"] for r in theirs["items"]}
        for record in mine["items"][:3]:
            assert (await other.get(f"/api/records/{record['id']}")).status_code == 404
    names = {r["primary_value"] for r in await stored(owner_db, workspace_id)}
    assert names == {f"P{i}" for i in range(N)}


async def test_an_import_reuses_the_staging_table_across_chunks_and_savepoints(api):
    """A dry run with `skip` writes every chunk in one transaction: the second chunk's COPY
    batch fails on a taken value (its savepoint rolled back, the rows then written one by
    one), and the third must not find the second's rows still staged."""
    await contact(api)
    await make_record(api, "contact", name="Old", email=f"e{COPY_CHUNK + 10}@x.io")
    total = 3 * COPY_CHUNK
    csv = "name,email\n" + "".join(f"n{i},e{i}@x.io\n" for i in range(total))
    job = await run(api, csv, {"on_error": "skip", "dry_run": True})
    assert (job["status"], job["created"], job["skipped"]) == ("succeeded", total - 1, 1)
    assert [(e["row"], e["field"], e["code"]) for e in job["errors"]] == [
        (COPY_CHUNK + 11, "email", "unique")]
    real = await run(api, csv, {"on_error": "abort"})
    assert (real["status"], real["created"]) == ("failed", 0)
    fixed = csv.replace(f"e{COPY_CHUNK + 10}@x.io", "other@x.io")
    done = await run(api, fixed, {"on_error": "abort"})
    assert (done["status"], done["created"]) == ("succeeded", total)


async def test_the_staging_table_is_emptied_for_each_batch_and_dropped_at_commit(owner_db):
    async def staged() -> int:
        return await owner_db.fetchval(f"SELECT count(*) FROM {repo.STAGE}")  # type: ignore

    async with owner_db.transaction():
        await repo.stage(owner_db)
        await repo.copy_staged(owner_db, [("rec_a", '{"x": 1}', "a", '{"x": [null, 1]}'),
                                          ("rec_b", "{}", None, "{}")])
        assert await staged() == 2
        with contextlib.suppress(RuntimeError):
            async with owner_db.transaction():  # a savepoint rolled back after its TRUNCATE
                await repo.stage(owner_db)
                assert await staged() == 0
                raise RuntimeError
        assert await staged() == 2
        await repo.stage(owner_db)
        assert await staged() == 0
    gone = await owner_db.fetchval("SELECT to_regclass($1)", repo.STAGE)
    assert gone is None  # a transaction pooler's next client finds nothing
