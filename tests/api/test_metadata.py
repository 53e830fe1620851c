"""The metadata API (objects, fields, object-fields, applications) over HTTP, real PostgreSQL."""

from __future__ import annotations

import pytest

from tests.api.builders import add_field, codes, make_object, ok


async def test_pattern_1_object_with_fields(api):
    """ER document, data-flow pattern 1: object, then fields, then attach them."""
    contact = await make_object(api, "contact", plural_name="contacts", icon="user")
    assert contact["id"].startswith("obj_") and contact["name"] == "contact"
    full_name = await ok(await api.post("/api/fields", json={
        "name": "full_name", "label": "Full name", "type": "text"}), 201)
    email = await ok(await api.post("/api/fields", json={
        "name": "email", "label": "E-mail", "type": "email"}), 201)
    for order, field in enumerate([full_name, email]):
        attached = await ok(await api.post("/api/object-fields", json={
            "object_id": contact["id"], "field_id": field["id"], "display_order": order,
            "is_required": order == 0}), 201)
        assert attached["id"].startswith("ofd_")
    schema = await ok(await api.get("/api/objects/contact/schema"))
    assert [f["name"] for f in schema["fields"]] == ["full_name", "email"]
    assert schema["fields"][0]["is_required"] is True
    assert schema["json_schema"]["required"] == ["full_name"]
    assert set(schema["json_schema"]["properties"]) == {"full_name", "email"}
    listed = await ok(await api.get("/api/object-fields", params={"object_id": contact["id"]}))
    assert [i["field_id"] for i in listed["items"]] == [full_name["id"], email["id"]]


@pytest.mark.parametrize("name", ["Contact", "1contact", "con-tact", "", "a" * 64, "ünï"])
async def test_object_name_must_be_a_slug(api, name):
    response = await api.post("/api/objects", json={"name": name, "label": "X"})
    assert response.status_code == 422
    assert ("name", "string_pattern_mismatch") in codes(response) or codes(response)[0][0] == "name"


