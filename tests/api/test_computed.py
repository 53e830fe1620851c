"""Computed fields through both APIs: formula, lookup, rollup (read-time values) and autonumber
(assigned at create): values, filters and order, writes refused, trashed links left out,
config errors at attach, and a second workspace that never sees the first one's records."""

from __future__ import annotations

import asyncio

import pytest

from tests.api.builders import add_field, codes, link, make_object, make_record, ok, relate
from tests.api.conftest import client, refused, sign_up

STAGES = {"options": [{"value": v, "label": v.title()} for v in ("open", "won", "lost")]}


async def build_shop(api):
    """company 1:N deal, with every kind of computed field on both sides."""
    await make_object(api, "company", plural_name="companies")
    await add_field(api, "company", "name", is_required=True)
    await make_object(api, "deal", plural_name="deals")
    await add_field(api, "deal", "title", is_required=True)
    await add_field(api, "deal", "amount", "number")
    await add_field(api, "deal", "probability", "number")
    await add_field(api, "deal", "stage", "select", STAGES)
    await add_field(api, "deal", "signed_on", "date")
    rel = await relate(api, "company_deals", "company", "deal", "1:N")
    await add_field(api, "deal", "weighted", "formula",
                    {"expression": "{amount} * {probability} / 100", "result_type": "number"})
    await add_field(api, "deal", "company_name", "lookup",
                    {"relationship": "company_deals", "field": "name"})
    await add_field(api, "company", "deal_count", "rollup",
                    {"relationship": "company_deals", "function": "count"})
    await add_field(api, "company", "open_pipeline", "rollup",
                    {"relationship": "company_deals", "function": "sum", "field": "amount",
                     "filter": "stage=eq.open"})
    await add_field(api, "company", "last_signed", "rollup",
                    {"relationship": "company_deals", "function": "max", "field": "signed_on"})
    await add_field(api, "company", "deal_titles", "lookup",
                    {"relationship": "company_deals", "field": "title"})
    return rel


async def deal(api, rel, company, title, amount, probability, stage, signed_on=None):
    data = {"title": title, "amount": amount, "probability": probability, "stage": stage}
    if signed_on:
        data["signed_on"] = signed_on
    record = await make_record(api, "deal", **data)
    await link(api, rel["id"], company["id"], record["id"])
    return record


@pytest.fixture
async def shop(api):
    rel = await build_shop(api)
    acme = await make_record(api, "company", name="Acme")
    globex = await make_record(api, "company", name="Globex")
    empty = await make_record(api, "company", name="Empty")
    deals = [await deal(api, rel, acme, "A1", 1000, 50, "open", "2026-01-10"),
             await deal(api, rel, acme, "A2", 3000, 10, "won", "2026-03-01"),
             await deal(api, rel, acme, "A3", 500, 100, "open"),
             await deal(api, rel, globex, "G1", 9000, 20, "open", "2026-02-02")]
    return {"rel": rel, "acme": acme, "globex": globex, "empty": empty, "deals": deals}


async def companies(api, **params):
    page = await ok(await api.get("/api/records", params={"object": "company", **params}))
    return {r["data"]["name"]: r["data"] for r in page["items"]}


async def test_values_on_the_records_api(api, shop):
    found = await companies(api)
    assert found["Acme"] == {"name": "Acme", "deal_count": 3, "open_pipeline": 1500,
                             "last_signed": "2026-03-01", "deal_titles": ["A1", "A2", "A3"]}
    # No links: count and sum 0, the lookup empty, max absent (null), like a stored value.
    assert found["Empty"] == {"name": "Empty", "deal_count": 0, "open_pipeline": 0,
                              "deal_titles": []}
    one = await ok(await api.get(f"/api/records/{shop['deals'][0]['id']}"))
    assert one["data"]["weighted"] == 500 and one["data"]["company_name"] == ["Acme"]
    # A create answers with its computed values too.
    created = await make_record(api, "deal", title="Z", amount=10, probability=5)
    assert created["data"]["weighted"] == 0.5 and created["data"]["company_name"] == []


