"""POST, upsert, PATCH and DELETE on /rest/v1: validation, history, on_delete, safe writes."""

from __future__ import annotations

import pytest

from tests.api.builders import ok
from tests.api.conftest import client, join, sign_up
from tests.api.rest_seed import crm, schema

REPRESENT = {"Prefer": "return=representation"}


async def live(owner_db, workspace_id, object_name):
    return await owner_db.fetchval(
        "SELECT count(*) FROM records r JOIN objects o ON o.tenant_id = r.tenant_id AND"
        " o.id = r.object_id WHERE r.tenant_id = $1 AND o.name = $2 AND r.deleted_at IS NULL",
        workspace_id, object_name)


async def test_insert_one_returns_201_with_location_or_the_row(api):
    await schema(api)
    minimal = await api.post("/rest/v1/people", json={"full_name": "Ada", "email": "A@X.io"})
    assert (minimal.status_code, minimal.content) == (201, b"")
    assert minimal.headers["location"].startswith("/rest/v1/person?id=eq.rec_")
    assert minimal.headers["content-range"] == "*/*"
    found = await ok(await api.get(minimal.headers["location"]))
    assert found[0]["email"] == "a@x.io"  # normalised by the field type
    rows = await ok(await api.post("/rest/v1/people", json={"full_name": "Bob"},
                                   params={"select": "full_name,age"},
                                   headers={"Prefer": "return=representation,count=exact"}),
                    201)
    assert rows == [{"full_name": "Bob", "age": None}]
    headers_only = await api.post("/rest/v1/people", json={"full_name": "Cy"},
                                  headers={"Prefer": "return=headers-only"})
    assert headers_only.status_code == 201 and "location" in headers_only.headers


async def test_bulk_insert_is_all_or_nothing_in_input_order(api, owner_db, workspace_id):
    await schema(api)
    rows = [{"full_name": f"P{i}", "email": f"p{i}@x.io"} for i in range(5)]
    rows[3]["email"] = "broken"
    rows[4]["age"] = "old"
    refused = await api.post("/rest/v1/people", json=rows, headers=REPRESENT)
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "23514" and body["hint"] is None
    assert [(d["field"], d["code"]) for d in body["details"]] == [("3.email", "format"),
                                                                   ("4.age", "type")]
    assert await live(owner_db, workspace_id, "person") == 0
    rows[3]["email"], rows[4]["age"] = "p3@x.io", 40
    made = await ok(await api.post("/rest/v1/people", json=rows, headers=REPRESENT), 201)
    assert [r["full_name"] for r in made] == [f"P{i}" for i in range(5)]
    single = await api.post("/rest/v1/people", json={"full_name": 5})
    assert [(d["field"], d["code"]) for d in single.json()["details"]] == [("full_name", "type")]
    events = await owner_db.fetchval("SELECT count(*) FROM record_events WHERE tenant_id = $1"
                                     " AND op = 'create'", workspace_id)
    assert events == 5


async def test_insert_keys_columns_and_limits(api, owner_db, workspace_id):
    await schema(api)
    unknown = await api.post("/rest/v1/people", json={"full_name": "A", "nickname": "x"})
    assert (unknown.status_code, unknown.json()["code"]) == (400, "PGRST204")
    assert unknown.json()["message"] == (
        "Could not find the 'nickname' column of 'person' in the schema cache")
    system = await api.post("/rest/v1/people", json={"full_name": "A", "id": "rec_x"})
    assert (system.status_code, system.json()["code"]) == (400, "428C9")
    narrowed = await api.post("/rest/v1/people", params={"columns": '"full_name",age'},
                              json=[{"full_name": "A", "age": 3, "nickname": "ignored"}],
                              headers=REPRESENT)
    assert narrowed.status_code == 201 and narrowed.json()[0]["age"] == 3
    bad_columns = await api.post("/rest/v1/people", params={"columns": "full_name,nope"},
                                 json=[{"full_name": "A"}])
    assert bad_columns.json()["code"] == "PGRST204"
    too_many = await api.post("/rest/v1/people", json=[{"full_name": "x"}] * 10_001)
    assert (too_many.status_code, too_many.json()["code"]) == (413, "54000")
    for bad in (b"{", b"", b"5", b"[1]"):
        response = await api.post("/rest/v1/people", content=bad,
                                  headers={"Content-Type": "application/json"})
        assert (response.status_code, response.json()["code"]) == (400, "PGRST102"), bad
    text = await api.post("/rest/v1/people", content=b"full_name=A",
                          headers={"Content-Type": "text/plain"})
    assert (text.status_code, text.json()["code"]) == (415, "PGRST107")
    assert await live(owner_db, workspace_id, "person") == 1


