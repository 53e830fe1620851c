"""Another workspace probing every id-bearing route of the first: reads, writes and deletes
all answer 404 (body references 422 `not_found`), lists never show the ids, and nothing in the
first workspace changes. The intruder is an owner signing in, then an admin-scoped API token."""

from __future__ import annotations

from typing import Any

import pytest

from objectry.db.tables import TENANT_TABLES
from tests.api.builders import add_field, link, make_object, make_record, ok, relate
from tests.api.conftest import client, refused, sign_up


async def build_victim(api, session) -> dict[str, str]:
    obj = await make_object(api, "contact")
    field = await add_field(api, "contact", "name")
    first = await make_record(api, "contact", name="Ana")
    second = await make_record(api, "contact", name="Bea")
    rel = await relate(api, "knows", "contact", "contact", "N:N")
    linked = await link(api, rel["id"], first["id"], second["id"])
    application = await ok(await api.post("/api/applications", json={
        "name": "crm", "label": "CRM", "config": {"objects": ["contact"]}}), 201)
    token = await ok(await api.post("/api/tokens", json={"name": "t", "scopes": ["admin"]}),
                     201)
    view = await ok(await api.post("/api/views", json={
        "object": "contact", "name": "Ana", "filter": "name=eq.Ana", "shared": True}), 201)
    return {"obj": obj["id"], "fld": field["id"], "ofd": field["object_field"]["id"],
            "rec": first["id"], "rec2": second["id"], "rel": rel["id"], "rrec": linked["id"],
            "app": application["id"], "tok": token["id"], "vw": view["id"],
            "wsp": session.workspace_id,
            "usr": session.user_id}


MEMBERS = "/api/workspaces/{wsp}/members"
# (method, path template, body): every route that takes an id of the victim's in its path.
PROBES = [
    ("GET", "/api/objects/{obj}", None), ("GET", "/api/objects/contact", None),
    ("PATCH", "/api/objects/{obj}", {"label": "Mine"}), ("DELETE", "/api/objects/{obj}", None),
    ("GET", "/api/objects/{obj}/schema", None),
    ("POST", "/api/objects/{obj}/fields", {"name": "x", "label": "X", "type": "text"}),
    ("GET", "/api/fields/{fld}", None), ("PATCH", "/api/fields/{fld}", {"label": "Mine"}),
    ("DELETE", "/api/fields/{fld}", None),
    ("GET", "/api/object-fields/{ofd}", None),
    ("PATCH", "/api/object-fields/{ofd}", {"is_required": True}),
    ("DELETE", "/api/object-fields/{ofd}", None),
    ("GET", "/api/records/{rec}", None), ("GET", "/api/records?object={obj}", None),
    ("PATCH", "/api/records/{rec}", {"data": {"name": "Mine"}}),
    ("PUT", "/api/records/{rec}", {"data": {"name": "Mine"}}),
    ("DELETE", "/api/records/{rec}", None), ("DELETE", "/api/records/{rec}?permanent=true", None),
    ("GET", "/api/records/{rec}/history", None), ("POST", "/api/records/{rec}/restore", None),
    ("GET", "/api/relationships/{rel}", None),
    ("PATCH", "/api/relationships/{rel}", {"from_label": "Mine"}),
    ("DELETE", "/api/relationships/{rel}", None),
    ("GET", "/api/relationship-records/{rrec}", None),
    ("DELETE", "/api/relationship-records/{rrec}", None),
    ("GET", "/api/applications/{app}", None),
    ("PATCH", "/api/applications/{app}", {"label": "Mine"}),
    ("POST", "/api/applications/{app}/publish", None), ("DELETE", "/api/applications/{app}", None),
    ("DELETE", "/api/tokens/{tok}", None),
    ("GET", "/api/views/{vw}", None), ("PATCH", "/api/views/{vw}", {"name": "Mine"}),
    ("DELETE", "/api/views/{vw}", None),
    ("GET", MEMBERS, None), ("POST", MEMBERS, {"email": "x@example.com", "role": "owner"}),
    ("PATCH", MEMBERS + "/{usr}", {"role": "viewer"}), ("DELETE", MEMBERS + "/{usr}", None),
]


