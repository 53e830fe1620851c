"""Reads whose JSON PostgreSQL writes (records/query/as_json.py): every answer carrying a record
has the one shape, whichever statement wrote it; values and timestamps read as they always
did; wide selects (past json_build_object's 100 arguments), embeds and nulls=stripped; and a
record read by id stays in its workspace."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tests.api.builders import add_field, link, make_object, make_record, ok, relate
from tests.api.conftest import client, refused, sign_up
from tests.api.test_records import TYPE_CASES

API_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$")
REST_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$")


async def _sample(api):
    """An object with a field of every type, a formula, a rollup and a detached field."""
    await make_object(api, "sample", plural_name="samples")
    values = {}
    for i, (type_, config, good, _stored, _bad, _code) in enumerate(TYPE_CASES):
        await add_field(api, "sample", f"f{i}", type_, config)
        values[f"f{i}"] = good
    gone = await add_field(api, "sample", "gone", "text")
    await add_field(api, "sample", "twice", "formula",
                    {"expression": "{f5} * 2", "result_type": "number"})
    await make_object(api, "part", plural_name="parts")
    await add_field(api, "part", "label")
    rel = await relate(api, "sample_parts", "sample", "part", "1:N")
    await add_field(api, "sample", "part_count", "rollup",
                    {"relationship": "sample_parts", "function": "count"})
    return values, rel, gone


async def test_every_answer_carrying_a_record_has_one_shape(api, owner_db, workspace_id):
    values, rel, gone = await _sample(api)
    created = await make_record(api, "sample", **values, gone="hidden soon")
    part = await make_record(api, "part", label="p1")
    await link(api, rel["id"], created["id"], part["id"])
    await ok(await api.delete(f"/api/object-fields/{gone['object_field']['id']}"), 204)

    got = await api.get(f"/api/records/{created['id']}")
    record = await ok(got)
    assert got.headers["etag"] == f'"{record["version"]}"'
    assert "gone" not in record["data"]  # detached: its stored value stays unexposed
    assert record["data"]["twice"] == 6 and record["data"]["part_count"] == 1
    assert record["data"]["f0"] == "Hello" and record["data"]["f12"] == "2026-11-21T10:00:00Z"
    assert record["object"] == "sample" and record["object_id"] == created["object_id"]
    stored = await owner_db.fetchrow("SELECT created_at, updated_at FROM records WHERE id = $1",
                                     created["id"])
    assert record["created_at"] == stored["created_at"].isoformat().replace("+00:00", "Z")
    assert API_TIME.match(record["updated_at"])

    listed = await ok(await api.get("/api/records", params={"object": "sample"}))
    assert listed["items"] == [record] and listed["next_cursor"] is None
    # The Python shaper that bulk answers still go through says the same of the same row.
    patched = await ok(await api.patch(f"/api/records/{created['id']}",
                                       json={"data": {"f0": "Hi"}}))
    assert patched["data"] == {**record["data"], "f0": "Hi"}
    assert patched["version"] == record["version"] + 1
    bulk = await ok(await api.post("/api/records/bulk", json={
        "object": "sample", "records": [{"data": values}]}), 201)
    again = await ok(await api.get(f"/api/records/{bulk['items'][0]['id']}"))
    assert bulk["items"][0] == again
    assert again["data"] == {**record["data"], "part_count": 0}


async def test_timestamps_keep_their_format_to_the_microsecond(api, owner_db):
    await make_object(api, "thing", plural_name="things")
    await add_field(api, "thing", "name")
    ids = [(await make_record(api, "thing", name=n))["id"] for n in ("a", "b")]
    await owner_db.execute(
        "UPDATE records SET created_at = $2, updated_at = $3 WHERE id = $1", ids[0],
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), datetime(2026, 1, 2, 3, 4, 5, 120000, UTC))
    one = await ok(await api.get(f"/api/records/{ids[0]}"))
    assert (one["created_at"], one["updated_at"]) == ("2026-01-02T03:04:05Z",
                                                      "2026-01-02T03:04:05.120000Z")
    rows = await ok(await api.get("/rest/v1/things", params={
        "select": "name,created_at,updated_at", "name": "eq.a"}))
    assert rows == [{"name": "a", "created_at": "2026-01-02T03:04:05+00:00",
                     "updated_at": "2026-01-02T03:04:05.120000+00:00"}]
    other = await ok(await api.get("/rest/v1/things", params={"name": "eq.b"}))
    assert REST_TIME.match(other[0]["created_at"]), other


async def test_a_list_pages_with_cursor_and_total(api):
    await make_object(api, "item", plural_name="items")
    await add_field(api, "item", "n", "number", is_indexed=True)
    for n in range(5):
        await make_record(api, "item", n=n)
    seen, cursor = [], None
    while True:
        params = {"object": "item", "order": "n.desc", "limit": "2", "count": "exact"}
        page = await ok(await api.get("/api/records", params={
            **params, **({"cursor": cursor} if cursor else {})}))
        assert page["total"] == 5
        seen += [r["data"]["n"] for r in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [4, 3, 2, 1, 0]
    empty = await ok(await api.get("/api/records", params={"object": "item", "n": "eq.9"}))
    assert empty == {"items": [], "next_cursor": None}


async def test_wide_selects_embeds_and_stripped_nulls_on_rest(api):
    await make_object(api, "wide", plural_name="wides")
    names = [f"c{i:02}" for i in range(60)]  # 60 pairs: past one json_build_object call
    for name in names:
        await add_field(api, "wide", name, "number")
    await make_object(api, "tag", plural_name="tags")
    await add_field(api, "tag", "label")
    rel = await relate(api, "wide_tags", "wide", "tag", "1:N")
    row = await make_record(api, "wide", **{n: i for i, n in enumerate(names) if i % 2 == 0})
    for label in ("x", "y"):
        await link(api, rel["id"], row["id"], (await make_record(api, "tag", label=label))["id"])
    got = await ok(await api.get("/rest/v1/wides", params={
        "select": ",".join(names) + ",wide_tags(label)", "order": "c00"}))
    assert got == [{**{n: (i if i % 2 == 0 else None) for i, n in enumerate(names)},
                    "wide_tags": [{"label": "x"}, {"label": "y"}]}]
    record = await ok(await api.get(f"/api/records/{row['id']}"))  # 60 fields: jsonb chunks
    assert record["data"] == {n: i for i, n in enumerate(names) if i % 2 == 0}
    stripped = await api.get("/rest/v1/wides", params={"select": "c00,c01,wide_tags(label)"},
                             headers={"Accept": "application/vnd.pgrst.array+json;nulls=stripped"})
    assert stripped.status_code == 200, stripped.text
    assert stripped.json() == [{"c00": 0, "wide_tags": [{"label": "x"}, {"label": "y"}]}]
    single = await api.get("/rest/v1/wides", params={"select": "c02"},
                           headers={"Accept": "application/vnd.pgrst.object+json"})
    assert single.json() == {"c02": 2}
    written = await api.patch("/rest/v1/wides", params={"id": f"eq.{row['id']}",
                                                        "select": "c00,c01"},
                              json={"c01": 11}, headers={"Prefer": "return=representation"})
    assert written.status_code == 200 and written.json() == [{"c00": 0, "c01": 11}]


async def test_a_record_read_by_id_stays_in_its_workspace(app, api):
    await make_object(api, "secret", plural_name="secrets")
    await add_field(api, "secret", "name")
    record = await make_record(api, "secret", name="mine")
    await ok(await api.get(f"/api/records/{record['id']}"))  # its object now remembered
    other = await sign_up(app)
    async with client(app, other.headers) as attacker:
        await make_object(attacker, "secret", plural_name="secrets")
        await add_field(attacker, "secret", "name")
        refused(await attacker.get(f"/api/records/{record['id']}"), 404, "not_found")
        assert (await ok(await attacker.get("/rest/v1/secrets"))) == []
        page = await ok(await attacker.get("/api/records", params={"object": "secret"}))
        assert page["items"] == []
    trashed = await api.delete(f"/api/records/{record['id']}")
    assert trashed.status_code == 204
    refused(await api.get(f"/api/records/{record['id']}"), 404, "not_found")


async def test_records_of_several_objects_read_by_id_in_turn(api, owner_db):
    """GET guesses a record's object (one statement when right): a wrong guess still answers
    the record of its own object, and a trashed one is 404 whatever was guessed."""
    made = {}
    for name in ("alpha", "beta"):
        await make_object(api, name, plural_name=f"{name}s")
        await add_field(api, name, f"{name}_title")
        made[name] = [await make_record(api, name, **{f"{name}_title": f"{name}{i}"})
                      for i in range(2)]
    for record in [made["alpha"][0], made["beta"][0], made["alpha"][1], made["beta"][1],
                   made["alpha"][0]]:
        got = await ok(await api.get(f"/api/records/{record['id']}"))
        assert got == record
    await ok(await api.delete(f"/api/records/{made['beta'][1]['id']}"), 204)
    await ok(await api.get(f"/api/records/{made['alpha'][1]['id']}"))  # guess: alpha
    refused(await api.get(f"/api/records/{made['beta'][1]['id']}"), 404, "not_found")
    refused(await api.get("/api/records/rec_doesnotexist"), 404, "not_found")
