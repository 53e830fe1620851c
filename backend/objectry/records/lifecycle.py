"""Deleting and restoring records, following each relationship's `on_delete` rule.

`cascade` takes linked `to` records along (the whole chain), `restrict` refuses while live
links exist, `unlink` leaves the other records be. A trashed record keeps its links (hidden
from reads) so that restoring it brings them back; a purge removes them for good.
"""

from __future__ import annotations

import asyncpg

from objectry.db.tenancy import one, tx
from objectry.errors import Conflict, NotFound, detail
from objectry.ids import looks_like
from objectry.metadata.model import ObjectDef, Snapshot
from objectry.records import repo
from objectry.records.access import ACTION_RIGHT, authorize, may
from objectry.records.conflicts import unique_conflict
from objectry.records.query import memo
from objectry.web.context import Context


async def _with_cascade(conn: asyncpg.Connection, ctx: Context, root: str) -> list[str]:
    """The record and every live record its `cascade` links reach; 409 on a `restrict` link."""
    seen, frontier = [root], [root]
    while frontier:
        nxt = []
        for step in await repo.cascade_step(conn, ctx.tenant_id, frontier):
            if step["on_delete"] == "restrict":
                raise Conflict(f"the record has linked records through {step['name']!r}, whose"
                               " rule is restrict; unlink them first",
                               [detail(step["name"], "restrict", step["to_record_id"])])
            if step["to_record_id"] not in seen:
                seen.append(step["to_record_id"])
                nxt.append(step["to_record_id"])
        frontier = nxt
    return seen


async def trash_many(conn: asyncpg.Connection, ctx: Context, snapshot: Snapshot,
                     obj: ObjectDef, ids: list[str]) -> None:
    """Trash these live records of `obj` as DELETE /api/records does each one: with its
    `cascade` chain in a batch of its own, refused (409) by a live `restrict` link."""
    if obj.id in snapshot.deleted_alone:
        await repo.trash(conn, ctx.tenant_id, ids, ctx.principal.actor)
        return
    gone: set[str] = set()
    for root in ids:
        if root in gone:  # already taken along by an earlier record's cascade
            continue
        batch = await _with_cascade(conn, ctx, root)
        await repo.trash(conn, ctx.tenant_id, batch, ctx.principal.actor, batch=root)
        gone.update(batch)


async def _row(conn: asyncpg.Connection, ctx: Context, record_id: str) -> asyncpg.Record:
    row = await repo.get(conn, ctx.tenant_id, record_id, for_update=True) \
        if looks_like("rec", record_id) else None
    if row is None:
        raise NotFound(f"no record {record_id!r} in this workspace")
    return row


def _check(ctx: Context, snapshot: Snapshot, row: asyncpg.Record) -> None:
    authorize(ctx, snapshot.objects_by_id[row["object_id"]], "delete")


async def delete(ctx: Context, record_id: str, *, permanent: bool) -> None:
    snapshot = await ctx.state.metadata.get(ctx.tenant_id)
    if not permanent and await _trashed_alone(ctx, snapshot, record_id):
        return
    async with tx(ctx) as conn:
        row = await _row(conn, ctx, record_id)
        if row["deleted_at"] is not None and not permanent:
            raise NotFound(f"no record {record_id!r} in this workspace")
        _check(ctx, snapshot, row)
        ids = await _with_cascade(conn, ctx, row["id"])
        if permanent:
            await repo.purge(conn, ctx.tenant_id, ids)
        else:
            await repo.trash(conn, ctx.tenant_id, ids, ctx.principal.actor, batch=row["id"])


async def _trashed_alone(ctx: Context, snapshot: Snapshot, record_id: str) -> bool:
    """Trash the record in one statement (no transaction) if it is a live record of an object
    whose records the caller may delete and that are deleted alone: the common case. False:
    it was not (none, in the trash, refused, or one with a cascade or restrict rule), and the
    locking path says which."""
    held = _held_back(ctx, snapshot) if looks_like("rec", record_id) else None
    if held is None:
        return False
    async with one(ctx) as conn:
        return bool(await repo.trash(conn, ctx.tenant_id, [record_id], ctx.principal.actor,
                                     excluded=held))


def _held_back(ctx: Context, snapshot: Snapshot) -> list[str] | None:
    """The objects whose records this caller's delete may not trash alone (a `cascade` or
    `restrict` rule, or `permissions` that keep the role from deleting): few, where the
    objects are many. None: the caller may delete nothing. Past the right itself, checked on
    every request since a token's scopes narrow it, the answer depends on the role alone, so it
    is worked out once per snapshot and role."""
    if not ctx.principal.can(ACTION_RIGHT["delete"]):
        return None
    key = ("held back from a delete by", ctx.principal.role)
    held = memo.recalled(snapshot, key)
    if held is None:
        held = [o.id for o in snapshot.objects
                if o.id not in snapshot.deleted_alone or not may(ctx, o, "delete")]
        memo.remember(snapshot, key, held)
    return None if len(held) == len(snapshot.objects) else list(held)


async def restore(ctx: Context, record_id: str) -> asyncpg.Record:
    snapshot = await ctx.state.metadata.get(ctx.tenant_id)
    async with tx(ctx) as conn:
        row = await _row(conn, ctx, record_id)
        _check(ctx, snapshot, row)
        if row["deleted_at"] is None:
            raise Conflict("the record is not in the trash")
        try:
            await repo.restore(conn, ctx.tenant_id, row, ctx.principal.actor)
        except asyncpg.UniqueViolationError as exc:
            raise unique_conflict(snapshot.objects_by_id[row["object_id"]], exc) from None
        return await repo.get(conn, ctx.tenant_id, row["id"])
