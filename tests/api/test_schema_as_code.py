"""Schema as code: GET /api/schema (names, stable order), diff, apply in one transaction
(all or nothing, destructive changes guarded, idempotent, dry run), and a second workspace
that sees none of it."""

from __future__ import annotations

import copy
from typing import Any

import httpx

from tests.api.builders import add_field, codes, make_object, make_record, ok, relate
from tests.api.conftest import client, eventually, join, refused, sign_up

STAGES = {"options": [{"value": v, "label": v.title()} for v in ("open", "won", "lost")]}


def doc(**sections: Any) -> dict[str, Any]:
    return {"format": "objectry-schema/1", **sections}


# A small schema written by hand, as a team would keep it in a repository.
SALES = doc(
    fields=[{"name": "title", "label": "Title", "type": "text"},
            {"name": "amount", "label": "Amount", "type": "number", "config": {"min": 0}},
            {"name": "stage", "label": "Stage", "type": "select", "config": STAGES},
            {"name": "company_name", "label": "Company", "type": "text"},
            {"name": "total", "label": "Total", "type": "rollup",
             "config": {"relationship": "company_deals", "function": "sum", "field": "amount"}},
            {"name": "double", "label": "Double", "type": "formula",
             "config": {"expression": "{amount} * 2", "result_type": "number"}}],
    objects=[{"name": "deal", "label": "Deal", "plural_name": "deals", "primary_field": "title",
              "fields": [{"field": "title", "is_required": True}, {"field": "amount"},
                         {"field": "stage"}, {"field": "double"}]},
             {"name": "company", "label": "Company", "plural_name": "companies",
              "fields": [{"field": "company_name"}, {"field": "total"}]}],
    relationships=[{"name": "company_deals", "from_object": "company", "to_object": "deal",
                    "type": "1:N", "from_label": "Company", "to_label": "Deals"}],
    views=[{"object": "deal", "name": "Open", "filter": "stage=eq.open", "order": "amount.desc"}],
    applications=[{"name": "sales", "label": "Sales", "config": {"objects": ["deal", "company"]}}],
)


async def apply(api: httpx.AsyncClient, schema: dict[str, Any], status: int = 200,
                **options: Any) -> Any:
    response = await api.post("/api/schema/apply", json={"schema": schema, **options})
    assert response.status_code == status, response.text
    return response.json()


async def current(api: httpx.AsyncClient) -> dict[str, Any]:
    return await ok(await api.get("/api/schema"))


def ops(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(c["op"], c["kind"], c["name"]) for c in report["changes"]]


async def test_get_schema_names_things_in_a_stable_order(api):
    await make_object(api, "deal", plural_name="deals")
    await add_field(api, "deal", "title")
    await add_field(api, "deal", "amount", "number", {"min": 0}, is_indexed=True)
    await make_object(api, "company")
    await add_field(api, "company", "company_name")
    await relate(api, "company_deals", "company", "deal", "1:N")
    await ok(await api.post("/api/views", json={"object": "deal", "name": "Big", "shared": True,
                                                "filter": "amount=gt.10"}), 201)
    await ok(await api.post("/api/views", json={"object": "deal", "name": "Mine"}), 201)
    await ok(await api.post("/api/applications", json={
        "name": "sales", "label": "Sales", "config": {"objects": ["deal"]}}), 201)
    schema = await current(api)
    assert schema["format"] == "objectry-schema/1"
    assert [f["name"] for f in schema["fields"]] == ["amount", "company_name", "title"]
    assert schema["fields"][0] == {"name": "amount", "label": "Amount", "type": "number",
                                   "config": {"min": 0}, "description": None, "category": None}
    assert [o["name"] for o in schema["objects"]] == ["company", "deal"]
    deal = schema["objects"][1]
    assert [(a["field"], a["display_order"], a["is_indexed"]) for a in deal["fields"]] == \
        [("title", 0, False), ("amount", 1, True)]
    assert deal["plural_name"] == "deals" and deal["primary_field"] is None
    assert schema["relationships"] == [{
        "name": "company_deals", "from_object": "company", "to_object": "deal", "type": "1:N",
        "from_label": "Company", "to_label": "Deal", "on_delete": "unlink"}]
    # Shared views only: a personal view is its creator's.
    assert [(v["object"], v["name"], v["filter"]) for v in schema["views"]] == \
        [("deal", "Big", "amount=gt.10")]
    assert schema["applications"][0]["config"] == {"objects": ["deal"], "navigation": []}
    assert "obj_" not in str(schema) and "fld_" not in str(schema)
    assert await current(api) == schema


