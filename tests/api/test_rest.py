"""GET /rest/v1 over raw HTTP: the full operator table, embedding both ways, counts, ranges,
Content-Range and media types — against real PostgreSQL, on one seeded workspace."""

from __future__ import annotations

import pytest

from tests.api.conftest import client, sign_up
from tests.api.rest_seed import crm

ALL = ["Ada", "Bob", "Cleo", "Dan", "Eve"]


@pytest.fixture(scope="module")
async def shop(app):
    """(client, ids): a CRM that the read-only tests of this module share."""
    account = await sign_up(app)
    async with client(app, account.headers) as api:
        yield api, await crm(api)


async def names(api, status=200, **params):
    response = await api.get("/rest/v1/people", params={"select": "full_name", **params})
    assert response.status_code == status, response.text
    return sorted(row["full_name"] for row in response.json())


OPERATORS = [
    ({"full_name": "eq.Ada"}, ["Ada"]),
    ({"full_name": "neq.Ada"}, ["Bob", "Cleo", "Dan", "Eve"]),
    ({"age": "gt.36"}, ["Cleo", "Eve"]),
    ({"age": "gte.36"}, ["Ada", "Cleo", "Eve"]),
    ({"age": "lt.36"}, ["Bob"]),
    ({"age": "lte.36"}, ["Ada", "Bob"]),
    ({"age": "neq.36"}, ["Bob", "Cleo", "Eve"]),  # NULL <> 36 is not true
    ({"age": "gt.9"}, ["Ada", "Bob", "Cleo", "Eve"]),  # numbers compare as numbers
    ({"full_name": "like.*e*"}, ["Cleo", "Eve"]),
    ({"full_name": "like.A%"}, ["Ada"]),
    ({"full_name": "ilike.E*"}, ["Eve"]),
    ({"full_name": "ilike.*O*"}, ["Bob", "Cleo"]),
    ({"full_name": "match.^[AB]"}, ["Ada", "Bob"]),
    ({"full_name": "imatch.^[ab]"}, ["Ada", "Bob"]),
    ({"age": "in.(17,41,99)"}, ["Bob", "Eve"]),
    ({"full_name": 'in.("Ada","Bob")'}, ["Ada", "Bob"]),
    ({"full_name": "not.in.(Ada,Bob)"}, ["Cleo", "Dan", "Eve"]),
    ({"age": "in.()"}, []),
    ({"age": "is.null"}, ["Dan"]),
    ({"age": "not.is.null"}, ["Ada", "Bob", "Cleo", "Eve"]),
    ({"vip": "is.true"}, ["Ada", "Dan"]),
    ({"vip": "is.false"}, ["Bob", "Cleo"]),
    ({"vip": "not.is.true"}, ["Bob", "Cleo", "Eve"]),
    ({"vip": "is.unknown"}, ["Eve"]),
    ({"vip": "eq.false"}, ["Bob", "Cleo"]),
    ({"age": "isdistinct.36"}, ["Bob", "Cleo", "Dan", "Eve"]),
    ({"born": "lt.1990-01-01"}, ["Eve"]),
    ({"born": "gte.1999-07-20"}, ["Bob", "Dan"]),
    ({"met_at": "gt.2026-01-01T00:00:00Z"}, ["Ada", "Eve"]),
    ({"met_at": "lt.2026-01-01T09:00:00-02:00"}, ["Ada", "Cleo"]),  # 11:00 UTC
    ({"tags": "cs.{a}"}, ["Ada"]),
    ({"tags": "cs.{b}"}, ["Ada", "Bob"]),
    ({"tags": 'cs.["b"]'}, ["Ada", "Bob"]),
    ({"tags": "cd.{a,b}"}, ["Ada", "Bob", "Cleo"]),
    ({"tags": "ov.{a,c}"}, ["Ada", "Eve"]),
    ({"bio": "fts.chess"}, ["Bob"]),
    ({"bio": "fts(english).write"}, ["Ada", "Eve"]),
    ({"bio": "plfts(english).writes reports"}, ["Eve"]),
    ({"bio": "phfts(english).writes compilers"}, ["Ada"]),
    ({"bio": "wfts(english).writes -reports"}, ["Ada"]),
    ({"or": "(age.lt.18,age.gt.50)"}, ["Bob", "Cleo"]),
    ({"and": "(age.gt.18,age.lt.50)"}, ["Ada", "Eve"]),
    ({"or": "(vip.is.true,and(age.gt.40,age.lt.45))"}, ["Ada", "Dan", "Eve"]),
    ({"not.or": "(age.lt.18,age.gt.50)"}, ["Ada", "Eve"]),  # NOT(NULL) keeps Dan out
    ({"not.and": "(age.gt.18,vip.is.true)"}, ["Bob", "Cleo", "Eve"]),
    ({"or": "(full_name.eq.Ada,not.or(age.lt.40,age.is.null))"}, ["Ada", "Cleo", "Eve"]),
    ({"age": "gt.18", "vip": "is.false"}, ["Cleo"]),
    ({"select": "full_name,works_at!inner(company_name)",
      "works_at.company_name": "eq.Acme"}, ["Ada", "Bob"]),
    ({"select": "full_name,works_at()", "works_at": "is.null"}, ["Dan", "Eve"]),
    ({"select": "full_name,person_deals()", "person_deals": "not.is.null"}, ["Ada", "Eve"]),
]


