"""The records API: validation of every field type, writes, versions, trash, history, bulk."""

from __future__ import annotations

import pytest

from tests.api.builders import add_field, codes, make_object, make_record, ok
from tests.api.conftest import client, sign_up

# type, config, a valid value, what is stored/returned for it, an invalid value, its code
TYPE_CASES = [
    ("text", {"max_length": 5}, "Hello", "Hello", "Too long!", "max_length"),
    ("text", {"pattern": "^[A-Z]{3}$"}, "EUR", "EUR", "eur", "pattern"),
    ("long_text", {}, "x" * 1000, "x" * 1000, 42, "type"),
    ("rich_text", {}, "<p>Hi<script>alert(1)</script></p>", "<p>Hi</p>", ["x"], "type"),
    ("number", {"min": 0, "max": 10}, 7.5, 7.5, 11, "maximum"),
    ("number", {"integer": True}, 3, 3, 3.5, "integer"),
    ("number", {"precision": 2}, 1.25, 1.25, 1.255, "precision"),
    ("currency", {"currency_code": "EUR"}, 19.99, 19.99, "19.99", "type"),
    ("percent", {"min": 0, "max": 100}, 55, 55, -1, "minimum"),
    ("boolean", {}, True, True, "true", "type"),
    ("date", {}, "2026-11-21", "2026-11-21", "2026-02-30", "format"),
    ("date", {"min": "2020-01-01"}, "2021-05-05", "2021-05-05", "2019-12-31", "minimum"),
    ("datetime", {}, "2026-11-21T11:00:00+01:00", "2026-11-21T10:00:00Z",
     "2026-11-21T10:00:00", "format"),
    ("email", {}, "Ada@Example.COM", "ada@example.com", "not-an-email", "format"),
    ("phone", {"default_region": "FR"}, "01 42 68 53 00", "+33142685300", "12", "format"),
    ("url", {}, "https://objectry.dev/docs", "https://objectry.dev/docs", "ftp://x.org",
     "format"),
    ("select", {"options": [{"value": "new", "label": "New"}, {"value": "won", "label": "Won"}]},
     "won", "won", "lost", "enum"),
    ("multi_select", {"options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
     ["a", "b"], ["a", "b"], ["a", "z"], "enum"),
    ("rating", {"max": 5}, 4, 4, 6, "maximum"),
    ("json", {"schema": {"type": "object", "required": ["k"]}}, {"k": 1}, {"k": 1}, {"x": 1},
     "schema"),
]


@pytest.mark.parametrize(("type_", "config", "good", "stored", "bad", "code"), TYPE_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(TYPE_CASES)])
async def test_every_field_type_validates_and_normalises(api, type_, config, good, stored, bad,
                                                         code):
    await make_object(api, "sample")
    await add_field(api, "sample", "value", type_, config)
    record = await make_record(api, "sample", value=good)
    assert record["data"]["value"] == stored
    again = await ok(await api.get(f"/api/records/{record['id']}"))
    assert again["data"]["value"] == stored
    refused = await api.post("/api/records", json={"object": "sample", "data": {"value": bad}})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "validation_failed"
    assert codes(refused)[0] == ("value", code) or ("value", code) in codes(refused)


async def _contact(api):
    await make_object(api, "contact")
    await add_field(api, "contact", "full_name", "text", is_required=True)
    await add_field(api, "contact", "email", "email", is_unique=True)
    await add_field(api, "contact", "age", "number", {"min": 0, "integer": True})
    await add_field(api, "contact", "status", "select",
                    {"options": [{"value": "lead", "label": "Lead"},
                                 {"value": "customer", "label": "Customer"}],
                     "default": "lead"})
    await add_field(api, "contact", "score", "number", {"default": 0}, is_readonly=True)


async def test_pattern_2_record_is_stored_by_field_id(api, owner_db, workspace_id):
    """ER document, data-flow pattern 2: data by name at the API, by field id in storage."""
    await _contact(api)
    record = await make_record(api, "contact", full_name="John Doe", email="JOHN@doe.io", age=41)
    assert record["id"].startswith("rec_") and record["version"] == 1
    assert record["primary_value"] == "John Doe"
    assert record["data"] == {"full_name": "John Doe", "email": "john@doe.io", "age": 41,
                              "status": "lead", "score": 0}
    stored = await owner_db.fetchrow(
        "SELECT data, primary_value FROM records WHERE tenant_id = $1 AND id = $2",
        workspace_id, record["id"])
    schema = await ok(await api.get("/api/objects/contact/schema"))
    ids = {f["name"]: f["id"] for f in schema["fields"]}
    import json
    data = json.loads(stored["data"]) if isinstance(stored["data"], str) else stored["data"]
    assert data[ids["full_name"]] == "John Doe" and "full_name" not in data
    assert stored["primary_value"] == "John Doe"