async def test_apply_creates_everything_and_exports_the_same_document(api, owner_db,
                                                                       workspace_id):
    report = await apply(api, SALES)
    assert report["dry_run"] is False and report["indexes"] == []
    assert ("create", "object", "deal") in ops(report)
    assert ("create", "object_field", "company.total") in ops(report)
    assert all(not c["destructive"] for c in report["changes"])
    schema = await current(api)
    written = (await ok(await api.post("/api/schema/diff", json={"schema": SALES})))["changes"]
    assert written == []
    assert [a["field"] for a in schema["objects"][1]["fields"]] == \
        ["title", "amount", "stage", "double"]
    assert schema["objects"][1]["primary_field"] == "title"
    # Every rule of the API held: the formula and the rollup compute.
    company = await make_record(api, "company", company_name="Acme")
    deal = await make_record(api, "deal", title="A", amount=5, stage="open")
    assert deal["data"]["double"] == 10
    rel = await ok(await api.get("/api/relationships/company_deals"))
    await ok(await api.post("/api/relationship-records", json={
        "relationship_id": rel["id"], "from_record_id": company["id"],
        "to_record_id": deal["id"]}), 201)
    assert (await ok(await api.get(f"/api/records/{company['id']}")))["data"]["total"] == 5
    # The audit log saw each change, as if made through the API.
    audited = await owner_db.fetchval("SELECT count(*) FROM audit_log WHERE tenant_id = $1"
                                      " AND kind = 'object' AND action = 'created'",
                                      workspace_id)
    assert audited == 2


async def test_apply_twice_changes_nothing_the_second_time(api, owner_db, workspace_id):
    await apply(api, SALES)
    version = await owner_db.fetchval("SELECT schema_version FROM workspaces WHERE id = $1",
                                      workspace_id)
    again = await apply(api, SALES)
    assert again["changes"] == []
    assert await owner_db.fetchval("SELECT schema_version FROM workspaces WHERE id = $1",
                                   workspace_id) == version


async def test_an_apply_moves_the_schema_version_once_and_other_processes_see_it(
        api, owner_db, workspace_id, session, other_process):
    """Its many changes move the workspace's version together at the end (metadata/changes.py
    `schema_batch`: moved at each change, a 3,000-field apply took 76 s, quadratic), and the
    one notice still reaches every process."""
    version = "SELECT schema_version FROM workspaces WHERE id = $1"
    async with client(other_process, session.headers) as there:
        assert (await there.get("/api/records?object=deal")).status_code == 404  # cached
        before = await owner_db.fetchval(version, workspace_id)
        report = await apply(api, SALES)
        assert len(report["changes"]) == 17
        assert await owner_db.fetchval(version, workspace_id) == before + 1

        async def sees_deals() -> bool:
            return (await there.get("/api/records?object=deal")).status_code == 200

        await eventually(sees_deals)
        # A change through the API afterwards moves it again, by one.
        await add_field(api, "deal", "note")
        assert await owner_db.fetchval(version, workspace_id) == before + 2


async def test_diff_lists_updates_and_destructive_changes(api):
    await apply(api, SALES)
    changed = copy.deepcopy(SALES)
    changed["fields"][1]["config"] = {"min": 1}  # amount
    changed["fields"][0]["type"] = "long_text"  # title: a type change
    changed["objects"][0]["fields"] = [a for a in changed["objects"][0]["fields"]
                                       if a["field"] != "double"]
    changed["fields"] = [f for f in changed["fields"] if f["name"] != "double"]
    changed["views"] = []
    diff = await ok(await api.post("/api/schema/diff", json={"schema": changed}))
    found = {(c["op"], c["kind"], c["name"]): c for c in diff["changes"]}
    assert set(found) == {("delete", "view", "deal.Open"),
                          ("delete", "object_field", "deal.double"),
                          ("delete", "field", "double"), ("update", "field", "amount"),
                          ("update", "field", "title")}
    assert found[("update", "field", "amount")]["before"]["config"] == {"min": 0}
    assert found[("update", "field", "amount")]["after"]["config"] == {"min": 1}
    assert not found[("update", "field", "amount")]["destructive"]
    assert found[("update", "field", "title")]["destructive"]
    assert found[("delete", "field", "double")]["destructive"]
    assert "after" not in found[("delete", "field", "double")]


