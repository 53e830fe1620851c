"""Units of work for metadata: a tenant transaction that bumps the schema version on commit, and
first has what other layers keep fit the schema it leaves (`on_every_change`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

import asyncpg

from objectry.db import tenancy
from objectry.errors import Conflict, NotFound, ValidationFailed, detail
from objectry.ids import looks_like
from objectry.metadata import repo
from objectry.web.context import Context

Fitter = Callable[[asyncpg.Connection, str], Awaitable[object]]
_fitters: list[Fitter] = []


def on_every_change(fitter: Fitter) -> None:
    """Run `fitter(conn, workspace)` at the end of every metadata write's transaction (once per
    batch), before the version moves: for what another layer keeps that must fit the schema
    the write leaves — the stored rollups (records/stored_rollups.py, registered by
    `create_app`), since metadata cannot import records."""
    if fitter not in _fitters:
        _fitters.append(fitter)


async def _fit(conn: asyncpg.Connection, tenant_id: str) -> None:
    for fitter in _fitters:
        await fitter(conn, tenant_id)


# The workspaces whose version moves once, at the end of a batch (`schema_batch`).
_batch: ContextVar[set[str] | None] = ContextVar("objectry_schema_batch", default=None)


@asynccontextmanager
async def schema_change(ctx: Context) -> AsyncIterator[asyncpg.Connection]:
    """Run a metadata write; every process drops its snapshot once it commits. The services
    write their audit entry (audit/recorder.py) on this connection, so it commits with them.
    Its statements are planned afresh (`repo.plan_afresh`)."""
    batch = _batch.get()
    async with tenancy.transaction(ctx.state.pool, ctx.tenant_id) as conn:
        if batch is None:
            await repo.plan_afresh(conn)
        yield conn
        if batch is None:
            await _fit(conn, ctx.tenant_id)
            await repo.bump_schema_version(conn, ctx.tenant_id)
        else:
            batch.add(ctx.tenant_id)
    ctx.state.metadata.invalidate(ctx.tenant_id)


@asynccontextmanager
async def schema_batch(conn: asyncpg.Connection) -> AsyncIterator[None]:
    """Many changes in the one transaction `conn` (a schema apply) move the version once, when
    the batch ends. Moved at each change, the workspace's row was updated thousands of times in
    one transaction, and each update walked the versions of the row that the transaction's
    earlier updates had left: an apply of 3,000 fields took 76 s, quadratic in its size."""
    await repo.plan_afresh(conn)  # once for all its changes
    moved: set[str] = set()
    token = _batch.set(moved)
    try:
        yield
    finally:
        _batch.reset(token)
    for tenant_id in moved:  # not reached when the batch failed: its transaction rolls back
        await _fit(conn, tenant_id)
        await repo.bump_schema_version(conn, tenant_id)


def reading(ctx: Context) -> Any:
    return tenancy.connection(ctx.state.pool, ctx.tenant_id)


async def find(conn: asyncpg.Connection, ctx: Context, table: str, ref: str, prefix: str,
               *, by_name: bool = True, for_update: bool = False) -> dict[str, Any] | None:
    """A metadata row by id, or by name where the API allows it."""
    if looks_like(prefix, ref):
        return await repo.get(conn, table, ctx.tenant_id, ref, for_update=for_update)
    if by_name:
        return await repo.get_by_name(conn, table, ctx.tenant_id, ref)
    return None


async def must_find(conn: asyncpg.Connection, ctx: Context, table: str, ref: str, prefix: str,
                    *, by_name: bool = True, for_update: bool = False) -> dict[str, Any]:
    row = await find(conn, ctx, table, ref, prefix, by_name=by_name, for_update=for_update)
    if row is None:
        raise not_found(table, ref)
    return row


def not_found(table: str, ref: str) -> NotFound:
    return NotFound(f"no {_NOUNS[table]} {ref!r} in this workspace")


async def referenced(conn: asyncpg.Connection, ctx: Context, table: str, ref: str, prefix: str,
                     field: str, problems: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A row named in a request body; a missing one is a 422 problem on that body field."""
    row = await find(conn, ctx, table, ref, prefix)
    if row is None:
        problems.append(detail(field, "not_found", f"no {_NOUNS[table]} {ref!r} in this workspace"))
    return row


def name_taken(table: str, name: str) -> Conflict:
    return Conflict(f"{_ARTICLES[table]} named {name!r} already exists in this workspace",
                    [detail("name", "taken", "already taken")])


async def insert_named(conn: asyncpg.Connection, table: str, values: dict[str, Any]
                       ) -> dict[str, Any]:
    """Insert a row whose name is unique per workspace; a taken name is a 409 on `name`.
    The savepoint keeps the caller's transaction usable after the violation."""
    try:
        async with conn.transaction():
            return await repo.insert(conn, table, values)
    except asyncpg.UniqueViolationError:
        raise name_taken(table, values["name"]) from None


async def update_named(conn: asyncpg.Connection, ctx: Context, table: str,
                       row: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Apply `values` to a named row (no change when empty); a taken name is a 409."""
    if not values:
        return row
    try:
        async with conn.transaction():
            return await repo.update(conn, table, ctx.tenant_id, row["id"], values) or row
    except asyncpg.UniqueViolationError:
        raise name_taken(table, values.get("name", "")) from None


def raise_if(problems: list[dict[str, Any]]) -> None:
    if problems:
        raise ValidationFailed(problems)


_ARTICLES = {"objects": "an object", "fields": "a field", "relationships": "a relationship",
             "applications": "an application"}
_NOUNS = {"objects": "object", "fields": "field", "object_fields": "object field",
          "relationships": "relationship", "relationship_records": "link",
          "applications": "application", "records": "record"}
