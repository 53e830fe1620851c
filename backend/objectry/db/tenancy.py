"""The only door to the database for request handling: a pooled connection whose session is
scoped to one workspace (`app.tenant_id`, read by every row-level-security policy).

The scope is a session setting rather than `SET LOCAL`, so a single-statement request costs a
single round trip: each acquire re-scopes the connection unless it already serves that
workspace. Code must therefore never use `pool.acquire()` directly for tenant data.

A request's services open the door with `one(ctx)` (a single statement, or reads that need no
common snapshot) or `tx(ctx)` (statements that commit together). Inside `held_transaction`
(an idempotent request: objectry/idempotency) both hand out that one open transaction instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
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


# The open transaction of the running request when it must commit as one unit with something
# the handler does not know about (an idempotency key's stored response). A ContextVar, so
# the handlers and services stay unchanged; unset (one lookup) on every other request.
_held: ContextVar[asyncpg.Connection | None] = ContextVar("objectry_held", default=None)


@asynccontextmanager
async def connection(pool: asyncpg.Pool, tenant_id: str) -> AsyncIterator[asyncpg.Connection]:
    """For one statement (autocommit): reads, and writes that are a single statement."""
    if (held := _held.get()) is not None:
        yield _serving(held, tenant_id)
        return
    async with pool.acquire() as conn:
        await conn.scope_to(tenant_id)
        yield conn


@asynccontextmanager
async def transaction(pool: asyncpg.Pool, tenant_id: str) -> AsyncIterator[asyncpg.Connection]:
    """For several statements that must commit together (inside a held transaction: a
    savepoint, so a failure rolls back these statements only, as it would on their own)."""
    if (held := _held.get()) is not None:
        async with _serving(held, tenant_id).transaction():
            yield held
        return
    async with pool.acquire() as conn:
        await conn.scope_to(tenant_id)
        async with conn.transaction():
            yield conn


@asynccontextmanager
async def held_transaction(pool: asyncpg.Pool, tenant_id: str
                           ) -> AsyncIterator[asyncpg.Connection]:
    """One transaction that `connection` and `transaction` hand out, in this task and the
    tasks it starts, until it ends: everything written through them commits with it."""
    async with transaction(pool, tenant_id) as conn:
        token = _held.set(conn)
        try:
            yield conn
        finally:
            _held.reset(token)


def _serving(held: asyncpg.Connection, tenant_id: str) -> asyncpg.Connection:
    if held.tenant_id != tenant_id:  # a request works in one workspace: this is a bug
        raise RuntimeError("the held transaction serves another workspace")
    return held


def one(ctx: Scope) -> AbstractAsyncContextManager[asyncpg.Connection]:
    """The caller's workspace for a single statement (or reads): autocommit, so no BEGIN and
    COMMIT round trips."""
    return connection(ctx.state.pool, ctx.tenant_id)


def tx(ctx: Scope) -> AbstractAsyncContextManager[asyncpg.Connection]:
    """The caller's workspace for several statements that commit together."""
    return transaction(ctx.state.pool, ctx.tenant_id)
