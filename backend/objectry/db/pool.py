"""The asyncpg pool: JSON codecs registered once, every connection running as the runtime role."""

from __future__ import annotations

import asyncpg
import orjson

RUNTIME_ROLE = "objectry_app"


def _dumps(value: object) -> str:
    return orjson.dumps(value).decode()


async def _init(conn: asyncpg.Connection) -> None:
    for name in ("json", "jsonb"):
        await conn.set_type_codec(name, encoder=_dumps, decoder=orjson.loads, schema="pg_catalog")


async def create(url: str, *, min_size: int, max_size: int) -> asyncpg.Pool:
    """Connections start as RUNTIME_ROLE (no BYPASSRLS), so row-level security always applies."""
    return await asyncpg.create_pool(
        url, min_size=min_size, max_size=max_size, init=_init,
        server_settings={"role": RUNTIME_ROLE, "application_name": "objectry"},
    )


async def connect_owner(url: str) -> asyncpg.Connection:
    """A connection as the schema owner, for DDL the runtime role may not run (field indexes)."""
    conn = await asyncpg.connect(url, server_settings={"application_name": "objectry-ddl"})
    await _init(conn)
    return conn
