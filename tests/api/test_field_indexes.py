"""Field indexes are all or nothing: turning `is_unique` / `is_indexed` on builds a valid index
before the answer or is refused (409 duplicates, 422 values too long or the workspace's cap)
with the flag off, no index left behind and the metadata and schema_version unchanged; values
of indexed fields are at most 2,000 bytes at every write."""

from __future__ import annotations

import asyncio
import secrets

import asyncpg
import pytest

from objectry.metadata import indexes
from tests.api.builders import add_field, codes, make_object, make_record, ok
from tests.api.conftest import client, refused, sign_up
from tests.conftest import running_app, settings_for


def noise(chars: int) -> str:
    """Text that does not compress, so an index entry really is that long."""
    return secrets.token_urlsafe(chars)[:chars]


async def index_state(owner_db, name: str) -> bool | None:
    """True: a valid index; False: an invalid one; None: no index of that name."""
    return await owner_db.fetchval(
        "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE c.relname = $1", name)


async def version(owner_db, workspace_id: str) -> int:
    return await owner_db.fetchval("SELECT schema_version FROM workspaces WHERE id = $1",
                                   workspace_id)


async def attachment(api, ofd_id: str) -> dict:
    return await ok(await api.get(f"/api/object-fields/{ofd_id}"))


async def test_a_value_too_long_for_an_index_is_refused_and_leaves_nothing(
        api, owner_db, workspace_id):
    """Was: a 500, the flag left on over an INVALID index, and duplicates accepted after."""
    await make_object(api, "doc")
    body = await add_field(api, "doc", "body", "long_text")
    ofd = body["object_field"]["id"]
    long = await make_record(api, "doc", body=noise(2400))
    before = await version(owner_db, workspace_id)
    for flag in ("is_unique", "is_indexed"):
        answer = await api.patch(f"/api/object-fields/{ofd}", json={flag: True})
        error = refused(answer, 422, "validation_failed")
        assert codes(answer) == [(flag, "too_long")]
        assert "body" in error["details"][0]["message"]
        assert (await attachment(api, ofd))[flag] is False
    assert await index_state(owner_db, indexes.unique_name(ofd)) is None
    assert await index_state(owner_db, indexes.plain_name(ofd)) is None
    assert await version(owner_db, workspace_id) == before
    for _ in range(2):  # no unique index was left behind to refuse these
        await make_record(api, "doc", body="same")
    await ok(await api.delete(f"/api/records/{long['id']}"), 204)
    in_trash = await api.patch(f"/api/object-fields/{ofd}", json={"is_indexed": True})
    assert codes(in_trash) == [("is_indexed", "too_long")]  # a restore would bring it back
    await ok(await api.delete(f"/api/records/{long['id']}?permanent=true"), 204)
    duplicates = await api.patch(f"/api/object-fields/{ofd}", json={"is_unique": True})
    refused(duplicates, 409, "conflict")
    assert codes(duplicates) == [("is_unique", "duplicates")]
    assert await index_state(owner_db, indexes.unique_name(ofd)) is None
    assert await version(owner_db, workspace_id) == before


async def test_turning_flags_on_ends_with_valid_indexes_before_the_answer(api, owner_db,
                                                                           workspace_id):
    obj = await make_object(api, "item")
    sku = await add_field(api, "item", "sku", is_unique=True, is_indexed=True)
    ofd = sku["object_field"]["id"]
    assert await index_state(owner_db, indexes.unique_name(ofd)) is True
    assert await index_state(owner_db, indexes.plain_name(ofd)) is True
    color = await ok(await api.post("/api/fields", json={"name": "color", "label": "Color",
                                                         "type": "text"}), 201)
    attached = await ok(await api.post("/api/object-fields", json={
        "object_id": obj["id"], "field_id": color["id"], "is_indexed": True}), 201)
    assert await index_state(owner_db, indexes.plain_name(attached["id"])) is True
    await make_record(api, "item", sku="A1", color="red")
    refused(await api.post("/api/records", json={"object": "item", "data": {"sku": "A1"}}),
            409, "conflict")
    before = await version(owner_db, workspace_id)
    turned_off = await ok(await api.patch(f"/api/object-fields/{ofd}",
                                          json={"is_unique": False}))
    assert (turned_off["is_unique"], turned_off["is_indexed"]) == (False, True)
    assert await index_state(owner_db, indexes.unique_name(ofd)) is None
    assert await index_state(owner_db, indexes.plain_name(ofd)) is True
    assert await version(owner_db, workspace_id) == before + 1
    await make_record(api, "item", sku="A1")


