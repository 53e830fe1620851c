"""Read-only looks into Objectry's own (embedded) database, for facts the API does not give:
whether its field indexes exist, and query plans.
Nothing here seeds or changes data; the schema owner connects over the Unix socket."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg

INDEXES = """SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i
             JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'rx\\_%' ORDER BY 1"""


async def field_indexes(url: str) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(url)
    try:
        return [dict(r) for r in await conn.fetch(INDEXES)]
    finally:
        await conn.close()


async def valid_field_indexes(url: str) -> int:
    return sum(1 for r in await field_indexes(url) if r["valid"])


def settler(url: str, timeout: float = 60.0, existing: int = 0) -> Any:
    """A `settle(n)` for seeding: wait until `existing` + n valid field indexes exist (or time
    out); `existing`: those of workspaces seeded before."""

    async def settle(n: int) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if await valid_field_indexes(url) >= existing + n:
                return
            await asyncio.sleep(0.2)

    return settle


async def tenant_of(url: str, object_id: str) -> str:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval("SELECT tenant_id FROM objects WHERE id = $1", object_id)
    finally:
        await conn.close()


async def explain(url: str, sql: str, *, role: str | None = None,
                  tenant: str | None = None) -> list[str]:
    """EXPLAIN ANALYZE one statement, optionally as `role` with app.tenant_id set (RLS)."""
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            if role:
                await conn.execute(f"SET LOCAL ROLE {role}")
                await conn.execute("SELECT set_config('app.tenant_id', $1, true)", tenant)
            rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS OFF) " + sql)
        return [r[0] for r in rows]
    finally:
        await conn.close()