async def test_duplicate_names_conflict(api):
    await make_object(api, "company")
    response = await api.post("/api/objects", json={"name": "company", "label": "Again"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    await ok(await api.post("/api/fields", json={"name": "domain", "label": "D", "type": "url"}),
             201)
    again = await api.post("/api/fields", json={"name": "domain", "label": "D", "type": "text"})
    assert again.status_code == 409


async def test_every_problem_of_a_body_is_listed(api):
    response = await api.post("/api/objects", json={"name": "Bad Name", "colour": "red"})
    assert response.status_code == 422
    fields = {field for field, _ in codes(response)}
    assert {"name", "label", "colour"} <= fields


async def test_body_errors_have_their_own_statuses(api):
    not_json = await api.post("/api/objects", content=b"name=x",
                              headers={"content-type": "application/x-www-form-urlencoded"})
    assert not_json.status_code == 415
    assert not_json.json()["error"]["code"] == "unsupported_media_type"
    broken = await api.post("/api/objects", content=b'{"name": ',
                            headers={"content-type": "application/json"})
    assert broken.status_code == 400
    assert broken.json()["error"]["code"] == "bad_request"


async def test_get_update_delete_by_id_or_name(api):
    obj = await make_object(api, "deal")
    assert (await ok(await api.get(f"/api/objects/{obj['id']}")))["name"] == "deal"
    assert (await ok(await api.get("/api/objects/deal")))["id"] == obj["id"]
    renamed = await ok(await api.patch("/api/objects/deal", json={"label": "Opportunity"}))
    assert renamed["label"] == "Opportunity" and renamed["updated_at"] >= obj["updated_at"]
    await ok(await api.delete("/api/objects/deal"), 204)
    missing = await api.get(f"/api/objects/{obj['id']}")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


async def test_field_config_is_validated_with_every_problem(api):
    response = await api.post("/api/fields", json={
        "name": "nickname", "label": "Nickname", "type": "text",
        "config": {"min_length": 10, "max_length": 2, "pattern": "([", "colour": "red"}})
    assert response.status_code == 422
    fields = {field for field, _ in codes(response)}
    assert {"config.pattern", "config.colour"} <= fields
    assert any(f.startswith("config.m") for f in fields)  # min_length > max_length
    unknown_type = await api.post("/api/fields", json={"name": "x", "label": "X", "type": "blob"})
    assert codes(unknown_type) == [("type", "enum")]


async def test_reserved_field_names_are_refused(api):
    response = await api.post("/api/fields", json={"name": "order", "label": "O", "type": "text"})
    assert response.status_code == 422
    assert codes(response) == [("name", "reserved")]


async def test_deleting_a_field_in_use_names_the_objects(api, owner_db, workspace_id):
    """ER document, cascade scenario 2: a field attached anywhere cannot be deleted."""
    await make_object(api, "lead")
    await make_object(api, "person")
    phone = await ok(await api.post("/api/fields", json={
        "name": "phone", "label": "Phone", "type": "phone"}), 201)
    links = []
    for obj in ("lead", "person"):
        links.append(await ok(await api.post("/api/object-fields", json={
            "object_id": obj, "field_id": phone["id"]}), 201))
    refused = await api.delete(f"/api/fields/{phone['id']}")
    assert refused.status_code == 409
    assert "lead" in refused.json()["error"]["message"]
    assert codes(refused) == [("objects", "in_use"), ("objects", "in_use")]
    for attached in links:
        await ok(await api.delete(f"/api/object-fields/{attached['id']}"), 204)
    await ok(await api.delete(f"/api/fields/{phone['id']}"), 204)
    left = await owner_db.fetchval("SELECT count(*) FROM fields WHERE tenant_id = $1 AND id = $2",
                                   workspace_id, phone["id"])
    assert left == 0


async def test_the_same_field_twice_on_one_object_conflicts(api):
    await make_object(api, "ticket")
    field = await ok(await api.post("/api/fields", json={
        "name": "subject", "label": "Subject", "type": "text"}), 201)
    body = {"object_id": "ticket", "field_id": field["id"]}
    await ok(await api.post("/api/object-fields", json=body), 201)
    assert (await api.post("/api/object-fields", json=body)).status_code == 409


async def test_attach_refers_to_missing_things_with_422(api):
    response = await api.post("/api/object-fields", json={
        "object_id": "obj_0000000000000000", "field_id": "nope"})
    assert response.status_code == 422
    assert codes(response) == [("object_id", "not_found"), ("field_id", "not_found")]


async def test_overrides_change_label_and_config_for_one_object(api):
    await make_object(api, "vendor")
    await make_object(api, "client")
    code = await ok(await api.post("/api/fields", json={
        "name": "code", "label": "Code", "type": "text", "config": {"max_length": 10}}), 201)
    await ok(await api.post("/api/object-fields", json={
        "object_id": "vendor", "field_id": code["id"],
        "field_overrides": {"label": "Vendor code", "config": {"max_length": 4}}}), 201)
    await ok(await api.post("/api/object-fields", json={
        "object_id": "client", "field_id": code["id"]}), 201)
    vendor = await ok(await api.get("/api/objects/vendor/schema"))
    assert vendor["fields"][0]["label"] == "Vendor code"
    assert vendor["fields"][0]["config"]["max_length"] == 4
    too_long = await api.post("/api/records", json={"object": "vendor", "data": {"code": "ABCDE"}})
    assert too_long.status_code == 422
    await ok(await api.post("/api/records", json={"object": "client", "data": {"code": "ABCDE"}}),
             201)
    bad = await api.post("/api/object-fields", json={
        "object_id": "vendor", "field_id": code["id"],
        "field_overrides": {"config": {"max_length": "four"}}})
    assert bad.status_code in (409, 422)


async def test_bad_override_is_refused(api):
    await make_object(api, "asset")
    tag = await ok(await api.post("/api/fields", json={"name": "tag", "label": "Tag",
                                                        "type": "text"}), 201)
    response = await api.post("/api/object-fields", json={
        "object_id": "asset", "field_id": tag["id"],
        "field_overrides": {"config": {"max_length": "four"}, "colour": 1}})
    assert response.status_code == 422
    assert len(codes(response)) >= 2


async def test_field_type_cannot_change_while_in_use(api):
    await make_object(api, "project")
    field = await add_field(api, "project", "budget", "number")
    response = await api.patch(f"/api/fields/{field['id']}", json={"type": "text"})
    assert response.status_code == 422
    assert codes(response) == [("type", "immutable")]
    free = await ok(await api.post("/api/fields", json={"name": "spare", "label": "S",
                                                         "type": "text"}), 201)
    changed = await ok(await api.patch(f"/api/fields/{free['id']}",
                                       json={"type": "number", "config": {"min": 0}}))
    assert changed["type"] == "number"


async def test_lists_page_through_every_item_once(api):
    names = [f"thing_{i}" for i in range(7)]
    for name in names:
        await make_object(api, name)
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = await ok(await api.get("/api/objects", params=params))
        assert len(page["items"]) <= 3
        seen += [o["name"] for o in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(names)
    assert (await api.get("/api/objects", params={"cursor": "garbage!"})).status_code == 400
    assert (await api.get("/api/objects", params={"limit": "many"})).status_code == 400


async def test_field_list_filters_by_type_and_category(api):
    for name, type_, category in [("a1", "text", "basic"), ("a2", "email", "contact"),
                                  ("a3", "text", "contact")]:
        await ok(await api.post("/api/fields", json={"name": name, "label": name, "type": type_,
                                                      "category": category}), 201)
    texts = await ok(await api.get("/api/fields", params={"type": "text"}))
    assert sorted(f["name"] for f in texts["items"]) == ["a1", "a3"]
    contact = await ok(await api.get("/api/fields", params={"category": "contact",
                                                             "type": "text"}))
    assert [f["name"] for f in contact["items"]] == ["a3"]


async def test_applications_crud_and_publish(api):
    await make_object(api, "contact")
    app = await ok(await api.post("/api/applications", json={
        "name": "sales", "label": "Sales", "config": {"objects": ["contact"],
                                                     "navigation": [{"object": "contact"}]}}), 201)
    assert app["id"].startswith("app_") and app["published_at"] is None
    published = await ok(await api.post(f"/api/applications/{app['id']}/publish"))
    assert published["published_at"] is not None
    changed = await ok(await api.patch(f"/api/applications/{app['id']}", json={"label": "Sell"}))
    assert changed["label"] == "Sell"
    bad = await api.post("/api/applications", json={"name": "x", "label": "X",
                                                     "config": {"objects": ["nothing"]}})
    assert codes(bad) == [("config.objects.0", "not_found")]
    await ok(await api.delete(f"/api/applications/{app['id']}"), 204)
    assert (await api.get(f"/api/applications/{app['id']}")).status_code == 404


async def test_unknown_routes_use_the_error_shape(api):
    response = await api.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


FILTER_SAMPLES = {"text": "x", "select": "a", "number": "1.5", "boolean": "true",
                  "date": "2020-01-02", "datetime": "2020-01-02T03:04:05Z",
                  "multi_select": '{"a":1}', "json": '{"a":1}'}
EVERY_OPERATOR = ("eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "match", "imatch",
                  "in", "is", "isdistinct", "cs", "cd", "ov", "fts", "plfts", "phfts", "wfts")


def filter_value(type_: str, op: str) -> str:
    sample = FILTER_SAMPLES[type_]
    special = {"in": f"({sample})", "is": "null", "cs": "{a}", "cd": "{a}", "ov": "{a}"}
    return special.get(op, sample)


async def test_schema_fields_list_exactly_the_operators_a_filter_accepts(api):
    """The admin builds its filters from `operators`: each listed one works on /rest/v1, and
    every other is refused there."""
    await make_object(api, "gauge")
    options = {"options": [{"value": "a", "label": "A"}]}
    for type_ in FILTER_SAMPLES:
        await add_field(api, "gauge", f"f_{type_}", type_,
                        options if type_ in ("select", "multi_select") else None)
    schema = await ok(await api.get("/api/objects/gauge/schema"))
    operators = {f["type"]: f["operators"] for f in schema["fields"]}
    assert operators["boolean"] == ["eq", "in", "is", "isdistinct", "neq"]
    assert operators["json"] == ["cd", "cs", "eq", "is", "isdistinct", "neq", "ov"]
    assert operators["select"] == sorted(operators["text"]) and "gt" in operators["select"]
    for type_, listed in operators.items():
        for op in EVERY_OPERATOR:
            response = await api.get("/rest/v1/gauge",
                                     params={f"f_{type_}": f"{op}.{filter_value(type_, op)}"})
            assert response.status_code == (200 if op in listed else 400), (type_, op)
