"""The bulk write path in-process against its ceiling, on one database in one process.

`DATABASE_URL=… python -m bench.writepath` makes a fresh database on that server, defines the
bench workload (bench/workload.py), then for `--rounds` rounds, interleaved so that the
machine's load touches each alike: one `POST /api/records/bulk` of `--batch` new contacts
(the ASGI app called directly, validated, history written) per variant, and a raw binary
COPY of as many rows into the same `records` table (same indexes and triggers; no
validation, no events, no RLS) — the ceiling. Variants switch this round's two changes off:
`unnest` writes the batch with one INSERT … unnest instead of COPY + INSERT … SELECT,
`full phone` sends every phone number through phonenumbers. Wall records/s, median of the
rounds, and each variant's ratio to the COPY of its own round."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import secrets
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import httpx
import orjson

from bench import workload as w
from bench.api import connect
from bench.inprocess import in_fresh_database
from bench.seed_objectry import define_schema
from objectry.fields import contact
from objectry.main import create_app
from objectry.records import bulk
from objectry.settings import Settings


@contextmanager
def variant(copy: bool, fast_phone: bool) -> Iterator[None]:
    saved = bulk.COPY_FROM, contact.e164_verdict
    if not copy:
        bulk.COPY_FROM = 10**9
    if not fast_phone:
        contact.e164_verdict = lambda text: None  # type: ignore[assignment]
    try:
        yield
    finally:
        bulk.COPY_FROM, contact.e164_verdict = saved


VARIANTS: dict[str, tuple[bool, bool]] = {"COPY + fast phone (this round)": (True, True),
                                          "unnest + fast phone": (False, True),
                                          "COPY + full phone": (True, False),
                                          "unnest + full phone (before)": (False, False)}


async def measure(url: str, args: argparse.Namespace) -> dict[str, list[float]]:
    settings = Settings(database_url=url, pool_min_size=2, pool_max_size=4,
                        stop_embedded_on_exit=False, secret_key=secrets.token_hex(32),
                        max_bulk_records=max(10_000, args.batch))
    app = create_app(settings)
    owner = await asyncpg.connect(url)
    made = 0

    def batch() -> list[dict[str, Any]]:
        nonlocal made
        rows = [{**c, "email": f"w{made + i}@example.com"}
                for i, c in enumerate(w.contacts(args.batch, seed=made))]
        made += args.batch
        return rows

    async with app.router.lifespan_context(app):
        api = await connect("http://bench", httpx.ASGITransport(app=app))
        seeded = await define_schema(api)
        tenant = await owner.fetchval("SELECT tenant_id FROM objects WHERE id = $1",
                                      seeded.contact_object_id)

        async def through_api() -> float:
            body = orjson.dumps({"object": "contact",
                                 "records": [{"data": r} for r in batch()]})
            started = time.perf_counter()
            answer = await api.client.post("/api/records/bulk", content=body, headers={
                **api.headers, "content-type": "application/json"})
            seconds = time.perf_counter() - started
            assert answer.status_code == 201, answer.text[:300]
            return args.batch / seconds

        async def by_copy() -> float:
            now = dt.datetime.now(dt.UTC)
            rows = [(tenant, f"rec_copy{made}_{i}", seeded.contact_object_id,
                     orjson.dumps({seeded.field_ids[k]: v for k, v in r.items()}).decode(),
                     r["name"], now, now) for i, r in enumerate(batch())]
            started = time.perf_counter()
            await owner.copy_records_to_table("records", records=rows, columns=(
                "tenant_id", "id", "object_id", "data", "primary_value", "created_at",
                "updated_at"))
            return args.batch / (time.perf_counter() - started)

        await through_api()  # warm-up: validators, plans
        results: dict[str, list[float]] = {name: [] for name in [*VARIANTS, "COPY"]}
        ratios: dict[str, list[float]] = {name: [] for name in VARIANTS}
        for _ in range(args.rounds):
            ceiling = await by_copy()
            results["COPY"].append(ceiling)
            for name, (copy, fast) in VARIANTS.items():
                with variant(copy, fast):
                    rate = await through_api()
                results[name].append(rate)
                ratios[name].append(rate / ceiling)
        await api.aclose()
    await owner.close()
    return {**results, **{f"ratio {k}": v for k, v in ratios.items()}}


def table(results: dict[str, list[float]], args: argparse.Namespace) -> str:
    median: Callable[[list[float]], float] = statistics.median
    lines = [f"| bulk of {args.batch:,} contacts ({args.rounds} rounds) | records/s (median)"
             " | min | max | × COPY (median of the rounds' ratios) |", "|---|---|---|---|---|"]
    for name in [*VARIANTS, "COPY"]:
        values = results[name]
        ratio = results.get(f"ratio {name}")
        lines.append(f"| {name} | {median(values):,.0f} | {min(values):,.0f} |"
                     f" {max(values):,.0f} | {f'{median(ratio):.2f}' if ratio else '1'} |")
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> None:
    results = await in_fresh_database("objectry_write_", lambda url: measure(url, args))
    print(table(results, args))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.writepath", description=__doc__)
    parser.add_argument("--batch", type=int, default=5000, help="records per bulk call")
    parser.add_argument("--rounds", type=int, default=5)
    asyncio.run(main(parser.parse_args()))
