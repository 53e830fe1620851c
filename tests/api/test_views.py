"""Saved views: CRUD, checks against the schema, personal vs shared, `?view=` on both APIs,
`problems` when the schema moves under a view, a second workspace that sees none of it, and the
views a process keeps for `?view=` reads: read once, forgotten on every change, by every
process, whoever made it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.builders import add_field, codes, make_object, make_record, ok
from tests.api.conftest import client, counted_owner, eventually, join, refused, sign_up

STAGES = {"options": [{"value": v, "label": v.title()} for v in ("lead", "won", "lost")]}


@pytest.fixture
async def deals(api: httpx.AsyncClient) -> dict[str, Any]:
    return await seeded_deals(api)


async def seeded_deals(api: httpx.AsyncClient) -> dict[str, Any]:
    """deals: a (lead, 100), b (won, 500), c (won, 2000), d (lost, 3000)."""
    await make_object(api, "deal", plural_name="deals")
    fields = {"name": await add_field(api, "deal", "name"),
              "stage": await add_field(api, "deal", "stage", "select", STAGES),
              "amount": await add_field(api, "deal", "amount", "number"),
              "close_on": await add_field(api, "deal", "close_on", "date")}
    for name, stage, amount in (("a", "lead", 100), ("b", "won", 500), ("c", "won", 2000),
                                ("d", "lost", 3000)):
        await make_record(api, "deal", name=name, stage=stage, amount=amount,
                          close_on="2026-12-01")
    return fields


async def make_view(api: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    return await ok(await api.post("/api/views", json={"object": "deal", **body}), 201)


async def names(response: httpx.Response) -> list[str]:
    body = await ok(response)
    rows = body["items"] if isinstance(body, dict) else body
    return [r.get("data", r)["name"] for r in rows]


async def test_crud(api, deals, owner_db, workspace_id):
    view = await make_view(api, name="Won", filter="stage=eq.won", order="amount.desc",
                           fields=[{"name": "name", "width": 200}, {"name": "amount",
                                                                     "hidden": True}])
    assert view["id"].startswith("vw_")
    assert (view["object"], view["type"], view["shared"], view["problems"]) == \
        ("deal", "grid", False, [])
    assert view["fields"] == [{"name": "name", "width": 200, "hidden": False},
                              {"name": "amount", "hidden": True}]
    assert await ok(await api.get(f"/api/views/{view['id']}")) == view
    listed = await ok(await api.get("/api/views", params={"object": "deal"}))
    assert [v["id"] for v in listed["items"]] == [view["id"]]
    assert listed["next_cursor"] is None
    changed = await ok(await api.patch(f"/api/views/{view['id']}",
                                       json={"name": "Won deals", "order": "amount.asc"}))
    assert (changed["name"], changed["order"], changed["filter"]) == \
        ("Won deals", "amount.asc", "stage=eq.won")
    stored = await owner_db.fetchrow("SELECT name, order_by, shared FROM views"
                                     " WHERE tenant_id = $1 AND id = $2", workspace_id, view["id"])
    assert dict(stored) == {"name": "Won deals", "order_by": "amount.asc", "shared": False}
    await ok(await api.delete(f"/api/views/{view['id']}"), 204)
    refused(await api.get(f"/api/views/{view['id']}"), 404, "not_found")
    refused(await api.delete(f"/api/views/{view['id']}"), 404, "not_found")


async def test_kanban_and_calendar_need_their_field(api, deals):
    kanban = await make_view(api, name="Board", type="kanban", group_by="stage")
    calendar = await make_view(api, name="Closing", type="calendar", date_field="close_on")
    assert (kanban["group_by"], calendar["date_field"]) == ("stage", "close_on")
    response = await api.post("/api/views", json={"object": "deal", "name": "x",
                                                   "type": "kanban", "date_field": "name"})
    refused(response, 422, "validation_failed")
    assert codes(response) == [("group_by", "required"), ("date_field", "wrong_type")]
    response = await api.patch(f"/api/views/{kanban['id']}", json={"type": "calendar"})
    assert codes(response) == [("date_field", "required")]


async def test_a_calendar_by_a_date_formula(api, deals):
    """A formula giving a date or datetime fills a calendar's date_field; one giving text does
    not, and a kanban's group_by stays a select field."""
    for name, expression, result_type in (
            ("follow_up", "{close_on} + 14", "date"),
            ("follow_up_at", 'DATEADD({close_on}, 9, "hours")', "datetime"),
            ("label", "UPPER({name})", "text")):
        await add_field(api, "deal", name, "formula",
                        {"expression": expression, "result_type": result_type})
    for name in ("follow_up", "follow_up_at"):
        view = await make_view(api, name="Follow-ups", type="calendar", date_field=name)
        assert (view["date_field"], view["problems"]) == (name, [])
    response = await api.post("/api/views", json={"object": "deal", "name": "x",
                                                   "type": "calendar", "date_field": "label"})
    error = refused(response, 422, "validation_failed")
    assert [(d["field"], d["code"], d["message"]) for d in error["details"]] == [
        ("date_field", "wrong_type",
         "date_field must be a date or datetime field; 'label' is a formula giving text")]
    response = await api.post("/api/views", json={"object": "deal", "name": "x",
                                                   "type": "kanban", "group_by": "label"})
    assert codes(response) == [("group_by", "wrong_type")]
    # The view's rows are the object's, read with the formula like any column.
    rows = await ok(await api.get("/rest/v1/deals", params={
        "select": "name,follow_up", "view": view["id"], "order": "name", "limit": 1}))
    assert rows == [{"name": "a", "follow_up": "2026-12-15"}]