@pytest.mark.parametrize(("params", "expected"), OPERATORS,
                         ids=["&".join(f"{k}={v}" for k, v in p.items()) for p, _ in OPERATORS])
async def test_operator_table(shop, params, expected):
    api, _ = shop
    assert await names(api, **params) == expected


async def test_system_columns_filter_and_order(shop):
    api, ids = shop
    assert await names(api, id=f"eq.{ids.people['Cleo']}") == ["Cleo"]
    assert await names(api, created_at="lt.2000-01-01T00:00:00Z") == []
    assert await names(api, version="eq.1", primary_value="eq.Dan") == ["Dan"]
    rows = (await api.get("/rest/v1/people", params={
        "select": "full_name,age", "order": "age.desc.nullslast,full_name"})).json()
    assert [r["full_name"] for r in rows] == ["Cleo", "Eve", "Ada", "Bob", "Dan"]
    rows = (await api.get("/rest/v1/people", params={
        "select": "full_name", "order": "age.asc.nullsfirst"})).json()
    assert [r["full_name"] for r in rows] == ["Dan", "Bob", "Ada", "Eve", "Cleo"]


async def test_rows_carry_the_fields_and_system_columns(shop):
    api, ids = shop
    response = await api.get("/rest/v1/person", params={"full_name": "eq.Ada"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    [ada] = response.json()
    assert ada["id"] == ids.people["Ada"]
    assert {"id", "primary_value", "created_at", "updated_at", "version"} <= ada.keys()
    assert (ada["primary_value"], ada["version"], ada["age"], ada["tags"]) == ("Ada", 1, 36,
                                                                           ["a", "b"])
    assert ada["met_at"] == "2026-01-01T10:00:00Z" and ada["born"] == "1990-01-05"
    aliased = (await api.get("/rest/v1/people", params={
        "select": "name:full_name,years:age", "full_name": "eq.Bob"})).json()
    assert aliased == [{"name": "Bob", "years": 17}]
    # Fields and system columns mixed: each value under its own key, keys in the select's order.
    [bob] = (await api.get("/rest/v1/people", params={
        "select": "years:age,id,full_name,version,missing:met_at", "full_name": "eq.Bob"})).json()
    assert list(bob) == ["years", "id", "full_name", "version", "missing"]
    assert bob == {"years": 17, "id": ids.people["Bob"], "full_name": "Bob", "version": 1,
                   "missing": None}


async def test_embedding_both_ways_and_nested(shop):
    api, _ = shop
    people = (await api.get("/rest/v1/people", params={
        "select": "full_name,employer:works_at(company_name),deals:person_deals(title)",
        "order": "full_name"})).json()
    by_name = {p["full_name"]: p for p in people}
    assert by_name["Ada"]["employer"] == {"company_name": "Acme"}  # to-one: an object
    assert by_name["Dan"]["employer"] is None
    assert sorted(d["title"] for d in by_name["Ada"]["deals"]) == ["Big", "Small"]  # to-many
    assert by_name["Bob"]["deals"] == []
    companies = (await api.get("/rest/v1/companies", params={
        "select": "company_name,works_at(full_name,person_deals(title))",
        "company_name": "eq.Acme", "works_at.order": "full_name.desc",
        "works_at.person_deals.order": "title"})).json()
    assert companies == [{"company_name": "Acme", "works_at": [
        {"full_name": "Bob", "person_deals": []},
        {"full_name": "Ada", "person_deals": [{"title": "Big"}, {"title": "Small"}]}]}]
    deals = (await api.get("/rest/v1/deals", params={
        "select": "title,people(full_name),company:company_deals(company_name)",
        "title": "eq.Big", "people.order": "full_name"})).json()
    assert deals == [{"title": "Big", "people": [{"full_name": "Ada"}, {"full_name": "Eve"}],
                      "company": {"company_name": "Acme"}}]
    limited = (await api.get("/rest/v1/companies", params={
        "select": "company_name,works_at(full_name)", "company_name": "eq.Acme",
        "works_at.order": "full_name", "works_at.limit": "1"})).json()
    assert limited[0]["works_at"] == [{"full_name": "Ada"}]


async def get(api, headers=None, **params):
    return await api.get("/rest/v1/people", params={"select": "full_name", "order": "full_name",
                                                    **params}, headers=headers or {})


@pytest.mark.parametrize(("params", "headers", "status", "content_range", "expected"), [
    ({}, {}, 200, "0-4/*", ALL),
    ({"limit": "2", "offset": "1"}, {}, 200, "1-2/*", ["Bob", "Cleo"]),
    ({"limit": "2"}, {"Prefer": "count=exact"}, 206, "0-1/5", ["Ada", "Bob"]),
    ({}, {"Range": "0-1"}, 200, "0-1/*", ["Ada", "Bob"]),
    ({}, {"Range": "0-1", "Range-Unit": "items", "Prefer": "count=exact"}, 206, "0-1/5",
     ["Ada", "Bob"]),
    ({}, {"Range": "3-", "Prefer": "count=exact"}, 206, "3-4/5", ["Dan", "Eve"]),
    ({"limit": "10"}, {"Range": "1-2"}, 200, "1-2/*", ["Bob", "Cleo"]),  # intersected
    ({"offset": "2"}, {"Range": "0-3"}, 200, "2-3/*", ["Cleo", "Dan"]),
    ({}, {"Prefer": "count=exact"}, 200, "0-4/5", ALL),
    ({}, {"Prefer": "count=estimated"}, 200, "0-4/5", ALL),
    ({"age": "gt.100"}, {}, 200, "*/*", []),
    ({"age": "gt.100"}, {"Prefer": "count=exact"}, 200, "*/0", []),
    ({}, {"Range": "5-9", "Prefer": "count=exact"}, 206, "*/5", []),
    ({"limit": "0"}, {"Prefer": "count=exact"}, 206, "*/5", []),
    ({}, {"Range": "garbage"}, 200, "0-4/*", ALL),  # PostgREST ignores an unreadable Range
])
async def test_ranges_counts_and_content_range(shop, params, headers, status, content_range,
                                               expected):
    api, _ = shop
    response = await get(api, headers, **params)
    assert response.status_code == status, response.text
    assert response.headers["content-range"] == content_range
    assert [r["full_name"] for r in response.json()] == expected


async def test_planned_count_and_head(shop):
    api, _ = shop
    planned = await get(api, {"Prefer": "count=planned"})
    assert planned.status_code in (200, 206)
    span, total = planned.headers["content-range"].split("/")
    assert span == "0-4" and int(total) >= 0
    head = await api.head("/rest/v1/people", headers={"Prefer": "count=exact"},
                          params={"age": "gt.18"})
    assert (head.status_code, head.headers["content-range"], head.content) == (200, "0-2/3", b"")


async def test_range_errors_are_416(shop):
    api, _ = shop
    past = await get(api, {"Range": "10-20", "Prefer": "count=exact"})
    assert past.status_code == 416 and past.headers["content-range"] == "*/5"
    assert past.json() == {"code": "PGRST103", "message": "Requested range not satisfiable",
                           "details": "An offset of 10 was requested, but there are only 5 rows.",
                           "hint": None}
    reversed_ = await get(api, {"Range": "4-2"})
    assert (reversed_.status_code, reversed_.json()["code"]) == (416, "PGRST103")


async def test_singular_object_and_stripped_nulls(shop):
    api, _ = shop
    one = await get(api, {"Accept": "application/vnd.pgrst.object+json"}, full_name="eq.Ada")
    assert one.status_code == 200 and one.json() == {"full_name": "Ada"}
    assert one.headers["content-type"].startswith("application/vnd.pgrst.object+json")
    many = await get(api, {"Accept": "application/vnd.pgrst.object+json"})
    assert many.status_code == 406
    assert many.json()["code"] == "PGRST116" and many.json()["details"] == (
        "The result contains 5 rows")
    stripped = await api.get("/rest/v1/people", params={"select": "full_name,age",
                                                        "full_name": "eq.Dan"},
                             headers={"Accept": "application/vnd.pgrst.array+json;nulls=stripped"})
    assert stripped.json() == [{"full_name": "Dan"}]


async def test_profiles_public_is_accepted(shop):
    api, _ = shop
    response = await get(api, {"Accept-Profile": "public"})
    assert response.status_code == 200 and len(response.json()) == 5
