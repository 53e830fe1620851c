"""/rest/v1 writes over the records core, each one statement in autocommit or one transaction:
POST through `bulk.write_batch` (validation, defaults, upsert, history), PATCH through the
validator and `repo.update_many`, DELETE through `lifecycle.trash_many` (`on_delete`
cascade/restrict); a PATCH or DELETE by id alone in one statement where it can.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson

from objectry import offload
from objectry.db.tenancy import one, tx
from objectry.errors import ValidationFailed, over_cap
from objectry.ids import looks_like
from objectry.metadata.model import ObjectDef, Snapshot
from objectry.records import changes, lifecycle, repo
from objectry.records.access import authorize, unseen_readonly
from objectry.records.bulk import COPY_FROM, PER_RECORD, write_batch
from objectry.records.conflicts import unique_conflict
from objectry.records.query import Query, QueryError, ReadPlan, memo, parse_rest, render_match_ids
from objectry.records.query.render import Statement
from objectry.records.service import PatchPlan, patch_plan, patch_written
from objectry.records.validate import validator_for
from objectry.rest import payload
from objectry.rest.errors import needs_filter
from objectry.rest.negotiate import RestRequest
from objectry.rest.reads import Rows, planned, readable, represent, shaper, table
from objectry.rest.respond import Result, check_singular, content_range
from objectry.settings import Settings
from objectry.web.context import Context


async def insert(ctx: Context, name: str, req: RestRequest, body: Any, size: int) -> Result:
    """`size`: the body's length in bytes, which bounds the representation's (below)."""
    snapshot, obj = await table(ctx, name)
    authorize(ctx, obj, "create")
    rows, single = payload.insert_rows(body)
    datas = payload.checked(rows, obj, payload.columns(req.params), "insert")
    limit = ctx.state.settings.max_bulk_records
    if len(datas) > limit:
        raise QueryError("54000", f"at most {limit} records per request; got {len(datas)}",
                         status=413)
    match = _on_conflict(obj, req)
    select = memo.parsed_rest(req.params).select
    rows_shown = readable(ctx, obj, req)
    shown = planned(ctx, snapshot, obj, Query(select=select)) if rows_shown else None
    wanted = shown if shown is not None and _wants_rows(req) else None
    direct = wanted is not None and _from_written(wanted, size, len(datas),
                                                  ctx.state.settings)
    async with (one if _one_statement(obj, datas, match, req, direct) else tx)(ctx) as conn:
        batch = await _write(conn, ctx, snapshot, obj, datas, match, req, single)
        ids = [r["id"] for r in batch.rows]
        check_singular(req, len(ids))
        if wanted is None:
            out = None
        elif direct:  # the written rows are the representation: no read back
            shape = shaper(snapshot, wanted)
            out = [shape(row) for row in batch.rows]
        else:
            out = await represent(conn, wanted, snapshot, ids, in_given_order=True)
    return Result(201, out, _insert_headers(req, obj, ids, single, out is None),
                  withheld=out is None and _wants_rows(req))


async def _write(conn: asyncpg.Connection, ctx: Context, snapshot: Snapshot, obj: ObjectDef,
                 datas: Rows, match: str | None, req: RestRequest, single: bool) -> Any:
    skip = req.prefer.get("resolution") == "ignore-duplicates"
    try:
        return await write_batch(conn, ctx, snapshot, obj, datas, match, skip_matched=skip)
    except ValidationFailed as exc:
        if single:  # one object: its problems are not "0.<field>"
            exc.details = [{**d, "field": d["field"].removeprefix("0.")} for d in exc.details]
            count = len(exc.details)
            exc.message = f"{count} {'problem' if count == 1 else 'problems'} in the record; " \
                          "nothing saved"
        raise


def _one_statement(obj: ObjectDef, datas: Rows, match: str | None, req: RestRequest,
                   direct: bool) -> bool:
    """An insert that is one INSERT statement needs no transaction around it (autocommit
    spares the BEGIN and COMMIT round trips; a refused statement changes nothing by itself):
    no upsert look-up, no autonumbers taken, no COPY staging, no representation read back
    (`direct`: shaped from the written rows), no singular check that could undo it."""
    return (match is None and (direct or not _wants_rows(req)) and not req.singular
            and len(datas) < COPY_FROM and not obj.autonumbers)


# Stored values are at most this many times the bytes they were sent as (HTML escaping, E.164,
# field defaults: generous), plus the system columns of each row.
_GROWTH, _ROW_BYTES = 8, 1024


def _from_written(plan: ReadPlan, size: int, rows: int, settings: Settings) -> bool:
    """Whether the representation can be shaped from the rows the INSERT returned (every
    stored column is there) instead of read back: it selects no embed and no computed field,
    and it cannot pass the answer's byte cap, which only a read back enforces (inside the
    insert's transaction, so that a refused answer writes nothing)."""
    return (not plan.embeds and not plan.computed
            and size * _GROWTH + _ROW_BYTES * rows
            <= (plan.max_bytes or settings.max_response_bytes))


