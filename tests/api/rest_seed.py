"""A small CRM for the /rest/v1 tests: companies, people and deals, linked both ways.

    company ──works_at (1:N, restrict)──► person ──person_deals (N:N)──► deal
    company ──company_deals (1:N, cascade)──► deal
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tests.api.builders import add_field, link, make_object, ok, relate

TAGS = {"options": [{"value": v, "label": v.upper()} for v in ("a", "b", "c")]}
PEOPLE = [
    # full_name, email, age, vip, born, met_at, tags, bio
    ("Ada", "ada@x.io", 36, True, "1990-01-05", "2026-01-01T10:00:00Z", ["a", "b"],
     "writes compilers for fun"),
    ("Bob", "bob@x.io", 17, False, "2008-03-01", None, ["b"], "plays chess"),
    ("Cleo", "cleo@x.io", 52, False, None, "2025-06-30T23:30:00Z", [], "runs marathons"),
    ("Dan", "dan@x.io", None, True, "1999-07-20", None, None, None),
    ("Eve", "eve@x.io", 41, None, "1985-11-11", "2026-03-01T00:00:00Z", ["c"],
     "breaks ciphers and writes reports"),
]
PERSON_KEYS = ("full_name", "email", "age", "vip", "born", "met_at", "tags", "bio")


@dataclass
class Crm:
    people: dict[str, str]  # full_name → id
    companies: dict[str, str]
    deals: dict[str, str]


async def schema(api: httpx.AsyncClient) -> None:
    await make_object(api, "company", plural_name="companies")
    await add_field(api, "company", "company_name")
    await add_field(api, "company", "domain", is_unique=True)
    await make_object(api, "person", plural_name="people")
    for name, type_, config, extra in (
            ("full_name", "text", {}, {}), ("email", "email", {}, {"is_unique": True}),
            ("age", "number", {"integer": True}, {"is_indexed": True}),
            ("vip", "boolean", {}, {}), ("born", "date", {}, {}),
            ("met_at", "datetime", {}, {}), ("tags", "multi_select", TAGS, {}),
            ("bio", "long_text", {}, {})):
        await add_field(api, "person", name, type_, config, **extra)
    await make_object(api, "deal", plural_name="deals")
    await add_field(api, "deal", "title")
    await add_field(api, "deal", "amount", "currency", {"currency_code": "EUR"})


async def rows(api: httpx.AsyncClient, table: str, body: Any, **params: Any) -> list[Any]:
    response = await api.post(f"/rest/v1/{table}", json=body, params=params,
                              headers={"Prefer": "return=representation"})
    return await ok(response, 201)


async def crm(api: httpx.AsyncClient) -> Crm:
    await schema(api)
    people = [{k: v for k, v in zip(PERSON_KEYS, p, strict=True) if v is not None}
              for p in PEOPLE]
    made = await rows(api, "people", people)
    companies = await rows(api, "companies", [
        {"company_name": "Acme", "domain": "acme.io"},
        {"company_name": "Globex", "domain": "globex.io"},
        {"company_name": "Initech"}])
    deals = await rows(api, "deals", [{"title": "Big", "amount": 1000},
                                      {"title": "Small", "amount": 9.5},
                                      {"title": "Lost"}])
    c = Crm({p["full_name"]: p["id"] for p in made},
            {x["company_name"]: x["id"] for x in companies}, {d["title"]: d["id"] for d in deals})
    works = await relate(api, "works_at", "company", "person", "1:N", "restrict")
    person_deals = await relate(api, "person_deals", "person", "deal", "N:N")
    company_deals = await relate(api, "company_deals", "company", "deal", "1:N", "cascade")
    for company, person in (("Acme", "Ada"), ("Acme", "Bob"), ("Globex", "Cleo")):
        await link(api, works["id"], c.companies[company], c.people[person])
    for person, deal in (("Ada", "Big"), ("Ada", "Small"), ("Eve", "Big")):
        await link(api, person_deals["id"], c.people[person], c.deals[deal])
    for company, deal in (("Acme", "Big"), ("Globex", "Small"), ("Initech", "Lost")):
        await link(api, company_deals["id"], c.companies[company], c.deals[deal])
    return c
