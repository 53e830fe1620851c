"""Relationships, links, cardinality and the ER document's cascade scenarios."""

from __future__ import annotations

import pytest

from tests.api.builders import add_field, codes, link, make_object, make_record, ok, relate


async def _crm(api):
    await make_object(api, "contact")
    await add_field(api, "contact", "full_name")
    await make_object(api, "company")
    await add_field(api, "company", "name")
    john = await make_record(api, "contact", full_name="John Doe")
    acme = await make_record(api, "company", name="Acme Corp")
    globex = await make_record(api, "company", name="Globex Inc")
    return john, acme, globex


async def _count(owner_db, table, workspace_id, where="", *args):
    return await owner_db.fetchval(
        f"SELECT count(*) FROM {table} WHERE tenant_id = $1 {where}", workspace_id, *args)


async def test_pattern_3_link_records_and_expand(api):
    """ER document, data-flow pattern 3: define a relationship, link two records."""
    john, acme, globex = await _crm(api)
    rel = await relate(api, "contact_companies", "contact", "company", "N:N")
    assert rel["id"].startswith("rel_")
    first = await link(api, rel["id"], john["id"], acme["id"])
    assert first["id"].startswith("rrec_")
    await link(api, rel["id"], john["id"], globex["id"])
    expanded = await ok(await api.get(f"/api/records/{john['id']}",
                                      params={"expand": "contact_companies"}))
    assert [r["primary_value"] for r in expanded["related"]["contact_companies"]] == [
        "Acme Corp", "Globex Inc"]
    back = await ok(await api.get(f"/api/records/{acme['id']}",
                                  params={"expand": "contact_companies"}))
    assert [r["id"] for r in back["related"]["contact_companies"]] == [john["id"]]
    unknown = await api.get(f"/api/records/{john['id']}", params={"expand": "nope"})
    assert unknown.status_code == 400
    listed = await ok(await api.get("/api/relationship-records",
                                    params={"from_record_id": john["id"]}))
    assert len(listed["items"]) == 2
    both_ways = await ok(await api.get("/api/relationships", params={"object_id": "company"}))
    assert [r["name"] for r in both_ways["items"]] == ["contact_companies"]


@pytest.mark.parametrize(("type_", "second_company_ok", "second_contact_ok"), [
    ("N:N", True, True), ("1:N", True, False), ("1:1", False, False)])
async def test_cardinality_is_enforced(api, type_, second_company_ok, second_contact_ok):
    john, acme, globex = await _crm(api)
    jane = await make_record(api, "contact", full_name="Jane Roe")
    rel = await relate(api, "works_with", "contact", "company", type_)
    await link(api, rel["id"], john["id"], acme["id"])
    await link(api, rel["id"], john["id"], acme["id"], 409)  # a duplicate link
    await link(api, rel["id"], john["id"], globex["id"], 201 if second_company_ok else 409)
    await link(api, rel["id"], jane["id"], acme["id"], 201 if second_contact_ok else 409)


async def test_links_must_match_the_relationship_objects(api):
    john, acme, _ = await _crm(api)
    rel = await relate(api, "employer", "contact", "company", "1:N")
    swapped = await link(api, rel["id"], acme["id"], john["id"], 422)
    assert [d["code"] for d in swapped["error"]["details"]] == ["wrong_object", "wrong_object"]
    missing = await api.post("/api/relationship-records", json={
        "relationship_id": rel["id"], "from_record_id": "rec_0000000000000000",
        "to_record_id": acme["id"]})
    assert codes(missing) == [("from_record_id", "not_found")]


async def test_scenario_1_deleting_an_object_cascades(api, owner_db, workspace_id):
    john, acme, _ = await _crm(api)
    rel = await relate(api, "employer", "contact", "company", "1:N")
    await link(api, rel["id"], john["id"], acme["id"])
    await ok(await api.delete("/api/objects/contact"), 204)
    assert await _count(owner_db, "objects", workspace_id, "AND name = 'contact'") == 0
    assert await _count(owner_db, "records", workspace_id, "AND id = $2", john["id"]) == 0
    assert await _count(owner_db, "relationships", workspace_id) == 0
    assert await _count(owner_db, "relationship_records", workspace_id) == 0
    assert await _count(owner_db, "object_fields", workspace_id) == 1  # company's field stays
    assert await _count(owner_db, "records", workspace_id) == 2  # both companies stay