async def test_unique_violation_is_409_23505(api, owner_db, workspace_id):
    await schema(api)
    await ok(await api.post("/rest/v1/people", json={"full_name": "A", "email": "a@x.io"}), 201)
    clash = await api.post("/rest/v1/people", json=[{"full_name": "B", "email": "b@x.io"},
                                                    {"full_name": "C", "email": "A@x.io"}])
    assert clash.status_code == 409
    assert clash.json()["code"] == "23505" and "email" in clash.json()["message"]
    assert await live(owner_db, workspace_id, "person") == 1


async def test_upsert_merge_and_ignore_duplicates(api):
    ids = await crm(api)
    merged = await ok(await api.post(
        "/rest/v1/people", params={"on_conflict": "email", "select": "id,full_name,age,version"},
        json=[{"full_name": "Newt", "email": "newt@x.io"},
              {"email": "ADA@x.io", "age": 37}],
        headers={"Prefer": "return=representation,resolution=merge-duplicates"}), 201)
    assert merged[0]["full_name"] == "Newt" and merged[0]["version"] == 1
    assert merged[1] == {"id": ids.people["Ada"], "full_name": "Ada", "age": 37, "version": 2}
    ignored = await ok(await api.post(
        "/rest/v1/people", params={"on_conflict": "email", "select": "full_name"},
        json=[{"full_name": "Ada again", "email": "ada@x.io"},
              {"full_name": "Zed", "email": "zed@x.io"},
              {"full_name": "Zed twice", "email": "zed@x.io"}],
        headers={"Prefer": "return=representation,resolution=ignore-duplicates"}), 201)
    assert ignored == [{"full_name": "Zed"}]
    ada = await ok(await api.get("/rest/v1/people", params={"email": "eq.ada@x.io"}))
    assert ada[0]["full_name"] == "Ada" and ada[0]["age"] == 37
    for params, prefer in (({"on_conflict": "age"}, "resolution=merge-duplicates"),
                           ({}, "resolution=merge-duplicates"),
                           ({"on_conflict": "nope"}, "resolution=ignore-duplicates")):
        bad = await api.post("/rest/v1/people", params=params, json={"full_name": "X"},
                             headers={"Prefer": prefer})
        assert (bad.status_code, bad.json()["code"]) == (400, "42P10"), params


async def test_patch_by_filter_validates_each_record_and_writes_history(api, owner_db,
                                                                         workspace_id):
    ids = await crm(api)
    changed = await ok(await api.patch(
        "/rest/v1/people", params={"age": "lt.40", "select": "full_name,vip,version"},
        json={"vip": True}, headers=REPRESENT))
    assert sorted((r["full_name"], r["vip"], r["version"]) for r in changed) == [
        ("Ada", True, 2), ("Bob", True, 2)]
    minimal = await api.patch("/rest/v1/people", params={"full_name": "eq.Eve"},
                              json={"bio": None}, headers={"Prefer": "count=exact"})
    assert (minimal.status_code, minimal.headers["content-range"]) == (204, "0-0/1")
    history = await ok(await api.get(f"/api/records/{ids.people['Eve']}/history"))
    assert history["items"][0]["op"] == "update"
    assert history["items"][0]["changes"] == {"bio": ["breaks ciphers and writes reports", None]}
    invalid = await api.patch("/rest/v1/people", params={"age": "gt.0"}, json={"age": "x"})
    assert (invalid.status_code, invalid.json()["code"]) == (400, "23514")
    assert invalid.json()["details"] == [{"field": "age", "code": "type",
                                          "message": invalid.json()["details"][0]["message"]}]
    clash = await api.patch("/rest/v1/people", params={"full_name": "in.(Bob,Cleo)"},
                            json={"email": "same@x.io"})
    assert (clash.status_code, clash.json()["code"]) == (409, "23505")
    nothing = await api.patch("/rest/v1/people", params={"age": "gt.100"}, json={"age": 1},
                              headers=REPRESENT)
    assert (nothing.status_code, nothing.json(), nothing.headers["content-range"]) == (
        200, [], "*/*")
    versions = await owner_db.fetch("SELECT version FROM records WHERE tenant_id = $1 AND"
                                    " id = any($2::text[])", workspace_id,
                                    [ids.people["Bob"], ids.people["Cleo"]])
    assert sorted(v["version"] for v in versions) == [1, 2]


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
async def test_writes_without_a_filter_are_refused(api, owner_db, workspace_id, method):
    await crm(api)
    before = await owner_db.fetchval("SELECT sum(version) FROM records WHERE tenant_id = $1",
                                     workspace_id)
    for params in ({}, {"limit": "1"}, {"order": "age"}, {"select": "full_name"}):
        response = await api.request(method, "/rest/v1/people", params=params,
                                     json={"age": 1} if method == "PATCH" else None)
        assert response.status_code == 400
        word = "UPDATE" if method == "PATCH" else "DELETE"
        assert response.json()["code"] == "21000"
        assert response.json()["message"] == f"{word} requires a WHERE clause"
    assert await owner_db.fetchval("SELECT sum(version) FROM records WHERE tenant_id = $1",
                                   workspace_id) == before
    assert await live(owner_db, workspace_id, "person") == 5


