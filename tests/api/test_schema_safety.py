"""Safe schema changes (issue 17): usage counts before a change, option maps that rewrite the
stored values in the change's transaction, what an object's deletion takes along, and the
plurals of objects created without them."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import asyncpg
import httpx
import pytest

from tests.api.builders import add_field, codes, link, make_object, make_record, ok, relate
from tests.api.conftest import client, refused, sign_up

STAGES = [{"value": "Open", "label": "Open"}, {"value": "Won", "label": "Won"},
          {"value": "Lost", "label": "Lost deal"}]
TAGS = [{"value": v, "label": v.title()} for v in ("hot", "cold", "vip")]


@pytest.fixture
async def deals(api: httpx.AsyncClient) -> dict[str, Any]:
    """Six live deals (3 Lost, 2 Won, 1 without a stage) and one trashed Lost deal."""
    await make_object(api, "deal")
    await add_field(api, "deal", "title")
    stage = await add_field(api, "deal", "stage", "select", {"options": STAGES})
    tags = await add_field(api, "deal", "tags", "multi_select", {"options": TAGS})
    rows = [("a", "Lost", ["hot", "vip"]), ("b", "Lost", ["hot"]), ("c", "Lost", []),
            ("d", "Won", ["cold"]), ("e", "Won", None), ("f", None, None)]
    made = {}
    for title, value, tag_values in rows:
        data: dict[str, Any] = {"title": title}
        if value is not None:
            data["stage"] = value
        if tag_values is not None:
            data["tags"] = tag_values
        made[title] = await make_record(api, "deal", **data)
    made["trashed"] = await make_record(api, "deal", title="t", stage="Lost", tags=["vip"])
    await ok(await api.delete(f"/api/records/{made['trashed']['id']}"), 204)
    return {"stage": stage, "tags": tags, "records": made}


async def record(api: httpx.AsyncClient, record_id: str) -> dict[str, Any]:
    return await ok(await api.get(f"/api/records/{record_id}"))


async def trashed(api: httpx.AsyncClient, record_id: str) -> dict[str, Any]:
    listed = await ok(await api.get("/api/records", params={"object": "deal", "trash": "only"}))
    return next(r for r in listed["items"] if r["id"] == record_id)


def counted(options: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    return [(o["value"], o["label"], o["count"]) for o in options]


async def test_usage_counts_live_records_per_option(api, deals):
    stage = await ok(await api.get(f"/api/fields/{deals['stage']['id']}/usage"))
    assert stage == {"records_with_value": 5, "total_records": 6, "objects": 1, "options": [
        {"value": "Open", "label": "Open", "count": 0},
        {"value": "Won", "label": "Won", "count": 2},
        {"value": "Lost", "label": "Lost deal", "count": 3}]}
    ofd = deals["tags"]["object_field"]["id"]
    tags = await ok(await api.get(f"/api/object-fields/{ofd}/usage"))
    # [] counts as empty: b, a, d hold tags; c holds [].
    assert tags["records_with_value"] == 3 and tags["total_records"] == 6
    assert counted(tags["options"]) == [("hot", "Hot", 2), ("cold", "Cold", 1), ("vip", "Vip", 1)]
    title = await ok(await api.get("/api/fields/title/usage"))
    assert title == {"records_with_value": 6, "total_records": 6, "objects": 1, "options": []}


async def test_usage_of_an_attachment_uses_its_own_options(api, deals):
    ofd = deals["stage"]["object_field"]["id"]
    await ok(await api.patch(f"/api/object-fields/{ofd}", json={"field_overrides": {
        "config": {"options": STAGES[1:]}}}))
    usage = await ok(await api.get(f"/api/object-fields/{ofd}/usage"))
    assert counted(usage["options"]) == [("Won", "Won", 2), ("Lost", "Lost deal", 3)]


async def test_object_usage_says_what_a_deletion_takes(api, deals):
    await make_object(api, "company")
    await add_field(api, "company", "name")
    acme = await make_record(api, "company", name="Acme")
    rel = await relate(api, "company_deals", "company", "deal", "1:N")
    await link(api, rel["id"], acme["id"], deals["records"]["a"]["id"])
    await link(api, rel["id"], acme["id"], deals["records"]["b"]["id"])
    usage = await ok(await api.get("/api/objects/deal/usage"))
    assert usage == {"records": 6, "trashed_records": 1, "relationships": 1, "links": 2}
    assert await ok(await api.get("/api/objects/company/usage")) == {
        "records": 1, "trashed_records": 0, "relationships": 1, "links": 2}


async def test_option_map_rewrites_values_in_one_change(api, deals):
    recs = deals["records"]
    kept = [o for o in STAGES if o["value"] != "Lost"]
    field = await ok(await api.patch(f"/api/fields/{deals['stage']['id']}", json={
        "config": {"options": kept}, "option_map": {"Lost": "Open"}}))
    assert [o["value"] for o in field["config"]["options"]] == ["Open", "Won"]
    for title in ("a", "b", "c"):
        after = await record(api, recs[title]["id"])
        assert after["data"]["stage"] == "Open" and after["version"] == recs[title]["version"] + 1
    untouched = await record(api, recs["d"]["id"])
    assert untouched["data"]["stage"] == "Won" and untouched["version"] == recs["d"]["version"]
    # The trash too: a restored deal must not bring 'Lost' back.
    assert (await trashed(api, recs["trashed"]["id"]))["data"]["stage"] == "Open"
    history = await ok(await api.get(f"/api/records/{recs['a']['id']}/history"))
    assert history["items"][0]["op"] == "update"
    assert history["items"][0]["changes"] == {"stage": ["Lost", "Open"]}
    usage = await ok(await api.get(f"/api/fields/{deals['stage']['id']}/usage"))
    assert counted(usage["options"]) == [("Open", "Open", 3), ("Won", "Won", 2)]


async def test_realtime_hears_the_rewrites_as_updates(api, deals, owner_db, database_url,
                                                      workspace_id):
    """The rewrite writes record_events, whose trigger tells realtime (and fills the webhook
    outbox) as for any update: one NOTIFY naming the rewritten records."""
    await owner_db.execute(
        "INSERT INTO realtime_listeners (tenant_id, until) VALUES ($1, now() + interval '1 hour')"
        " ON CONFLICT (tenant_id) DO UPDATE SET until = excluded.until", workspace_id)
    heard: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    listener = await asyncpg.connect(database_url)
    await listener.add_listener("objectry_changes",
                                lambda *args: heard.put_nowait(json.loads(args[3])))
    try:
        await ok(await api.patch(f"/api/fields/{deals['stage']['id']}", json={
            "config": {"options": STAGES[:2]}, "option_map": {"Lost": "Won"}}))
        note = await asyncio.wait_for(heard.get(), 10)
    finally:
        await listener.close()
    recs = deals["records"]
    assert (note["t"], note["op"]) == (workspace_id, "update")
    assert sorted(note["ids"]) == sorted(recs[t]["id"] for t in ("a", "b", "c", "trashed"))


async def test_option_map_to_null_empties_and_multi_select_keeps_the_rest(api, deals):
    recs = deals["records"]
    await ok(await api.patch(f"/api/fields/{deals['stage']['id']}", json={
        "config": {"options": STAGES[:2]}, "option_map": {"Lost": None}}))
    assert "stage" not in (await record(api, recs["a"]["id"]))["data"]
    ofd = deals["tags"]["object_field"]["id"]
    await ok(await api.patch(f"/api/object-fields/{ofd}", json={
        "field_overrides": {"config": {"options": TAGS[:2]}},
        "option_map": {"vip": "hot"}}))
    a = await record(api, recs["a"]["id"])
    assert a["data"]["tags"] == ["hot"] and a["version"] == recs["a"]["version"] + 2
    # b lost its stage only: its tags hold no 'vip'.
    assert (await record(api, recs["b"]["id"]))["version"] == recs["b"]["version"] + 1
    history = await ok(await api.get(f"/api/records/{recs['a']['id']}/history"))
    assert history["items"][0]["changes"] == {"tags": [["hot", "vip"], ["hot"]]}


async def test_a_bad_target_is_refused_and_changes_nothing(api, deals):
    recs = deals["records"]
    response = await api.patch(f"/api/fields/{deals['stage']['id']}", json={
        "config": {"options": STAGES[:2]}, "option_map": {"Lost": "Gone", "Won": "Lost"}})
    error = refused(response, 422, "validation_failed")
    assert sorted((d["field"], d["code"]) for d in error["details"]) == [
        ("option_map.Lost", "not_an_option"), ("option_map.Won", "not_an_option")]
    field = await ok(await api.get(f"/api/fields/{deals['stage']['id']}"))
    assert [o["value"] for o in field["config"]["options"]] == ["Open", "Won", "Lost"]
    a = await record(api, recs["a"]["id"])
    assert a["data"]["stage"] == "Lost" and a["version"] == recs["a"]["version"]
    not_choice = await api.patch("/api/fields/title", json={"option_map": {"a": None}})
    assert codes(not_choice) == [("option_map", "not_a_choice")]


async def test_without_option_map_values_stay(api, deals):
    await ok(await api.patch(f"/api/fields/{deals['stage']['id']}", json={
        "config": {"options": STAGES[:2]}}))
    a = await record(api, deals["records"]["a"]["id"])
    assert a["data"]["stage"] == "Lost" and a["version"] == deals["records"]["a"]["version"]


async def test_another_workspace_sees_and_changes_nothing(app, api, deals):
    stage_id, ofd = deals["stage"]["id"], deals["stage"]["object_field"]["id"]
    stranger = await sign_up(app)
    async with client(app, stranger.headers) as theirs:
        for path in (f"/api/fields/{stage_id}/usage", f"/api/object-fields/{ofd}/usage",
                     "/api/objects/deal/usage"):
            refused(await theirs.get(path), 404, "not_found")
        refused(await theirs.patch(f"/api/fields/{stage_id}", json={
            "config": {"options": STAGES[:2]}, "option_map": {"Lost": "Won"}}), 404, "not_found")
        refused(await theirs.patch(f"/api/object-fields/{ofd}", json={
            "option_map": {"Lost": "Won"}}), 404, "not_found")
        # Their own field of the same name maps only their own records.
        await make_object(theirs, "deal")
        mine = await add_field(theirs, "deal", "stage", "select", {"options": STAGES})
        await make_record(theirs, "deal", stage="Lost")
        await ok(await theirs.patch(f"/api/fields/{mine['id']}", json={
            "config": {"options": STAGES[:2]}, "option_map": {"Lost": "Won"}}))
        usage = await ok(await theirs.get(f"/api/fields/{mine['id']}/usage"))
        assert usage["total_records"] == 1
    a = await record(api, deals["records"]["a"]["id"])
    assert a["data"]["stage"] == "Lost" and a["version"] == deals["records"]["a"]["version"]


@pytest.mark.parametrize(("name", "label", "plural_name", "plural_label"), [
    ("company", "Company", "companies", "Companies"),
    ("person", "Person", "people", "People"),
    ("status", "Status", "statuses", "Statuses"),
    ("opportunity", "Opportunity", "opportunities", "Opportunities"),
    ("address", "Address", "addresses", "Addresses"),
])
async def test_plurals_are_derived_when_left_out(api, name, label, plural_name, plural_label):
    made = await ok(await api.post("/api/objects", json={"name": name, "label": label}), 201)
    assert (made["plural_name"], made["plural_label"]) == (plural_name, plural_label)
    await add_field(api, name, "title")
    await make_record(api, name, title="one")
    rows = await ok(await api.get(f"/rest/v1/{plural_name}", params={"select": "title"}))
    assert rows == [{"title": "one"}]


async def test_given_plurals_are_kept(api):
    made = await ok(await api.post("/api/objects", json={
        "name": "sales_opportunity", "label": "Sales opportunity", "plural_name": "deals",
        "plural_label": None}), 201)
    assert (made["plural_name"], made["plural_label"]) == ("deals", None)
    derived = await ok(await api.post("/api/objects", json={
        "name": "sales_lead", "label": "Sales lead"}), 201)
    assert (derived["plural_name"], derived["plural_label"]) == ("sales_leads", "Sales leads")
    # A change leaves them as they are.
    changed = await ok(await api.patch("/api/objects/sales_lead", json={"label": "Lead"}))
    assert (changed["plural_name"], changed["plural_label"]) == ("sales_leads", "Sales leads")
