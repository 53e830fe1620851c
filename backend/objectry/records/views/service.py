"""Saved views: who may see and change which, the checks against the schema, and the view a
records read applies (`applied`).

Rights (as Baserow's personal and collaborative views): anyone who may read an object's
records may keep personal views of it; shared views — and making a view shared or personal —
need the `schema:write` right (admins and owners), since everyone works with them. A personal
view is its creator's alone: to anyone else it does not exist (404), admins included.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from objectry.audit.recorder import changed, record
from objectry.db.tenancy import one, tx
from objectry.errors import BadRequest, NotFound, QueryError, ValidationFailed, detail
from objectry.ids import looks_like, new_id
from objectry.metadata.model import ObjectDef, Snapshot
from objectry.records.access import authorize, may
from objectry.records.query import memo
from objectry.records.service import object_for
from objectry.records.views import fit, repo
from objectry.records.views.schemas import ViewCreate, ViewUpdate
from objectry.web.context import Context
from objectry.web.pagination import PageRequest, page

# What a null means for the keys that may be null in a body: none.
_NONE = {"filter": "", "order": "", "fields": []}


def _given(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _NONE[k] if v is None and k in _NONE else v for k, v in values.items()}


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    """Body keys → columns (`order` is a reserved word in SQL)."""
    out = {("order_by" if k == "order" else k): v for k, v in values.items()}
    if "fields" in out:
        out["fields"] = [{k: v for k, v in c.items() if v is not None} for c in out["fields"]]
    return out


def _as_view(row: dict[str, Any]) -> dict[str, Any]:
    """A row with the body's key names, as fit.py reads a view."""
    view = {k: v for k, v in row.items() if k != "order_by"}
    return {**view, "order": row["order_by"]}


def answer(row: dict[str, Any], obj: ObjectDef, snapshot: Snapshot) -> dict[str, Any]:
    view = _as_view(row)
    problems = [i.problem() for i in fit.all_issues(view, obj, snapshot)]
    return {"id": view.pop("id"), "object_id": obj.id, "object": obj.name,
            **{k: v for k, v in view.items() if k != "object_id"}, "problems": problems}


def _parses(key: str, text: str, parse: Callable[[str], object]) -> None:
    """The compiler's 400 (PostgREST's words), its details naming the body key."""
    try:
        parse(text)
    except QueryError as error:
        raise BadRequest(error.message, [detail(key, str(d["code"]), str(d["message"]))
                                         for d in error.details]) from None


def _checked(view: dict[str, Any], obj: ObjectDef, snapshot: Snapshot, keys: set[str]) -> None:
    """A 400 for a filter or order that does not parse; a 422 listing every problem of the
    parts being written (`keys`) against the schema now."""
    if "filter" in keys:
        _parses("filter", view["filter"], fit.parse_filter)
    if "order" in keys:
        _parses("order", view["order"], fit.parse_sort)
    issues = [i for i in fit.all_issues(view, obj, snapshot) if i.key in keys]
    if issues:
        raise ValidationFailed([detail(i.at, i.code, i.message) for i in issues])


def _may_share(ctx: Context) -> None:
    ctx.principal.require("schema:write")


async def create(ctx: Context, body: ViewCreate) -> dict[str, Any]:
    snapshot, obj = await object_for(ctx, body.object, field="object")
    authorize(ctx, obj, "read")
    if body.shared:
        _may_share(ctx)
    values = _given(body.model_dump(exclude={"object"}))
    _checked(values, obj, snapshot, set(values))
    async with tx(ctx) as conn:
        row = await repo.insert(conn, ctx.tenant_id, new_id("vw"),
                                {**_stored(values), "object_id": obj.id}, ctx.principal.actor)
        await record(conn, ctx, "view", "created", row["id"], row["name"])
    return answer(row, obj, snapshot)


async def _visible(ctx: Context, conn: Any, view_id: str, *, for_update: bool = False
                   ) -> dict[str, Any]:
    """The view if the caller sees it, else a 404 (never a hint that it exists)."""
    row = await repo.visible(conn, ctx.tenant_id, ctx.principal.actor, view_id,
                             for_update=for_update) if looks_like("vw", view_id) else None
    if row is None:
        raise _unknown(view_id)
    return row


def _unknown(view_id: str) -> NotFound:
    return NotFound(f"no view {view_id[:100]!r} in this workspace")


def _sees(ctx: Context, row: dict[str, Any]) -> bool:
    """repo's `shared OR created_by = <the caller>`, for a row read for someone else."""
    return bool(row["shared"]) or (ctx.principal.actor is not None
                                   and row["created_by"] == ctx.principal.actor)