async def test_values_filters_and_order_on_rest(api, shop):
    rows = await ok(await api.get("/rest/v1/deals", params={
        "select": "title,weighted,company_name", "weighted": "gt.400",
        "order": "weighted.desc,title"}))
    assert rows == [{"title": "G1", "weighted": 1800, "company_name": ["Globex"]},
                    {"title": "A1", "weighted": 500, "company_name": ["Acme"]},
                    {"title": "A3", "weighted": 500, "company_name": ["Acme"]}]
    rows = await ok(await api.get("/rest/v1/companies", params={
        "select": "name,open_pipeline,deal_count", "deal_count": "gte.1",
        "order": "open_pipeline.asc"}))
    assert rows == [{"name": "Acme", "open_pipeline": 1500, "deal_count": 3},
                    {"name": "Globex", "open_pipeline": 9000, "deal_count": 1}]
    rows = await ok(await api.get("/rest/v1/companies", params={
        "select": "name,last_signed", "order": "last_signed.desc.nullslast,name"}))
    assert rows == [{"name": "Acme", "last_signed": "2026-03-01"},
                    {"name": "Globex", "last_signed": "2026-02-02"},
                    {"name": "Empty", "last_signed": None}]
    rows = await ok(await api.get("/rest/v1/companies", params={
        "select": "name", "deal_titles": "cs.[\"G1\"]"}))
    assert rows == [{"name": "Globex"}]


async def test_a_formula_over_rollups_of_one_relationship_reads_their_values(app, api, shop):
    """The rollups of one relationship, filtered or not, and a formula over them are
    aggregated together: the values are each field's own, selected, filtered and ordered."""
    await add_field(api, "company", "open_share", "formula",
                    {"expression": "{open_pipeline} / {deal_count}", "result_type": "number"})
    select = "name,deal_count,open_pipeline,open_share,last_signed,deal_titles"
    rows = await ok(await api.get("/rest/v1/companies", params={"select": select,
                                                               "order": "name"}))
    assert rows == [
        {"name": "Acme", "deal_count": 3, "open_pipeline": 1500, "open_share": 500,
         "last_signed": "2026-03-01", "deal_titles": ["A1", "A2", "A3"]},
        {"name": "Empty", "deal_count": 0, "open_pipeline": 0, "open_share": None,
         "last_signed": None, "deal_titles": []},
        {"name": "Globex", "deal_count": 1, "open_pipeline": 9000, "open_share": 9000,
         "last_signed": "2026-02-02", "deal_titles": ["G1"]}]
    rows = await ok(await api.get("/rest/v1/companies", params={
        "select": "name,open_share,deal_count", "open_share": "lt.5000",
        "order": "deal_count.desc"}))
    assert rows == [{"name": "Acme", "open_share": 500, "deal_count": 3}]
    # Embedded, each related record's aggregates are its own too.
    rows = await ok(await api.get("/rest/v1/deals", params={
        "select": "title,company:companies(name,deal_count,open_pipeline,open_share)",
        "title": "in.(A2,G1)", "order": "title"}))
    assert rows == [
        {"title": "A2", "company": {"name": "Acme", "deal_count": 3, "open_pipeline": 1500,
                                    "open_share": 500}},
        {"title": "G1", "company": {"name": "Globex", "deal_count": 1, "open_pipeline": 9000,
                                    "open_share": 9000}}]
    # Another workspace with the same fields reads only its own links.
    other = await sign_up(app)
    async with client(app, other.headers) as theirs:
        rel = await build_shop(theirs)
        await add_field(theirs, "company", "open_share", "formula",
                        {"expression": "{open_pipeline} / {deal_count}",
                         "result_type": "number"})
        initech = await make_record(theirs, "company", name="Initech")
        await deal(theirs, rel, initech, "I1", 40, 10, "open")
        rows = await ok(await theirs.get("/rest/v1/companies", params={"select": select}))
        assert rows == [{"name": "Initech", "deal_count": 1, "open_pipeline": 40,
                         "open_share": 40, "last_signed": None, "deal_titles": ["I1"]}]
        rows = await ok(await theirs.get("/rest/v1/companies", params={
            "select": "name", "open_share": "gt.100"}))
        assert rows == []


async def test_embedded_and_expanded_records_carry_their_computed_values(api, shop):
    rows = await ok(await api.get("/rest/v1/companies", params={
        "select": "name,deals(title,weighted)", "name": "eq.Globex"}))
    assert rows == [{"name": "Globex", "deals": [{"title": "G1", "weighted": 1800}]}]
    one = await ok(await api.get(f"/api/records/{shop['globex']['id']}",
                                 params={"expand": "company_deals"}))
    assert [r["data"]["weighted"] for r in one["related"]["company_deals"]] == [1800]


async def test_a_relationship_may_be_named_by_its_id(api, shop):
    await add_field(api, "company", "amounts", "lookup",
                    {"relationship": shop["rel"]["id"], "field": "amount"})
    assert (await companies(api))["Globex"]["amounts"] == [9000]


