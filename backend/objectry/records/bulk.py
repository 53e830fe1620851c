"""Bulk create/upsert: validate everything first, then one statement; all or nothing.

A big batch of new records (more than PIPELINE_CHUNK, no upsert) is written a chunk at a time
instead, in its transaction: each chunk is validated and made ready for COPY in a worker thread
while PostgreSQL writes the chunk before it, so the Python and the database work overlap rather
than add up. Nothing is written once a chunk fails, and every problem of every record is still
listed before anything is said, as for one statement.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from dataclasses import dataclass, replace
from typing import Any

import asyncpg
import orjson

from objectry import offload
from objectry.db.tenancy import tx
from objectry.errors import PayloadTooLarge, ValidationFailed, detail
from objectry.fields import cast_of
from objectry.fields.base import HEAVY_WORK
from objectry.fields.structured import VALIDATE_SECONDS
from objectry.ids import new_ids
from objectry.metadata.model import ObjectDef, Snapshot
from objectry.records import autonumber, changes, repo
from objectry.records.access import authorize, id_and_version, may, unseen_readonly
from objectry.records.computed_values import with_computed
from objectry.records.conflicts import unique_conflict
from objectry.records.schemas import BulkWrite, keys
from objectry.records.service import object_for
from objectry.records.shape import record_shaper
from objectry.records.validate import RecordValidator, validator_for
from objectry.web.context import Context

PER_RECORD = 10  # µs to validate an ordinary record: 100 of them are worth a worker thread
_KEYS = keys(BulkWrite)


def _check_body(body: Any, limit: int) -> list[Any]:
    if not isinstance(body, dict):
        raise ValidationFailed([detail("", "type", "the body must be a JSON object")])
    problems = [detail(k, "extra_forbidden", "is not a known property")
                for k in sorted(set(body) - _KEYS)]
    records = body.get("records")
    if not isinstance(records, list):
        problems.append(detail("records", "type", "must be an array of {data} objects"))
    if body.get("mode", "insert") not in ("insert", "upsert"):
        problems.append(detail("mode", "enum", "must be insert or upsert"))
    if problems:
        raise ValidationFailed(problems)
    assert isinstance(records, list)
    if len(records) > limit:
        raise PayloadTooLarge(f"at most {limit} records per call; got {len(records)}")
    return records


def _prefixed(problems: list[dict[str, Any]], index: int) -> list[dict[str, Any]]:
    return [{**p, "field": f"{index}.{p['field']}" if p["field"] else str(index)}
            for p in problems]


def _match_field(obj: ObjectDef, body: dict[str, Any]) -> str | None:
    if body.get("mode", "insert") != "upsert":
        return None
    name = body.get("match_on")
    field = obj.fields_by_name.get(name) if isinstance(name, str) else None
    if field is None or not field.is_unique:
        raise ValidationFailed([detail("match_on", "not_unique",
                                       "upsert needs match_on: the name of a unique field")])
    return field.id


COPY_CHUNK = 1000  # records per COPY into the staging table
# From this many new records a batch is staged by binary COPY and inserted by one INSERT …
# SELECT; below, one INSERT … unnest costs less than creating the staging table.
COPY_FROM = 50
# A batch of more than PIPELINE_CHUNK new records is pipelined (above), at most that many
# records a statement: a 10,000-record call's Python and PostgreSQL halves overlap.
PIPELINE_CHUNK = 2000
# Its first chunk is small, since PostgreSQL waits for its validation, and so is the second,
# sized before the first is written; once a write has been timed, each chunk is twice the one
# before, up to PIPELINE_CHUNK.
FIRST_CHUNK = 500
# And no chunk is bigger than the slowest write so far says fits in this share of the statement
# timeout: a workspace whose records carry many indexes, on a busy server, writes 2,000 records
# in over a second (bench/notes.md).
TIMEOUT_SHARE = 0.25
SMALLEST_CHUNK = 100


def chunk_size(previous: int, seconds_per_record: float, timeout_ms: int) -> int:
    """Records in the next chunk of a pipelined batch, after one of `previous` (0: none yet),
    when a record has taken at most `seconds_per_record` to write (0: not measured yet)."""
    if not seconds_per_record:
        return previous or FIRST_CHUNK
    size = min(PIPELINE_CHUNK, 2 * previous)
    if timeout_ms:
        size = min(size, int(timeout_ms / 1000 * TIMEOUT_SHARE / seconds_per_record))
    return max(SMALLEST_CHUNK, size)


async def bulk(ctx: Context, body: Any) -> dict[str, Any]:
    records = _check_body(body, ctx.state.settings.max_bulk_records)
    snapshot, obj = await object_for(ctx, body.get("object"), field="object")
    authorize(ctx, obj, "create")
    match = _match_field(obj, body)
    datas = [item.get("data") if isinstance(item, dict) else None for item in records]
    async with tx(ctx) as conn:
        batch = await write_batch(conn, ctx, snapshot, obj, datas, match)
        batch = replace(batch, rows=await with_computed(conn, snapshot, obj, batch.rows))
    shape = record_shaper(snapshot, obj) if may(ctx, obj, "read") else id_and_version
    items = await offload.run(lambda: [shape(r) for r in batch.rows],
                              PER_RECORD * len(batch.rows))
    return {"items": items, "created": batch.created, "updated": batch.updated}


@dataclass(frozen=True, slots=True)
class Batch:
    rows: list[Any]  # the written records (asyncpg records or mappings), in input order
    created: int
    updated: int


async def write_batch(conn: asyncpg.Connection, ctx: Context, snapshot: Snapshot,
                      obj: ObjectDef, datas: list[Any], match: str | None, *,
                      skip_matched: bool = False) -> Batch:
    """Validate every record (422 listing every problem by index), then write them all in
    this transaction. With `match` (a unique field's id) a record whose value is already taken
    is merged into that record like a PATCH, or left out when `skip_matched` (as are later
    repeats of a value within the batch)."""
    validator = validator_for(snapshot, obj)
    if match is None and len(datas) > PIPELINE_CHUNK and conn.is_in_transaction():
        try:
            rows = await _pipelined(conn, ctx, obj, validator, datas)
        except asyncpg.UniqueViolationError as exc:
            raise unique_conflict(obj, exc) from None
        return Batch(rows, len(rows), 0)
    weight = _weight(validator, datas)
    creates = await offload.run(
        lambda: _validate(datas, lambda i, data: validator.for_create(data)), weight)
    creates = _skip_repeats(creates, match) if skip_matched else creates
    _refuse_repeats(obj, creates, match)
    existing = await _existing(conn, ctx, obj, match, creates) if match else {}
    if skip_matched and match is not None:
        creates = [(i, s) for i, s in creates if s.get(match) not in existing]
        existing = {}
    if existing:
        authorize(ctx, obj, "update")
    olds: dict[int, Any] = {i: existing.get(stored.get(match)) for i, stored in creates} \
        if existing and match is not None else {}
    _refuse_unseen_readonly(ctx, obj, datas, olds)
    if any(olds.values()):
        creates = await _merged(validator, datas, creates, olds, weight)
    plan = [(i, stored, olds.get(i)) for i, stored in creates]
    try:
        rows = await _write(conn, ctx, obj, validator, plan)
    except asyncpg.UniqueViolationError as exc:
        raise unique_conflict(obj, exc) from None
    created = sum(1 for _, _, old in plan if old is None)
    return Batch(rows, created, len(plan) - created)


async def _copied(conn: asyncpg.Connection, ctx: Context, obj: ObjectDef,
                  validator: RecordValidator, inserts: list[tuple[int, str, dict[str, Any]]]
                  ) -> list[asyncpg.Record]:
    """Stage the new records by binary COPY (COPY_CHUNK at a time, which keeps the event loop
    free: encoding 10,000 records at once held it for ~70 ms), then one INSERT … SELECT."""
    await repo.stage(conn)
    for start in range(0, len(inserts), COPY_CHUNK):
        await repo.copy_staged(conn, _staged(validator, [
            (rid, stored) for _, rid, stored in inserts[start:start + COPY_CHUNK]]))
    return await repo.insert_staged(conn, ctx.tenant_id, obj.id, ctx.principal.actor)


def _staged(validator: RecordValidator, records: list[tuple[str, dict[str, Any]]]
            ) -> repo.Staged:
    """(id, stored data) of new records as rows of the staging table."""
    return [(rid, orjson.dumps(stored).decode(), validator.primary_value(stored),
             orjson.dumps(changes.created(stored)).decode()) for rid, stored in records]


async def _pipelined(conn: asyncpg.Connection, ctx: Context, obj: ObjectDef,
                     validator: RecordValidator, datas: list[Any]) -> list[asyncpg.Record]:
    """New records only, a chunk (`chunk_size`) a statement; in input order. The chunks'
    validation shares one request's CPU budget, as a batch validated at once does. Autonumbers
    are taken for the whole batch first (every record is written, or none) and put into each
    chunk's records by position, as one statement's would be."""
    spent = 0.0  # thread CPU seconds the chunks' validation used so far
    numbers = await autonumber.take(conn, ctx.tenant_id, obj, len(datas))

    def ready(start: int, size: int) -> repo.Staged:  # in a worker thread
        nonlocal spent
        began = time.thread_time()
        try:
            creates = _validate(datas[start:start + size],
                                lambda i, data: validator.for_create(data), start)
            autonumber.put(numbers, [stored for _, stored in creates], start)
            return _staged(validator, [(rid, stored) for (_, stored), rid in
                                       zip(creates, new_ids("rec", len(creates)), strict=True)])
        finally:
            spent += time.thread_time() - began

    def started(start: int, size: int) -> asyncio.Future[repo.Staged]:
        chunk: Awaitable[repo.Staged] = offload.run(lambda: ready(start, size), HEAVY_WORK,
                                                    budget=VALIDATE_SECONDS - spent)
        return asyncio.ensure_future(chunk)

    timeout_ms = ctx.state.settings.statement_timeout_ms
    problems: list[dict[str, Any]] = []
    conflict: asyncpg.UniqueViolationError | None = None
    rows: list[asyncpg.Record] = []
    ids: list[str] = []  # in input order
    start, size, slowest = 0, chunk_size(0, 0, timeout_ms), 0.0
    following = started(start, size)
    try:
        while start < len(datas):
            try:
                staged = await following
            except ValidationFailed as exc:
                problems.extend(exc.details)
                staged = []
            end, size = start + size, chunk_size(size, slowest, timeout_ms)
            if end < len(datas):
                following = started(end, size)  # validated while this chunk is written
            start = end
            if problems or conflict is not None:
                continue  # nothing more is written; the rest is validated for its problems
            ids += [row[0] for row in staged]
            began = time.perf_counter()
            await repo.stage(conn)
            await repo.copy_staged(conn, staged)
            try:
                rows += await repo.insert_staged(conn, ctx.tenant_id, obj.id,
                                                 ctx.principal.actor)
            except asyncpg.UniqueViolationError as exc:
                conflict = exc  # told after the problems, which come first as for one statement
            slowest = max(slowest, (time.perf_counter() - began) / len(staged))
    finally:  # when a statement failed otherwise, or the request was cancelled
        if not following.done():
            following.cancel()  # its thread ends by itself; what it made is dropped
        elif not following.cancelled():
            following.exception()  # read, so a refusal nobody awaits is not logged as lost
    if problems:
        raise ValidationFailed(problems, f"{len(problems)} problems in the batch; nothing saved")
    if conflict is not None:
        raise conflict
    by_id = {row["id"]: row for row in rows}
    return [by_id[row_id] for row_id in ids]


def _weight(validator: RecordValidator, datas: list[Any]) -> int:
    weight = PER_RECORD * len(datas)  # a big batch is heavy whatever it holds: no need to sum
    return weight + (sum(map(validator.weight, datas)) if weight < HEAVY_WORK else 0)


async def _merged(validator: RecordValidator, datas: list[Any],
                  creates: list[tuple[int, dict[str, Any]]], olds: dict[int, Any], weight: int
                  ) -> list[tuple[int, dict[str, Any]]]:
    """Matched records are merged into, as a PATCH would: validated again against the record
    they are merged into; the others keep what `for_create` made of them."""
    stored_by_index = dict(creates)
    return await offload.run(lambda: _validate(datas, lambda i, data: validator.for_update(
        data, olds[i]["data"]) if olds.get(i) else stored_by_index[i]), weight)


def _refuse_unseen_readonly(ctx: Context, obj: ObjectDef, datas: list[Any],
                            olds: dict[int, Any]) -> None:
    """A merge compares read-only values with the record's: see `unseen_readonly`."""
    problems = [p for i, old in olds.items() if old
                for p in _prefixed(unseen_readonly(ctx, obj, datas[i]), i)]
    if problems:
        raise ValidationFailed(problems, f"{len(problems)} problems in the batch; nothing saved")


def _skip_repeats(creates: list[tuple[int, dict[str, Any]]], match: str | None
                  ) -> list[tuple[int, dict[str, Any]]]:
    """ON CONFLICT DO NOTHING semantics inside one batch: the first of a value wins."""
    seen: set[Any] = set()
    kept = []
    for i, stored in creates:
        key = stored.get(match) if match else None
        if key is None or key not in seen:
            kept.append((i, stored))
        seen.add(key)
    return kept


def _validate(datas: list[Any], check: Any, first: int = 0) -> list[tuple[int, dict[str, Any]]]:
    """(index, stored data) per record, or one 422 listing every problem of every record;
    `first`: the index of datas[0] in the batch."""
    out, problems = [], []
    for i, data in enumerate(datas, first):
        if not isinstance(data, dict):
            problems.append(detail(f"{i}.data", "type", "must be an object of field values"))
            continue
        try:
            out.append((i, check(i, data)))
        except ValidationFailed as exc:
            problems.extend(_prefixed(exc.details, i))
    if problems:
        raise ValidationFailed(problems, f"{len(problems)} problems in the batch; nothing saved")
    return out


def _refuse_repeats(obj: ObjectDef, creates: list[tuple[int, dict[str, Any]]],
                    match: str | None) -> None:
    if match is None:
        return
    seen: set[Any] = set()
    problems = []
    for i, stored in creates:
        key = stored.get(match)
        if key is not None and key in seen:
            problems.append(detail(f"{i}.{obj.fields_by_id[match].name}", "duplicate",
                                   "the same value appears earlier in this batch"))
        seen.add(key)
    if problems:
        raise ValidationFailed(problems, f"{len(problems)} problems in the batch; nothing saved")


async def _existing(conn: asyncpg.Connection, ctx: Context, obj: ObjectDef, match: str,
                    creates: list[tuple[int, dict[str, Any]]]) -> dict[Any, asyncpg.Record]:
    """Live records whose unique `match` field has one of the batch's (normalised) values."""
    values = [str(stored[match]) for _, stored in creates if stored.get(match) is not None]
    rows = await repo.live_by_value(conn, ctx.tenant_id, obj.id, match,
                                    cast_of(obj.fields_by_id[match].type), values)
    return {r["data"][match]: r for r in rows}


async def _write(conn: asyncpg.Connection, ctx: Context, obj: ObjectDef,
                 validator: RecordValidator, plan: list[tuple[int, dict[str, Any], Any]]
                 ) -> list[asyncpg.Record]:
    """Inserts in one statement, updates one by one; rows come back in input order."""
    news = [(i, stored) for i, stored, old in plan if old is None]
    inserts = [(i, rid, stored) for (i, stored), rid in zip(news, new_ids("rec", len(news)),
                                                             strict=True)]
    await autonumber.assign(conn, ctx.tenant_id, obj, [stored for _, _, stored in inserts])
    if len(inserts) >= COPY_FROM:
        new = await _copied(conn, ctx, obj, validator, inserts)
    elif inserts:
        new = await repo.insert_many(
            conn, ctx.tenant_id, obj.id, [rid for _, rid, _ in inserts],
            [s for _, _, s in inserts], [validator.primary_value(s) for _, _, s in inserts],
            ctx.principal.actor)
    else:
        new = []
    by_id: dict[str, asyncpg.Record] = {r["id"]: r for r in new}
    order = {i: rid for i, rid, _ in inserts}
    for i, stored, old in plan:
        if old is not None:
            row = await repo.update_data(conn, ctx.tenant_id, old["id"], stored,
                                         validator.primary_value(stored), ctx.principal.actor,
                                         changes.diff(old["data"], stored))
            by_id[row["id"]] = row
            order[i] = row["id"]
    return [by_id[order[i]] for i, _, _ in plan]