def _on_conflict(obj: ObjectDef, req: RestRequest) -> str | None:
    """The unique field an upsert (`Prefer: resolution=…`) matches on: `on_conflict=<field>`."""
    if req.prefer.get("resolution") is None:
        return None
    names = [value for key, value in req.params if key == "on_conflict"]
    field = obj.fields_by_name.get(names[0].strip()) if len(names) == 1 else None
    if field is None or not field.is_unique:
        raise QueryError("42P10", "there is no unique or exclusion constraint matching the "
                         "ON CONFLICT specification",
                         hint="name one unique field of the object: on_conflict=<field>")
    return field.id


def _wants_rows(req: RestRequest) -> bool:
    return req.prefer.get("return") == "representation"


def _insert_headers(req: RestRequest, obj: ObjectDef, ids: list[str], single: bool,
                    bodiless: bool) -> dict[str, str]:
    total = str(len(ids)) if req.prefer.get("count") else "*"
    headers = {"Content-Range": f"*/{total}"}
    if single and ids and bodiless:
        headers["Location"] = f"/rest/v1/{obj.name}?id=eq.{ids[0]}"
    return headers


def _filtered(ctx: Context, snapshot: Snapshot, obj: ObjectDef, req: RestRequest,
              command: str) -> tuple[ReadPlan, Statement]:
    """PATCH/DELETE: the request's filters (required: PostgREST's safe-update rule), and the
    statement of the ids they match. An `id=eq.<id>` query's plan is shared by every id
    (memo.one_record)."""
    pairs, record_id = memo.one_record(req.params)
    plan = planned(ctx, snapshot, obj, memo.parsed_rest(pairs) if record_id is not None
                   else parse_rest(pairs))
    if not plan.has_filters:
        raise needs_filter(command)
    return plan, memo.bound(render_match_ids(plan), record_id)


def _affected(req: RestRequest, count: int, counted: bool) -> None:
    """`Prefer: handling=strict, max-affected=n` (PostgREST 13): more rows is a 400. Without
    `read` (`counted` false) the answer says that the limit was passed, not by how much."""
    limit = req.prefer.max_affected
    if req.prefer.get("handling") == "strict" and limit is not None and count > limit:
        raise QueryError("PGRST124", "Query result exceeds max-affected preference constraint",
                         f"The query affects {count if counted else f'more than {limit}'} rows")
    check_singular(req, count, counted=counted)


def _written(req: RestRequest, out: Rows | None, count: int, counted: bool) -> Result:
    """204 (or 200 with the rows). `0-<n-1>/*` says how many rows the filters matched, which a
    caller without `read` may not learn: it gets `*/*`."""
    total = count if req.prefer.get("count") else None
    headers = {"Content-Range": content_range(0, count if counted else 0, total)}
    if out is None:
        return Result(204, None, headers, withheld=_wants_rows(req))
    return Result(200, out, headers)


async def update(ctx: Context, name: str, req: RestRequest, body: Any) -> Result:
    snapshot, obj = await table(ctx, name)
    authorize(ctx, obj, "update")
    values = payload.checked([payload.patch_values(body)], obj, payload.columns(req.params),
                             "update")[0]
    counted = readable(ctx, obj, req)
    if (record_id := _by_id_alone(req)) is not None and \
            (patch := await patch_plan(ctx, snapshot, obj, values)) is not None and \
            (done := await _patched_by_id(ctx, snapshot, obj, req, record_id, patch,
                                          counted)) is not None:
        return done
    plan, matching = _filtered(ctx, snapshot, obj, req, "UPDATE")
    _check_values(ctx, snapshot, obj, values)
    async with tx(ctx) as conn:
        matched = await repo.compiled_rows(conn, matching)
        _affected(req, len(matched), counted)
        await _apply(conn, ctx, snapshot, obj, values, matched)
        ids = [r["id"] for r in matched]
        out = await represent(conn, plan, snapshot, ids) if counted and _wants_rows(req) else None
    return _written(req, out, len(matched), counted)


async def _patched_by_id(ctx: Context, snapshot: Snapshot, obj: ObjectDef, req: RestRequest,
                         record_id: str, patch: PatchPlan, counted: bool) -> Result | None:
    """`_by_id_alone`'s PATCH in one statement; with the row asked back, in a transaction that
    also holds the answer to its byte cap. One row: a singular answer's check (406) holds.
    None: that statement wrote nothing."""
    wanted = planned(ctx, snapshot, obj, Query(select=memo.parsed_rest(req.params).select)) \
        if counted and _wants_rows(req) else None
    async with (one if wanted is None else tx)(ctx) as conn:
        written = await patch_written(conn, ctx, obj, record_id, None, patch)
        if written is None:
            return None
        out = None if wanted is None else \
            await _shown(conn, snapshot, wanted, written, ctx.state.settings)
    return _written(req, out, 1, counted)