async def test_every_schema_problem_is_a_422_detail(api, deals):
    response = await api.post("/api/views", json={
        "object": "deal", "name": "Bad", "type": "kanban",
        "filter": "and=(nope.eq.1,stage.eq.won)&amount=gt.abc", "order": "ghost.desc",
        "fields": [{"name": "name"}, {"name": "missing"}, {"name": "name"}],
        "group_by": "amount"})
    error = refused(response, 422, "validation_failed")
    assert codes(response) == [("filter", "unknown_field"), ("filter", "invalid"),
                               ("order", "unknown_field"), ("fields.1.name", "unknown_field"),
                               ("fields.2.name", "duplicate"), ("group_by", "wrong_type")]
    assert error["details"][0]["message"] == "no field 'nope' on deal"


@pytest.mark.parametrize("body", [{"filter": "stage=eq"}, {"filter": "and=(stage.eq.won"},
                                  {"filter": "select=name"}, {"filter": "company.name=eq.x"},
                                  {"order": "amount.sideways"}])
async def test_syntax_is_a_400(api, deals, body):
    error = refused(await api.post("/api/views", json={"object": "deal", "name": "x", **body}),
                    400, "bad_request")
    assert error["message"].startswith("failed to parse")
    assert [d["field"] for d in error["details"]] == list(body)


async def test_bodies_are_checked(api, deals):
    response = await api.post("/api/views", json={"object": "nothing", "name": "x"})
    assert codes(response) == [("object", "not_found")]
    response = await api.post("/api/views", json={"object": "deal", "name": " ", "type": "gantt",
                                                  "extra": 1})
    refused(response, 422, "validation_failed")
    assert sorted(f for f, _ in codes(response)) == ["extra", "name", "type"]
    view = await make_view(api, name="v", filter=None, order=None, fields=None)
    assert (view["filter"], view["order"], view["fields"]) == ("", "", [])
    response = await api.patch(f"/api/views/{view['id']}", json={"object": "deal"})
    assert [f for f, _ in codes(response)] == ["object"]
    view = await ok(await api.patch(f"/api/views/{view['id']}", json={"filter": "stage=eq.won"}))
    cleared = await ok(await api.patch(f"/api/views/{view['id']}", json={"filter": None}))
    assert cleared["filter"] == ""


