"""What computed columns cost a page: 50 companies of 10,000 with two rollups and a formula (or
a rollup and a filtered one), against the same page without them, in-process (the ASGI app
called directly).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m bench.computed

Makes a fresh database on that server (dropped at the end), 10,000 companies with 3 deals
each (30,000 deals, 30,000 links), then times each page shape interleaved (wall clock per
request, median and p95 in ms): the plain page, the page with the computed columns, and the
page ordered by a rollup (every company's stored rollup: one join of their values). Then what
the stored rollups cost the writes: a PATCH of a linked deal's amount (its company's rollups
computed again, in the write's transaction) and of its note (which no rollup reads: nothing
computed) against a PATCH of a company (no rollup reads it).
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import time

import asyncpg
import httpx
import orjson

from bench.api import Api, connect
from bench.inprocess import Direct, in_fresh_database
from objectry.main import create_app
from objectry.settings import Settings

PAGES = {
    "plain page (name, size)": "/rest/v1/companies?select=name,size&limit=50"
                               "&order=created_at.desc",
    "+ 2 rollups + 1 formula": "/rest/v1/companies?select=name,size,deal_count,pipeline,"
                               "per_deal&limit=50&order=created_at.desc",
    "+ 1 rollup + 1 filtered rollup": "/rest/v1/companies?select=name,size,deal_count,"
                                      "big_pipeline&limit=50&order=created_at.desc",
    "ordered by a rollup": "/rest/v1/companies?select=name,size,deal_count,pipeline,per_deal"
                           "&limit=50&order=pipeline.desc",
    "filtered on a formula": "/rest/v1/companies?select=name,size,per_deal&limit=50"
                             "&per_deal=gt.100",
}
WRITES = ("PATCH a linked deal's amount (its company's stored rollups computed again)",
          "PATCH a linked deal's note (no rollup reads it: nothing computed)",
          "PATCH a company (no rollup reads it)")
# The admin's formula editor as it is typed: a draft over the rollups checked (on a throwaway
# snapshot) and previewed on the first company by one compiled read.
CHECKS = {"formula check + preview": ("/api/objects/company/formula/check",
                                      b'{"expression": "{pipeline} / {deal_count} * 2",'
                                      b' "result_type": "number"}')}


async def define(api: Api) -> str:
    await api.call("POST", "/api/objects", {"name": "company", "label": "Company",
                                            "plural_name": "companies"})
    await api.call("POST", "/api/objects", {"name": "deal", "label": "Deal"})
    for obj, name, type_ in (("company", "name", "text"), ("company", "size", "number"),
                             ("deal", "amount", "number"), ("deal", "note", "text")):
        await api.call("POST", f"/api/objects/{obj}/fields",
                       {"name": name, "label": name.title(), "type": type_})
    rel = await api.call("POST", "/api/relationships", {
        "name": "company_deals", "from_object_id": "company", "to_object_id": "deal",
        "type": "1:N", "from_label": "Company", "to_label": "Deals"})
    for name, type_, config in (
            ("deal_count", "rollup", {"relationship": "company_deals", "function": "count"}),
            ("pipeline", "rollup", {"relationship": "company_deals", "function": "sum",
                                    "field": "amount"}),
            ("big_pipeline", "rollup", {"relationship": "company_deals", "function": "sum",
                                        "field": "amount", "filter": "amount=gt.500"}),
            ("per_deal", "formula", {"expression": "{pipeline} / {deal_count}",
                                     "result_type": "number"})):
        await api.call("POST", "/api/objects/company/fields",
                       {"name": name, "label": name, "type": type_, "config": config})
    return str(rel["id"])


async def seed(api: Api, url: str, companies: int, deals_each: int) -> None:
    rel = await define(api)
    made = await api.call("POST", "/api/records/bulk", {"object": "company", "records": [
        {"data": {"name": f"company {i}", "size": i % 500}} for i in range(companies)]})
    company_ids = [r["id"] for r in made["items"]]
    deal_ids: list[str] = []
    for start in range(0, companies * deals_each, 10_000):
        count = min(10_000, companies * deals_each - start)
        made = await api.call("POST", "/api/records/bulk", {"object": "deal", "records": [
            {"data": {"amount": (start + i) % 1000}} for i in range(count)]})
        deal_ids += [r["id"] for r in made["items"]]
    owner = await asyncpg.connect(url)
    try:
        tenant, from_object, to_object = await owner.fetchrow(
            "SELECT tenant_id, from_object_id, to_object_id FROM relationships WHERE id = $1",
            rel)
        pairs = [(company_ids[i % companies], deal) for i, deal in enumerate(deal_ids)]
        await owner.copy_records_to_table(
            "relationship_records",
            columns=["tenant_id", "id", "relationship_id", "rel_type", "from_object_id",
                     "to_object_id", "from_record_id", "to_record_id"],
            records=[(tenant, f"rrec_{i:016d}", rel, "1:N", from_object, to_object, c, d)
                     for i, (c, d) in enumerate(pairs)])
        await owner.execute("ANALYZE")
    finally:
        await owner.close()


async def timed(call: Direct, target: str, sent: bytes = b"", method: str = "") -> float:
    start = time.perf_counter()
    status, body = await call(method or ("POST" if sent else "GET"), target, sent)
    elapsed = time.perf_counter() - start
    assert status == 200, (status, body[:300])
    return elapsed * 1000


async def ids(call: Direct, obj: str, count: int) -> list[str]:
    status, body = await call("GET", f"/rest/v1/{obj}?select=id&limit={count}")
    assert status == 200, body[:300]
    return [row["id"] for row in orjson.loads(body)]


async def writes(call: Direct, requests: int) -> dict[str, list[float]]:
    """PATCH of a linked deal's amount, of its note and of a company's size, interleaved,
    each a new value."""
    deals, companies = await ids(call, "deal", requests), await ids(call, "companies", requests)
    results: dict[str, list[float]] = {name: [] for name in WRITES}
    for i, (deal, company) in enumerate(zip(deals, companies, strict=True)):
        for name, target, field, value in (
                (WRITES[0], f"/api/records/{deal}", "amount", 1000 + i),
                (WRITES[1], f"/api/records/{deal}", "note", f"note {i}"),
                (WRITES[2], f"/api/records/{company}", "size", 1000 + i)):
            sent = orjson.dumps({"data": {field: value}})
            results[name].append(await timed(call, target, sent, "PATCH"))
    return results


async def measure(url: str, args: argparse.Namespace) -> dict[str, list[float]]:
    settings = Settings(database_url=url, pool_min_size=2, pool_max_size=4,
                        stop_embedded_on_exit=False, secret_key=secrets.token_hex(32))
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        api = await connect("http://bench", httpx.ASGITransport(app=app))
        await seed(api, url, args.companies, args.deals_each)
        call = Direct(app, api.headers)
        shapes = {**{name: (target, b"") for name, target in PAGES.items()}, **CHECKS}
        for target, sent in shapes.values():
            for _ in range(args.warmup):
                await timed(call, target, sent)
        results: dict[str, list[float]] = {name: [] for name in shapes}
        for _ in range(args.requests):  # interleaved, so drift touches every shape alike
            for name, (target, sent) in shapes.items():
                results[name].append(await timed(call, target, sent))
        results.update(await writes(call, args.requests))
        await api.aclose()
    return results


async def main(args: argparse.Namespace) -> None:
    results = await in_fresh_database("objectry_computed_", lambda url: measure(url, args))
    plain = statistics.median(next(iter(results.values())))
    print(f"| page of 50 ({args.companies:,} companies, {args.deals_each} deals each) "
          f"| median ms | p95 ms | × plain |")
    print("|---|---|---|---|")
    for page, values in results.items():
        if page == WRITES[0]:
            base = statistics.median(results[WRITES[-1]])
            print(f"\n| write ({args.companies:,} companies, {args.deals_each} deals each) "
                  f"| median ms | p95 ms | × a company's PATCH |")
            print("|---|---|---|---|")
        ordered = sorted(values)
        p95 = ordered[int(len(ordered) * 0.95) - 1]
        median = statistics.median(values)
        print(f"| {page} | {median:.2f} | {p95:.2f} | "
              f"{median / (base if page in WRITES else plain):.2f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.computed", description=__doc__)
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--deals-each", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200, help="requests per page shape")
    parser.add_argument("--warmup", type=int, default=20)
    asyncio.run(main(parser.parse_args()))