async def test_a_refused_attachment_is_not_created(api, owner_db, workspace_id):
    obj = await make_object(api, "city")
    name = await add_field(api, "city", "name")
    for _ in range(2):
        await make_record(api, "city", name="Paris")
    await ok(await api.delete(f"/api/object-fields/{name['object_field']['id']}"), 204)
    before = await version(owner_db, workspace_id)
    # The values stay in the records while detached: attaching again as unique meets them.
    answer = await api.post("/api/object-fields", json={
        "object_id": obj["id"], "field_id": name["id"], "is_unique": True})
    refused(answer, 409, "conflict")
    assert codes(answer) == [("is_unique", "duplicates")]
    listed = await ok(await api.get("/api/object-fields", params={"object_id": obj["id"]}))
    assert listed["items"] == []
    assert await version(owner_db, workspace_id) == before
    leftovers = await owner_db.fetchval(
        "SELECT count(*) FROM pg_class WHERE relname LIKE 'rx_%' AND relkind = 'i'"
        " AND NOT EXISTS (SELECT 1 FROM object_fields o WHERE relname LIKE"
        " 'rx_' || o.id || '_%')")
    assert leftovers == 0


async def test_indexed_values_are_at_most_2000_bytes_at_every_write(api):
    await make_object(api, "note", plural_name="notes")
    await add_field(api, "note", "key", "long_text", is_indexed=True)
    await add_field(api, "note", "tags", "json", is_unique=True)
    await add_field(api, "note", "text", "long_text")  # not indexed: no such limit
    fits, over = "é" * 1000, "é" * 1000 + "a"  # 2,000 and 2,001 bytes in UTF-8
    made = await make_record(api, "note", key=fits, text=noise(5000))
    path = f"/api/records/{made['id']}"
    for answer in (await api.post("/api/records", json={"object": "note", "data": {"key": over}}),
                   await api.patch(path, json={"data": {"key": over}}),
                   await api.put(path, json={"data": {"key": over}}),
                   await api.post("/api/records", json={"object": "note",
                                                        "data": {"tags": ["x" * 1000] * 2}})):
        refused(answer, 422, "validation_failed")
        assert codes(answer)[0][1] == "too_long", answer.text
    bulk = await api.post("/api/records/bulk", json={"object": "note", "records": [
        {"data": {"key": "short"}}, {"data": {"key": over}}]})
    assert codes(bulk) == [("1.key", "too_long")]
    for answer in (await api.post("/rest/v1/notes", json={"key": over}),
                   await api.patch("/rest/v1/notes", params={"id": f"eq.{made['id']}"},
                                   json={"key": over}),
                   await api.post("/rest/v1/notes", params={"on_conflict": "tags"},
                                  json={"tags": [1], "key": over},
                                  headers={"Prefer": "resolution=merge-duplicates"})):
        assert answer.status_code == 400 and answer.json()["code"] == "23514", answer.text
        assert [(d["field"], d["code"]) for d in answer.json()["details"]] == [
            ("key", "too_long")]


async def test_an_index_the_writer_did_not_know_of_refuses_with_422(app, api, owner_db,
                                                                     workspace_id):
    """A process whose metadata is stale validates without the size rule; the index itself
    then refuses the value (SQLSTATE 54000), which is the client's 422, not a 500."""
    obj = await make_object(api, "page", plural_name="pages")
    await add_field(api, "page", "slug", "long_text")
    snapshot = await app.state.objectry.metadata.get(workspace_id)
    field_id = snapshot.object("page").fields_by_name["slug"].id
    name = f"test_stale_{secrets.token_hex(4)}"
    await owner_db.execute(f"CREATE INDEX {name} ON records ((data ->> '{field_id}'))"
                           f" WHERE tenant_id = '{workspace_id}' AND object_id = '{obj['id']}'")
    try:
        answer = await api.post("/api/records", json={"object": "page",
                                                      "data": {"slug": noise(3000)}})
        refused(answer, 422, "validation_failed")
        rest = await api.post("/rest/v1/pages", json={"slug": noise(3000)})
        assert (rest.status_code, rest.json()["code"]) == (400, "54000")
    finally:
        await owner_db.execute(f"DROP INDEX {name}")