async def test_destructive_changes_are_refused_listing_them_unless_allowed(api, owner_db,
                                                                          workspace_id):
    await apply(api, SALES)
    smaller = copy.deepcopy(SALES)
    smaller["objects"] = [o for o in smaller["objects"] if o["name"] != "company"]
    smaller["relationships"] = []
    smaller["fields"] = [f for f in smaller["fields"] if f["name"] not in
                         ("total", "company_name")]
    smaller["applications"][0]["config"]["objects"] = ["deal"]
    smaller["objects"][0]["label"] = "Opportunity"
    response = await api.post("/api/schema/apply", json={"schema": smaller})
    error = refused(response, 409, "conflict")
    assert sorted(d["field"] for d in error["details"]) == [
        "field.company_name", "field.total", "object.company", "relationship.company_deals"]
    assert {d["code"] for d in error["details"]} == {"destructive"}
    unchanged = await current(api)
    assert [(o["name"], o["label"]) for o in unchanged["objects"]] == \
        [("company", "Company"), ("deal", "Deal")]
    report = await apply(api, smaller, allow_destructive=True)
    assert ("delete", "object", "company") in ops(report)
    after = await current(api)
    assert [o["name"] for o in after["objects"]] == ["deal"]
    assert after["objects"][0]["label"] == "Opportunity"
    assert (await ok(await api.post("/api/schema/diff", json={"schema": smaller})))[
        "changes"] == []


async def test_a_failing_change_midway_leaves_nothing(api, owner_db, workspace_id):
    await make_object(api, "deal", label="Deal")
    await add_field(api, "deal", "amount", "number")
    await make_record(api, "deal", amount=5)
    before = await current(api)
    version = await owner_db.fetchval("SELECT schema_version FROM workspaces WHERE id = $1",
                                      workspace_id)
    bad = copy.deepcopy(before)
    bad["objects"].append({"name": "company", "label": "Company", "fields": []})
    bad["objects"][0]["fields"].append({"field": "note", "is_required": False})
    bad["fields"].append({"name": "note", "label": "Note", "type": "text"})
    # A formula naming a field that does not exist: refused when attached, after the
    # object and the other field were made in the same transaction.
    bad["fields"].append({"name": "broken", "label": "Broken", "type": "formula",
                          "config": {"expression": "{nope} + 1", "result_type": "number"}})
    bad["objects"][0]["fields"].append({"field": "broken"})
    response = await api.post("/api/schema/apply", json={"schema": bad})
    error = refused(response, 422, "validation_failed")
    assert all(d["field"].startswith("object_field.deal.broken") for d in error["details"])
    assert await current(api) == before
    assert await owner_db.fetchval("SELECT schema_version FROM workspaces WHERE id = $1",
                                   workspace_id) == version
    assert await owner_db.fetchval("SELECT count(*) FROM objects WHERE tenant_id = $1",
                                   workspace_id) == 1
    assert await owner_db.fetchval("SELECT count(*) FROM audit_log WHERE tenant_id = $1"
                                   " AND kind = 'object' AND target_name = 'company'",
                                   workspace_id) == 0


async def test_dry_run_reports_and_changes_nothing(api, owner_db, workspace_id):
    report = await apply(api, SALES, dry_run=True)
    assert report["dry_run"] is True
    assert ("create", "object", "deal") in ops(report)
    assert (await current(api))["objects"] == []
    assert await owner_db.fetchval("SELECT count(*) FROM fields WHERE tenant_id = $1",
                                   workspace_id) == 0
    # A dry run runs every check: one that fails says so.
    bad = copy.deepcopy(SALES)
    bad["views"][0]["filter"] = "nope=eq.1"
    response = await api.post("/api/schema/apply", json={"schema": bad, "dry_run": True})
    assert response.status_code in (400, 422), response.text