async def test_filters_order_and_cursors_on_the_records_api(api, shop):
    page = await ok(await api.get("/api/records", params={
        "object": "company", "open_pipeline": "gt.0", "order": "open_pipeline.desc",
        "limit": 1}))
    assert [r["data"]["name"] for r in page["items"]] == ["Globex"]
    after = await ok(await api.get("/api/records", params={
        "object": "company", "open_pipeline": "gt.0", "order": "open_pipeline.desc",
        "limit": 1, "cursor": page["next_cursor"]}))
    assert [r["data"]["name"] for r in after["items"]] == ["Acme"]
    counted = await ok(await api.get("/api/records", params={
        "object": "deal", "weighted": "gte.300", "count": "exact"}))
    assert counted["total"] == 4


async def test_the_schema_tells_what_each_computed_field_gives(api, shop):
    schema = await ok(await api.get("/api/objects/deal/schema"))
    fields = {f["name"]: f for f in schema["fields"]}
    assert fields["weighted"]["operators"] == sorted(
        ["eq", "neq", "gt", "gte", "lt", "lte", "in", "is", "isdistinct"])
    assert "cs" in fields["company_name"]["operators"]
    assert fields["weighted"]["is_readonly"] and not fields["amount"]["is_readonly"]
    assert schema["json_schema"]["properties"]["weighted"]["readOnly"] is True
    assert "weighted" not in schema["json_schema"]["required"]
    described = await ok(await api.get("/rest/v1/"))
    columns = described["definitions"]["deal"]["properties"]
    assert (columns["weighted"]["format"], columns["company_name"]["format"]) == (
        "numeric", "jsonb")


async def test_writes_to_computed_fields_are_refused(api, shop):
    answer = await api.post("/api/records", json={"object": "deal", "data": {
        "title": "X", "weighted": 5, "company_name": ["Acme"]}})
    refused(answer, 422, "validation_failed")
    assert codes(answer) == [("weighted", "read_only"), ("company_name", "read_only")]
    deal_id = shop["deals"][0]["id"]
    answer = await api.patch(f"/api/records/{deal_id}", json={"data": {"weighted": 500}})
    assert codes(answer) == [("weighted", "read_only")]
    answer = await api.patch(f"/api/records/{shop['acme']['id']}",
                             json={"data": {"deal_count": 3}})
    assert codes(answer) == [("deal_count", "read_only")]
    rest = await api.post("/rest/v1/deals", json={"title": "Y", "weighted": 1})
    assert rest.status_code == 400
    assert [d["field"] for d in rest.json()["details"]] == ["weighted"]


async def test_trashed_records_leave_lookups_and_rollups(api, shop):
    await ok(await api.delete(f"/api/records/{shop['deals'][0]['id']}"), 204)
    found = await companies(api)
    assert (found["Acme"]["deal_count"], found["Acme"]["open_pipeline"],
            found["Acme"]["deal_titles"]) == (2, 500, ["A2", "A3"])
    await ok(await api.post(f"/api/records/{shop['deals'][0]['id']}/restore"))
    assert (await companies(api))["Acme"]["deal_count"] == 3
    await ok(await api.delete(f"/api/records/{shop['acme']['id']}"), 204)
    one = await ok(await api.get(f"/api/records/{shop['deals'][1]['id']}"))
    assert one["data"]["company_name"] == []


async def test_a_computed_field_that_stops_fitting_reads_as_null(api, shop):
    await ok(await api.delete(f"/api/relationships/{shop['rel']['id']}"), 204)
    schema = await ok(await api.get("/api/objects/deal/schema"))
    amount = next(f for f in schema["fields"] if f["name"] == "amount")
    await ok(await api.delete(f"/api/object-fields/{amount['object_field_id']}"), 204)
    found = await companies(api)
    assert found["Acme"] == {"name": "Acme"}  # the rollups and lookup have nothing to read
    rows = await ok(await api.get("/rest/v1/deals", params={
        "select": "title,weighted,company_name", "title": "eq.A1", "weighted": "is.null"}))
    assert rows == [{"title": "A1", "weighted": None, "company_name": None}]


