"""GET /api/records: filters, order, keyset cursor, q and count through the query compiler."""

from __future__ import annotations

from typing import Any

from objectry.db.tenancy import reading, reading_tx
from objectry.errors import BadRequest
from objectry.metadata.model import ObjectDef, Snapshot
from objectry.records import query, repo
from objectry.records.access import authorize
from objectry.records.query import ReadPlan, memo
from objectry.records.service import object_for
from objectry.records.shape import record_shaper
from objectry.records.views.applied import single_view, with_view
from objectry.web.context import Context

_NOT_QUERY = frozenset({"trash", "cursor", "count", "object", "expand", "view"})


def _single(params: list[tuple[str, str]], key: str) -> str | None:
    values = [v for k, v in params if k == key]
    if len(values) > 1:
        raise BadRequest(f"{key} is given more than once")
    return values[0] if values else None


def _options(params: list[tuple[str, str]]) -> tuple[str, bool, str | None, bool]:
    """(object ref, count?, cursor, trash?): the keys that are the caller's, not the query's."""
    ref = _single(params, "object")
    if not ref:
        raise BadRequest("object is required: GET /api/records?object=<object id or name>")
    count = _single(params, "count")
    if count not in (None, "exact"):
        raise BadRequest("count must be exact")
    cursor = _single(params, "cursor")
    trash = _single(params, "trash")
    if trash not in (None, "only"):
        raise BadRequest("trash must be only: GET /api/records?object=…&trash=only")
    return ref, count is not None, cursor, trash == "only"


async def _plan(ctx: Context, snapshot: Snapshot, obj: ObjectDef, params: list[tuple[str, str]]
                ) -> ReadPlan:
    settings = ctx.state.settings
    # The keys parse_records ignores are left out, so that every page of one list shares a plan.
    pairs = [(k, v) for k, v in params if k not in _NOT_QUERY]
    parsed = await with_view(ctx, single_view(params), memo.parsed_records(pairs), obj,
                             snapshot)
    return memo.planned(parsed, obj, snapshot, shape="record",
                        default_limit=settings.default_page_size,
                        max_limit=settings.max_page_size,
                        max_bytes=settings.max_response_bytes,
                        max_embed_depth=settings.max_embed_depth)


async def list_records(ctx: Context, params: list[tuple[str, str]]) -> dict[str, Any]:
    ref, count, cursor, trashed = _options(params)
    snapshot, obj = await object_for(ctx, ref)
    authorize(ctx, obj, "read")
    plan = await _plan(ctx, snapshot, obj, params)
    after = query.decode_cursor(cursor) if cursor else None
    # A count sees the page's snapshot.
    async with (reading_tx(ctx) if count else reading(ctx)) as conn:
        rows = await repo.page_rows(conn, lambda share: memo.rendered(
            plan, snapshot, after=after, peek=True, trashed=trashed, share=share))
        total = await repo.compiled_value(conn, query.render_count(plan, trashed=trashed)
                                          ) if count else None
    page, next_cursor = query.next_page(plan, rows)
    shape = record_shaper(snapshot, obj)
    out: dict[str, Any] = {"items": [shape(r) for r in page],
                           "next_cursor": next_cursor}
    if total is not None:
        out["total"] = total
    return out