async def test_index_flags_are_set_after_the_commit_and_reported(api, owner_db, workspace_id):
    schema = copy.deepcopy(SALES)
    schema["objects"][0]["fields"][0]["is_unique"] = True
    report = await apply(api, schema)
    assert report["indexes"] == [{"name": "deal.title", "is_unique": True, "status": "done"}]
    ofd = (await current(api))["objects"][1]["fields"][0]
    assert (ofd["field"], ofd["is_unique"]) == ("title", True)
    built = await owner_db.fetchval(
        "SELECT count(*) FROM pg_indexes WHERE tablename = 'records' AND indexname LIKE"
        " 'rx_%_u' AND indexdef LIKE '%' || $1 || '%'", workspace_id)
    assert built == 1
    assert (await apply(api, schema))["changes"] == []
    # Duplicates refuse the flag, and the rest of the apply stands; the next apply retries.
    schema["objects"][0]["fields"][1]["is_unique"] = True  # amount
    await make_record(api, "deal", title="x", amount=1)
    await make_record(api, "deal", title="y", amount=1)
    report = await apply(api, schema)
    assert report["indexes"][0]["status"] == "refused"
    assert report["indexes"][0]["error"]["code"] == "conflict"
    assert ops(await ok(await api.post("/api/schema/diff", json={"schema": schema}))) == \
        [("update", "object_field", "deal.amount")]
    # Detaching an indexed field: its index is dropped once the apply has committed (inside
    # it, DROP INDEX CONCURRENTLY would wait for the apply itself).
    schema["objects"][0]["fields"] = [a for a in schema["objects"][0]["fields"]
                                      if a["field"] != "title"]
    schema["objects"][0]["primary_field"] = None
    report = await apply(api, schema, allow_destructive=True)
    assert ("delete", "object_field", "deal.title") in ops(report)
    assert await owner_db.fetchval(
        "SELECT count(*) FROM pg_indexes WHERE tablename = 'records' AND indexname LIKE"
        " 'rx_%_u' AND indexdef LIKE '%' || $1 || '%'", workspace_id) == 0


async def test_invalid_documents_list_every_problem(api):
    bad = doc(fields=[{"name": "Bad Name", "label": "x", "type": "text"}],
              objects=[{"name": "deal", "label": "Deal",
                        "fields": [{"field": "missing"}], "primary_field": "nope"}],
              relationships=[{"name": "r", "from_object": "deal", "to_object": "ghost",
                              "type": "1:N", "from_label": "a", "to_label": "b"}])
    response = await api.post("/api/schema/apply", json={"schema": bad})
    refused(response, 422, "validation_failed")
    assert ("schema.fields.0.name", "string_pattern_mismatch") in codes(response)
    good_names = doc(fields=[], objects=[{"name": "deal", "label": "Deal",
                                          "fields": [{"field": "missing"}],
                                          "primary_field": "nope"}],
                     relationships=[{"name": "r", "from_object": "deal", "to_object": "ghost",
                                     "type": "1:N", "from_label": "a", "to_label": "b"}],
                     views=[{"object": "ghost", "name": "V"}])
    response = await api.post("/api/schema/diff", json={"schema": good_names})
    refused(response, 422, "validation_failed")
    assert codes(response) == [("schema.objects.0.fields.0.field", "not_found"),
                               ("schema.objects.0.primary_field", "not_found"),
                               ("schema.relationships.0.to_object", "not_found"),
                               ("schema.views.0.object", "not_found")]
    # A field type that does not exist (schemathesis found the diff answering 200 with it).
    unknown = doc(fields=[{"name": "a", "label": "A", "type": "AAA"},
                          {"name": "b", "label": "B", "type": "text"}])
    for path in ("/api/schema/diff", "/api/schema/apply"):
        response = await api.post(path, json={"schema": unknown})
        refused(response, 422, "validation_failed")
        assert codes(response) == [("schema.fields.0.type", "enum")]
    response = await api.post("/api/schema/apply", json={"schema": {"format": "other/2"}})
    assert ("schema.format", "literal_error") in codes(response)
    # What the objects API checks, checked when the change is made (and nothing made).
    response = await api.post("/api/schema/apply", json={"schema": doc(objects=[
        {"name": "deal", "label": "Deal", "permissions": {"hacker": ["read"]}}])})
    refused(response, 422, "validation_failed")
    assert codes(response) == [("object.deal.permissions", "value_error")]
    assert (await current(api))["objects"] == []
    assert (await current(api))["fields"] == []