@asynccontextmanager
async def _changing(ctx: Context) -> AsyncIterator[Any]:
    """A transaction that changes a view; this process forgets the views it applied once it
    commits (the trigger's notice tells every process, this one a moment later)."""
    async with tx(ctx) as conn:
        yield conn
    ctx.state.metadata.invalidate(ctx.tenant_id)


async def _found(ctx: Context, conn: Any, view_id: str, *, for_update: bool = False
                 ) -> tuple[dict[str, Any], Snapshot, ObjectDef]:
    row = await _visible(ctx, conn, view_id, for_update=for_update)
    snapshot = await ctx.state.metadata.get(ctx.tenant_id)
    obj = snapshot.objects_by_id.get(row["object_id"])
    if obj is None:  # deleted meanwhile: its views go with it
        raise _unknown(view_id)
    authorize(ctx, obj, "read")
    return row, snapshot, obj


async def get(ctx: Context, view_id: str) -> dict[str, Any]:
    async with one(ctx) as conn:
        row, snapshot, obj = await _found(ctx, conn, view_id)
    return answer(row, obj, snapshot)


async def update(ctx: Context, view_id: str, body: ViewUpdate) -> dict[str, Any]:
    changes = _given(body.model_dump(exclude_unset=True))
    async with _changing(ctx) as conn:
        row, snapshot, obj = await _found(ctx, conn, view_id, for_update=True)
        if row["shared"] or changes.get("shared", row["shared"]):
            _may_share(ctx)
        view = {**_as_view(row), **changes}
        keys = set(changes) | ({"group_by", "date_field"} if "type" in changes else set())
        _checked(view, obj, snapshot, keys)
        await record(conn, ctx, "view", "updated", row["id"], view["name"],
                     changed(_as_view(row), changes))
        row = await repo.update(conn, ctx.tenant_id, row["id"], _stored(changes))
    return answer(row, obj, snapshot)


async def delete(ctx: Context, view_id: str) -> None:
    async with _changing(ctx) as conn:
        row, _, _ = await _found(ctx, conn, view_id, for_update=True)
        if row["shared"]:
            _may_share(ctx)
        await record(conn, ctx, "view", "deleted", row["id"], row["name"])
        await repo.delete(conn, ctx.tenant_id, row["id"])


async def list_(ctx: Context, object_ref: str | None, request: PageRequest) -> dict[str, Any]:
    """The views the caller sees, of one object or of every object whose records it reads."""
    snapshot = await ctx.state.metadata.get(ctx.tenant_id)
    if object_ref is not None:
        _, obj = await object_for(ctx, object_ref)
        authorize(ctx, obj, "read")
        objects = [obj]
    else:
        ctx.principal.require("records:read")
        objects = [o for o in snapshot.objects if may(ctx, o, "read")]
    async with one(ctx) as conn:
        rows = await repo.page(conn, ctx.tenant_id, ctx.principal.actor,
                               [o.id for o in objects], request.after, request.limit + 1)
    listed = page(rows, request)
    listed["items"] = [answer(r, snapshot.objects_by_id[r["object_id"]], snapshot)
                       for r in listed["items"]]
    return listed


async def applied(ctx: Context, view_id: str, obj: ObjectDef, snapshot: Snapshot
                  ) -> fit.Applied:
    """What `?view=` adds to a read of `obj`: the view's filter and order as far as they fit.
    An unknown view (or another member's personal one) is a 404; one of another object a 400.

    The view is read once per metadata snapshot, which every change of it drops (the trigger
    of migration 0021 in every process; `_changing` at once in this one): the read it saves was
    a round trip before every read of a view, as the admin's grids make. A change that commits
    while a read is in flight drops the snapshot that read will keep its row in."""
    key = ("view row", view_id)
    row = memo.recalled(snapshot, key)
    if row is None:
        async with one(ctx) as conn:
            row = await _visible(ctx, conn, view_id)
        memo.remember(snapshot, key, row)
    elif not _sees(ctx, row):  # kept for its creator (the SQL's `_VISIBLE`, in Python)
        raise _unknown(view_id)
    if row["object_id"] != obj.id:
        other = snapshot.objects_by_id.get(row["object_id"])
        raise BadRequest(f"view {view_id} is a view of {other.name if other else 'another object'}"
                         f", not of {obj.name}")
    return fit.fit_query(row["filter"], row["order_by"], obj, snapshot)[0]