def _by_id_alone(req: RestRequest) -> str | None:
    """The record a PATCH or DELETE names by `id=eq.<id>` alone (supabase-js's
    `.update(values).eq('id', id)`, with `.select(…)` and `.single()` or not, and
    `.delete().eq('id', id)`): it is written in one statement, as /api's PATCH is
    (records/service.py patch_written), without planning the filter (a plan of its own for
    every id) or reading the record first; with no row asked back, without a transaction
    either. None: anything else, or a record that statement did not write (another object's,
    none, one changed meanwhile), takes the filtered path."""
    filters = [(key, value) for key, value in req.params
               if not (key == "select" and _wants_rows(req))]
    if len(filters) != 1 or req.prefer.max_affected is not None:
        return None
    key, value = filters[0]
    record_id = value.removeprefix("eq.") if key == "id" else ""
    return record_id if value.startswith("eq.") and looks_like("rec", record_id) else None


async def _shown(conn: asyncpg.Connection, snapshot: Snapshot, wanted: ReadPlan,
                 row: asyncpg.Record, settings: Settings) -> Rows:
    """The representation of the record a PATCH by id wrote: shaped from the written row when
    the select has no embed and no computed field (every stored column is there), else read
    back. Either way held to the answer's byte cap inside the write's transaction, so that a
    refused answer writes nothing."""
    if wanted.embeds or wanted.computed:
        return await represent(conn, wanted, snapshot, [row["id"]])
    out = [shaper(snapshot, wanted)(row)]
    if len(orjson.dumps(out)) > (wanted.max_bytes or settings.max_response_bytes):
        raise over_cap()
    return out


def _check_values(ctx: Context, snapshot: Snapshot, obj: ObjectDef, values: dict[str, Any]
                  ) -> None:
    """Values that cannot be valid for any record are refused whether or not a row matches
    (PostgreSQL refuses a bad value before it looks for rows), so the answer does not tell a
    caller whether its filters matched. Read-only values are compared with each record."""
    problems = unseen_readonly(ctx, obj, values)
    readonly = {f.name for f in obj.fields if f.is_readonly}
    try:
        validator_for(snapshot, obj).for_update(
            {k: v for k, v in values.items() if k not in readonly}, {})
    except ValidationFailed as exc:
        problems += exc.details
    if problems:
        raise ValidationFailed(problems, "the new values are not valid; nothing saved")


async def _apply(conn: asyncpg.Connection, ctx: Context, snapshot: Snapshot, obj: ObjectDef,
                 values: dict[str, Any], matched: list[asyncpg.Record]) -> None:
    """Each record merged with `values` and validated as a PATCH of it; all or nothing."""
    validator = validator_for(snapshot, obj)
    stored, problems = await offload.run(lambda: _patched(validator, values, matched),
                                         (validator.weight(values) + PER_RECORD) * len(matched))
    if problems:
        raise ValidationFailed(list(problems.values()), "the new values are not valid for "
                               "every matched record; nothing saved")
    diffs = [changes.diff(row["data"], new) for row, new in zip(matched, stored, strict=True)]
    try:
        await repo.update_many(conn, ctx.tenant_id, [r["id"] for r in matched], stored,
                               [validator.primary_value(s) for s in stored],
                               ctx.principal.actor, diffs)
    except asyncpg.UniqueViolationError as exc:
        raise unique_conflict(obj, exc) from None


def _patched(validator: Any, values: dict[str, Any], matched: list[asyncpg.Record]
             ) -> tuple[list[dict[str, Any]], dict[Any, Any]]:
    stored: list[dict[str, Any]] = []
    problems: dict[Any, Any] = {}
    for row in matched:
        try:
            stored.append(validator.for_update(values, row["data"]))
        except ValidationFailed as exc:
            problems.update(((d["field"], d["code"]), d) for d in exc.details)
    return stored, problems


async def delete(ctx: Context, name: str, req: RestRequest) -> Result:
    snapshot, obj = await table(ctx, name)
    authorize(ctx, obj, "delete")
    counted = readable(ctx, obj, req)
    if (record_id := _by_id_alone(req)) is not None and not _wants_rows(req) \
            and obj.id in snapshot.deleted_alone:
        # supabase-js's .delete().eq('id', id): one statement, in autocommit. It trashes one
        # record or none, so a singular request's 406 (not one row) has nothing to undo.
        async with one(ctx) as conn:
            gone = await repo.trash(conn, ctx.tenant_id, [record_id], ctx.principal.actor,
                                    objects=[obj.id])
        _affected(req, len(gone), counted)
        return _written(req, None, len(gone), counted)
    plan, matching = _filtered(ctx, snapshot, obj, req, "DELETE")
    async with tx(ctx) as conn:
        matched = await repo.compiled_rows(conn, matching)
        _affected(req, len(matched), counted)
        ids = [r["id"] for r in matched]
        out = await represent(conn, plan, snapshot, ids) if counted and _wants_rows(req) else None
        await lifecycle.trash_many(conn, ctx, snapshot, obj, ids)
    return _written(req, out, len(matched), counted)
