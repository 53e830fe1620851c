"""Issue 16's round trip, end to end: a template with its sample records → every object
exported as CSV → the schema pulled → a fresh workspace → the schema pushed → each CSV
imported → the same schema document and the same records, by value.

Links are not part of a CSV (a file holds one object's columns), so what they feed — lookups
and rollups — is not compared; every stored field is. Autonumbers are never imported (they are
assigned at create), so the export is in their order: the import then numbers the records as
the first workspace did."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.builders import ok
from tests.api.conftest import client, sign_up
from tests.api.test_import import finished, start

LINK_FED = {"lookup", "rollup"}


async def stored_values(api: httpx.AsyncClient, schema: dict[str, Any]
                        ) -> dict[str, list[dict[str, Any]]]:
    """Each object's records as field name → value, without ids, times or link-fed values,
    sorted so that two workspaces compare."""
    types = {f["name"]: f["type"] for f in schema["fields"]}
    values: dict[str, list[dict[str, Any]]] = {}
    for obj in schema["objects"]:
        names = [f["field"] for f in obj["fields"] if types[f["field"]] not in LINK_FED]
        page = await ok(await api.get("/api/records", params={"object": obj["name"],
                                                              "limit": "1000"}))
        rows = [{n: r["data"].get(n) for n in names} for r in page["items"]]
        values[obj["name"]] = sorted(rows, key=repr)
    return values


async def test_template_export_pull_push_import_gives_the_same_schema_and_records(app, api):
    await ok(await api.post("/api/templates/crm/apply", json={"with_sample_records": True}))
    schema = await ok(await api.get("/api/schema"))
    types = {f["name"]: f["type"] for f in schema["fields"]}
    files = {}
    for obj in schema["objects"]:
        numbered = [f["field"] for f in obj["fields"] if types[f["field"]] == "autonumber"]
        exported = await api.get(f"/api/objects/{obj['name']}/export",
                                 params={"format": "csv", "header": "names",
                                         "order": ",".join([*numbered, "created_at", "id"])})
        assert exported.status_code == 200, exported.text
        assert exported.headers["content-type"].startswith("text/csv")
        files[obj["name"]] = exported.content
    before = await stored_values(api, schema)
    assert sum(len(rows) for rows in before.values()) > 0

    fresh = await sign_up(app)
    async with client(app, fresh.headers) as other:
        await ok(await other.post("/api/schema/apply", json={"schema": schema}))
        assert await ok(await other.get("/api/schema")) == schema
        for name, content in files.items():
            answer = await ok(await start(other, content, {"mode": "insert",
                                                           "on_error": "abort"},
                                          obj=name, name=f"{name}.csv"), 202)
            job = await finished(other, answer["id"])
            assert (job["status"], job["errors"], job["created"]) == (
                "succeeded", [], len(before[name])), (name, job)
        assert await stored_values(other, schema) == before
        # Importing changed no schema.
        assert await ok(await other.get("/api/schema")) == schema
