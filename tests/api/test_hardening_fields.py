"""Hardening of field configs and values over HTTP: RE2 patterns, caps, exact numbers, URL
schemes, datetime overflow, and configs stored before these checks existed."""

from __future__ import annotations

import json

import pytest

from tests.api.builders import add_field, codes, make_object, make_record, ok, relate


def nested(levels: int) -> object:
    value: object = "leaf"
    for i in range(levels):
        value = [value] if i % 2 else {"k": value}
    return value


def fan_out(levels: int) -> dict:
    defs = {f"a{i}": {"anyOf": [{"$ref": f"#/$defs/a{i + 1}"}, {"$ref": f"#/$defs/a{i + 1}"}]}
            for i in range(levels)}
    return {"$defs": {**defs, f"a{levels}": {"type": "string"}}, "$ref": "#/$defs/a0"}


async def refused_422(response) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_failed"
    return codes(response)


@pytest.mark.parametrize(("pattern", "why"), [(r"^(a)\1$", "backreferences"),
                                              (r"(?=\d)\w+", "look-aheads"),
                                              (r"(?<!x)y", "look-behinds")])
async def test_a_pattern_re2_cannot_run_is_refused_when_saved(api, pattern, why):
    await make_object(api, "note")
    response = await api.post("/api/fields", json={"name": "code", "label": "Code",
                                                   "type": "text", "config": {"pattern": pattern}})
    assert await refused_422(response) == [("config.pattern", "regex")]
    assert why in response.json()["error"]["details"][0]["message"]
    plain = await add_field(api, "note", "code")
    changed = await api.patch(f"/api/fields/{plain['id']}", json={"config": {"pattern": pattern}})
    assert await refused_422(changed) == [("config.pattern", "regex")]
    override = await api.patch(f"/api/object-fields/{plain['object_field']['id']}",
                               json={"field_overrides": {"config": {"pattern": pattern}}})
    assert await refused_422(override) == [("field_overrides.config.pattern", "regex")]


async def test_a_pattern_is_searched_in_linear_time(api):
    await make_object(api, "note")
    await add_field(api, "note", "code", config={"pattern": r"^(a+)+$", "max_length": 100_000})
    assert (await make_record(api, "note", code="a" * 50))["data"]["code"] == "a" * 50
    response = await api.post("/api/records", json={"object": "note",
                                                    "data": {"code": "a" * 99_999 + "!"}})
    assert await refused_422(response) == [("code", "pattern")]


@pytest.mark.parametrize(("schema", "expected"), [
    ({"type": "string", "pattern": "(?=a)"}, "regex"),
    ({"patternProperties": {r"(\w)\1": {}}}, "regex"),
    (fan_out(20), "schema"),
    ({"$ref": "#"}, "schema"),
    ({"description": "x" * 64 * 1024}, "too_large"),
    ({"not": nested(16)}, "too_deep"),
])
async def test_json_schemas_are_checked_when_saved(api, schema, expected):
    response = await api.post("/api/fields", json={"name": "doc", "label": "Doc", "type": "json",
                                                   "config": {"schema": schema}})
    assert await refused_422(response) == [("config.schema", expected)]


async def test_json_values_are_at_most_32_levels_and_1_mb(api):
    await make_object(api, "note")
    await add_field(api, "note", "meta", "json")
    record = await make_record(api, "note", meta=nested(32))
    assert (await ok(await api.get(f"/api/records/{record['id']}")))["data"]["meta"] == nested(32)
    deep = await api.post("/api/records", json={"object": "note", "data": {"meta": nested(33)}})
    assert await refused_422(deep) == [("meta", "too_deep")]
    large = await api.post("/api/records", json={"object": "note",
                                                 "data": {"meta": ["x" * 600_000] * 2}})
    assert await refused_422(large) == [("meta", "too_large")]


async def metadata_targets(api) -> list[tuple[str, str, str, object]]:
    """(method, path, property, body builder) for every JSON-ish metadata property."""
    await make_object(api, "note")
    await make_object(api, "tag")
    field = await add_field(api, "note", "title")
    rel = await relate(api, "tags", "note", "tag", "N:N")
    note, tag = await make_record(api, "note", title="n"), await make_record(api, "tag")
    app = await ok(await api.post("/api/applications", json={"name": "crm", "label": "CRM"}), 201)
    return [
        ("post", "/api/objects", "views", lambda v: {"name": "x", "label": "X", "views": v}),
        ("patch", "/api/objects/note", "views", lambda v: {"views": v}),
        ("post", "/api/fields", "config", lambda v: {"name": "x", "label": "X", "type": "json",
                                                     "config": {"default": v}}),
        ("patch", f"/api/fields/{field['id']}", "config", lambda v: {"config": {"x": v}}),
        ("patch", f"/api/object-fields/{field['object_field']['id']}", "field_overrides",
         lambda v: {"field_overrides": {"config": {"x": v}}}),
        ("post", "/api/relationship-records", "relationship_metadata",
         lambda v: {"relationship_id": rel["id"], "from_record_id": note["id"],
                    "to_record_id": tag["id"], "relationship_metadata": {"x": v}}),
        ("post", "/api/applications", "config", lambda v: {"name": "x", "label": "X",
                                                           "config": {"theme": v}}),
        ("patch", f"/api/applications/{app['id']}", "config",
         lambda v: {"config": {"theme": v}}),
        ("post", "/api/objects", "permissions",
         lambda v: {"name": "y", "label": "Y", "permissions": {"viewer": ["read"] * 200_000}}),
    ]


