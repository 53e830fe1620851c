"""The only door to the database for request handling: a pooled connection whose session is
scoped to one workspace (`app.tenant_id`, read by every row-level-security policy).

The scope is a session setting rather than `SET LOCAL`, so a single-statement request costs a
single round trip: each acquire re-scopes the connection unless it already serves that
workspace. Code must therefore never use `pool.acquire()` directly for tenant data.

A request's services open the door with `one(ctx)` (a single statement, or reads that need no
common snapshot) or `tx(ctx)` (statements that commit together).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

import asyncpg


class _Pooled(Protocol):
    @property
    def pool(self) -> asyncpg.Pool: ...


class Scope(Protocol):
    """What a request's context (web.context.Context) offers the door: the process's pool and
    the caller's workspace. A protocol, so that db/ imports nothing from the web layer."""

    @property
    def state(self) -> _Pooled: ...

    @property
    def tenant_id(self) -> str: ...


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


def one(ctx: Scope) -> AbstractAsyncContextManager[asyncpg.Connection]:
    """The caller's workspace for a single statement (or reads): autocommit, so no BEGIN and
    COMMIT round trips."""
    return connection(ctx.state.pool, ctx.tenant_id)


def tx(ctx: Scope) -> AbstractAsyncContextManager[asyncpg.Connection]:
    """The caller's workspace for several statements that commit together."""
    return transaction(ctx.state.pool, ctx.tenant_id)
