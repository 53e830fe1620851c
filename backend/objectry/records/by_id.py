"""One record as /api JSON, written by PostgreSQL (records/query/as_json.py): read back by id
through the compiler, computed values included, or rendered by the very statement that wrote
it when the object has no computed field to add (`written_sql`)."""

from __future__ import annotations

from typing import Any

import asyncpg

from objectry.metadata.computed import is_read_time
from objectry.metadata.model import ObjectDef, Snapshot
from objectry.records import repo
from objectry.records.access import id_and_version, may
from objectry.records.query import Filter, Query, plan_read, render_json
from objectry.records.query.as_json import ROW, record_json
from objectry.web.context import Context
from objectry.web.responses import dumps

_PLACEHOLDER = "rec_placeholder"


def _statement(snapshot: Snapshot, obj: ObjectDef) -> tuple[str, list[Any]]:
    plan = plan_read(Query(where=(Filter("id", "eq", _PLACEHOLDER),)), obj, snapshot,
                     shape="record")
    sql, args = render_json(plan)
    # The id is the statement's first argument after the tenant and object ids ($3).
    assert args[2] == _PLACEHOLDER, args
    return (f"SELECT f.object_id AS found_object, f.deleted_at IS NOT NULL AS trashed, p.* "
            f"FROM (SELECT object_id, deleted_at FROM records WHERE tenant_id = $1 AND id = $3)"
            f" f CROSS JOIN ({sql}) p"), args


async def read(conn: asyncpg.Connection, snapshot: Snapshot, obj: ObjectDef, record_id: str
               ) -> asyncpg.Record | None:
    """The record `record_id` in one statement: None when the workspace has no such record,
    else `found_object` (its object), `trashed`, and when it is a live record of `obj`, its
    JSON (`body`, `rows` 1, `_version`; else `rows` 0). The statement is rendered once per
    snapshot and object."""
    sql, args = snapshot.memo("record_by_id", obj, lambda o: _statement(snapshot, o))
    row: asyncpg.Record | None = await conn.fetchrow(sql, *args[:2], record_id, *args[3:])
    return row


async def read_many(conn: asyncpg.Connection, snapshot: Snapshot, obj: ObjectDef,
                    ids: list[str]) -> bytes:
    """The live records `ids` of `obj`, in the order of `ids`: their JSON, comma-separated."""
    if not ids:
        return b""
    plan = plan_read(Query(where=(Filter("id", "in", tuple(ids)),)), obj, snapshot,
                     shape="record")
    return bytes((await repo.compiled_page(conn, render_json(plan, in_order=ids), None))["body"])


def written_sql(snapshot: Snapshot, obj: ObjectDef) -> str | None:
    """The record's JSON over a write's RETURNING row (aliased `q`), for objects whose records
    carry no computed values; None when they do (then `shown` reads the record back). Once
    per snapshot and object."""
    return snapshot.memo("record_written", obj, _written_sql) or None


def _written_sql(obj: ObjectDef) -> str:
    if any(is_read_time(f) for f in obj.fields):
        return ""  # (memo keeps no None)
    return f"convert_to(({record_json(obj, ROW)})::text, 'UTF8') AS body"


async def shown(conn: asyncpg.Connection, ctx: Context, snapshot: Snapshot, obj: ObjectDef,
                row: Any) -> bytes:
    """A written record as its writer may see it: all of it with `read`, else `{id, version}`.
    `row`: the write's RETURNING row, with `body` when the write rendered it (`written_sql`)."""
    if not may(ctx, obj, "read"):
        return dumps(id_and_version(row))
    body = row.get("body")
    if body is not None:
        return bytes(body)
    page = await read(conn, snapshot, obj, row["id"])
    if page is None or not page["rows"]:  # only when another write trashed it in between
        return dumps(id_and_version(row))
    return bytes(page["body"])
