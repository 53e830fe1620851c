"""Data only to readers: a caller who may write an object's records but not read them gets its
writes done and answered with no record data — `{id, version}` on /api, no body on /rest/v1 —
and may not count rows, expand or embed what it cannot read, or read history.

Each case runs for both kinds of such callers: an API token with only `records:write`, and an
editor on an object whose `permissions` give editors create/update/delete but not read.
"""

from __future__ import annotations

import json

import pytest

from tests.api.builders import add_field, link, make_object, make_record, ok, relate
from tests.api.conftest import client, join, refused

WRITE_ONLY = {"editor": ["create", "update", "delete"]}
REPRESENT = {"Prefer": "return=representation"}


@pytest.fixture(params=["token", "editor"])
async def writer(request, app, session, api):
    """Headers of a caller who may create, update and delete `memo` records but not read them."""
    await make_object(api, "memo", plural_name="memos", permissions=WRITE_ONLY)
    await add_field(api, "memo", "title")
    await add_field(api, "memo", "code", is_unique=True)
    await add_field(api, "memo", "stage", is_readonly=True, config={"default": "draft"})
    if request.param == "token":
        token = await ok(await api.post("/api/tokens", json={
            "name": "writer", "scopes": ["records:write"]}), 201)
        return {"apikey": token["token"]}
    return (await join(app, session, "editor", "writer")).headers


async def stored(owner_db, record_id):
    return await owner_db.fetchrow("SELECT data, version, deleted_at FROM records WHERE id = $1",
                                   record_id)


async def memos(owner_db, workspace_id):
    return await owner_db.fetchval(
        "SELECT count(*) FROM records r JOIN objects o ON o.id = r.object_id"
        " AND o.tenant_id = r.tenant_id WHERE r.tenant_id = $1 AND o.name = 'memo'"
        " AND r.deleted_at IS NULL", workspace_id)


async def test_api_writes_answer_only_id_and_version(app, writer, owner_db):
    async with client(app, writer) as caller:
        made = await caller.post("/api/records", json={"object": "memo",
                                                       "data": {"title": "A", "code": "a"}})
        assert made.status_code == 201 and made.headers["etag"] == '"1"'
        record = made.json()
        assert record == {"id": record["id"], "version": 1}
        patched = await ok(await caller.patch(f"/api/records/{record['id']}",
                                              json={"data": {"title": "B"}}))
        assert patched == {"id": record["id"], "version": 2}
        replaced = await ok(await caller.put(f"/api/records/{record['id']}",
                                             json={"data": {"title": "C", "code": "a"}}))
        assert replaced == {"id": record["id"], "version": 3}
        await ok(await caller.delete(f"/api/records/{record['id']}"), 204)
        restored = await ok(await caller.post(f"/api/records/{record['id']}/restore"))
    row = await stored(owner_db, record["id"])
    assert restored == {"id": record["id"], "version": row["version"]}
    assert row["deleted_at"] is None and row["version"] > 3
    assert sorted(json.loads(row["data"]).values()) == ["C", "a", "draft"]


async def test_bulk_answers_items_of_id_and_version(app, writer, api):
    existing = await make_record(api, "memo", title="Old", code="x")
    async with client(app, writer) as caller:
        inserted = await ok(await caller.post("/api/records/bulk", json={
            "object": "memo", "records": [{"data": {"title": "P", "code": "p"}},
                                          {"data": {"title": "Q", "code": "q"}}]}), 201)
        upserted = await ok(await caller.post("/api/records/bulk", json={
            "object": "memo", "mode": "upsert", "match_on": "code",
            "records": [{"data": {"title": "New", "code": "x"}},
                        {"data": {"title": "R", "code": "r"}}]}), 201)
    assert [set(item) for item in inserted["items"]] == [{"id", "version"}] * 2
    assert (inserted["created"], inserted["updated"]) == (2, 0)
    assert upserted["items"][0] == {"id": existing["id"], "version": 2}
    assert upserted["items"][1]["version"] == 1
    assert (upserted["created"], upserted["updated"]) == (1, 1)
    merged = await ok(await api.get(f"/api/records/{existing['id']}"))
    assert merged["data"]["title"] == "New"