async def test_rights_and_a_second_workspace(app, api, session):
    await apply(api, SALES)
    viewer = await join(app, session, "viewer")
    async with client(app, viewer.headers) as reader:
        assert (await ok(await reader.get("/api/schema")))["objects"][0]["name"] == "company"
        refused(await reader.post("/api/schema/diff", json={"schema": SALES}), 403, "forbidden")
        refused(await reader.post("/api/schema/apply", json={"schema": SALES}), 403,
                "forbidden")
    other = await sign_up(app)
    async with client(app, other.headers) as them:
        theirs = await ok(await them.get("/api/schema"))
        assert theirs["objects"] == [] and theirs["fields"] == []
        report = await ok(await them.post("/api/schema/diff", json={"schema": SALES}))
        assert ("create", "object", "deal") in ops(report)
    assert len((await current(api))["objects"]) == 2


async def test_updates_of_every_kind_and_a_replaced_relationship(api):
    await apply(api, SALES)
    await make_record(api, "deal", title="A")
    changed = copy.deepcopy(SALES)
    changed["objects"][0]["primary_field"] = None
    changed["objects"][0]["fields"][1]["is_required"] = True  # amount
    changed["objects"][0]["fields"][1]["field_overrides"] = {"label": "Value"}
    changed["relationships"][0]["type"] = "N:N"  # cannot change in place
    changed["relationships"][0]["to_label"] = "Opportunities"
    changed["views"][0]["order"] = "title.asc"
    changed["applications"][0]["config"]["navigation"] = ["deal"]
    changed["applications"][0]["label"] = "Sales team"
    diff = await ok(await api.post("/api/schema/diff", json={"schema": changed}))
    assert ops(diff) == [("delete", "relationship", "company_deals"),
                         ("update", "object", "deal"),
                         ("create", "relationship", "company_deals"),
                         ("update", "object_field", "deal.amount"),
                         ("update", "view", "deal.Open"),
                         ("update", "application", "sales")]
    assert [c["destructive"] for c in diff["changes"]] == [True] + [False] * 5
    refused(await api.post("/api/schema/apply", json={"schema": changed}), 409, "conflict")
    await apply(api, changed, allow_destructive=True)
    after = await current(api)
    assert after["relationships"][0]["type"] == "N:N"
    assert after["objects"][1]["primary_field"] is None
    assert after["objects"][1]["fields"][1]["field_overrides"] == {"label": "Value"}
    assert after["views"][0]["order"] == "title.asc"
    assert after["applications"][0]["label"] == "Sales team"
    assert (await ok(await api.post("/api/schema/diff", json={"schema": changed})))[
        "changes"] == []


async def test_api_token_scopes(app, api):
    async def token(*scopes: str) -> dict[str, str]:
        made = await ok(await api.post("/api/tokens", json={"name": "-".join(scopes),
                                                            "scopes": list(scopes)}), 201)
        return {"Authorization": f"Bearer {made['token']}"}

    async with client(app, await token("schema:read")) as reader:
        assert (await ok(await reader.get("/api/schema")))["format"] == "objectry-schema/1"
        refused(await reader.post("/api/schema/apply", json={"schema": SALES}), 403,
                "forbidden")
    async with client(app, await token("schema:read", "schema:write", "records:read")) as ci:
        assert ops(await ok(await ci.post("/api/schema/apply", json={"schema": SALES})))
    async with client(app, await token("records:read")) as other:
        refused(await other.get("/api/schema"), 403, "forbidden")


async def test_concurrent_applies_of_one_document_make_it_once(api, owner_db, workspace_id):
    import asyncio

    first, second = await asyncio.gather(*(api.post("/api/schema/apply", json={"schema": SALES})
                                           for _ in range(2)))
    assert (first.status_code, second.status_code) == (200, 200), (first.text, second.text)
    assert sorted([len(first.json()["changes"]) > 0, len(second.json()["changes"]) > 0]) == \
        [False, True]
    assert await owner_db.fetchval("SELECT count(*) FROM objects WHERE tenant_id = $1",
                                   workspace_id) == 2