async def test_every_problem_is_reported_at_once(api):
    await _contact(api)
    response = await api.post("/api/records", json={"object": "contact", "data": {
        "email": "nope", "age": -3, "status": "vip", "score": 5, "shoe_size": 44}})
    assert response.status_code == 422
    assert set(codes(response)) == {("full_name", "required"), ("email", "format"),
                                    ("age", "minimum"), ("status", "enum"),
                                    ("score", "read_only"), ("shoe_size", "unknown_field")}


async def test_unknown_object_and_bad_shapes(api):
    missing = await api.post("/api/records", json={"object": "ghost", "data": {}})
    assert missing.status_code == 422
    assert codes(missing) == [("object", "not_found")]
    await _contact(api)
    not_an_object = await api.post("/api/records", json={"object": "contact", "data": [1]})
    assert codes(not_an_object) == [("data", "type")]


async def test_unique_values_are_enforced_by_the_database(api):
    await _contact(api)
    await make_record(api, "contact", full_name="A", email="a@x.io")
    taken = await api.post("/api/records", json={"object": "contact",
                                                 "data": {"full_name": "B", "email": "A@X.io"}})
    assert taken.status_code == 409
    assert codes(taken) == [("email", "unique")]


async def test_making_a_field_unique_fails_on_existing_duplicates(api):
    await make_object(api, "city")
    name = await add_field(api, "city", "name")
    for _ in range(2):
        await make_record(api, "city", name="Paris")
    response = await api.patch(f"/api/object-fields/{name['object_field']['id']}",
                               json={"is_unique": True})
    assert response.status_code == 409
    after = await ok(await api.get(f"/api/object-fields/{name['object_field']['id']}"))
    assert after["is_unique"] is False


async def test_patch_put_versions_and_if_match(api):
    await _contact(api)
    record = await make_record(api, "contact", full_name="Ann", age=30)
    patched = await ok(await api.patch(f"/api/records/{record['id']}",
                                       json={"data": {"age": 31}}, headers={"If-Match": "1"}))
    assert patched["version"] == 2 and patched["data"]["age"] == 31
    assert patched["data"]["full_name"] == "Ann"
    stale = await api.patch(f"/api/records/{record['id']}", json={"data": {"age": 32}},
                            headers={"If-Match": "1"})
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "version_mismatch"
    body_version = await api.patch(f"/api/records/{record['id']}",
                                   json={"data": {"age": 32}, "version": 1})
    assert body_version.status_code == 412
    replaced = await ok(await api.put(f"/api/records/{record['id']}",
                                      json={"data": {"full_name": "Anne"}},
                                      headers={"If-Match": '"2"'}))
    assert replaced["version"] == 3
    assert replaced["data"] == {"full_name": "Anne", "status": "lead", "score": 0}
    cleared = await api.patch(f"/api/records/{record['id']}", json={"data": {"full_name": None}})
    assert codes(cleared) == [("full_name", "required")]
    read_only = await api.patch(f"/api/records/{record['id']}", json={"data": {"score": 9}})
    assert codes(read_only) == [("score", "read_only")]
    final = await ok(await api.get(f"/api/records/{record['id']}"))
    assert final["version"] == 3 and final["data"]["full_name"] == "Anne"