def references(v: dict[str, str]) -> list[tuple[str, Any, str]]:
    """Creates whose body names the victim's ids: the ids do not exist here (422)."""
    return [
        ("/api/records", {"object": v["obj"], "data": {}}, "object"),
        ("/api/object-fields", {"object_id": v["obj"], "field_id": v["fld"]}, "object_id"),
        ("/api/relationships", {"name": "r", "from_object_id": v["obj"], "to_object_id": v["obj"],
                                "type": "N:N", "from_label": "A", "to_label": "B"},
         "from_object_id"),
        ("/api/relationship-records", {"relationship_id": v["rel"], "from_record_id": v["rec"],
                                       "to_record_id": v["rec2"]}, "relationship_id"),
        ("/api/applications", {"name": "a", "label": "A", "config": {"objects": [v["obj"]]}},
         "config.objects.0"),
        ("/api/views", {"object": v["obj"], "name": "v"}, "object"),
    ]


async def snapshot(owner_db, workspace_id: str) -> dict[str, list[str]]:
    """Every row the victim's workspace owns, as the schema owner sees it (RLS bypassed)."""
    state = {"workspaces": [str(dict(r)) for r in await owner_db.fetch(
        "SELECT * FROM workspaces WHERE id = $1", workspace_id)]}
    for table in TENANT_TABLES:
        rows = await owner_db.fetch(f"SELECT * FROM {table} WHERE tenant_id = $1", workspace_id)
        state[table] = sorted(str(dict(r)) for r in rows)
    return state


async def probe_data_api(intruder, victim: dict[str, str]) -> None:
    """/rest/v1 by the victim's object name and id, then through a same-named object of the
    intruder's own, filtered by the victim's record id: nothing is found, nothing changes."""
    for method in ("GET", "PATCH", "DELETE"):
        for name in ("contact", victim["obj"]):
            response = await intruder.request(method, f"/rest/v1/{name}?id=eq.{victim['rec']}",
                                              json={"name": "Mine"})
            assert (response.status_code, response.json()["code"]) == (404, "PGRST205")
    await make_object(intruder, "contact")
    await add_field(intruder, "contact", "name")
    where = f"/rest/v1/contact?id=eq.{victim['rec']}"
    assert await ok(await intruder.get(where)) == []
    # The victim's saved view, applied to a same-named object of the intruder's: not found.
    response = await intruder.get(f"/rest/v1/contact?view={victim['vw']}")
    assert response.status_code == 404
    refused(await intruder.get(f"/api/records?object=contact&view={victim['vw']}"),
            404, "not_found")
    headers = {"Prefer": "return=representation"}
    assert await ok(await intruder.patch(where, json={"name": "Mine"}, headers=headers)) == []
    assert await ok(await intruder.delete(where, headers=headers)) == []


async def intruder_headers(app, kind: str) -> dict[str, str]:
    other = await sign_up(app)
    if kind == "session":
        return other.headers
    async with client(app, other.headers) as api:
        token = await ok(await api.post("/api/tokens", json={"name": "x", "scopes": ["admin"]}),
                         201)
    return {"apikey": token["token"]}


@pytest.mark.parametrize("kind", ["session", "api token"])
async def test_another_workspace_gets_404_everywhere_and_changes_nothing(app, api, session,
                                                                        owner_db, kind):
    victim = await build_victim(api, session)
    before = await snapshot(owner_db, session.workspace_id)
    assert all(before[t] for t in ("objects", "records", "relationship_records", "api_tokens"))
    async with client(app, await intruder_headers(app, kind)) as intruder:
        for method, template, body in PROBES:
            path = template.format(**victim)
            response = await intruder.request(method, path, json=body)
            refused(response, 404, "not_found")
            assert not any(v in response.text for v in victim.values() if v not in path)
        for path, body, field in references(victim):
            response = await intruder.post(path, json=body)
            refused(response, 422, "validation_failed")
            assert [(d["field"], d["code"]) for d in response.json()["error"]["details"]][0] == (
                field, "not_found"), (path, response.text)
        for path in ("/api/objects", "/api/fields", "/api/object-fields", "/api/relationships",
                     "/api/relationship-records", "/api/applications", "/api/tokens", "/api/views",
                     f"/api/relationship-records?relationship_id={victim['rel']}"):
            listed = await ok(await intruder.get(path))
            assert not any(v in str(listed) for v in victim.values()), path
        refused(await intruder.get(f"/api/object-fields?object_id={victim['obj']}"),
                404, "not_found")
        await probe_data_api(intruder, victim)
    assert await snapshot(owner_db, session.workspace_id) == before
