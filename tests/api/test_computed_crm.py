"""The seed CRM (shared/seeds: contacts, companies, deals, pipeline stages) with its computed
fields, built through the API: a deal's weighted value (formula), a company's open pipeline
(rollup with a filter), the contact's company name (lookup), deal numbers (autonumber)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.api.builders import add_field, link, make_object, make_record, ok, relate
from tests.api.conftest import client, join

STAGES = {"options": [{"value": v, "label": v.title()} for v in ("open", "won", "lost")]}


async def build_crm(api):
    await make_object(api, "company", plural_name="companies")
    await add_field(api, "company", "company_name", is_required=True)
    await add_field(api, "company", "domain", "url")
    await make_object(api, "contact", plural_name="contacts")
    await add_field(api, "contact", "full_name", is_required=True)
    await add_field(api, "contact", "email", "email", is_unique=True)
    await make_object(api, "pipeline_stage")
    await add_field(api, "pipeline_stage", "stage_name", is_required=True)
    await add_field(api, "pipeline_stage", "position", "number", {"integer": True})
    await make_object(api, "deal", plural_name="deals")
    await add_field(api, "deal", "title", is_required=True)
    await add_field(api, "deal", "amount", "currency", {"currency_code": "EUR"})
    await add_field(api, "deal", "probability", "percent", {"min": 0, "max": 100})
    await add_field(api, "deal", "stage", "select", STAGES, is_required=True)
    await add_field(api, "deal", "closed_on", "date")
    rels = {"works_at": await relate(api, "works_at", "company", "contact", "1:N"),
            "company_deals": await relate(api, "company_deals", "company", "deal", "1:N"),
            "stage_deals": await relate(api, "stage_deals", "pipeline_stage", "deal", "1:N")}
    await add_field(api, "deal", "number", "autonumber", {"prefix": "DEAL-", "digits": 3})
    await add_field(api, "deal", "weighted", "formula",
                    {"expression": "{amount} * {probability} / 100", "result_type": "number"})
    await add_field(api, "deal", "headline", "formula",
                    {"expression": 'CONCAT({title}, " — ", UPPER({stage}), '
                                   'IF({stage} = "won", " ✓", ""))', "result_type": "text"})
    await add_field(api, "deal", "stage_label", "lookup",
                    {"relationship": "stage_deals", "field": "stage_name"})
    await add_field(api, "company", "open_pipeline", "rollup",
                    {"relationship": "company_deals", "function": "sum", "field": "amount",
                     "filter": "stage=eq.open"})
    await add_field(api, "company", "won_deals", "rollup",
                    {"relationship": "company_deals", "function": "count",
                     "filter": "stage=eq.won"})
    await add_field(api, "company", "largest_deal", "rollup",
                    {"relationship": "company_deals", "function": "max", "field": "amount"})
    await add_field(api, "contact", "company", "lookup",
                    {"relationship": "works_at", "field": "company_name"})
    return rels


@pytest.fixture
async def crm(api):
    rels = await build_crm(api)
    acme = await make_record(api, "company", company_name="Acme", domain="https://acme.example.com")
    initech = await make_record(api, "company", company_name="Initech")
    ann = await make_record(api, "contact", full_name="Ann", email="ann@acme.example.com")
    await link(api, rels["works_at"]["id"], acme["id"], ann["id"])
    await make_record(api, "contact", full_name="Bob", email="bob@example.com")
    stages = {name: await make_record(api, "pipeline_stage", stage_name=name.title(),
                                      position=i) for i, name in enumerate(
                                          ("qualified", "proposal", "closed"))}
    deals = {}
    for title, company, amount, probability, stage, step, closed in (
            ("Rockets", acme, 12000, 25, "open", "proposal", None),
            ("Anvils", acme, 4000, 60, "open", "qualified", None),
            ("Magnets", acme, 2500, 100, "won", "closed", "2026-11-03"),
            ("Staplers", initech, 800, 100, "won", "closed", "2026-10-20"),
            ("Printers", initech, 3000, 0, "lost", "closed", "2026-09-01")):
        record = await make_record(api, "deal", title=title, amount=amount,
                                   probability=probability, stage=stage,
                                   **({"closed_on": closed} if closed else {}))
        await link(api, rels["company_deals"]["id"], company["id"], record["id"])
        await link(api, rels["stage_deals"]["id"], stages[step]["id"], record["id"])
        deals[title] = record
    return {"deals": deals, "acme": acme}


async def test_deal_weighted_value_filtered_and_ordered(api, crm):
    rows = await ok(await api.get("/rest/v1/deal", params={
        "select": "title,weighted", "weighted": "gt.1000", "order": "weighted.desc"}))
    assert rows == [{"title": "Rockets", "weighted": 3000}, {"title": "Magnets", "weighted": 2500},
                    {"title": "Anvils", "weighted": 2400}]


async def test_the_deal_grid_shows_every_computed_column(api, crm):
    page = await ok(await api.get("/api/records", params={"object": "deal",
                                                          "order": "number"}))
    assert [(r["data"]["number"], r["data"]["headline"], r["data"]["stage_label"])
            for r in page["items"]] == [
        ("DEAL-001", "Rockets — OPEN", ["Proposal"]),
        ("DEAL-002", "Anvils — OPEN", ["Qualified"]),
        ("DEAL-003", "Magnets — WON ✓", ["Closed"]),
        ("DEAL-004", "Staplers — WON ✓", ["Closed"]),
        ("DEAL-005", "Printers — LOST", ["Closed"])]


async def test_company_open_pipeline_and_won_deals(api, crm):
    rows = await ok(await api.get("/rest/v1/companies", params={
        "select": "company_name,open_pipeline,won_deals,largest_deal",
        "order": "open_pipeline.desc"}))
    assert rows == [
        {"company_name": "Acme", "open_pipeline": 16000, "won_deals": 1, "largest_deal": 12000},
        {"company_name": "Initech", "open_pipeline": 0, "won_deals": 1, "largest_deal": 3000}]
    # A deal that closes leaves the open pipeline at once: values are computed at read time.
    await ok(await api.patch(f"/api/records/{crm['deals']['Rockets']['id']}",
                             json={"data": {"stage": "won"}}))
    acme = await ok(await api.get(f"/api/records/{crm['acme']['id']}"))
    assert (acme["data"]["open_pipeline"], acme["data"]["won_deals"]) == (4000, 2)


async def test_the_contacts_company_name(api, crm):
    rows = await ok(await api.get("/rest/v1/contacts", params={
        "select": "full_name,company", "order": "full_name"}))
    assert rows == [{"full_name": "Ann", "company": ["Acme"]},
                    {"full_name": "Bob", "company": []}]
    found = await ok(await api.get("/rest/v1/contacts", params={
        "select": "full_name", "company": 'cs.["Acme"]'}))
    assert found == [{"full_name": "Ann"}]


async def test_won_this_quarter(api, crm):
    """A filter on the closing date, over stored and computed columns alike."""
    rows = await ok(await api.get("/rest/v1/deals", params={
        "select": "number,title,weighted", "stage": "eq.won",
        "closed_on": "gte.2026-10-01", "order": "weighted.desc"}))
    assert rows == [{"number": "DEAL-003", "title": "Magnets", "weighted": 2500},
                    {"number": "DEAL-004", "title": "Staplers", "weighted": 800}]


# Stage won, closed in the current quarter (UTC, as TODAY() is): what the shared view filters.
WON_THIS_QUARTER = ('{stage} = "won" AND YEAR({closed_on}) = YEAR(TODAY())'
                    ' AND CEIL(MONTH({closed_on}) / 3) = CEIL(MONTH(TODAY()) / 3)')


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


async def test_the_won_this_quarter_view_on_both_apis(app, api, session, crm):
    """The seed CRM's shared "Won this quarter" view: a boolean formula over the stage and the
    closing date, the view's filter on it, read through ?view= by the admin and a viewer."""
    today = datetime.now(UTC).date()
    start = quarter_start(today)
    deals = crm["deals"]
    for title, closed in (("Magnets", start), ("Staplers", start - timedelta(days=1)),
                          ("Printers", today)):  # won, won last quarter, lost
        await ok(await api.patch(f"/api/records/{deals[title]['id']}",
                                 json={"data": {"closed_on": closed.isoformat()}}))
    await make_record(api, "deal", title="Gears", amount=900, probability=100, stage="won",
                      closed_on=today.isoformat())
    await add_field(api, "deal", "won_this_quarter", "formula",
                    {"expression": WON_THIS_QUARTER, "result_type": "boolean"})
    view = await ok(await api.post("/api/views", json={
        "object": "deal", "name": "Won this quarter", "shared": True,
        "filter": "won_this_quarter=is.true", "order": "closed_on.desc,title",
        "fields": [{"name": "number"}, {"name": "title"}, {"name": "weighted"},
                   {"name": "closed_on"}]}), 201)
    assert view["problems"] == []
    page = await ok(await api.get("/api/records", params={"object": "deal", "view": view["id"]}))
    # Closed today, then on the quarter's first day (the same day: by title).
    assert [r["data"]["title"] for r in page["items"]] == ["Gears", "Magnets"]
    assert [r["data"]["won_this_quarter"] for r in page["items"]] == [True, True]
    viewer = await join(app, session, "viewer")
    async with client(app, viewer.headers) as theirs:
        rows = await ok(await theirs.get("/rest/v1/deals", params={
            "select": "title,weighted,won_this_quarter", "view": view["id"]}))
    assert rows == [{"title": "Gears", "weighted": 900, "won_this_quarter": True},
                    {"title": "Magnets", "weighted": 2500, "won_this_quarter": True}]
    # The request's order replaces the view's; its filters are ANDed with the view's.
    rows = await ok(await api.get("/rest/v1/deals", params={
        "select": "title", "view": view["id"], "order": "weighted.desc", "amount": "gt.1000"}))
    assert rows == [{"title": "Magnets"}]