async def test_json_metadata_nested_past_orjson_is_422_on_the_property(api, owner_db,
                                                                      workspace_id):
    """300 levels: parsed by the body reader (it stops at 1,024), refused by orjson when
    stored (255): a 500 before the 32-level cap."""
    targets = await metadata_targets(api)
    version = "SELECT schema_version FROM workspaces WHERE id = $1"
    before = await owner_db.fetchval(version, workspace_id)
    for method, path, prop, body in targets:
        if prop == "permissions":
            continue
        response = await getattr(api, method)(path, json=body(nested(300)))
        assert await refused_422(response) == [(prop, "too_deep")], (method, path)
    assert await owner_db.fetchval(version, workspace_id) == before  # nothing was written
    assert await owner_db.fetchval("SELECT count(*) FROM relationship_records WHERE"
                                   " tenant_id = $1", workspace_id) == 0


async def test_json_metadata_over_a_megabyte_is_422_on_the_property(api):
    for method, path, prop, body in await metadata_targets(api):
        response = await getattr(api, method)(path, json=body(["x" * 500_000] * 3))
        assert await refused_422(response) == [(prop, "too_large")], (method, path)


async def test_json_metadata_within_the_caps_is_stored_as_given(api):
    views = {"grid": nested(31)}
    obj = await ok(await api.post("/api/objects", json={"name": "n", "label": "N",
                                                        "views": views}), 201)
    assert (await ok(await api.get(f"/api/objects/{obj['id']}")))["views"] == views


async def test_rich_text_is_at_most_1_mb_and_64_levels(api):
    await make_object(api, "page")
    await add_field(api, "page", "body", "rich_text")
    ok64 = "<div>" * 64 + "x" + "</div>" * 64
    assert (await make_record(api, "page", body=ok64))["data"]["body"] == ok64
    for html, code in [("<div>" * 65 + "x", "too_deep"), ("<div/>" * 100, "too_deep"),
                       ("<p>" + "x" * 1024 * 1024 + "</p>", "too_large")]:
        response = await api.post("/api/records", json={"object": "page", "data": {"body": html}})
        assert await refused_422(response) == [("body", code)]


@pytest.mark.parametrize(("type_", "config"), [("number", {}), ("currency", {"precision": 0}),
                                               ("percent", {}), ("json", {})])
async def test_integers_beyond_2_53_are_refused_not_rounded(api, type_, config):
    await make_object(api, "count")
    await add_field(api, "count", "n", type_, config)
    for raw in ("9007199254740993", "-9007199254740993", "123456789012345678901234567890"):
        body = f'{{"object": "count", "data": {{"n": {raw}}}}}'
        response = await api.post("/api/records", content=body,
                                  headers={"Content-Type": "application/json"})
        assert await refused_422(response) == [("n", "range")], raw
    record = await make_record(api, "count", n=2**53)
    assert (await ok(await api.get(f"/api/records/{record['id']}")))["data"]["n"] == 2**53
    rows = await ok(await api.get("/rest/v1/count", params={"select": "n"}))
    assert rows == [{"n": 2**53}]
    rest = await api.post("/rest/v1/count", content='{"n": 9007199254740993}',
                          headers={"Content-Type": "application/json"})
    assert rest.status_code == 400 and rest.json()["code"] == "23514"
    assert [(d["field"], d["code"]) for d in rest.json()["details"]] == [("n", "range")]


@pytest.mark.parametrize(("type_", "config"), [
    ("number", {"min": 9007199254740993}), ("number", {"max": -(2**60)}),
    ("currency", {"default": 10**20}), ("percent", {"max": 1e300}),
    ("rating", {"default": 2**53 + 1}),
])
async def test_numeric_config_beyond_2_53_is_refused(api, type_, config):
    response = await api.post("/api/fields", content=json.dumps(
        {"name": "n", "label": "N", "type": type_, "config": config}),
        headers={"Content-Type": "application/json"})
    [(field, code)] = await refused_422(response)
    assert (field, code) == (f"config.{next(iter(config))}", "range")