async def test_max_affected_with_strict_handling(api):
    await crm(api)
    response = await api.patch("/rest/v1/people", params={"age": "gt.0"}, json={"vip": False},
                               headers={"Prefer": "handling=strict,max-affected=2"})
    assert (response.status_code, response.json()["code"]) == (400, "PGRST124")
    strict = await api.get("/rest/v1/people", headers={"Prefer": "handling=strict,nonsense"})
    assert (strict.status_code, strict.json()["code"]) == (400, "PGRST122")
    lenient = await api.get("/rest/v1/people", headers={"Prefer": "nonsense"})
    assert lenient.status_code == 200


async def test_delete_trashes_with_cascade_and_restrict(api, owner_db, workspace_id):
    ids = await crm(api)
    gone = await ok(await api.delete("/rest/v1/companies", params={
        "company_name": "eq.Initech", "select": "company_name,company_deals(title)"},
        headers={"Prefer": "return=representation,count=exact"}))
    assert gone == [{"company_name": "Initech", "company_deals": [{"title": "Lost"}]}]
    deals = await ok(await api.get("/rest/v1/deals", params={"select": "title", "order": "title"}))
    assert [d["title"] for d in deals] == ["Big", "Small"]  # Lost went with Initech (cascade)
    await ok(await api.post(f"/api/records/{ids.companies['Initech']}/restore"))
    assert await live(owner_db, workspace_id, "deal") == 3  # and came back with it
    blocked = await api.delete("/rest/v1/companies", params={"company_name": "eq.Acme"})
    assert (blocked.status_code, blocked.json()["code"]) == (409, "23503")
    assert await live(owner_db, workspace_id, "company") == 3
    minimal = await api.delete("/rest/v1/people", params={"age": "lt.40"})
    assert (minimal.status_code, minimal.content) == (204, b"")
    assert minimal.headers["content-range"] == "0-1/*"
    assert await live(owner_db, workspace_id, "person") == 3
    trashed = await owner_db.fetchval(
        "SELECT count(*) FROM records WHERE tenant_id = $1 AND id = any($2::text[])"
        " AND trash_batch = id AND deleted_at IS NOT NULL", workspace_id,
        [ids.people["Ada"], ids.people["Bob"]])
    assert trashed == 2  # each its own batch: restorable one by one


