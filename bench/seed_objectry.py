"""Seed Objectry through its public API: objects, fields, the relationship, records in bulk
(timed: that is the bulk-import measurement), and the company links of the contacts."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from bench import workload as w
from bench.api import Api, bounded

BATCH = 10_000  # the documented per-call limit of POST /api/records/bulk


@dataclass
class Seeded:
    contact_object_id: str
    company_object_id: str
    field_ids: dict[str, str]  # contact field name → field id (storage key)
    company_field_ids: dict[str, str]
    relationship_id: str
    contact_ids: list[str] = field(default_factory=list)
    company_ids: list[str] = field(default_factory=list)
    bulk_seconds: float = 0.0
    links: int = 0
    link_seconds: float = 0.0


async def define_schema(api: Api, settle: Callable[[int], Awaitable[None]] | None = None
                        ) -> Seeded:
    """Objects, fields and the relationship. `settle(n)` waits until n field indexes exist:
    Objectry builds plain indexes in the background, and two concurrent builds on `records`
    can deadlock (one is then lost), so the harness lets each finish before the next."""
    company = await api.call("POST", "/api/objects", {"name": "company", "label": "Company",
                                                      "plural_name": "companies"})
    contact = await api.call("POST", "/api/objects", {"name": "contact", "label": "Contact",
                                                      "plural_name": "contacts"})
    field_ids, indexes = {}, 0
    for spec in w.CONTACT_FIELDS:
        made = await api.call("POST", "/api/objects/contact/fields", spec)
        field_ids[spec["name"]] = made["id"]
        if spec.get("is_indexed") or spec.get("is_unique"):
            indexes += 1
            if settle is not None:
                await settle(indexes)
    await api.call("POST", "/api/object-fields", {"object_id": company["id"],
                                                  "field_id": field_ids["name"]})
    company_field_ids = {"name": field_ids["name"]}
    for spec in w.COMPANY_FIELDS:
        made = await api.call("POST", "/api/objects/company/fields", spec)
        company_field_ids[spec["name"]] = made["id"]
    rel = await api.call("POST", "/api/relationships", {
        "name": w.RELATIONSHIP, "from_object_id": company["id"], "to_object_id": contact["id"],
        "type": "1:N", "from_label": "Contacts", "to_label": "Company"})
    return Seeded(contact["id"], company["id"], field_ids, company_field_ids, rel["id"])


def bulk_bodies(object_name: str, rows: list[dict[str, Any]]) -> list[bytes]:
    """Encoded before the clock starts, so the harness's own work is not timed."""
    return [orjson.dumps({"object": object_name, "mode": "insert",
                          "records": [{"data": r} for r in rows[i:i + BATCH]]})
            for i in range(0, len(rows), BATCH)]


async def post_bulk(api: Api, bodies: list[bytes], concurrency: int) -> tuple[list[str], float]:
    headers = {**api.headers, "content-type": "application/json"}

    async def send(body: bytes) -> list[str]:
        response = await api.client.post("/api/records/bulk", content=body, headers=headers)
        if response.status_code != 201:
            raise RuntimeError(f"bulk → {response.status_code}: {response.text[:500]}")
        items = orjson.loads(response.content)["items"]
        # Parsed: the JSON drops a zero fraction ("…:25Z" after "…:25.000001Z" as text).
        return [(dt.datetime.fromisoformat(item["created_at"]), item["id"]) for item in items]

    started = time.perf_counter()
    batches = await bounded([lambda b=b: send(b) for b in bodies], concurrency)
    seconds = time.perf_counter() - started
    # In the order lists show them (created_at, then id): concurrent calls commit in any order
    # and each stamps its records with its own start, so the last call sent is not always the
    # newest, and "the newest contacts" (link_contacts) must be the ones a page shows first.
    return [i for _, i in sorted(pair for batch in batches for pair in batch)], seconds


async def seed(api: Api, records: int, *, bulk_concurrency: int,
               settle: Callable[[int], Awaitable[None]] | None = None) -> Seeded:
    """The schema, the companies, then the contacts in timed bulk calls."""
    seeded = await define_schema(api, settle)
    companies = [w.company(i) for i in range(w.company_count(records))]
    seeded.company_ids, _ = await post_bulk(api, bulk_bodies("company", companies),
                                            bulk_concurrency)
    bodies = bulk_bodies("contact", list(w.contacts(records)))
    seeded.contact_ids, seeded.bulk_seconds = await post_bulk(api, bodies, bulk_concurrency)
    return seeded


async def link_contacts(api: Api, seeded: Seeded, links: int, concurrency: int) -> None:
    """The newest `links` contacts (those lists ordered by created_at desc show first: the last
    of `seeded.contact_ids`, which post_bulk orders by creation), one
    POST /api/relationship-records each: there is no bulk link endpoint."""
    n = len(seeded.company_ids)
    first = len(seeded.contact_ids) - links

    def job(i: int, contact_id: str) -> Any:
        return api.call("POST", "/api/relationship-records", {
            "relationship_id": seeded.relationship_id,
            "from_record_id": seeded.company_ids[w.company_of(i, n)],
            "to_record_id": contact_id})

    started = time.perf_counter()
    await bounded([lambda i=i: job(i, seeded.contact_ids[i])
                   for i in range(first, len(seeded.contact_ids))], concurrency)
    seeded.links = links
    seeded.link_seconds = max(time.perf_counter() - started, 1e-9)


async def bulk_for(api: Api, seconds: float, concurrency: int, tag: str) -> int:
    """Keep `concurrency` bulk calls of new contacts in flight for `seconds` (for profiling).
    Returns the records sent."""
    sent = 0
    deadline = time.monotonic() + seconds

    async def loop(k: int) -> None:
        nonlocal sent
        n = 0
        while time.monotonic() < deadline:
            rng = random.Random(n)
            rows = [{**w.contact(i, rng), "email": f"{tag}-{k}-{n}-{i}@example.com"}
                    for i in range(BATCH)]
            n += 1
            await post_bulk(api, bulk_bodies("contact", rows), 1)
            sent += len(rows)

    await asyncio.gather(*(loop(k) for k in range(concurrency)))
    return sent
