"""The only door to the database for request handling: a pooled connection whose session is
scoped to one workspace (`app.tenant_id`, read by every row-level-security policy).

The scope is a session setting rather than `SET LOCAL`, so a single-statement request costs a
single round trip: each acquire re-scopes the connection unless it already serves that
workspace. Code must therefore never use `pool.acquire()` directly for tenant data.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg


@asynccontextmanager
async def connection(pool: asyncpg.Pool, tenant_id: str) -> AsyncIterator[asyncpg.Connection]:
    """For one statement (autocommit): reads, and writes that are a single statement."""
    async with pool.acquire() as conn:
        await conn.scope_to(tenant_id)
        yield conn


@asynccontextmanager
async def transaction(pool: asyncpg.Pool, tenant_id: str) -> AsyncIterator[asyncpg.Connection]:
    """For several statements that must commit together."""
    async with pool.acquire() as conn:
        await conn.scope_to(tenant_id)
        async with conn.transaction():
            yield conn
