"""/rest/v1 reads: the object a path names, the checked plan, and GET (one statement; with a
count, two that see one snapshot). Writes (writes.py) reuse `table`, `planned`, `readable` and
`represent` to answer with the rows they wrote.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import asyncpg

from objectry.db.tenancy import reading, reading_tx
from objectry.errors import Forbidden
from objectry.metadata.model import ObjectDef, Snapshot
from objectry.records import repo
from objectry.records.access import authorize, may
from objectry.records.query import (
    Filter,
    Query,
    ReadPlan,
    memo,
    plan_read,
    render_count,
    render_read,
)
from objectry.records.shape import Shaper, rest_shaper
from objectry.records.views.applied import single_view, with_view
from objectry.rest.errors import table_not_found
from objectry.rest.negotiate import RestRequest, page
from objectry.rest.respond import Result, check_singular, content_range, read_status
from objectry.web.context import Context

Rows = list[dict[str, Any]]


async def table(ctx: Context, name: str) -> tuple[Snapshot, ObjectDef]:
    """The object a path names (its `name` or `plural_name`), else PGRST205 (404)."""
    snapshot = await ctx.state.metadata.get(ctx.tenant_id)
    obj = snapshot.objects_by_name.get(name)
    if obj is None:
        raise table_not_found(snapshot, name)
    return snapshot, obj


def planned(ctx: Context, snapshot: Snapshot, obj: ObjectDef, query: Query, **kw: Any
            ) -> ReadPlan:
    """The checked read; every object it reaches (embeds, embed filters) must be readable."""
    settings = ctx.state.settings
    plan = memo.planned(query, obj, snapshot, max_bytes=settings.max_response_bytes,
                        max_embed_depth=settings.max_embed_depth, **kw)
    for object_id in sorted(plan.object_ids - {obj.id}):
        authorize(ctx, snapshot.objects_by_id[object_id], "read")
    return plan


def shaper(snapshot: Snapshot, plan: ReadPlan) -> Shaper:
    """The plan's row shaper (records/shape.py), kept with the plan for the snapshot's life."""
    return memo.kept(snapshot, "rest_shaper", plan, lambda: rest_shaper(plan))


def readable(ctx: Context, obj: ObjectDef, req: RestRequest) -> bool:
    """Whether the answer may carry `obj`'s rows. A count of matching rows is data too: asking
    for one without `read` is refused before anything is written."""
    if may(ctx, obj, "read"):
        return True
    if req.prefer.get("count"):
        raise Forbidden(f"counting {obj.name} records needs the right to read them")
    return False


async def read(ctx: Context, name: str, req: RestRequest) -> Result:
    snapshot, obj = await table(ctx, name)
    authorize(ctx, obj, "read")
    pairs, record_id = memo.one_record([(k, v) for k, v in req.params if k != "view"])
    query = await with_view(ctx, single_view(req.params), memo.parsed_rest(pairs), obj, snapshot)
    limit, offset = page(query.limit, query.offset, req.range)
    most = ctx.state.settings.max_page_size
    if limit != query.limit or offset != (query.offset or 0):  # no offset is offset 0
        query = replace(query, limit=limit, offset=offset)
    plan = planned(ctx, snapshot, obj, query, default_limit=most, max_limit=most)
    counted = req.prefer.get("count")
    # A plain read is one statement (one round trip); with a count, both see one snapshot.
    async with (reading_tx(ctx) if counted else reading(ctx)) as conn:
        rows = await repo.page_rows(conn, lambda share: memo.bound(
            memo.rendered(plan, snapshot, share=share), record_id))
        total = await count(conn, plan, counted, record_id)
    status = read_status(offset, len(rows), total)
    check_singular(req, len(rows))
    shape = shaper(snapshot, plan)
    return Result(status, [shape(r) for r in rows],
                  {"Content-Range": content_range(offset, len(rows), total)})


async def count(conn: asyncpg.Connection, plan: ReadPlan, kind: str | None,
                record_id: str | None = None) -> int | None:
    """Every `count=` (exact, planned, estimated) is the exact count of the workspace's rows:
    the planner's estimates come from statistics sampled across all workspaces, so a
    "planned" total would move with other workspaces' rows (docs/API.md, Counts)."""
    if kind is None:
        return None
    return int(await repo.compiled_value(conn, memo.bound(render_count(plan), record_id)))


async def represent(conn: asyncpg.Connection, plan: ReadPlan, snapshot: Snapshot,
                    ids: list[str], *, in_given_order: bool = False) -> Rows:
    """The records `ids` as `plan` selects them (embeds included), in `plan`'s order or in
    the order of `ids`."""
    if not ids:
        return []
    by_id = plan_read(Query(where=(Filter("id", "in", tuple(ids)),)), plan.obj, snapshot)
    by_id = replace(by_id, outputs=plan.outputs, fields=plan.fields, all_fields=plan.all_fields,
                    order=plan.order, max_bytes=plan.max_bytes)
    rows = list(await repo.compiled_rows(conn, render_read(by_id)))
    if in_given_order:
        position = {record_id: i for i, record_id in enumerate(ids)}
        rows.sort(key=lambda row: position[row["id"]])
    shape = rest_shaper(by_id)
    return [shape(r) for r in rows]