async def test_reads_and_history_are_refused(app, writer, api):
    record = await make_record(api, "memo", title="Secret", code="s")
    async with client(app, writer) as caller:
        for path in (f"/api/records/{record['id']}", f"/api/records/{record['id']}/history",
                     "/api/records?object=memo", "/api/records?object=memo&count=exact"):
            refused(await caller.get(path), 403, "forbidden")
        for method in ("GET", "HEAD"):
            response = await caller.request(method, "/rest/v1/memos")
            assert response.status_code == 403, (method, response.text)
        assert (await caller.get("/rest/v1/memos")).json()["code"] == "42501"


async def test_rest_writes_answer_without_a_body(app, writer, api, owner_db):
    await make_record(api, "memo", title="Old", code="x")
    async with client(app, writer) as caller:
        one = await caller.post("/rest/v1/memos", json={"title": "A", "code": "a"},
                                headers=REPRESENT)
        assert (one.status_code, one.content) == (201, b"")
        assert one.headers["location"].startswith("/rest/v1/memo?id=eq.rec_")
        assert "return=representation" not in one.headers.get("preference-applied", "")
        merge = {"Prefer": "return=representation,resolution=merge-duplicates"}
        upsert = await caller.post("/rest/v1/memos", params={"on_conflict": "code"},
                                   json=[{"title": "Merged", "code": "x"},
                                         {"title": "B", "code": "b"}], headers=merge)
        assert (upsert.status_code, upsert.content) == (201, b"")
        assert upsert.headers["preference-applied"] == "resolution=merge-duplicates"
        patched = await caller.patch("/rest/v1/memos", params={"code": "in.(a,b)"},
                                     json={"title": "Both"}, headers=REPRESENT)
        assert (patched.status_code, patched.content) == (204, b"")
        assert patched.headers["content-range"] == "*/*"  # not 0-1/*: how many matched
        alone = one.headers["location"].removeprefix("/rest/v1/memo?id=eq.")
        by_id = await caller.patch("/rest/v1/memos", params={"id": f"eq.{alone}", "select": "*"},
                                   json={"title": "Alone"}, headers=REPRESENT)
        assert (by_id.status_code, by_id.content) == (204, b"")  # the one-statement PATCH
        assert by_id.headers["content-range"] == "*/*"
        assert (await stored(owner_db, alone))["version"] == 3
        deleted = await caller.delete("/rest/v1/memos", params={"code": "eq.a"},
                                      headers=REPRESENT)
        assert (deleted.status_code, deleted.content) == (204, b"")
        assert deleted.headers["content-range"] == "*/*"
    titles = await ok(await api.get("/rest/v1/memos", params={"select": "code,title",
                                                               "order": "code"}))
    assert titles == [{"code": "b", "title": "Both"}, {"code": "x", "title": "Merged"}]
    assert await memos(owner_db, (await ok(await api.get("/api/auth/me")))["workspace_id"]) == 2


@pytest.mark.parametrize("count", ["exact", "planned", "estimated"])
async def test_counts_are_refused_before_anything_is_written(app, writer, api, owner_db,
                                                             session, count):
    record = await make_record(api, "memo", title="Keep", code="k")
    prefer = {"Prefer": f"count={count}"}
    async with client(app, writer) as caller:
        answers = [
            await caller.post("/rest/v1/memos", json={"title": "New"}, headers=prefer),
            await caller.patch("/rest/v1/memos", params={"code": "eq.k"},
                               json={"title": "Changed"}, headers=prefer),
            await caller.delete("/rest/v1/memos", params={"code": "eq.k"}, headers=prefer),
            await caller.get("/rest/v1/memos", headers=prefer),
        ]
    for answer in answers:
        assert answer.status_code == 403, answer.text
        assert answer.json()["code"] == "42501"
    assert await memos(owner_db, session.workspace_id) == 1
    assert (await stored(owner_db, record["id"]))["version"] == 1


