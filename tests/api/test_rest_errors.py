"""/rest/v1 failures: PostgREST's error shape and statuses, profiles, credentials, and hostile
filter/select/order strings — always a 4xx, never a change to the data."""

from __future__ import annotations

import pytest

from tests.api.conftest import client, sign_up
from tests.api.rest_seed import crm

SHAPE = {"code", "message", "details", "hint"}


@pytest.fixture(scope="module")
async def shop(app):
    account = await sign_up(app)
    async with client(app, account.headers) as api:
        yield api, account, await crm(api)


def refused(response, status, code):
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert set(body) == SHAPE and body["code"] == code, body
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["proxy-status"] == f"PostgREST; error={code}"
    return body


async def fingerprint(owner_db, workspace_id):
    """Everything a write could change, in one value."""
    return await owner_db.fetchrow(
        "SELECT count(*) AS n, md5(string_agg(id || data::text || version || coalesce("
        "deleted_at::text, ''), ',' ORDER BY id)) AS digest FROM records WHERE tenant_id = $1",
        workspace_id)


async def test_unknown_table_is_404_pgrst205(shop):
    api, _, _ = shop
    body = refused(await api.get("/rest/v1/peple"), 404, "PGRST205")
    assert body["message"] == "Could not find the table 'public.peple' in the schema cache"
    assert body["hint"] == "Perhaps you meant the table 'public.people'"
    refused(await api.post("/rest/v1/nothing", json={}), 404, "PGRST205")
    refused(await api.delete("/rest/v1/nothing", params={"id": "eq.x"}), 404, "PGRST205")


async def test_another_workspace_sees_nothing(app, shop):
    stranger = await sign_up(app)
    async with client(app, stranger.headers) as other:
        refused(await other.get("/rest/v1/people"), 404, "PGRST205")


@pytest.mark.parametrize(("header", "method"), [
    ("Accept-Profile", "GET"), ("Accept-Profile", "HEAD"), ("Content-Profile", "POST"),
    ("Content-Profile", "PATCH"), ("Content-Profile", "DELETE")])
async def test_other_profiles_are_406_pgrst106(shop, header, method):
    api, _, _ = shop
    response = await api.request(method, "/rest/v1/people", params={"id": "eq.x"},
                                 headers={header: "private"},
                                 json={"full_name": "x"} if method in ("POST", "PATCH") else None)
    if method == "HEAD":
        assert response.status_code == 406
        return
    body = refused(response, 406, "PGRST106")
    assert body["hint"] == "Only the following schemas are exposed: public"


async def test_credentials(app, shop):
    _, account, _ = shop
    async with client(app) as anonymous:
        missing = refused(await anonymous.get("/rest/v1/people"), 401, "PGRST302")
        assert missing["message"]
        bad = await anonymous.get("/rest/v1/people", headers={"Authorization": "Bearer nope"})
        refused(bad, 401, "PGRST301")
        assert bad.headers["www-authenticate"].startswith("Bearer")
        via_apikey = await anonymous.get("/rest/v1/people",
                                         headers={"apikey": account.access_token})
        assert via_apikey.status_code in (200, 401)  # a session JWT is not an API token