async def test_personal_and_shared(app, api, session, deals):
    editor = await join(app, session, "editor")
    async with client(app, editor.headers) as theirs:
        personal = await ok(await theirs.post("/api/views", json={
            "object": "deal", "name": "Mine", "filter": "stage=eq.lost"}), 201)
        refused(await theirs.post("/api/views", json={"object": "deal", "name": "For all",
                                                      "shared": True}), 403, "forbidden")
        refused(await theirs.patch(f"/api/views/{personal['id']}", json={"shared": True}),
                403, "forbidden")
        # The owner sees nothing of the editor's personal view.
        refused(await api.get(f"/api/views/{personal['id']}"), 404, "not_found")
        refused(await api.patch(f"/api/views/{personal['id']}", json={"name": "x"}),
                404, "not_found")
        refused(await api.get("/api/records", params={"object": "deal",
                                                      "view": personal["id"]}),
                404, "not_found")
        assert (await ok(await api.get("/api/views?object=deal")))["items"] == []
        shared = await make_view(api, name="Team", filter="stage=eq.won", shared=True)
        mine = await make_view(api, name="Owner's own")
        listed = await ok(await theirs.get("/api/views?object=deal"))
        assert [v["id"] for v in listed["items"]] == [personal["id"], shared["id"]]
        assert await names(await theirs.get("/api/records", params={
            "object": "deal", "view": shared["id"], "order": "name"})) == ["b", "c"]
        refused(await theirs.get(f"/api/views/{mine['id']}"), 404, "not_found")
        refused(await theirs.patch(f"/api/views/{shared['id']}", json={"name": "x"}),
                403, "forbidden")
        refused(await theirs.delete(f"/api/views/{shared['id']}"), 403, "forbidden")
        await ok(await theirs.patch(f"/api/views/{personal['id']}", json={"name": "Lost"}))
        await ok(await theirs.delete(f"/api/views/{personal['id']}"), 204)
    await ok(await api.patch(f"/api/views/{shared['id']}", json={"name": "Won"}))


async def test_view_on_both_apis(api, deals):
    view = await make_view(api, name="Won", filter="stage=eq.won", order="amount.desc")
    records = {"object": "deal", "view": view["id"]}
    assert await names(await api.get("/api/records", params=records)) == ["c", "b"]
    assert await names(await api.get("/rest/v1/deals", params={"view": view["id"]})) == \
        ["c", "b"]
    # Explicit filters are ANDed with the view's; an explicit order replaces its order.
    assert await names(await api.get("/api/records", params={**records,
                                                             "amount": "lt.1000"})) == ["b"]
    assert await names(await api.get("/rest/v1/deals", params={
        "view": view["id"], "or": "(amount.lt.1000,amount.gt.2500)"})) == ["b"]
    assert await names(await api.get("/api/records", params={**records,
                                                             "order": "amount.asc"})) == \
        ["b", "c"]
    assert await names(await api.get("/rest/v1/deals", params={
        "view": view["id"], "order": "name.asc", "select": "name"})) == ["b", "c"]
    # A page at a time, the view's order holds across pages.
    first = await ok(await api.get("/api/records", params={**records, "limit": 1}))
    second = await ok(await api.get("/api/records", params={
        **records, "limit": 1, "cursor": first["next_cursor"]}))
    assert [r["data"]["name"] for r in first["items"] + second["items"]] == ["c", "b"]


async def test_unknown_view_and_view_of_another_object(api, deals):
    await make_object(api, "company")
    await add_field(api, "company", "domain")
    view = await make_view(api, name="Won", filter="stage=eq.won")
    refused(await api.get("/api/records", params={"object": "deal", "view": "vw_nope"}),
            404, "not_found")
    response = await api.get("/rest/v1/deals", params={"view": "vw_0000000000000000"})
    assert response.status_code == 404
    assert set(response.json()) == {"code", "message", "details", "hint"}
    error = refused(await api.get("/api/records", params={"object": "company",
                                                          "view": view["id"]}),
                    400, "bad_request")
    assert "deal" in error["message"]
    response = await api.get("/rest/v1/company", params={"view": view["id"]})
    assert (response.status_code, response.json()["code"]) == (400, "PGRST100")
    response = await api.get("/rest/v1/deals", params=[("view", view["id"]),
                                                       ("view", view["id"])])
    assert (response.status_code, response.json()["code"]) == (400, "PGRST100")