async def test_scenario_3_purging_a_record_removes_its_links(api, owner_db, workspace_id):
    john, acme, globex = await _crm(api)
    rel = await relate(api, "clients", "contact", "company", "N:N")
    await link(api, rel["id"], john["id"], acme["id"])
    await link(api, rel["id"], john["id"], globex["id"])
    await ok(await api.delete(f"/api/records/{acme['id']}", params={"permanent": "true"}), 204)
    assert await _count(owner_db, "relationship_records", workspace_id) == 1
    assert await _count(owner_db, "records", workspace_id) == 2


async def test_scenario_4_deleting_a_relationship_removes_its_links(api, owner_db, workspace_id):
    john, acme, _ = await _crm(api)
    rel = await relate(api, "clients", "contact", "company", "N:N")
    await link(api, rel["id"], john["id"], acme["id"])
    await ok(await api.delete(f"/api/relationships/{rel['id']}"), 204)
    assert await _count(owner_db, "relationship_records", workspace_id) == 0
    assert await _count(owner_db, "records", workspace_id) == 3


async def test_trashed_records_hide_their_links_and_restore_brings_them_back(api):
    john, acme, _ = await _crm(api)
    rel = await relate(api, "clients", "contact", "company", "N:N")
    await link(api, rel["id"], john["id"], acme["id"])
    await ok(await api.delete(f"/api/records/{acme['id']}"), 204)
    links = await ok(await api.get("/api/relationship-records",
                                   params={"relationship_id": rel["id"]}))
    assert links["items"] == []
    expanded = await ok(await api.get(f"/api/records/{john['id']}", params={"expand": "clients"}))
    assert expanded["related"]["clients"] == []
    await ok(await api.post(f"/api/records/{acme['id']}/restore"))
    links = await ok(await api.get("/api/relationship-records",
                                   params={"relationship_id": rel["id"]}))
    assert len(links["items"]) == 1


async def test_on_delete_cascade_follows_chains_and_restores_with_the_root(api, owner_db,
                                                                         workspace_id):
    for name in ("order", "order_item", "shipment"):
        await make_object(api, name)
        await add_field(api, name, f"{name}_ref")
    order = await make_record(api, "order", order_ref="O-1")
    items = [await make_record(api, "order_item", order_item_ref=f"I-{i}") for i in range(2)]
    shipment = await make_record(api, "shipment", shipment_ref="S-1")
    has_items = await relate(api, "order_items", "order", "order_item", "1:N", "cascade")
    ships = await relate(api, "item_shipment", "order_item", "shipment", "1:1", "cascade")
    for item in items:
        await link(api, has_items["id"], order["id"], item["id"])
    await link(api, ships["id"], items[0]["id"], shipment["id"])
    await ok(await api.delete(f"/api/records/{order['id']}"), 204)
    live = "AND deleted_at IS NULL"
    assert await _count(owner_db, "records", workspace_id, live) == 0
    await ok(await api.post(f"/api/records/{order['id']}/restore"))
    assert await _count(owner_db, "records", workspace_id, live) == 4
    await ok(await api.delete(f"/api/records/{order['id']}", params={"permanent": "true"}), 204)
    assert await _count(owner_db, "records", workspace_id) == 0
    assert await _count(owner_db, "relationship_records", workspace_id) == 0


async def test_on_delete_restrict_refuses_while_live_links_exist(api):
    await make_object(api, "account")
    await add_field(api, "account", "name")
    await make_object(api, "invoice")
    await add_field(api, "invoice", "number")
    account = await make_record(api, "account", name="Big Co")
    invoice = await make_record(api, "invoice", number="F-1")
    rel = await relate(api, "invoices", "account", "invoice", "1:N", "restrict")
    await link(api, rel["id"], account["id"], invoice["id"])
    refused = await api.delete(f"/api/records/{account['id']}")
    assert refused.status_code == 409
    assert "restrict" in refused.json()["error"]["message"]
    await ok(await api.delete(f"/api/records/{invoice['id']}"), 204)  # trashed links don't count
    await ok(await api.delete(f"/api/records/{account['id']}"), 204)


async def test_on_delete_unlink_leaves_the_other_records(api, owner_db, workspace_id):
    john, acme, _ = await _crm(api)
    rel = await relate(api, "employer", "contact", "company", "1:N")
    await link(api, rel["id"], john["id"], acme["id"])
    await ok(await api.delete(f"/api/records/{john['id']}", params={"permanent": "true"}), 204)
    assert await _count(owner_db, "records", workspace_id, "AND id = $2", acme["id"]) == 1
    assert await _count(owner_db, "relationship_records", workspace_id) == 0