@pytest.mark.parametrize("scheme", ["javascript", "JavaScript", "DATA", "VBScript"])
async def test_url_schemes_that_run_code_are_refused_in_any_case(api, scheme):
    response = await api.post("/api/fields", json={"name": "site", "label": "Site", "type": "url",
                                                   "config": {"schemes": ["https", scheme]}})
    assert await refused_422(response) == [("config.schemes.1", "forbidden")]
    await make_object(api, "firm")
    site = await add_field(api, "firm", "site", "url")
    override = await api.patch(f"/api/object-fields/{site['object_field']['id']}",
                               json={"field_overrides": {"config": {"schemes": [scheme]}}})
    assert await refused_422(override) == [("field_overrides.config.schemes.0", "forbidden")]


async def test_url_values_compare_schemes_case_insensitively(api):
    await make_object(api, "firm")
    await add_field(api, "firm", "site", "url", {"schemes": ["HTTPS"]})
    assert (await make_record(api, "firm", site="HTTPS://x.org"))["data"]["site"] == "HTTPS://x.org"
    response = await api.post("/api/records", json={"object": "firm",
                                                    "data": {"site": "JavaScript://x.org"}})
    assert await refused_422(response) == [("site", "format")]


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
async def test_datetimes_that_overflow_after_their_offset_are_422(api, value):
    await make_object(api, "event")
    await add_field(api, "event", "at", "datetime")
    response = await api.post("/api/records", json={"object": "event", "data": {"at": value}})
    assert await refused_422(response) == [("at", "format")]
    rest = await api.post("/rest/v1/event", json={"at": value})
    assert rest.status_code == 400 and [d["field"] for d in rest.json()["details"]] == ["at"]
    for key in ("min", "max"):
        config = await api.post("/api/fields", json={"name": "at2", "label": "At",
                                                     "type": "datetime", "config": {key: value}})
        assert await refused_422(config) == [(f"config.{key}", "format")]


STALE = {  # configs saved before today's checks; each now fails one of them
    "code": ("text", {"pattern": "(?=x)x"}),
    "doc": ("json", {"schema": fan_out(24)}),
    "at": ("datetime", {"min": "0001-01-01T00:00:00+14:00"}),
    "site": ("url", {"schemes": ["javascript"]}),
}


async def test_configs_stored_before_the_caps_break_no_read(app, api, owner_db, workspace_id):
    await make_object(api, "note")
    await add_field(api, "note", "title")
    for name, (type_, _) in STALE.items():
        await add_field(api, "note", name, type_)
    record = await make_record(api, "note", title="kept", code="x")
    for name, (_, config) in STALE.items():
        await owner_db.execute("UPDATE fields SET config = $3::jsonb WHERE tenant_id = $1 AND"
                               " name = $2", workspace_id, name, json.dumps(config))
    app.state.objectry.metadata.invalidate(workspace_id)  # as the listener would on NOTIFY
    schema = await ok(await api.get("/api/objects/note/schema"))
    assert [f["name"] for f in schema["fields"]] == ["title", *STALE]
    assert (await ok(await api.get(f"/api/records/{record['id']}")))["data"]["code"] == "x"
    assert len((await ok(await api.get("/api/records", params={"object": "note"})))["items"]) == 1
    assert (await ok(await api.get("/rest/v1/note", params={"select": "title"}))) == [
        {"title": "kept"}]
    await make_record(api, "note", title="still writable")
    for name, value in [("code", "x"), ("doc", 1), ("at", "2026-01-01T00:00:00Z"),
                        ("site", "javascript:alert(1)")]:
        response = await api.post("/api/records", json={"object": "note",
                                                        "data": {"title": "t", name: value}})
        [(field, _)] = await refused_422(response)
        assert field == name


async def test_heavy_validation_in_a_worker_thread_gives_the_same_answers(api):
    """Bulks of 100+ records, and PATCHes matching as many, are validated off the loop."""
    await make_object(api, "page")
    await add_field(api, "page", "body", "rich_text")
    records = [{"data": {"body": f"<p>{i}<script>x</script></p>"}} for i in range(120)]
    made = await ok(await api.post("/api/records/bulk", json={"object": "page",
                                                              "records": records}), 201)
    assert [r["data"]["body"] for r in made["items"]] == [f"<p>{i}</p>" for i in range(120)]
    records[7]["data"]["body"] = "<div>" * 65
    refused = await api.post("/api/records/bulk", json={"object": "page", "records": records})
    assert await refused_422(refused) == [("7.body", "too_deep")]
    patched = await api.patch("/rest/v1/page", params={"id": "not.is.null"},
                              json={"body": "<b onclick='x()'>all</b>"},
                              headers={"Prefer": "return=representation"})
    assert patched.status_code == 200
    assert {row["body"] for row in patched.json()} == {"<b>all</b>"}
    assert len(patched.json()) == 120
