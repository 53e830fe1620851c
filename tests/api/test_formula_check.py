"""POST /api/objects/{ref}/formula/check: a draft expression checked as the field would be at
save time, its value on a sample record computed by PostgreSQL; and a second workspace that
can neither check against the object nor preview its records."""

from __future__ import annotations

import pytest

from tests.api.builders import add_field, link, make_object, make_record, ok, relate
from tests.api.conftest import client, join, refused, sign_up


@pytest.fixture
async def deals(api):
    await make_object(api, "company", plural_name="companies")
    await add_field(api, "company", "company_name")
    await make_object(api, "deal", plural_name="deals")
    await add_field(api, "deal", "title")
    await add_field(api, "deal", "amount", "currency", {"currency_code": "EUR"})
    await add_field(api, "deal", "probability", "percent")
    await add_field(api, "deal", "closed_on", "date")
    rel = await relate(api, "company_deals", "company", "deal", "1:N")
    await add_field(api, "company", "pipeline", "rollup",
                    {"relationship": "company_deals", "function": "sum", "field": "amount"})
    acme = await make_record(api, "company", company_name="Acme")
    first = await make_record(api, "deal", title="Rockets", amount=12000, probability=25,
                              closed_on="2026-11-03")
    second = await make_record(api, "deal", title="Anvils", amount=4000, probability=60)
    for deal in (first, second):
        await link(api, rel["id"], acme["id"], deal["id"])
    return {"first": first, "second": second, "acme": acme}


def check(api, obj, **body):
    return api.post(f"/api/objects/{obj}/formula/check", json=body)


async def test_type_references_and_value_on_the_first_record(api, deals):
    out = await ok(await check(api, "deal", expression="{amount} * {probability} / 100",
                               result_type="number"))
    assert out == {"type": "number", "references": ["amount", "probability"],
                   "deterministic": True, "record_id": deals["first"]["id"], "value": 3000}


async def test_a_picked_record_and_the_type_the_expression_gives(api, deals):
    out = await ok(await check(api, "deal", expression='UPPER({title}) & " " & {amount}',
                               record_id=deals["second"]["id"]))
    assert out == {"type": "text", "references": ["amount", "title"], "deterministic": True,
                   "record_id": deals["second"]["id"], "value": "ANVILS 4000"}
    out = await ok(await check(api, "deal", expression="{closed_on} >= TODAY() - 36500",
                               record_id=deals["second"]["id"]))
    assert (out["type"], out["deterministic"], out["value"]) == ("boolean", False, None)


async def test_a_rollup_is_read_through_the_same_sql(api, deals):
    out = await ok(await check(api, "company", expression="{pipeline} / 1000",
                               result_type="number"))
    assert (out["record_id"], out["value"]) == (deals["acme"]["id"], 16)


async def test_errors_carry_their_position(api, deals):
    response = await check(api, "deal", expression="{amount} *\n  {nope} + UPPER({amount})",
                           result_type="number")
    error = refused(response, 422, "validation_failed")
    assert [(d["field"], d["code"], d["position"], d["line"], d["column"], d["message"])
            for d in error["details"]] == [
        ("expression", "formula", 13, 2, 3, "unknown field {nope}"),
        ("expression", "formula", 28, 2, 18, "UPPER expects text as argument 1, not a number")]
    error = refused(await check(api, "deal", expression="{title}", result_type="number"),
                    422, "validation_failed")
    assert error["details"][0]["message"] == \
        "the expression gives text, not a number (its result type)"


async def test_the_edited_field_takes_the_drafts_place(api, deals):
    await add_field(api, "deal", "weighted", "formula",
                    {"expression": "{amount} / 2", "result_type": "number"})
    await add_field(api, "deal", "double", "formula",
                    {"expression": "{weighted} * 2", "result_type": "number"})
    error = refused(await check(api, "deal", expression="{double} + 1", result_type="number",
                                field="weighted"), 422, "validation_failed")
    assert [(d["field"], d["code"], d["message"]) for d in error["details"]] == [
        ("expression", "cycle",
         "formulas refer to each other in a cycle: weighted → double → weighted")]
    out = await ok(await check(api, "deal", expression="{amount} / 4", field="weighted"))
    assert out["value"] == 3000
    error = refused(await check(api, "deal", expression="1", field="title"),
                    422, "validation_failed")
    assert [(d["field"], d["code"]) for d in error["details"]] == [("field", "not_found")]


async def test_no_records_no_value_and_an_unknown_record(api, deals):
    await make_object(api, "empty")
    assert await ok(await check(api, "empty", expression="1 + 1")) == {
        "type": "number", "references": [], "deterministic": True, "record_id": None,
        "value": None}
    error = refused(await check(api, "deal", expression="1", record_id=deals["acme"]["id"]),
                    422, "validation_failed")
    assert [(d["field"], d["code"]) for d in error["details"]] == [("record_id", "not_found")]
    await ok(await api.delete(f"/api/records/{deals['first']['id']}"), 204)
    refused(await check(api, "deal", expression="1", record_id=deals["first"]["id"]),
            422, "validation_failed")
    out = await ok(await check(api, "deal", expression="{title}"))
    assert (out["record_id"], out["value"]) == (deals["second"]["id"], "Anvils")


async def test_body_checks(api, deals):
    refused(await check(api, "deal", expression="1", result_type="money"),
            422, "validation_failed")
    refused(await check(api, "deal", result_type="number"), 422, "validation_failed")
    refused(await check(api, "deal", expression="1", extra=True), 422, "validation_failed")
    refused(await check(api, "nothing", expression="1"), 404, "not_found")


async def test_nothing_is_saved_and_the_shared_snapshot_is_untouched(api, deals):
    await ok(await check(api, "deal", expression="{amount} * 2"))
    schema = await ok(await api.get("/api/objects/deal/schema"))
    assert [f["name"] for f in schema["fields"]] == ["title", "amount", "probability",
                                                     "closed_on"]
    rows = await ok(await api.get("/rest/v1/deals", params={"select": "title", "order": "title"}))
    assert rows == [{"title": "Anvils"}, {"title": "Rockets"}]


async def test_a_viewer_may_check_and_an_object_without_read_is_403(app, api, session, deals):
    viewer = await join(app, session, "viewer")
    async with client(app, viewer.headers) as theirs:
        assert (await ok(await check(theirs, "deal", expression="{title}")))["value"] == "Rockets"
    await ok(await api.patch("/api/objects/deal", json={"permissions": {"viewer": []}}))
    async with client(app, viewer.headers) as theirs:
        refused(await check(theirs, "deal", expression="{title}"), 403, "forbidden")


async def test_another_workspace_sees_nothing(app, api, deals):
    stranger = await sign_up(app)
    async with client(app, stranger.headers) as theirs:
        deal_id = (await ok(await api.get("/api/objects/deal")))["id"]
        refused(await check(theirs, deal_id, expression="1"), 404, "not_found")
        refused(await check(theirs, "deal", expression="1"), 404, "not_found")
        await make_object(theirs, "deal", plural_name="deals")
        await add_field(theirs, "deal", "title")
        # Their own object: another workspace's record is no sample of it.
        error = refused(await check(theirs, "deal", expression="{title}",
                                    record_id=deals["first"]["id"]), 422, "validation_failed")
        assert [(d["field"], d["code"]) for d in error["details"]] == [("record_id", "not_found")]
        assert await ok(await check(theirs, "deal", expression="{title}")) == {
            "type": "text", "references": ["title"], "deterministic": True, "record_id": None,
            "value": None}