async def test_delete_by_id_trashes_that_record_of_that_object_alone(
        app, api, owner_db, workspace_id):
    """supabase-js's `.delete().eq('id', id)`: one statement when the object's relationships
    take nothing along (people here), the filtered path's answers and effects either way."""
    ids = await crm(api)
    ada, bob = ids.people["Ada"], ids.people["Bob"]
    gone = await api.delete("/rest/v1/people", params={"id": f"eq.{ada}"})
    assert (gone.status_code, gone.content, gone.headers["content-range"]) == (204, b"", "0-0/*")
    row = await owner_db.fetchrow("SELECT trash_batch, version, deleted_at IS NOT NULL AS gone"
                                  " FROM records WHERE tenant_id = $1 AND id = $2",
                                  workspace_id, ada)
    assert tuple(row) == (ada, 2, True)
    ops = await owner_db.fetch("SELECT op, actor FROM record_events WHERE tenant_id = $1"
                               " AND record_id = $2 ORDER BY id", workspace_id, ada)
    assert [r["op"] for r in ops] == ["create", "delete"] and ops[1]["actor"] is not None
    again = await api.delete("/rest/v1/people", params={"id": f"eq.{ada}"},
                             headers={"Prefer": "count=exact"})
    assert (again.status_code, again.headers["content-range"]) == (204, "*/0")
    single = await api.delete("/rest/v1/people", params={"id": f"eq.{ada}"},
                              headers={"Accept": "application/vnd.pgrst.object+json"})
    assert (single.status_code, single.json()["code"]) == (406, "PGRST116")
    # Another object's record is not this table's: nothing happens to it.
    other = await api.delete("/rest/v1/deals", params={"id": f"eq.{bob}"})
    assert (other.status_code, other.headers["content-range"]) == (204, "*/*")
    assert await live(owner_db, workspace_id, "person") == 4  # of 5: Ada alone went
    # Its links stay, hidden; a restore brings it back with them.
    await ok(await api.post(f"/api/records/{ada}/restore"))
    linked = await ok(await api.get("/rest/v1/people", params={
        "id": f"eq.{ada}", "select": "full_name,person_deals(title)"}))
    assert sorted(d["title"] for d in linked[0]["person_deals"]) == ["Big", "Small"]
    # A company's delete by id still takes its cascade and meets its restrict.
    company = {name: {"id": f"eq.{ids.companies[name]}"} for name in ("Initech", "Acme")}
    initech = await api.delete("/rest/v1/companies", params=company["Initech"])
    assert initech.status_code == 204
    assert await live(owner_db, workspace_id, "deal") == 2
    acme = await api.delete("/rest/v1/companies", params=company["Acme"])
    assert (acme.status_code, acme.json()["code"]) == (409, "23503")
    # A member of another workspace, with a table of the same name, trashes none of ours.
    stranger = await sign_up(app)
    async with client(app, stranger.headers) as theirs:
        await schema(theirs)
        for target in (ada, bob):
            answer = await theirs.delete("/rest/v1/people", params={"id": f"eq.{target}"})
            assert (answer.status_code, answer.headers["content-range"]) == (204, "*/*")
    assert await live(owner_db, workspace_id, "person") == 5


async def test_singular_write_rolls_back_when_not_one_row(api, owner_db, workspace_id):
    await crm(api)
    response = await api.patch("/rest/v1/people", params={"age": "gt.18"}, json={"vip": True},
                               headers={"Accept": "application/vnd.pgrst.object+json",
                                        **REPRESENT})
    assert (response.status_code, response.json()["code"]) == (406, "PGRST116")
    assert await owner_db.fetchval("SELECT max(version) FROM records WHERE tenant_id = $1",
                                   workspace_id) == 1
    one = await api.patch("/rest/v1/people", params={"full_name": "eq.Bob", "select": "vip"},
                          json={"vip": True},
                          headers={"Accept": "application/vnd.pgrst.object+json", **REPRESENT})
    assert (one.status_code, one.json()) == (200, {"vip": True})


async def test_roles_and_object_permissions_are_403(app, api, session):
    await crm(api)
    viewer = await join(app, session, "viewer")
    from tests.api.conftest import client

    async with client(app, viewer.headers) as as_viewer:
        assert (await as_viewer.get("/rest/v1/people")).status_code == 200
        write = await as_viewer.post("/rest/v1/people", json={"full_name": "V"})
        assert (write.status_code, write.json()["code"]) == (403, "42501")
        await ok(await api.patch("/api/objects/deal", json={"permissions": {"viewer": []}}))
        assert (await as_viewer.get("/rest/v1/deals")).json()["code"] == "42501"
        embedded = await as_viewer.get("/rest/v1/people", params={"select": "*,person_deals(*)"})
        assert (embedded.status_code, embedded.json()["code"]) == (403, "42501")
        hidden = await as_viewer.get("/rest/v1/people", params={
            "select": "full_name,person_deals()", "person_deals": "not.is.null"})
        assert hidden.status_code == 403