async def test_media_types_and_methods(shop):
    api, _, _ = shop
    refused(await api.get("/rest/v1/people", headers={"Accept": "application/xml"}), 406,
            "PGRST107")
    assert (await api.get("/rest/v1/people", headers={
        "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})).status_code == 200
    refused(await api.put("/rest/v1/people", json={}), 405, "PGRST117")


BAD_QUERIES = [
    # (params, status, code): unknown names, grammar, values PostgreSQL would refuse
    ({"nope": "eq.1"}, 400, "42703"),
    ({"select": "full_name,nope"}, 400, "42703"),
    ({"order": "nope.desc"}, 400, "42703"),
    ({"select": "tenant_id"}, 400, "42703"),  # storage columns are not exposed
    ({"deleted_at": "not.is.null"}, 400, "42703"),  # nor is the trash
    ({"data": "not.is.null"}, 400, "42703"),
    ({"full_name": "nope.x"}, 400, "PGRST100"),
    ({"full_name": "eq"}, 400, "PGRST100"),
    ({"age": "like.1*"}, 400, "PGRST100"),  # operator not for the type
    ({"age": "eq.1 OR 1=1"}, 400, "22P02"),
    ({"age": "gt.1e9999"}, 400, "22003"),
    ({"age": "gt.1e999999"}, 400, "22P02"),
    ({"born": "eq.2020-13-45"}, 400, "22007"),
    ({"full_name": "eq.a\x00b"}, 400, "22021"),
    ({"tags": 'cs.{"a'}, 400, "PGRST100"),
    ({"bio": "fts.a & | b"}, 400, "PGRST100"),
    ({"bio": "fts(klingon).x"}, 400, "42704"),
    ({"bio": "fts(pg_catalog.english).x"}, 400, "PGRST100"),
    ({"select": "full_name;drop table records"}, 400, "PGRST100"),
    ({"select": "full_name,(select 1)"}, 400, "PGRST100"),
    ({"select": 'full_name"--'}, 400, "PGRST100"),
    ({"select": "full_name::text"}, 400, "PGRST100"),
    ({"select": "bio->>x"}, 400, "PGRST100"),
    ({"order": "full_name;drop table records"}, 400, "PGRST100"),
    ({"order": "full_name.asc,(select 1)"}, 400, "PGRST100"),
    ({"order": "full_name.sideways"}, 400, "PGRST100"),
    ({"full_name'--": "eq.x"}, 400, "PGRST100"),
    ({"or": "(full_name.eq.a)) or (1=1"}, 400, "PGRST100"),
    ({"or": "(" * 40 + "age.eq.1" + ")" * 40}, 400, "PGRST100"),
    ({"or": "or(" * 20 + "age.eq.1" + ")" * 20}, 400, "PGRST100"),
    ({"select": "a(" * 12 + "b" + ")" * 12}, 400, "PGRST100"),
    ({"select": "works_at(company_deals(people(works_at(*))))"}, 400, "PGRST100"),
    ({"select": "nope(*)"}, 400, "PGRST200"),
    ({"age": "in.(" + ",".join(["1"] * 10_001) + ")"}, 400, "PGRST100"),
    ({"limit": "-1"}, 400, "PGRST100"),
    ({"limit": "ten"}, 400, "PGRST100"),
    ({"offset": "1e3"}, 400, "PGRST100"),
    ({"works_at.full_name": "eq.x"}, 400, "PGRST108"),
]


@pytest.mark.parametrize(("params", "status", "code"), BAD_QUERIES,
                         ids=[str(i) for i in range(len(BAD_QUERIES))])
async def test_hostile_and_bad_reads_are_4xx(shop, params, status, code):
    api, _, _ = shop
    refused(await api.get("/rest/v1/people", params=params), status, code)


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
@pytest.mark.parametrize(("params", "code"), [
    ({"full_name'; DELETE FROM records; --": "eq.x"}, "PGRST100"),
    ({"or": "(age.gt.0,1=1)"}, "PGRST100"),
    ({"age": "gt.0;drop table records"}, "22P02"),
    ({"tenant_id": "not.is.null"}, "42703"),
    ({"id": "eq.x", "order": "(select 1)"}, "PGRST100"),
    ({"id": "eq.x", "select": "*,nope(*)"}, "PGRST200"),
])
async def test_hostile_writes_change_nothing(shop, owner_db, method, params, code):
    api, account, _ = shop
    before = await fingerprint(owner_db, account.workspace_id)
    response = await api.request(method, "/rest/v1/people", params=params,
                                 json={"vip": True} if method == "PATCH" else None)
    refused(response, 400, code)
    assert await fingerprint(owner_db, account.workspace_id) == before


async def test_injection_in_values_is_only_a_value(shop, owner_db):
    api, account, _ = shop
    before = await fingerprint(owner_db, account.workspace_id)
    for value in ("x'; DROP TABLE records; --", "' OR '1'='1", "\\'; SELECT pg_sleep(5); --",
                  "$1", "%' OR 1=1 --", "*"):
        for op in ("eq", "like", "ilike", "match"):
            response = await api.get("/rest/v1/people", params={"full_name": f"{op}.{value}"})
            assert response.status_code in (200, 400), response.text
            if response.status_code == 200:
                assert response.json() == [] or value == "*"
        response = await api.post("/rest/v1/deals", json={"title": value},
                                   headers={"Prefer": "return=representation"})
        assert response.json()[0]["title"] == value
        await api.delete("/rest/v1/deals", params={"title": f"eq.{value}"})
    after = await fingerprint(owner_db, account.workspace_id)
    assert after["n"] == before["n"] + 6  # only the six deals (now in the trash) were added