async def test_trash_restore_purge_and_history(api, owner_db, workspace_id, session):
    await _contact(api)
    record = await make_record(api, "contact", full_name="Tom", email="tom@x.io")
    await ok(await api.patch(f"/api/records/{record['id']}", json={"data": {"age": 5}}))
    await ok(await api.delete(f"/api/records/{record['id']}"), 204)
    assert (await api.get(f"/api/records/{record['id']}")).status_code == 404
    listed = await ok(await api.get("/api/records", params={"object": "contact"}))
    assert listed["items"] == []
    assert (await api.delete(f"/api/records/{record['id']}")).status_code == 404
    restored = await ok(await api.post(f"/api/records/{record['id']}/restore"))
    assert restored["data"]["full_name"] == "Tom" and restored["version"] == 4
    history = await ok(await api.get(f"/api/records/{record['id']}/history"))
    assert [e["op"] for e in history["items"]] == ["restore", "delete", "update", "create"]
    assert history["items"][2]["changes"] == {"age": [None, 5]}
    assert history["items"][3]["changes"]["full_name"] == [None, "Tom"]
    assert history["items"][0]["actor"] == session.user_id
    page = await ok(await api.get(f"/api/records/{record['id']}/history", params={"limit": 3}))
    rest = await ok(await api.get(f"/api/records/{record['id']}/history",
                                  params={"cursor": page["next_cursor"]}))
    assert [e["op"] for e in page["items"] + rest["items"]] == [
        "restore", "delete", "update", "create"]
    await ok(await api.delete(f"/api/records/{record['id']}", params={"permanent": "true"}), 204)
    count = await owner_db.fetchval(
        "SELECT count(*) FROM records WHERE tenant_id = $1 AND id = $2", workspace_id,
        record["id"])
    events = await owner_db.fetchval(
        "SELECT count(*) FROM record_events WHERE tenant_id = $1 AND record_id = $2",
        workspace_id, record["id"])
    assert (count, events) == (0, 0)
    assert (await api.post(f"/api/records/{record['id']}/restore")).status_code == 404


async def test_restore_of_a_live_record_conflicts(api):
    await _contact(api)
    record = await make_record(api, "contact", full_name="Live")
    assert (await api.post(f"/api/records/{record['id']}/restore")).status_code == 409


async def test_bulk_is_all_or_nothing(api, owner_db, workspace_id):
    await _contact(api)
    rows = [{"data": {"full_name": f"P{i}", "email": f"p{i}@x.io"}} for i in range(5)]
    rows[3]["data"]["email"] = "broken"
    rows[4]["data"].pop("full_name")
    response = await api.post("/api/records/bulk", json={"object": "contact", "records": rows})
    assert response.status_code == 422
    assert codes(response) == [("3.email", "format"), ("4.full_name", "required")]
    count = await owner_db.fetchval(
        "SELECT count(*) FROM records r JOIN objects o ON o.tenant_id = r.tenant_id"
        " AND o.id = r.object_id WHERE r.tenant_id = $1 AND o.name = 'contact'", workspace_id)
    assert count == 0
    rows[3]["data"]["email"] = "p3@x.io"
    rows[4]["data"]["full_name"] = "P4"
    created = await ok(await api.post("/api/records/bulk",
                                      json={"object": "contact", "records": rows}), 201)
    assert created["created"] == 5 and created["updated"] == 0
    assert [r["data"]["full_name"] for r in created["items"]] == [f"P{i}" for i in range(5)]


async def test_bulk_duplicate_unique_value_rolls_back(api, owner_db, workspace_id):
    await _contact(api)
    await make_record(api, "contact", full_name="Old", email="dup@x.io")
    rows = [{"data": {"full_name": "New", "email": "fresh@x.io"}},
            {"data": {"full_name": "Clash", "email": "dup@x.io"}}]
    response = await api.post("/api/records/bulk", json={"object": "contact", "records": rows})
    assert response.status_code == 409
    names = await owner_db.fetch(
        "SELECT primary_value FROM records WHERE tenant_id = $1 ORDER BY primary_value",
        workspace_id)
    assert [r["primary_value"] for r in names] == ["Old"]


async def test_bulk_upsert_matches_on_a_unique_field(api):
    await _contact(api)
    first = await make_record(api, "contact", full_name="Kim", email="kim@x.io", age=20)
    response = await ok(await api.post("/api/records/bulk", json={
        "object": "contact", "mode": "upsert", "match_on": "email",
        "records": [{"data": {"full_name": "Kim K", "email": "KIM@x.io", "age": 21}},
                    {"data": {"full_name": "Lee", "email": "lee@x.io"}}]}), 201)
    assert (response["created"], response["updated"]) == (1, 1)
    assert response["items"][0]["id"] == first["id"]
    assert response["items"][0]["data"]["age"] == 21 and response["items"][0]["version"] == 2
    not_unique = await api.post("/api/records/bulk", json={
        "object": "contact", "mode": "upsert", "match_on": "age", "records": []})
    assert codes(not_unique) == [("match_on", "not_unique")]


