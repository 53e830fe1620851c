"""A record's history shows its links and unlinks: on both records, in order with its writes,
with the relationship as that record sees it and the other record's current name."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.builders import add_field, link, make_object, make_record, ok
from tests.api.conftest import client, join, sign_up


async def _crm(api: httpx.AsyncClient, **company: Any) -> dict[str, Any]:
    """company -(employs, 1:N)-> person; labels "Employer" (on a person) and "Employees"."""
    await make_object(api, "company", plural_name="companies", **company)
    await add_field(api, "company", "name")
    await make_object(api, "person", plural_name="people")
    await add_field(api, "person", "full_name")
    return await ok(await api.post("/api/relationships", json={
        "name": "employs", "from_object_id": "company", "to_object_id": "person", "type": "1:N",
        "from_label": "Employer", "to_label": "Employees"}), 201)


async def _history(api: httpx.AsyncClient, record_id: str, **params: Any) -> dict[str, Any]:
    return await ok(await api.get(f"/api/records/{record_id}/history", params=params))


def _without_at(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for e in items:
        assert isinstance(e.pop("at"), str)
    return items


async def test_link_and_unlink_are_in_both_histories_in_order(api, session):
    rel = await _crm(api)
    acme = await make_record(api, "company", name="Acme")
    tom = await make_record(api, "person", full_name="Tom")
    made = await link(api, rel["id"], acme["id"], tom["id"])
    await ok(await api.patch(f"/api/records/{tom['id']}", json={"data": {"full_name": "Tom B"}}))
    await ok(await api.delete(f"/api/relationship-records/{made['id']}"), 204)
    me = session.user_id
    employer = {"id": rel["id"], "name": "employs", "label": "Employer"}
    employees = {"id": rel["id"], "name": "employs", "label": "Employees"}
    acme_ref = {"id": acme["id"], "primary_value": "Acme", "object": "company"}
    tom_ref = {"id": tom["id"], "primary_value": "Tom B", "object": "person"}

    assert _without_at((await _history(api, tom["id"]))["items"]) == [
        {"actor": me, "op": "unlink", "changes": {}, "relationship": employer, "record": acme_ref},
        {"actor": me, "op": "update", "changes": {"full_name": ["Tom", "Tom B"]}},
        {"actor": me, "op": "link", "changes": {}, "relationship": employer, "record": acme_ref},
        {"actor": me, "op": "create", "changes": {"full_name": [None, "Tom"]}},
    ]
    assert _without_at((await _history(api, acme["id"]))["items"]) == [
        {"actor": me, "op": "unlink", "changes": {}, "relationship": employees, "record": tom_ref},
        {"actor": me, "op": "link", "changes": {}, "relationship": employees, "record": tom_ref},
        {"actor": me, "op": "create", "changes": {"name": [None, "Acme"]}},
    ]

    # One order and one cursor over writes and links: pages of one meet without a gap.
    first = await _history(api, tom["id"], limit=3)
    rest = await _history(api, tom["id"], limit=3, cursor=first["next_cursor"])
    assert [e["op"] for e in first["items"]] == ["unlink", "update", "link"]
    assert [e["op"] for e in rest["items"]] == ["create"] and rest["next_cursor"] is None


async def test_a_refused_link_leaves_no_event(api, owner_db, workspace_id):
    rel = await _crm(api)
    acme = await make_record(api, "company", name="Acme")
    globex = await make_record(api, "company", name="Globex")
    tom = await make_record(api, "person", full_name="Tom")
    await link(api, rel["id"], acme["id"], tom["id"])
    refused = await link(api, rel["id"], globex["id"], tom["id"], status=409)  # 1:N: one employer
    assert refused["error"]["details"][0]["code"] == "cardinality"
    wrong = await link(api, rel["id"], tom["id"], acme["id"], status=422)
    assert {d["field"] for d in wrong["error"]["details"]} == {"from_record_id", "to_record_id"}
    assert await owner_db.fetch(
        "SELECT record_id, op, forward, other_record_id FROM link_events"
        " WHERE tenant_id = $1 ORDER BY id", workspace_id) == [
        (acme["id"], "link", True, tom["id"]), (tom["id"], "link", False, acme["id"])]
    assert [e["op"] for e in (await _history(api, globex["id"]))["items"]] == ["create"]


async def test_trashed_and_purged_records_keep_their_link_history(api, owner_db, workspace_id):
    rel = await _crm(api)
    acme = await make_record(api, "company", name="Acme")
    tom = await make_record(api, "person", full_name="Tom")
    await link(api, rel["id"], acme["id"], tom["id"])
    await ok(await api.delete(f"/api/records/{tom['id']}"), 204)  # to the trash

    # The trashed record's history is still read, its link included; the other still names it.
    trashed = (await _history(api, tom["id"]))["items"]
    assert [e["op"] for e in trashed] == ["delete", "link", "create"]
    assert trashed[1]["record"] == {"id": acme["id"], "primary_value": "Acme", "object": "company"}
    kept = (await _history(api, acme["id"]))["items"]
    assert [e["op"] for e in kept] == ["link", "create"]
    assert kept[0]["record"] == {"id": tom["id"], "primary_value": "Tom", "object": "person"}

    # Purged: its own events go with it; the other record keeps the link, nameless.
    await ok(await api.delete(f"/api/records/{tom['id']}", params={"permanent": "true"}), 204)
    assert (await api.get(f"/api/records/{tom['id']}/history")).status_code == 404
    kept = (await _history(api, acme["id"]))["items"]
    assert kept[0]["op"] == "link"
    assert kept[0]["record"] == {"id": tom["id"], "primary_value": None, "object": None}
    assert await owner_db.fetchval("SELECT count(*) FROM link_events WHERE tenant_id = $1"
                                   " AND record_id = $2", workspace_id, tom["id"]) == 0


async def test_deleted_relationship_keeps_the_events_without_its_name(api):
    rel = await _crm(api)
    acme = await make_record(api, "company", name="Acme")
    tom = await make_record(api, "person", full_name="Tom")
    await link(api, rel["id"], acme["id"], tom["id"])
    await ok(await api.delete(f"/api/relationships/{rel['id']}"), 204)
    items = (await _history(api, tom["id"]))["items"]
    assert items[0]["op"] == "link"
    assert items[0]["relationship"] == {"id": rel["id"], "name": None, "label": None}


async def test_the_other_records_name_is_hidden_from_who_may_not_read_it(app, api, session):
    rel = await _crm(api, permissions={"editor": ["create", "update", "delete"]})
    acme = await make_record(api, "company", name="Acme")
    tom = await make_record(api, "person", full_name="Tom")
    await link(api, rel["id"], acme["id"], tom["id"])
    editor = await join(app, session, "editor", "no-company")
    async with client(app, editor.headers) as caller:
        items = (await _history(caller, tom["id"]))["items"]
        assert items[0]["record"] == {"id": acme["id"], "primary_value": None, "object": "company"}
        assert (await caller.get(f"/api/records/{acme['id']}/history")).status_code == 403


async def test_another_workspace_sees_no_link_history(app, api, owner_db):
    rel = await _crm(api)
    acme = await make_record(api, "company", name="Acme")
    tom = await make_record(api, "person", full_name="Tom")
    await link(api, rel["id"], acme["id"], tom["id"])
    attacker = await sign_up(app, full_name="Mallory")
    async with client(app, attacker.headers) as other:
        for record in (acme, tom):
            response = await other.get(f"/api/records/{record['id']}/history")
            assert response.status_code == 404
            assert response.json()["error"]["code"] == "not_found"
        # Linking our records from there is refused and writes nothing anywhere.
        await _crm(other)
        mine = await make_record(other, "company", name="Mal Corp")
        theirs = await ok(await other.get("/api/relationships/employs"))
        refused = await link(other, theirs["id"], mine["id"], tom["id"], status=422)
        assert [d["field"] for d in refused["error"]["details"]] == ["to_record_id"]
        assert [e["op"] for e in (await _history(other, mine["id"]))["items"]] == ["create"]
    assert await owner_db.fetchval("SELECT count(*) FROM link_events WHERE tenant_id = $1",
                                   attacker.workspace_id) == 0
    assert await owner_db.fetchval("SELECT count(*) FROM link_events WHERE record_id = $1",
                                   tom["id"]) == 1