def test_a_failed_build_reads_as_the_clients_mistake():
    index = indexes.FieldIndex("wsp_" + "a" * 16, "obj_" + "a" * 16, "ofd_" + "a" * 16,
                               "fld_" + "a" * 16, "text", "code", unique=True)
    too_long = indexes.refusal(index, asyncpg.ProgramLimitExceededError("index row size"))
    assert (too_long.status, too_long.details[0]["field"], too_long.details[0]["code"]) == (
        422, "is_unique", "too_long")
    assert indexes.refusal(index, asyncpg.UniqueViolationError("dup")).status == 409
    assert indexes.refusal(index, asyncpg.DeadlockDetectedError("dl")) is None


async def test_index_ddl_runs_without_the_runtime_statement_timeout(database_url):
    conn = await indexes.connect(database_url)
    try:
        assert await conn.fetchval("SHOW statement_timeout") == "0"
        assert await conn.fetchval("SELECT current_setting('application_name')") == \
            "objectry-ddl"
    finally:
        await conn.close()


@pytest.fixture(scope="module")
async def capped_app(database_url):
    """An app whose workspaces may each have two indexed or unique fields."""
    async with running_app(settings_for(database_url, open_signup=True,
                                        max_indexed_fields=2)) as application:
        yield application


async def test_the_cap_counts_indexed_attachments_per_workspace(capped_app, owner_db):
    first, second = await sign_up(capped_app), await sign_up(capped_app)
    async with client(capped_app, first.headers) as api:
        await make_object(api, "thing")
        await add_field(api, "thing", "a", is_unique=True, is_indexed=True)  # counts once
        plain = await add_field(api, "thing", "b")
        await ok(await api.patch(f"/api/object-fields/{plain['object_field']['id']}",
                                 json={"is_indexed": True}))
        before = await version(owner_db, first.workspace_id)
        over = await api.post("/api/objects/thing/fields", json={
            "name": "c", "label": "C", "type": "text", "is_indexed": True, "is_unique": True})
        refused(over, 422, "validation_failed")
        assert codes(over) == [("is_unique", "too_many_indexed_fields"),
                               ("is_indexed", "too_many_indexed_fields")]
        assert "at most 2" in over.json()["error"]["details"][0]["message"]
        assert (await api.get("/api/fields/c")).status_code == 404  # not created either
        assert await version(owner_db, first.workspace_id) == before
        # Another flag on an attachment that already counts is no new indexed field.
        await ok(await api.patch(f"/api/object-fields/{plain['object_field']['id']}",
                                 json={"is_unique": True}))
    async with client(capped_app, second.headers) as other:  # a workspace of its own cap
        await make_object(other, "thing")
        await add_field(other, "thing", "a", is_indexed=True)
        await add_field(other, "thing", "b", is_unique=True)


async def test_concurrent_requests_cannot_pass_the_cap_together(capped_app):
    account = await sign_up(capped_app)
    async with client(capped_app, account.headers) as api:
        await make_object(api, "race")
        await add_field(api, "race", "first", is_indexed=True)
        answers = await asyncio.gather(*(api.post("/api/objects/race/fields", json={
            "name": f"f{i}", "label": f"F{i}", "type": "text", "is_indexed": True})
            for i in range(4)))
        assert sorted(a.status_code for a in answers) == [201, 422, 422, 422]
        listed = await ok(await api.get("/api/object-fields", params={"object_id": "race"}))
    assert sum(item["is_indexed"] for item in listed["items"]) == 2


async def test_builds_of_several_workspaces_at_once_all_finish(capped_app, owner_db):
    """Builds wait for each other (one CREATE INDEX CONCURRENTLY on `records` at a time), and a
    waiting request must not hold up the build it waits for (that was a deadlock: 409)."""
    accounts = [await sign_up(capped_app) for _ in range(3)]
    clients = [client(capped_app, a.headers) for a in accounts]
    for api in clients:
        await make_object(api, "busy")
    answers = await asyncio.gather(*(api.post("/api/objects/busy/fields", json={
        "name": f"f{i}", "label": f"F{i}", "type": "text", "is_unique": True})
        for api in clients for i in range(2)))
    assert [a.status_code for a in answers] == [201] * 6, [a.text for a in answers]
    for answer in answers:
        ofd = answer.json()["object_field"]["id"]
        assert await index_state(owner_db, indexes.unique_name(ofd)) is True
    for api in clients:
        await api.aclose()