async def test_problems_when_fields_go_and_reads_still_work(api, deals):
    view = await make_view(api, name="Big won", filter="and=(stage.eq.won,amount.gt.600)",
                           order="amount.desc,name", type="kanban", group_by="stage",
                           fields=[{"name": "name"}, {"name": "amount"}])
    records = {"object": "deal", "view": view["id"]}
    assert await names(await api.get("/api/records", params=records)) == ["c"]
    # amount is detached: the condition and the order on it are left out, and said so.
    await ok(await api.delete(f"/api/object-fields/{deals['amount']['object_field']['id']}"), 204)
    problems = (await ok(await api.get(f"/api/views/{view['id']}")))["problems"]
    assert [p["field"] for p in problems] == ["amount", "amount", "amount"]
    assert problems[0]["message"] == ("no field 'amount' on deal; the condition is left out"
                                      " of reads")
    assert await names(await api.get("/api/records", params=records)) == ["b", "c"]
    assert await names(await api.get("/rest/v1/deals", params={"view": view["id"]})) == \
        ["b", "c"]
    # stage is renamed: its condition and the board's group_by no longer fit either.
    await ok(await api.patch(f"/api/fields/{deals['stage']['id']}", json={"name": "phase"}))
    fetched = await ok(await api.get(f"/api/views/{view['id']}"))
    assert sorted(p["field"] for p in fetched["problems"]) == \
        ["amount", "amount", "amount", "stage", "stage"]
    assert await names(await api.get("/api/records", params=records)) == \
        ["a", "b", "c", "d"]
    listed = await ok(await api.get("/api/views", params={"object": "deal"}))
    assert listed["items"][0]["problems"] == fetched["problems"]
    # A change that does not touch the stale parts is accepted; one that repeats them is not.
    renamed = await ok(await api.patch(f"/api/views/{view['id']}", json={"name": "Won"}))
    assert renamed["problems"] == fetched["problems"]
    response = await api.patch(f"/api/views/{view['id']}", json={"group_by": "stage"})
    assert codes(response) == [("group_by", "unknown_field")]
    fixed = await ok(await api.patch(f"/api/views/{view['id']}", json={
        "filter": "phase=eq.won", "order": "name", "group_by": "phase", "fields": []}))
    assert fixed["problems"] == []
    assert await names(await api.get("/api/records", params=records)) == ["b", "c"]


async def test_another_workspace_sees_nothing(app, api, deals):
    view = await make_view(api, name="Won", filter="stage=eq.won", shared=True)
    stranger = await sign_up(app)
    async with client(app, stranger.headers) as theirs:
        await make_object(theirs, "deal", plural_name="deals")
        await add_field(theirs, "deal", "name")
        await make_record(theirs, "deal", name="theirs")
        for method in ("get", "delete"):
            refused(await theirs.request(method, f"/api/views/{view['id']}"), 404, "not_found")
        refused(await theirs.patch(f"/api/views/{view['id']}", json={"name": "x"}),
                404, "not_found")
        assert (await ok(await theirs.get("/api/views")))["items"] == []
        assert (await ok(await theirs.get("/api/views?object=deal")))["items"] == []
        refused(await theirs.get("/api/records", params={"object": "deal", "view": view["id"]}),
                404, "not_found")
        response = await theirs.get("/rest/v1/deals", params={"view": view["id"]})
        assert response.status_code == 404
    assert (await ok(await api.get(f"/api/views/{view['id']}")))["name"] == "Won"


