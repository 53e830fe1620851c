"""A batch of more than PIPELINE_CHUNK new records is written a chunk a statement, each chunk
validated while the one before is written (records/bulk.py): it must still come out as one
statement would — every record in input order with its create event, every problem of every
chunk listed, nothing saved when any record is refused."""

from __future__ import annotations

from typing import Any

import httpx

from objectry.records.bulk import PIPELINE_CHUNK, chunk_size
from tests.api.builders import add_field, codes, make_object, make_record, ok
from tests.api.conftest import client, sign_up

N = 2 * PIPELINE_CHUNK + 10


def chunk_starts(count: int) -> list[int]:
    """Where each chunk of a pipelined batch of `count` records starts while its writes are
    quick: the second is sized before the first is timed; then a chunk doubles the one before,
    up to PIPELINE_CHUNK."""
    starts, size, timed = [0], chunk_size(0, 0, 0), 0.0
    while starts[-1] + size < count:
        starts.append(starts[-1] + size)
        size, timed = chunk_size(size, timed, 0), 1e-6
    return starts


STARTS = chunk_starts(N)  # 0, 500, 1000, 2000, 4000: five chunks, the last one short


async def contact(api: httpx.AsyncClient) -> None:
    await make_object(api, "contact", plural_name="contacts")
    await add_field(api, "contact", "name", is_required=True)
    await add_field(api, "contact", "email", "email", is_unique=True)
    await add_field(api, "contact", "age", "number")


def rows(count: int) -> list[dict[str, Any]]:
    return [{"data": {"name": f"P{i}", "email": f"P{i}@X.io", "age": i % 90}}
            for i in range(count)]


async def counts(owner_db: Any, tenant: str) -> tuple[int, int, int]:
    """Records, their create events, and the INSERT statements that wrote the records (each
    statement of a transaction has its own command id, `cmin`)."""
    row = await owner_db.fetchrow(
        "SELECT count(*) AS records, count(DISTINCT cmin::text::int) AS statements,"
        " (SELECT count(*) FROM record_events e WHERE e.tenant_id = $1"
        "  AND e.op = 'create') AS events FROM records WHERE tenant_id = $1", tenant)
    return row["records"], row["events"], row["statements"]


async def test_a_pipelined_batch_comes_back_in_input_order_with_its_events(app, api, owner_db,
                                                                         workspace_id):
    await contact(api)
    made = await ok(await api.post("/api/records/bulk", json={"object": "contact",
                                                               "records": rows(N)}), 201)
    assert (made["created"], made["updated"]) == (N, 0)
    assert [r["data"]["name"] for r in made["items"]] == [f"P{i}" for i in range(N)]
    assert made["items"][N - 1]["data"] == {"name": f"P{N - 1}", "email": f"p{N - 1}@x.io",
                                            "age": (N - 1) % 90}
    assert await counts(owner_db, workspace_id) == (N, N, len(STARTS))
    stored = {r["id"]: r["primary_value"] for r in await owner_db.fetch(
        "SELECT id, primary_value FROM records WHERE tenant_id = $1", workspace_id)}
    assert [stored[r["id"]] for r in made["items"]] == [f"P{i}" for i in range(N)]
    history = await ok(await api.get(f"/api/records/{made['items'][-1]['id']}/history"))
    assert [e["op"] for e in history["items"]] == ["create"]
    stranger = await sign_up(app)
    async with client(app, stranger.headers) as other:
        await contact(other)
        theirs = await ok(await other.get("/api/records", params={"object": "contact"}))
        assert theirs["items"] == []
        assert (await other.get(f"/api/records/{made['items'][0]['id']}")).status_code == 404


async def test_every_problem_of_every_chunk_is_listed_and_nothing_saved(api, owner_db,
                                                                         workspace_id):
    await contact(api)
    batch = rows(N)
    wrong = [5, STARTS[1] + 1, STARTS[2], N - 1]  # one in each chunk
    for i in wrong:
        batch[i]["data"]["email"] = "not-an-email"
    batch[N - 2] = {"data": "nope"}
    refused = await api.post("/api/records/bulk", json={"object": "contact", "records": batch})
    assert refused.status_code == 422
    assert codes(refused) == [(f"{i}.email", "format") for i in wrong[:3]] + [
        (f"{N - 2}.data", "type"), (f"{N - 1}.email", "format")]
    assert refused.json()["error"]["message"] == "5 problems in the batch; nothing saved"
    assert await counts(owner_db, workspace_id) == (0, 0, 0)


async def test_a_taken_value_in_a_later_chunk_saves_nothing(api, owner_db, workspace_id):
    await contact(api)
    await make_record(api, "contact", name="Old", email=f"p{PIPELINE_CHUNK + 7}@x.io")
    taken = await api.post("/api/records/bulk", json={"object": "contact", "records": rows(N)})
    assert taken.status_code == 409 and codes(taken) == [("email", "unique")]
    assert (await counts(owner_db, workspace_id))[:2] == (1, 1)
    # A problem in a chunk after the conflict's is what the caller hears, as when the batch
    # was validated before one statement wrote it.
    batch = rows(N)
    batch[N - 1]["data"]["age"] = "old"
    refused = await api.post("/api/records/bulk", json={"object": "contact", "records": batch})
    assert refused.status_code == 422 and codes(refused) == [(f"{N - 1}.age", "type")]
    assert (await counts(owner_db, workspace_id))[:2] == (1, 1)
    fixed = await ok(await api.post("/api/records/bulk", json={
        "object": "contact", "records": rows(N)[PIPELINE_CHUNK + 8:] + rows(PIPELINE_CHUNK + 7)}),
        201)
    assert fixed["created"] == N - 1
    assert (await counts(owner_db, workspace_id))[:2] == (N, N)


async def test_a_rest_array_insert_is_pipelined_too(api, owner_db, workspace_id):
    await contact(api)
    body = [r["data"] for r in rows(N)]
    made = await ok(await api.post("/rest/v1/contacts", json=body,
                                   headers={"Prefer": "return=representation"}), 201)
    assert [r["name"] for r in made] == [f"P{i}" for i in range(N)]
    assert await counts(owner_db, workspace_id) == (N, N, len(STARTS))


async def test_autonumbers_follow_input_order_and_a_refused_batch_takes_none(api, owner_db,
                                                                            workspace_id):
    await contact(api)
    await add_field(api, "contact", "n", "autonumber", {"prefix": "C-", "digits": 5})
    await make_record(api, "contact", name="Old", email="old@x.io")  # C-00001
    batch = rows(N)
    batch[N - 1]["data"]["age"] = "old"
    refused = await api.post("/api/records/bulk", json={"object": "contact", "records": batch})
    assert refused.status_code == 422 and codes(refused) == [(f"{N - 1}.age", "type")]
    made = await ok(await api.post("/api/records/bulk", json={"object": "contact",
                                                               "records": rows(N)}), 201)
    assert [r["data"]["n"] for r in made["items"]] == [f"C-{i + 2:05}" for i in range(N)]
    assert await owner_db.fetchval(  # as stored: each number once
        "SELECT count(DISTINCT v.value) FROM records r, jsonb_each_text(r.data) v"
        " WHERE r.tenant_id = $1 AND v.value LIKE 'C-%'", workspace_id) == N + 1
    after = await make_record(api, "contact", name="Next", email="next@x.io")
    assert after["data"]["n"] == f"C-{N + 2:05}"