@pytest.mark.parametrize(("type_", "config", "expected"), [
    ("rollup", {"relationship": "nope", "function": "count"},
     [("config.relationship", "not_found")]),
    ("rollup", {"relationship": "company_deals", "function": "sum", "field": "title"},
     [("config.field", "type")]),
    ("rollup", {"relationship": "company_deals", "function": "median", "field": "amount"},
     [("config.function", "enum")]),
    ("rollup", {"relationship": "company_deals", "function": "sum"},
     [("config.field", "required")]),
    ("rollup", {"relationship": "company_deals", "function": "count", "filter": "color=eq.x"},
     [("config.filter", "filter")]),
    ("lookup", {"relationship": "company_deals", "field": "nothing"},
     [("config.field", "not_found")]),
    ("lookup", {"relationship": "company_deals"}, [("config.field", "required")]),
    ("rollup", {"relationship": "company_deals", "function": "count", "field": "weighted"},
     [("config.field", "not_found")]),
])
async def test_link_config_errors(api, type_, config, expected):
    await build_shop(api)
    answer = await api.post("/api/objects/company/fields", json={
        "name": "bad", "label": "Bad", "type": type_, "config": config})
    refused(answer, 422, "validation_failed")
    assert codes(answer) == expected
    schema = await ok(await api.get("/api/objects/company/schema"))
    assert "bad" not in [f["name"] for f in schema["fields"]]  # nothing attached


async def test_formula_errors_carry_their_position(api):
    await build_shop(api)
    answer = await api.post("/api/objects/deal/fields", json={
        "name": "bad", "label": "Bad", "type": "formula",
        "config": {"expression": "{amount} * {nothing}", "result_type": "number"}})
    refused(answer, 422, "validation_failed")
    [problem] = answer.json()["error"]["details"]
    assert (problem["field"], problem["code"], problem["position"], problem["line"],
            problem["column"]) == ("config.expression", "formula", 11, 1, 12)
    answer = await api.post("/api/objects/deal/fields", json={
        "name": "bad", "label": "Bad", "type": "formula",
        "config": {"expression": "{title} * 2", "result_type": "number"}})
    assert codes(answer) == [("config.expression", "formula")]
    answer = await api.post("/api/objects/deal/fields", json={
        "name": "bad", "label": "Bad", "type": "formula",
        "config": {"expression": "1 +", "result_type": "banana"}})
    assert codes(answer) == [("config.result_type", "enum")]


async def test_a_cycle_between_formulas_is_refused(api):
    await build_shop(api)
    await add_field(api, "deal", "a", "formula", {"expression": "{amount} + 1",
                                                  "result_type": "number"})
    await add_field(api, "deal", "b", "formula", {"expression": "{a} * 2",
                                                  "result_type": "number"})
    field = (await ok(await api.get("/api/fields/a")))
    answer = await api.patch(f"/api/fields/{field['id']}", json={
        "config": {"expression": "{b} - 1", "result_type": "number"}})
    refused(answer, 422, "validation_failed")
    [problem] = answer.json()["error"]["details"]
    assert problem["code"] == "cycle" and "a → b → a" in problem["message"]
    # Unchanged, and a formula over a formula computes.
    record = await make_record(api, "deal", title="T", amount=4)
    assert (record["data"]["a"], record["data"]["b"]) == (5, 10)


async def test_lookups_and_rollups_cannot_be_indexed(api):
    await build_shop(api)
    answer = await api.post("/api/objects/company/fields", json={
        "name": "n", "label": "N", "type": "rollup", "is_indexed": True,
        "config": {"relationship": "company_deals", "function": "count"}})
    refused(answer, 422, "validation_failed")
    assert codes(answer) == [("is_indexed", "not_indexable")]
    answer = await api.post("/api/objects/deal/fields", json={
        "name": "age", "label": "Age", "type": "formula", "is_indexed": True,
        "config": {"expression": "DATEDIFF(TODAY(), {signed_on}, \"days\")",
                   "result_type": "number"}})
    assert codes(answer) == [("is_indexed", "not_indexable")]


async def test_a_deterministic_formula_is_indexed_and_its_filter_uses_the_index(
        app, api, owner_db, workspace_id):
    from objectry.records import query

    await build_shop(api)
    field = await add_field(api, "deal", "double", "formula",
                            {"expression": "{amount} * 2", "result_type": "number"},
                            is_indexed=True)
    snapshot = await app.state.objectry.metadata.get(workspace_id)
    obj = snapshot.object("deal")
    amount = obj.fields_by_name["amount"]
    await owner_db.execute(
        "INSERT INTO records (tenant_id, id, object_id, data)"
        " SELECT $1, 'rec_' || lpad(g::text, 16, '0'), $2, jsonb_build_object($3::text, g)"
        " FROM generate_series(1, 5000) AS g", workspace_id, obj.id, amount.id)
    await owner_db.execute("ANALYZE records")
    plan = query.plan_read(query.parse_records([("double", "eq.84")]), obj, snapshot,
                           shape="record", default_limit=50, max_limit=1000)
    sql, args = query.render_read(plan)
    explained = "\n".join(r[0] for r in await owner_db.fetch("EXPLAIN " + sql, *args))
    assert f"rx_{field['object_field']['id']}_i" in explained, explained
    rows = await ok(await api.get("/rest/v1/deals", params={"select": "amount,double",
                                                            "double": "eq.84"}))
    assert rows == [{"amount": 42, "double": 84}]