async def test_refusals_do_not_say_how_many_rows_matched(app, writer, api):
    for code in ("a", "b"):
        await make_record(api, "memo", title="Same", code=code)
    async with client(app, writer) as caller:
        singular = await caller.patch("/rest/v1/memos", params={"title": "eq.Same"},
                                      json={"title": "X"},
                                      headers={"Accept": "application/vnd.pgrst.object+json"})
        strict = await caller.delete("/rest/v1/memos", params={"title": "eq.Same"}, headers={
            "Prefer": "handling=strict, max-affected=1"})
    assert singular.status_code == 406
    assert singular.json()["details"] == "The result does not contain exactly one row"
    assert strict.status_code == 400
    assert strict.json()["details"] == "The query affects more than 1 rows"
    owner_singular = await api.patch("/rest/v1/memos", params={"title": "eq.Same"},
                                     json={"title": "X"},
                                     headers={"Accept": "application/vnd.pgrst.object+json"})
    assert owner_singular.json()["details"] == "The result contains 2 rows"


async def test_read_only_values_cannot_be_guessed(app, writer, api):
    """A read-only field may be sent back unchanged by a reader; for a caller who cannot read
    the record, any value is refused, else an accepted guess would reveal the value."""
    record = await make_record(api, "memo", title="T", code="g")
    await ok(await api.patch(f"/api/records/{record['id']}", json={"data": {"stage": "draft"}}))
    async with client(app, writer) as caller:
        for value in ("draft", "final", None):
            answer = await caller.patch(f"/api/records/{record['id']}",
                                        json={"data": {"stage": value}})
            assert refused(answer, 422, "validation_failed")["details"] == [
                {"field": "stage", "code": "read_only", "message": "is read-only"}]
            rest = await caller.patch("/rest/v1/memos", params={"code": "eq.g"},
                                      json={"stage": value})
            assert rest.status_code == 400
            assert [(d["field"], d["code"]) for d in rest.json()["details"]] == [
                ("stage", "read_only")]
        upsert = await caller.post("/api/records/bulk", json={
            "object": "memo", "mode": "upsert", "match_on": "code",
            "records": [{"data": {"code": "g", "stage": None}}]})
        assert [(d["field"], d["code"]) for d in upsert.json()["error"]["details"]] == [
            ("0.stage", "read_only")]


async def test_invalid_patch_values_are_refused_whether_or_not_rows_match(app, writer, api):
    """Else a 400-or-204 would tell a caller who cannot read whether its filters matched."""
    await make_record(api, "memo", title="T", code="m")
    async with client(app, writer) as caller:
        for code in ("m", "nothing"):
            answer = await caller.patch("/rest/v1/memos", params={"code": f"eq.{code}"},
                                        json={"title": 5})
            assert answer.status_code == 400 and answer.json()["code"] == "23514", code
            assert [(d["field"], d["code"]) for d in answer.json()["details"]] == [
                ("title", "type")]


async def test_expand_and_embed_need_read_on_the_other_object(app, session, api):
    """Editors read `task` records but not `salary` ones (object permissions)."""
    await make_object(api, "task", plural_name="tasks")
    await add_field(api, "task", "title")
    await make_object(api, "salary", plural_name="salaries", permissions=WRITE_ONLY)
    await add_field(api, "salary", "amount", "number")
    rel = await relate(api, "pay", "task", "salary", "1:N")
    task = await make_record(api, "task", title="Ship")
    pay = await make_record(api, "salary", amount=9000)
    await link(api, rel["id"], task["id"], pay["id"])
    editor = await join(app, session, "editor", "expander")
    async with client(app, editor.headers) as caller:
        await ok(await caller.get(f"/api/records/{task['id']}"))
        error = refused(await caller.get(f"/api/records/{task['id']}?expand=pay"), 403,
                        "forbidden")
        assert "salary" in error["message"]
        for params in ({"select": "title,pay(amount)"}, {"select": "title,salaries(amount)"},
                       {"select": "title,pay(id)", "pay.amount": "gt.1"}):
            embed = await caller.get("/rest/v1/tasks", params=params)
            assert (embed.status_code, embed.json()["code"]) == (403, "42501"), params
    expanded = await ok(await api.get(f"/api/records/{task['id']}?expand=pay"))
    assert [r["data"] for r in expanded["related"]["pay"]] == [{"amount": 9000}]
