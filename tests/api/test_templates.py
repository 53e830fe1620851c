"""Templates: the list, both templates applied into an empty workspace (with and without
sample records), applied twice, next to each other, over a conflicting object, and the round
trip of the schema half: template → GET /api/schema → a fresh workspace → apply → the same."""

from __future__ import annotations

import httpx
import pytest

from tests.api.builders import make_object, ok
from tests.api.conftest import client, refused, sign_up

CRM_OBJECTS = ["activity", "company", "contact", "deal", "pipeline", "stage"]
SHOP_OBJECTS = ["customer", "order", "order_item", "product", "segment", "variant"]


async def install(api: httpx.AsyncClient, name: str, status: int = 200, **body: object) -> dict:
    response = await api.post(f"/api/templates/{name}/apply", json=body)
    assert response.status_code == status, response.text
    return response.json()


async def rows(api: httpx.AsyncClient, table: str, **params: str) -> list[dict]:
    return await ok(await api.get(f"/rest/v1/{table}", params=params))


async def test_the_list(api):
    listed = await ok(await api.get("/api/templates"))
    assert [(t["name"], t["object_count"]) for t in listed["items"]] == [("crm", 6),
                                                                         ("ecommerce", 6)]
    assert listed["items"][0]["objects"] == CRM_OBJECTS
    assert listed["items"][1]["objects"] == SHOP_OBJECTS
    assert all(t["label"] and t["description"] for t in listed["items"])
    refused(await api.post("/api/templates/nope/apply", json={}), 404, "not_found")


async def test_crm_with_samples(api):
    report = await install(api, "crm", with_sample_records=True)
    assert report["template"] == "crm"
    assert {i["name"]: i["status"] for i in report["indexes"]} == {
        "company.domain": "done", "contact.email": "done"}
    schema = await ok(await api.get("/api/schema"))
    assert [o["name"] for o in schema["objects"]] == CRM_OBJECTS
    assert {o["name"]: o["plural_name"] for o in schema["objects"]}["company"] == "companies"
    deals = await rows(api, "deals", select="title,weighted_value,deal_number",
                       order="title.asc")
    assert deals == [{"title": "Anvils", "weighted_value": 4800, "deal_number": "DEAL-0001"},
                     {"title": "Rockets", "weighted_value": 30000, "deal_number": "DEAL-0002"},
                     {"title": "Staplers", "weighted_value": 800, "deal_number": "DEAL-0003"}]
    companies = await rows(api, "companies", select="name,open_pipeline", order="name.asc")
    assert companies == [{"name": "Acme Corp", "open_pipeline": 12000},
                         {"name": "Globex", "open_pipeline": 50000},
                         {"name": "Initech", "open_pipeline": 0}]
    ann = await rows(api, "contacts", select="name,company_name", email="eq.ann@acme.example.com")
    assert ann == [{"name": "Ann Lee", "company_name": ["Acme Corp"]}]
    stages = await rows(api, "pipelines", select="name,stages(name)")
    assert sorted(s["name"] for s in stages[0]["stages"]) == ["Lost", "Proposal", "Qualify",
                                                             "Won"]
    # Twice: nothing changes, no second set of samples.
    again = await install(api, "crm", with_sample_records=True)
    assert again["changes"] == [] and again["indexes"] == []
    assert len(await rows(api, "deals", select="id")) == 3


async def test_ecommerce_with_samples_next_to_crm(api):
    await install(api, "crm")
    assert await rows(api, "companies", select="id") == []
    report = await install(api, "ecommerce", with_sample_records=True)
    assert not any(c["destructive"] for c in report["changes"])
    assert {i["name"] for i in report["indexes"]} == {"product.collection", "variant.sku",
                                                      "customer.email"}
    schema = await ok(await api.get("/api/schema"))
    assert [o["name"] for o in schema["objects"]] == sorted(CRM_OBJECTS + SHOP_OBJECTS)
    customers = await rows(api, "customers", select="name,total_spent,order_count",
                           order="name.asc")
    assert customers == [{"name": "Dana Fox", "total_spent": 50.5, "order_count": 1},
                         {"name": "Eli Park", "total_spent": 19, "order_count": 1}]
    orders = await rows(api, "orders", select="order_number,item_count,order_items(line_total)",
                        order="order_number.asc")
    assert [(o["order_number"], o["item_count"]) for o in orders] == [("ORD-00001", 3),
                                                                      ("ORD-00002", 1)]
    assert sorted(i["line_total"] for i in orders[0]["order_items"]) == [12.5, 38]
    vip = await rows(api, "segments", select="name,customers(name)", name="eq.VIP")
    assert vip == [{"name": "VIP", "customers": [{"name": "Dana Fox"}]}]


async def test_a_conflicting_object_refuses_the_whole_template(api):
    await make_object(api, "deal", label="Opportunity")
    response = await api.post("/api/templates/crm/apply")  # no body: the defaults
    error = refused(response, 409, "conflict")
    assert [(d["field"], d["code"]) for d in error["details"]] == [("object.deal", "conflict")]
    schema = await ok(await api.get("/api/schema"))
    assert [o["name"] for o in schema["objects"]] == ["deal"] and schema["fields"] == []


async def test_templates_need_schema_write(app, api, session):
    from tests.api.conftest import join

    editor = await join(app, session, "editor")
    async with client(app, editor.headers) as them:
        assert len((await ok(await them.get("/api/templates")))["items"]) == 2
        refused(await them.post("/api/templates/crm/apply", json={}), 403, "forbidden")


@pytest.mark.parametrize("name", ["crm", "ecommerce"])
async def test_round_trip_into_a_fresh_workspace(app, api, name):
    await install(api, name, with_sample_records=True)
    first = await ok(await api.get("/api/schema"))
    fresh = await sign_up(app)
    async with client(app, fresh.headers) as other:
        report = await ok(await other.post("/api/schema/apply", json={"schema": first}))
        assert report["changes"] and all(c["op"] == "create" for c in report["changes"])
        assert all(i["status"] == "done" for i in report["indexes"])
        assert await ok(await other.get("/api/schema")) == first
        assert (await ok(await other.post("/api/schema/diff", json={"schema": first})))[
            "changes"] == []
    # The first workspace is untouched by the second's apply.
    assert await ok(await api.get("/api/schema")) == first