async def test_viewers_keep_personal_views_and_object_deletion_takes_views(
        app, api, session, deals, owner_db, workspace_id):
    viewer = await join(app, session, "viewer")
    async with client(app, viewer.headers) as theirs:
        mine = await ok(await theirs.post("/api/views", json={"object": "deal", "name": "Mine",
                                                              "order": "amount.desc"}), 201)
        assert mine["created_by"] == viewer.user_id
        assert await names(await theirs.get("/rest/v1/deals", params={"view": mine["id"]})) == \
            ["d", "c", "b", "a"]
        refused(await theirs.post("/api/views", json={"object": "deal", "name": "All",
                                                      "shared": True}), 403, "forbidden")
    shared = await make_view(api, name="Team", shared=True)
    await ok(await api.delete("/api/objects/deal"), 204)
    refused(await api.get(f"/api/views/{shared['id']}"), 404, "not_found")
    left = await owner_db.fetchval("SELECT count(*) FROM views WHERE tenant_id = $1",
                                   workspace_id)
    assert left == 0


async def test_a_view_is_read_once_then_every_change_applies_at_once(database_url):
    async with counted_owner(database_url) as (api, counter):
        await seeded_deals(api)
        view = await make_view(api, name="Won", filter="stage=eq.won", order="amount.desc")
        read = {"object": "deal", "view": view["id"]}
        rest = {"view": view["id"]}
        for _ in range(2):  # the first: the view read and kept, each statement prepared
            before = counter.round_trips
            assert await names(await api.get("/api/records", params=read)) == ["c", "b"]
            assert await names(await api.get("/rest/v1/deals", params=rest)) == ["c", "b"]
        assert counter.round_trips == before + 2  # each read's own statement, no view's
        await ok(await api.patch(f"/api/views/{view['id']}", json={"filter": "amount=lt.1000",
                                                                    "order": "name.desc"}))
        assert await names(await api.get("/api/records", params=read)) == ["b", "a"]
        await ok(await api.delete(f"/api/views/{view['id']}"), 204)
        refused(await api.get("/api/records", params=read), 404, "not_found")


async def test_a_kept_view_is_still_shown_only_to_whom_it_may_be(app, api, session, deals):
    editor = await join(app, session, "editor")
    async with client(app, editor.headers) as theirs:
        personal = await ok(await theirs.post("/api/views", json={
            "object": "deal", "name": "Mine", "filter": "stage=eq.lost"}), 201)
        mine = {"object": "deal", "view": personal["id"]}
        assert await names(await theirs.get("/api/records", params=mine)) == ["d"]  # kept
        refused(await api.get("/api/records", params=mine), 404, "not_found")
        response = await api.get("/rest/v1/deals", params={"view": personal["id"]})
        assert response.status_code == 404
        team = await make_view(api, name="Team", filter="stage=eq.won", shared=True)
        shared = {"object": "deal", "view": team["id"]}
        assert await names(await theirs.get("/api/records", params=shared)) == ["b", "c"]
        await ok(await api.patch(f"/api/views/{team['id']}", json={"shared": False}))
        refused(await theirs.get("/api/records", params=shared), 404, "not_found")
        assert await names(await api.get("/api/records", params=shared)) == ["b", "c"]


async def test_every_process_forgets_a_changed_view_whoever_changed_it(
        app, api, session, deals, other_process, owner_db):
    view = await make_view(api, name="Won", filter="stage=eq.won", order="name")
    read = {"object": "deal", "view": view["id"]}
    async with client(other_process, session.headers) as there:
        assert await names(await there.get("/api/records", params=read)) == ["b", "c"]  # kept

        async def shows(expected: list[str]) -> bool:
            return await names(await there.get("/api/records", params=read)) == expected

        await ok(await api.patch(f"/api/views/{view['id']}", json={"filter": "stage=eq.lost"}))
        await eventually(lambda: shows(["d"]))
        # Changed by SQL, as another tool would: only the trigger (migration 0021) tells.
        await owner_db.execute("UPDATE views SET filter = 'stage=eq.lead' WHERE id = $1",
                               view["id"])
        await eventually(lambda: shows(["a"]))
        assert await names(await api.get("/api/records", params=read)) == ["a"]
        await owner_db.execute("DELETE FROM views WHERE id = $1", view["id"])

        async def gone() -> bool:
            return (await there.get("/api/records", params=read)).status_code == 404

        await eventually(gone)
