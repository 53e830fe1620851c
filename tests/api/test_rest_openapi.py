"""GET /rest/v1/: PostgREST's OpenAPI (Swagger 2.0) of the caller's workspace, following its
privileges; another workspace's objects are never in it."""

from __future__ import annotations

from tests.api.builders import add_field, make_object
from tests.api.conftest import client, join, sign_up

OPENAPI = "application/openapi+json"


async def test_the_description_lists_live_objects_with_typed_columns(api):
    await make_object(api, "station")
    await add_field(api, "station", "code", "text", {"max_length": 12}, is_required=True)
    await add_field(api, "station", "temp", "number")
    await add_field(api, "station", "day", "date")
    await add_field(api, "station", "seen", "datetime")
    await add_field(api, "station", "kind", "select",
                    {"options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]})
    response = await api.get("/rest/v1/", headers={"Accept": OPENAPI})
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{OPENAPI}; charset=utf-8"
    doc = response.json()
    assert doc["swagger"] == "2.0" and doc["basePath"] == "/rest/v1"
    assert doc["host"] == "objectry.test" and doc["schemes"] == ["http"]
    assert set(doc["paths"]) == {"/", "/station"}
    assert set(doc["paths"]["/station"]) == {"get", "post", "patch", "delete"}
    station = doc["definitions"]["station"]
    assert station["required"] == ["id", "created_at", "updated_at", "version", "code"]
    props = station["properties"]
    assert props["code"] == {"type": "string", "format": "text", "maxLength": 12,
                             "description": "Code"}
    assert props["temp"] == {"type": "number", "format": "numeric", "description": "Temp"}
    assert props["day"] == {"type": "string", "format": "date", "description": "Day"}
    assert props["seen"]["format"] == "timestamp with time zone"
    assert props["kind"]["enum"] == ["a", "b"]
    assert props["id"]["description"].endswith("<pk/>")
    get = doc["paths"]["/station"]["get"]
    refs = [p["$ref"].removeprefix("#/parameters/") for p in get["parameters"]]
    assert "rowFilter.station.temp" in refs and "select" in refs and "range" in refs
    assert all(ref in doc["parameters"] for ref in refs)
    assert get["responses"]["200"]["schema"]["items"] == {"$ref": "#/definitions/station"}
    # JSON (or no Accept) gets the same document; what it cannot produce is a 406.
    assert (await api.get("/rest/v1/")).json() == doc
    refused = await api.get("/rest/v1/", headers={"Accept": "text/csv"})
    assert refused.status_code == 406 and refused.json()["code"] == "PGRST107"


async def test_it_follows_privileges_and_needs_a_credential(app, api, session):
    await make_object(api, "secret", permissions={"viewer": []})
    await make_object(api, "public_list")
    viewer = await join(app, session, "viewer")
    async with client(app, viewer.headers) as as_viewer:
        doc = (await as_viewer.get("/rest/v1/")).json()
    assert set(doc["paths"]) == {"/", "/public_list"}
    assert set(doc["paths"]["/public_list"]) == {"get"}  # a viewer may not write
    async with client(app) as anonymous:
        response = await anonymous.get("/rest/v1/")
    assert response.status_code == 401 and response.json()["code"] == "PGRST302"


async def test_another_workspace_never_sees_the_objects(app, api):
    await make_object(api, "ledger")
    attacker = await sign_up(app)
    async with client(app, attacker.headers) as theirs:
        doc = (await theirs.get("/rest/v1/")).json()
    assert set(doc["paths"]) == {"/"} and doc["definitions"] == {}
    assert not [name for name in doc["parameters"] if "ledger" in name]