async def test_autonumbers_on_every_way_in(api):
    await make_object(api, "invoice", plural_name="invoices")
    await add_field(api, "invoice", "label")
    await make_record(api, "invoice", label="old-1")
    await make_record(api, "invoice", label="old-2")
    # Attaching numbers the existing records, oldest first.
    await add_field(api, "invoice", "number", "autonumber", {"prefix": "INV-", "digits": 4})
    await add_field(api, "invoice", "seq", "autonumber", {"start": 100})
    one = await make_record(api, "invoice", label="single")
    bulk = await ok(await api.post("/api/records/bulk", json={
        "object": "invoice", "records": [{"data": {"label": "b1"}}, {"data": {"label": "b2"}}]}),
        201)
    rest = await ok(await api.post("/rest/v1/invoices", json=[{"label": "r1"}],
                                   headers={"Prefer": "return=representation"}), 201)
    rows = await ok(await api.get("/rest/v1/invoices", params={"select": "label,number,seq",
                                                               "order": "seq"}))
    assert rows == [{"label": "old-1", "number": "INV-0001", "seq": 100},
                    {"label": "old-2", "number": "INV-0002", "seq": 101},
                    {"label": "single", "number": "INV-0003", "seq": 102},
                    {"label": "b1", "number": "INV-0004", "seq": 103},
                    {"label": "b2", "number": "INV-0005", "seq": 104},
                    {"label": "r1", "number": "INV-0006", "seq": 105}]
    assert one["data"]["number"] == "INV-0003"
    assert [r["data"]["seq"] for r in bulk["items"]] == [103, 104]
    assert rest[0]["number"] == "INV-0006"
    # Filters and order like a stored value; a write is refused; a number is never reused.
    found = await ok(await api.get("/rest/v1/invoices", params={"select": "label",
                                                                "seq": "gte.104"}))
    assert found == [{"label": "b2"}, {"label": "r1"}]
    answer = await api.post("/api/records", json={"object": "invoice",
                                                  "data": {"label": "x", "seq": 7}})
    assert codes(answer) == [("seq", "read_only")]
    await ok(await api.delete(f"/api/records/{one['id']}?permanent=true"), 204)
    after = await make_record(api, "invoice", label="after")
    assert (after["data"]["number"], after["data"]["seq"]) == ("INV-0007", 106)


async def test_an_upsert_numbers_only_what_it_inserts(api):
    await make_object(api, "sku", plural_name="skus")
    await add_field(api, "sku", "code", is_unique=True)
    await add_field(api, "sku", "n", "autonumber", {"prefix": "S"}, is_unique=True)
    await make_record(api, "sku", code="a")
    upserted = await ok(await api.post("/api/records/bulk", json={
        "object": "sku", "mode": "upsert", "match_on": "code",
        "records": [{"data": {"code": "a"}}, {"data": {"code": "b"}}]}), 201)
    assert [r["data"]["n"] for r in upserted["items"]] == ["S1", "S2"]
    rest = await ok(await api.post("/rest/v1/skus?on_conflict=code", json=[
        {"code": "b"}, {"code": "c"}], headers={
            "Prefer": "resolution=merge-duplicates,return=representation"}), 201)
    assert [r["n"] for r in rest] == ["S2", "S3"]


async def test_concurrent_creates_get_distinct_numbers(api):
    await make_object(api, "ticket")
    await add_field(api, "ticket", "subject")
    await add_field(api, "ticket", "n", "autonumber")
    made = await asyncio.gather(*(make_record(api, "ticket", subject=str(i))
                                  for i in range(12)))
    assert sorted(r["data"]["n"] for r in made) == list(range(1, 13))


async def test_another_workspace_never_sees_or_reaches_these_records(app, api, shop):
    other = await sign_up(app)
    async with client(app, other.headers) as theirs:
        await build_shop(theirs)
        mine = await make_record(theirs, "company", name="Theirs")
        assert (await companies(theirs))["Theirs"]["deal_titles"] == []
        assert mine["data"]["deal_count"] == 0
        rows = await ok(await theirs.get("/rest/v1/companies", params={
            "select": "name,deal_titles", "deal_count": "gt.0"}))
        assert rows == []
        assert (await theirs.get(f"/api/records/{shop['acme']['id']}")).status_code == 404
    assert set(await companies(api)) == {"Acme", "Globex", "Empty"}
