"""The only door to the database for request handling: a pooled connection scoped to one
workspace (`app.tenant_id`, read by every row-level-security policy).

Direct, the scope is a session setting rather than `SET LOCAL`, so a single-statement request
costs a single round trip: each acquire re-scopes the connection unless it already serves that
workspace. Behind a transaction-mode pooler the session is not ours between transactions, so
every door opens a transaction whose BEGIN carries the scope (db/pool.py). Code must therefore
never use `pool.acquire()` directly: tenant data goes through `connection`/`transaction`, and
what comes before the workspace is known (sign-in, credentials) through `unscoped`.

A request's services open the door with `one(ctx)` (a single statement, or reads that need no
common snapshot) or `tx(ctx)` (statements that commit together); the reads a streaming
replica may serve (record lists and gets, /rest/v1 GET, exports) with `reading(ctx)` or
`reading_tx(ctx)` instead, which choose between the replica and the primary (db/replica.py).
Inside `held_transaction` (an idempotent request: objectry/idempotency) all four hand out that
one open transaction instead.

Every door for a workspace first takes a turn in that workspace's lane (db/admission.py,
OBJECTRY_WORKSPACE_CONCURRENCY), so one workspace never holds every pooled connection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Protocol

import asyncpg

if TYPE_CHECKING:
    from objectry.db.admission import Admission


class _Replica(Protocol):
    def acquire(self) -> AbstractAsyncContextManager[asyncpg.Connection | None]: ...


class _Pooled(Protocol):
    @property
    def pool(self) -> asyncpg.Pool: ...

    @property
    def replica(self) -> _Replica | None: ...


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
# With the workspace it serves (behind a transaction pooler a connection does not know it).
_held: ContextVar[tuple[asyncpg.Connection, str] | None] = ContextVar("objectry_held",
                                                                     default=None)


class _door(AbstractAsyncContextManager[asyncpg.Connection]):  # noqa: N801 (a function's role)
    """Every request passes this door, so it is a class rather than an @asynccontextmanager
    generator, which costs each use ~170 bytecodes more (bench/notes.md)."""

    __slots__ = ("_pool", "_tenant_id", "_transaction", "_replica", "_gate", "_slot",
                 "_acquired", "_unit")

    def __init__(self, pool: asyncpg.Pool, tenant_id: str | None, *, transaction: bool,
                 replica: _Replica | None = None) -> None:
        self._pool, self._tenant_id, self._transaction = pool, tenant_id, transaction
        self._replica = replica  # tried first, when not inside a held transaction
        self._gate: Admission | None = None
        self._slot: Any = None
        self._acquired: Any = None
        self._unit: Any = None

    async def __aenter__(self) -> asyncpg.Connection:
        tenant_id = self._tenant_id
        if tenant_id is not None and (held := _held.get()) is not None:
            # Inside a held transaction: its connection (a savepoint for a nested transaction,
            # so a failure rolls back these statements only, as it would on their own).
            conn = _serving(held, tenant_id)
            await self._begin(conn, self._transaction)
            return conn
        left = None
        if tenant_id is not None and (gate := self._pool.admission) is not None:
            # Per-workspace admission control (db/admission.py): a turn before a connection, so
            # that a workspace over its limit queues behind itself rather than for the others'
            # connections.
            self._slot, left = await gate.enter(tenant_id)
            self._gate = gate
        try:
            conn, acquired = None, None
            if self._replica is not None:  # a replica connection, or None: then the primary
                acquired = self._replica.acquire()
                if (conn := await acquired.__aenter__()) is None:
                    await acquired.__aexit__(None, None, None)
            if conn is None:
                # What is left of the acquire timeout after a wait for the turn: one bound for
                # both.
                acquired = (self._pool.acquire() if left is None
                            else self._pool.acquire(timeout=left))
                conn = await acquired.__aenter__()
            try:
                await self._begin(conn, await _scope(conn, tenant_id, self._transaction))
            except BaseException:
                await acquired.__aexit__(None, None, None)
                raise
            self._acquired = acquired
        except BaseException:
            self._leave()
            raise
        return conn

    async def _begin(self, conn: asyncpg.Connection, transaction: bool) -> None:
        if transaction:
            unit = conn.transaction()
            await unit.__aenter__()
            self._unit = unit

    async def __aexit__(self, kind: Any, exc: Any, tb: Any) -> None:
        try:
            if self._unit is not None:  # commit, or roll back on an exception
                await self._unit.__aexit__(kind, exc, tb)
        finally:
            try:
                if self._acquired is not None:
                    await self._acquired.__aexit__(kind, exc, tb)
            finally:
                self._leave()

    def _leave(self) -> None:
        if self._gate is not None:
            self._gate.exit(self._slot)
            self._gate = None


async def _scope(conn: asyncpg.Connection, tenant_id: str | None, transaction: bool) -> bool:
    """Scope `conn` to the workspace; whether its work must then be a transaction."""
    if conn.per_transaction:  # behind a transaction pooler: the scope needs a transaction
        conn.scope_next_transaction(tenant_id)
        return True
    if tenant_id is not None:
        await conn.scope_to(tenant_id)
    return transaction


def connection(pool: asyncpg.Pool, tenant_id: str
               ) -> AbstractAsyncContextManager[asyncpg.Connection]:
    """For one statement (autocommit when direct): reads, and writes that are one statement."""
    return _door(pool, tenant_id, transaction=False)


def transaction(pool: asyncpg.Pool, tenant_id: str
                ) -> AbstractAsyncContextManager[asyncpg.Connection]:
    """For several statements that must commit together."""
    return _door(pool, tenant_id, transaction=True)


def unscoped(pool: asyncpg.Pool, *, transaction: bool = False
             ) -> AbstractAsyncContextManager[asyncpg.Connection]:
    """Before a workspace is known: statements that scope themselves (SECURITY DEFINER lookups,
    `auth/repo.set_tenant`) or touch no tenant data (throttles). Never a held transaction."""
    return _door(pool, None, transaction=transaction)


@asynccontextmanager
async def held_transaction(pool: asyncpg.Pool, tenant_id: str
                           ) -> AsyncIterator[asyncpg.Connection]:
    """One transaction that `connection` and `transaction` hand out, in this task and the
    tasks it starts, until it ends: everything written through them commits with it."""
    async with transaction(pool, tenant_id) as conn:
        token = _held.set((conn, tenant_id))
        try:
            yield conn
        finally:
            _held.reset(token)


def holding() -> bool:
    """Whether this task is inside a held transaction (its doors hand out that one)."""
    return _held.get() is not None


def _serving(held: tuple[asyncpg.Connection, str], tenant_id: str) -> asyncpg.Connection:
    conn, serves = held
    if serves != tenant_id:  # a request works in one workspace: this is a bug
        raise RuntimeError("the held transaction serves another workspace")
    return conn


def one(ctx: Scope) -> AbstractAsyncContextManager[asyncpg.Connection]:
    """The caller's workspace for a single statement (or reads): autocommit, so no BEGIN and
    COMMIT round trips."""
    return connection(ctx.state.pool, ctx.tenant_id)


def tx(ctx: Scope) -> AbstractAsyncContextManager[asyncpg.Connection]:
    """The caller's workspace for several statements that commit together."""
    return transaction(ctx.state.pool, ctx.tenant_id)


def reading(ctx: Scope) -> AbstractAsyncContextManager[asyncpg.Connection]:
    """`one(ctx)` for reads a streaming replica may serve (db/replica.py): the replica when
    there is one that has replayed what the caller needs, else the primary. Its reads take the
    workspace's turn like the primary's."""
    return _door(ctx.state.pool, ctx.tenant_id, transaction=False, replica=ctx.state.replica)


def reading_tx(ctx: Scope) -> AbstractAsyncContextManager[asyncpg.Connection]:
    """`tx(ctx)` for reads that need one snapshot (a page and its count, an export's cursor),
    from the replica as `reading` decides."""
    return _door(ctx.state.pool, ctx.tenant_id, transaction=True, replica=ctx.state.replica)