async def test_an_upsert_never_matches_another_workspaces_record(app, api, owner_db,
                                                                  workspace_id):
    await _contact(api)
    theirs = await make_record(api, "contact", full_name="Kim", email="kim@x.io", age=20)
    other = await sign_up(app)
    async with client(app, other.headers) as mine:
        await _contact(mine)
        made = await ok(await mine.post("/api/records/bulk", json={
            "object": "contact", "mode": "upsert", "match_on": "email",
            "records": [{"data": {"full_name": "Kim B", "email": "kim@x.io", "age": 30}}]}),
            201)
        assert (made["created"], made["updated"]) == (1, 0)
        assert made["items"][0]["id"] != theirs["id"]
    rows = await owner_db.fetch("SELECT tenant_id, primary_value, version FROM records"
                                " WHERE id = any($1::text[]) ORDER BY tenant_id = $2 DESC",
                                [theirs["id"], made["items"][0]["id"]], workspace_id)
    assert [tuple(r) for r in rows] == [(workspace_id, "Kim", 1),
                                        (other.workspace_id, "Kim B", 1)]


async def test_bulk_limit_is_413(api):
    await _contact(api)
    rows = [{"data": {"full_name": "x"}}] * 10_001
    response = await api.post("/api/records/bulk", json={"object": "contact", "records": rows})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


async def test_detaching_keeps_values_but_hides_them(api, owner_db, workspace_id):
    await make_object(api, "note")
    await add_field(api, "note", "title")
    body = await add_field(api, "note", "body", "long_text")
    record = await make_record(api, "note", title="T", body="secret")
    await ok(await api.delete(f"/api/object-fields/{body['object_field']['id']}"), 204)
    shown = await ok(await api.get(f"/api/records/{record['id']}"))
    assert shown["data"] == {"title": "T"}
    updated = await ok(await api.patch(f"/api/records/{record['id']}",
                                       json={"data": {"title": "T2"}}))
    assert updated["data"] == {"title": "T2"}
    kept = await owner_db.fetchval(
        "SELECT data ->> $3 FROM records WHERE tenant_id = $1 AND id = $2",
        workspace_id, record["id"], body["id"])
    assert kept == "secret"
    unknown = await api.post("/api/records", json={"object": "note", "data": {"body": "x"}})
    assert codes(unknown) == [("body", "unknown_field")]


async def test_renaming_a_field_rewrites_no_record(api):
    await make_object(api, "book")
    title = await add_field(api, "book", "title")
    record = await make_record(api, "book", title="Dune")
    await ok(await api.patch(f"/api/fields/{title['id']}", json={"name": "headline"}))
    shown = await ok(await api.get(f"/api/records/{record['id']}"))
    assert shown["data"] == {"headline": "Dune"} and shown["version"] == 1


async def test_primary_value_follows_the_primary_field(api):
    await make_object(api, "product")
    await add_field(api, "product", "title")
    sku = await add_field(api, "product", "sku")
    record = await make_record(api, "product", title="Lamp", sku="L-1")
    assert record["primary_value"] == "Lamp"  # the first text field
    await ok(await api.patch("/api/objects/product", json={"primary_field_id": sku["id"]}))
    assert (await ok(await api.get(f"/api/records/{record['id']}")))["primary_value"] == "L-1"
    await ok(await api.delete(f"/api/object-fields/{sku['object_field']['id']}"), 204)
    assert (await ok(await api.get(f"/api/records/{record['id']}")))["primary_value"] == "Lamp"
    bad = await api.patch("/api/objects/product", json={"primary_field_id": "fld_0000000000000000"})
    assert codes(bad) == [("primary_field_id", "not_found")]


async def test_concurrent_patches_all_land_and_if_match_picks_one_winner(api):
    import asyncio

    await _contact(api)
    record = await make_record(api, "contact", full_name="Race", age=1)
    url = f"/api/records/{record['id']}"
    results = await asyncio.gather(*(api.patch(url, json={"data": {"age": n}})
                                     for n in range(2, 7)))
    assert [r.status_code for r in results] == [200] * 5
    final = await ok(await api.get(url))
    assert final["version"] == 6
    history = await ok(await api.get(f"{url}/history"))
    assert [e["op"] for e in history["items"]].count("update") == 5
    guarded = await asyncio.gather(*(api.patch(url, json={"data": {"age": n}},
                                               headers={"If-Match": "6"}) for n in (7, 8)))
    assert sorted(r.status_code for r in guarded) == [200, 412]
