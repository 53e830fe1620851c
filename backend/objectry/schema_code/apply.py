"""Applying a schema document: the diff against the workspace, made in ONE transaction.

The services each open their own transaction (`schema_change`, `tx`); inside
`tenancy.held_transaction` they all get that one, so the apply commits or rolls back whole.
They read metadata through a snapshot cache: here a private one (loaded on the held
transaction, so it sees the apply's own changes), never the process's shared cache, which
must not hold what may still roll back. Index flags cannot take part — their indexes are built
CONCURRENTLY on connections of their own, which would wait for this very transaction — so
they are turned on or off after the commit, each all or nothing as in /api/object-fields, and
reported one by one; a flag that failed still differs, so the next apply tries it again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from objectry.db import tenancy
from objectry.errors import APIError, Conflict, detail
from objectry.metadata import indexes
from objectry.metadata.cache import MetadataCache
from objectry.metadata.changes import schema_batch
from objectry.schema_code import export, repo, steps
from objectry.schema_code.diff import Change, diff
from objectry.web.context import Context

# Attached fields that read others go after them: lookups and rollups read relationships and
# other objects' fields, formulas the object's own fields (computed ones included).
_ATTACH_RANK = {"autonumber": 1, "lookup": 2, "rollup": 2, "formula": 3}

# More work for the same transaction, told the changes made (a template's sample records).
Extra = Callable[[Context, list[Change]], Awaitable[None]]


class _DryRun(Exception):
    """Raised at the end of a dry run to roll everything back."""


@dataclasses.dataclass
class _Run:
    """What the transaction leaves to do after its commit."""

    changes: list[Change] = dataclasses.field(default_factory=list)
    flags: list[tuple[str, str, dict[str, bool]]] = dataclasses.field(default_factory=list)


async def apply(ctx: Context, desired: dict[str, Any], *, allow_destructive: bool = False,
                dry_run: bool = False, extra: Extra | None = None) -> dict[str, Any]:
    """Make the workspace's schema `desired`; `extra` runs last in the same transaction (a
    template's sample records)."""
    run = _Run()
    private = dataclasses.replace(ctx, state=dataclasses.replace(
        ctx.state, metadata=MetadataCache(ctx.state.pool)))
    with indexes.deferring_drops() as drops:
        try:
            async with tenancy.held_transaction(ctx.state.pool, ctx.tenant_id) as conn:
                await repo.lock_applies(conn, ctx.tenant_id)
                current = await export.current_on(conn, ctx.tenant_id)
                run.changes = diff(current.document, desired)
                _refuse_destructive(run.changes, allow_destructive)
                async with schema_batch(conn):
                    await _make(private, current, desired, run)
                    if extra is not None:
                        await extra(private, run.changes)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        finally:
            ctx.state.metadata.invalidate(ctx.tenant_id)  # anything loaded meanwhile
    report = {"changes": [c.as_json() for c in run.changes], "dry_run": dry_run,
              "indexes": []}
    if not dry_run:
        await indexes.drop_names(ctx.state.database_url, drops)
        report["indexes"] = [await _set_flags(ctx, *f) for f in run.flags]
    return report


def _refuse_destructive(changes: list[Change], allowed: bool) -> None:
    destructive = [c for c in changes if c.destructive]
    if destructive and not allowed:
        raise Conflict(f"{len(destructive)} destructive change(s); send allow_destructive to"
                       " make them", [detail(f"{c.kind}.{c.name}", "destructive",
                                             f"{c.op} {c.kind} {c.name}")
                                      for c in destructive])


async def _make(ctx: Context, current: export.Current, desired: dict[str, Any],
                run: _Run) -> None:
    types = {f["name"]: f["type"] for f in desired["fields"]}

    def order(change: Change) -> int:
        if change.kind != "object_field" or change.op == "delete":
            return 0
        return _ATTACH_RANK.get(types[(change.after or {})["field"]], 0)

    made: dict[str, str] = {}  # the attachments made now, by name: their ids
    primaries: list[tuple[str, str | None]] = []
    for change in sorted(run.changes, key=order):  # stable: the diff's order otherwise
        with _named(change):
            ref = current.ids.get(change.kind, {}).get(change.name, change.name)
            if change.op == "delete":
                await steps.delete(ctx, change, ref)
            elif change.op == "create":
                row = await steps.create(ctx, change)
                made[change.name] = row["id"]
            else:
                await steps.update(ctx, change, ref)
        if change.kind == "object" and change.op != "delete" and \
                (change.before or {}).get("primary_field") != (change.after or {})["primary_field"]:
            primaries.append((change.name, (change.after or {})["primary_field"]))
        if change.kind == "object_field" and (wanted := steps.flags(change)):
            run.flags.append((change.name, made.get(change.name) or ref, wanted))
    for object_name, field_name in primaries:
        with _named(Change("update", "object", object_name, None, None, False)):
            await steps.set_primary(ctx, object_name, field_name)


@contextmanager
def _named(change: Change) -> Iterator[None]:
    """Names the change in a refusal (`<op> <kind> <name>: …`, details `<kind>.<name>.<key>`),
    so a 409/422 from a service says which entry of the document it is about."""
    prefix = f"{change.kind}.{change.name}"
    try:
        yield
    except APIError as exc:
        exc.message = f"{change.op} {change.kind} {change.name}: {exc.message}"
        exc.details = [{**d, "field": f"{prefix}.{d['field']}" if d.get("field") else prefix}
                       for d in exc.details] or [detail(prefix, exc.code, exc.message)]
        raise


async def _set_flags(ctx: Context, name: str, ref: str, wanted: dict[str, bool]
                     ) -> dict[str, Any]:
    """One attachment's index flags, after the commit: built (or dropped), or refused."""
    try:
        await steps.set_flags(ctx, ref, wanted)
    except APIError as refused:
        return {"name": name, **wanted, "status": "refused",
                "error": {"code": refused.code, "message": refused.message,
                          "details": refused.details}}
    return {"name": name, **wanted, "status": "done"}
