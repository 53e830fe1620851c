"""`?view=<id>` on a records read (/api/records and /rest/v1): the view's filter ANDed with
the request's, and its order unless the request gives one (PostgREST: an explicit `order`
replaces). `view` is a reserved parameter on both APIs, like `select`; a field named `view`
is filtered with `and=(view.eq.x)`."""

from __future__ import annotations

from dataclasses import replace

from objectry.metadata.model import ObjectDef, Snapshot
from objectry.records.query import Query
from objectry.records.query.errors import syntax
from objectry.records.views import service
from objectry.web.context import Context


def single_view(params: list[tuple[str, str]]) -> str | None:
    values = [v for k, v in params if k == "view"]
    if len(values) > 1:
        raise syntax("view is given more than once")
    return values[0] if values else None


async def with_view(ctx: Context, view_id: str | None, query: Query, obj: ObjectDef,
                    snapshot: Snapshot) -> Query:
    if view_id is None:
        return query
    view = await service.applied(ctx, view_id, obj, snapshot)
    return replace(query, where=view.where + query.where, order=query.order or view.order)
