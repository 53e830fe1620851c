"""SQL for records, their links and their history: raw asyncpg, `$n` parameters only; and the
runner of the statements the query compiler renders (records/query)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg

from objectry import sqltext
from objectry.errors import OVER_CAP
from objectry.records.changes import created
from objectry.records.query.bounded import capped_rows

RECORD_COLUMNS = ("id, object_id, data, primary_value, version, created_at, updated_at,"
                  " created_by, updated_by, deleted_at, trash_batch")
Compiled = tuple[str, list[Any]]  # what render_read / render_count / render_match_ids return


async def compiled_rows(conn: asyncpg.Connection, statement: Compiled) -> list[asyncpg.Record]:
    sql, args = statement
    return await conn.fetch(sql, *args)


async def page_rows(conn: asyncpg.Connection, rendered: Callable[[bool], Compiled]
                    ) -> list[asyncpg.Record]:
    """A page bounded by its answer's size, `rendered(share)` (query/bounded.py): first with
    each row held to its share of the cap, which needs no running total; only if a row is over
    its share (OB413), again with the running total, which alone tells whether the page is
    over the cap. In a transaction the running total at once: a failed statement ends it."""
    if not conn.is_in_transaction():
        try:
            return await compiled_rows(conn, rendered(True))
        except asyncpg.PostgresError as exc:
            if exc.sqlstate != OVER_CAP:
                raise
    return await compiled_rows(conn, rendered(False))


async def compiled_value(conn: asyncpg.Connection, statement: Compiled) -> Any:
    sql, args = statement
    return await conn.fetchval(sql, *args)


def _inserted(source: str, events_from: str, changes: str) -> str:
    """INSERT the records `source` yields (id, data, pv) with their `create` events in the same
    statement; the new rows come back. $1 tenant, $2 object, $3 actor. Each event's `changes`
    (`changes.created`: `{field: [null, value]}`) is read from `events_from`, which yields the
    records' ids in input order: Python builds them for less than PostgreSQL would from each
    row's `data` (jsonb_object_agg over jsonb_each: ~10 µs a record, bench/notes.md)."""
    return f"""
        WITH new AS (
            INSERT INTO records (tenant_id, id, object_id, data, primary_value, created_by,
                                 updated_by)
            SELECT $1, id, $2, data, pv, $3, $3 FROM {source}
            RETURNING {RECORD_COLUMNS}
        ), events AS (
            INSERT INTO record_events (tenant_id, record_id, op, changes, actor)
            SELECT $1, id, 'create', {changes}, $3
            FROM {events_from}
        )
        SELECT * FROM new
        """


_INSERT_UNNEST = _inserted("unnest($4::text[], $5::jsonb[], $6::text[]) AS u(id, data, pv)",
                           "unnest($4::text[], $7::jsonb[]) AS e(id, changes)", "changes")
# One record (a create): scalar parameters, which asyncpg encodes without walking arrays.
# Together with its event's changes given ($7), 348 → 279 µs of database CPU per create at 16
# connections (bench/notes.md).
_INSERT_ONE = _inserted("(VALUES ($4::text, $5::jsonb, $6::text)) AS u(id, data, pv)",
                        "new", "$7::jsonb")
# Staged rows carry their data and their event's changes as JSON text (binary COPY of text is
# the text's bytes); PostgreSQL parses each once, as it parses a jsonb parameter.
STAGE = "pg_temp.objectry_staged_records"
_INSERT_STAGED = _inserted(f"(SELECT id, data::jsonb AS data, pv FROM {STAGE}) AS u", STAGE,
                           "changes::jsonb")


async def insert_many(conn: asyncpg.Connection, tenant_id: str, object_id: str,
                      ids: list[str], datas: list[dict[str, Any]],
                      primary_values: list[str | None], actor: str | None
                      ) -> list[asyncpg.Record]:
    """One statement for any number of records (unnest), in input order, with their
    `create` events written in the same statement."""
    if len(ids) == 1:
        data = datas[0]
        return await conn.fetch(_INSERT_ONE, tenant_id, object_id, actor, ids[0], data,
                                primary_values[0], created(data))
    return await conn.fetch(_INSERT_UNNEST, tenant_id, object_id, actor, ids, datas,
                            primary_values, [created(data) for data in datas])


async def stage(conn: asyncpg.Connection) -> None:
    """An empty staging table for `copy_staged`, this transaction's own (dropped at commit, so
    a transaction pooler's next client never sees it; emptied if an earlier batch of the same
    transaction used it)."""
    await conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {STAGE.split('.')[1]}"
                       " (id text, data text, pv text, changes text) ON COMMIT DROP; "
                       f"TRUNCATE {STAGE}")


# Rows of the staging table: (id, data as JSON text, primary value, the create event's changes
# as JSON text).
Staged = list[tuple[str, str, str | None, str]]


async def copy_staged(conn: asyncpg.Connection, rows: Staged) -> None:
    """(id, data as JSON text, primary value, the create event's changes as JSON text) rows
    into the staging table by binary COPY."""
    await conn.copy_records_to_table(STAGE.split(".")[1], schema_name="pg_temp", records=rows,
                                     columns=("id", "data", "pv", "changes"))


async def insert_staged(conn: asyncpg.Connection, tenant_id: str, object_id: str,
                        actor: str | None) -> list[asyncpg.Record]:
    """The staged records into `records` in one INSERT … SELECT, under the workspace's RLS like
    any insert, with their `create` events."""
    return await conn.fetch(_INSERT_STAGED, tenant_id, object_id, actor)


async def get(conn: asyncpg.Connection, tenant_id: str, record_id: str, *,
              for_update: bool = False) -> asyncpg.Record | None:
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow(
        f"SELECT {RECORD_COLUMNS} FROM records WHERE tenant_id = $1 AND id = $2{lock}",
        tenant_id, record_id)


async def get_many(conn: asyncpg.Connection, tenant_id: str, ids: list[str], *,
                   for_update: bool = True) -> list[asyncpg.Record]:
    """These records, trashed ones included."""
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetch(
        f"SELECT {RECORD_COLUMNS} FROM records WHERE tenant_id = $1 AND id = any($2::text[])"
        f"{lock}", tenant_id, ids)


# The casts an upsert's match compares under, as the field's unique index does; another
# (a list's jsonb) compares the value's text.
_MATCHED_AS_INDEXED = {sqltext.TEXT, sqltext.NUMERIC, sqltext.DATE, sqltext.TIMESTAMPTZ}


async def live_by_value(conn: asyncpg.Connection, tenant_id: str, object_id: str,
                        field_id: str, cast: str, values: list[str]) -> list[asyncpg.Record]:
    """Live records of the object whose unique field (an upsert's match) has one of `values`,
    locked for the merge that follows. Compared as the field's unique index compares, so that
    the match is an index probe: found through records_in_scope (under the table's RLS no field
    condition can use an index, migration 0003) with the field id, workspace and object as
    literals (the index's expression and partial predicate, also in a generic plan); then
    locked by key in the table, whose conditions a concurrent write makes PostgreSQL check
    again. With the field id as a parameter, every upsert read all the object's records
    (60 ms a call at 100,000 contacts; bench/notes.md, fourteenth round)."""
    if cast not in _MATCHED_AS_INDEXED:
        cast = sqltext.TEXT
    holds = f"{sqltext.field_expr(field_id, cast, None)} = any($3::text[]::{cast}[])"
    return await conn.fetch(
        f"""SELECT id, data, version FROM records
            WHERE tenant_id = $1 AND id = any(ARRAY(
                    SELECT id FROM records_in_scope
                    WHERE tenant_id = $1 AND tenant_id = {sqltext.literal(tenant_id)}
                      AND object_id = {sqltext.literal(object_id)} AND deleted_at IS NULL
                      AND {holds}))
              AND object_id = $2 AND deleted_at IS NULL AND {holds}
            FOR UPDATE""",
        tenant_id, object_id, values)


async def update_data(conn: asyncpg.Connection, tenant_id: str, record_id: str,
                      data: dict[str, Any], primary_value: str | None, actor: str | None,
                      changes: dict[str, Any]) -> asyncpg.Record:
    row = await conn.fetchrow(
        f"""UPDATE records SET data = $3, primary_value = $4, version = version + 1,
                   updated_at = now(), updated_by = $5
            WHERE tenant_id = $1 AND id = $2 RETURNING {RECORD_COLUMNS}""",
        tenant_id, record_id, data, primary_value, actor)
    await add_events(conn, tenant_id, [record_id], "update", changes, actor)
    return row


async def update_many(conn: asyncpg.Connection, tenant_id: str, ids: list[str],
                      datas: list[dict[str, Any]], primary_values: list[str | None],
                      actor: str | None, changes: list[dict[str, Any]]) -> None:
    """Many records' new data in one statement, each with its `update` event."""
    await conn.execute(
        """
        WITH changed AS (
            UPDATE records r SET data = u.data, primary_value = u.pv, version = r.version + 1,
                   updated_at = now(), updated_by = $6
            FROM unnest($2::text[], $3::jsonb[], $4::text[], $5::jsonb[]) AS u(id, data, pv, ch)
            WHERE r.tenant_id = $1 AND r.id = u.id
            RETURNING r.id, u.ch
        )
        INSERT INTO record_events (tenant_id, record_id, op, changes, actor)
        SELECT $1, id, 'update', ch, $6 FROM changed
        """, tenant_id, ids, datas, primary_values, changes, actor)


async def update_if_version(conn: asyncpg.Connection, tenant_id: str, record_id: str,
                            version: int, data: dict[str, Any], primary_value: str | None,
                            actor: str | None, changes: dict[str, Any]
                            ) -> asyncpg.Record | None:
    """Write the record only if it is still live at `version`, with its history event, in one
    statement; None when another write got there first (or it was trashed)."""
    return await conn.fetchrow(
        f"""
        WITH changed AS (
            UPDATE records SET data = $4, primary_value = $5, version = version + 1,
                               updated_at = now(), updated_by = $6
            WHERE tenant_id = $1 AND id = $2 AND version = $3 AND deleted_at IS NULL
            RETURNING {RECORD_COLUMNS}
        ), event AS (
            INSERT INTO record_events (tenant_id, record_id, op, changes, actor)
            SELECT $1, id, 'update', $7, $6 FROM changed
        )
        SELECT * FROM changed
        """, tenant_id, record_id, version, data, primary_value, actor, changes)


def _qualified(alias: str) -> str:
    """RECORD_COLUMNS, each as `alias.column`."""
    return ", ".join(f"{alias}.{column.strip()}" for column in RECORD_COLUMNS.split(","))


def _patch_changes(before: str) -> str:
    """A PATCH's history event: `[old, new]` of each patched key whose value changed, as
    changes.diff gives; `before` is the record's data before the write, `c` the record after."""
    return f"""
    (SELECT coalesce(jsonb_object_agg(k, jsonb_build_array({before} -> k, c.data -> k)), '{{}}')
     FROM (SELECT jsonb_object_keys($5::jsonb) UNION SELECT unnest($6::text[])) AS keys (k)
     WHERE ({before} -> k) IS DISTINCT FROM (c.data -> k))"""


# Both PATCH statements read the record by its key alone and test on the row whether it is live
# and of that object: given beside the key, those conditions let the planner take a partial
# index of every live record of the object and scan it (it did while the table's statistics
# were an empty table's, right after the first records were made).
_PATCHED = """UPDATE records r SET data = (r.data - $6::text[]) || $5::jsonb,
                             primary_value = CASE WHEN $7 THEN $8 ELSE r.primary_value END,
                             version = r.version + 1, updated_at = now(), updated_by = $9"""

# PostgreSQL 15-17: the record is read and locked first, for its data before the write.
_PATCH_LOCKING = f"""
    WITH old AS (
        SELECT id, data, version, object_id = $3 AND deleted_at IS NULL AS live
        FROM records WHERE tenant_id = $1 AND id = $2
        FOR UPDATE
    ), changed AS (
        {_PATCHED}
        FROM old WHERE r.tenant_id = $1 AND r.id = old.id AND old.live
                   AND ($4::integer IS NULL OR old.version = $4::integer)
        RETURNING {_qualified("r")}
    ), event AS (
        INSERT INTO record_events (tenant_id, record_id, op, changes, actor)
        SELECT $1, c.id, 'update', {_patch_changes("o.data")}, $9
        FROM changed c JOIN old o ON o.id = c.id
    )
    SELECT c.*, old.version AS found_version
    FROM old LEFT JOIN changed c ON true
    WHERE old.live
    """

# PostgreSQL 18: the UPDATE returns the data it replaced (RETURNING old.…), so no read and lock
# first (12% of a PATCH's database time at 16 connections, bench/notes.md). It returns only
# what it wrote; when that is nothing, the caller's read-then-write path finds out why (a 412
# in the same two round trips as a second statement here would take). Asking in the same
# statement (a CTE reading the record again, joined to the write) cost every PATCH ~40 µs of
# database CPU at 16 connections (bench/notes.md, thirteenth round).
_PATCH_RETURNING_OLD = f"""
    WITH changed AS (
        {_PATCHED}
        WHERE r.tenant_id = $1 AND r.id = $2
          AND (r.object_id = $3 AND r.deleted_at IS NULL
               AND ($4::integer IS NULL OR r.version = $4::integer)) IS TRUE
        RETURNING {_qualified("new")}, old.data AS old_data
    ), event AS (
        INSERT INTO record_events (tenant_id, record_id, op, changes, actor)
        SELECT $1, c.id, 'update', {_patch_changes("c.old_data")}, $9
        FROM changed c
    )
    SELECT {_qualified("c")} FROM changed c
    """


async def patch_at_version(conn: asyncpg.Connection, tenant_id: str, object_id: str,
                           record_id: str, version: int | None, sets: dict[str, Any],
                           clears: list[str], primary_given: bool, primary_value: str | None,
                           actor: str | None) -> asyncpg.Record | int | None:
    """A PATCH without reading the record first: the live record of `object_id`, locked, gets
    `sets` over its data less `clears` if it is at `version` (None: whatever it is at), with
    its history event (`[old, new]` of each patched key whose value changed, as changes.diff
    gives). Returns the record as written; on PostgreSQL 15-17, an int when the record is at
    another version than `version` (the one it is at); None when nothing was written for any
    other reason, or on PostgreSQL 18 for any reason: the caller reads the record and decides."""
    args = (tenant_id, record_id, object_id, version, sets, clears, primary_given,
            primary_value, actor)
    if conn.get_server_version().major < 18:
        row = await conn.fetchrow(_PATCH_LOCKING, *args)
        return row["found_version"] if row is not None and row["id"] is None else row
    return await conn.fetchrow(_PATCH_RETURNING_OLD, *args)


async def add_events(conn: asyncpg.Connection, tenant_id: str, record_ids: list[str], op: str,
                     changes: dict[str, Any], actor: str | None) -> None:
    await conn.execute(
        "INSERT INTO record_events (tenant_id, record_id, op, changes, actor)"
        " SELECT $1, id, $3, $4, $5 FROM unnest($2::text[]) AS u(id)",
        tenant_id, record_ids, op, changes, actor)


async def cascade_step(conn: asyncpg.Connection, tenant_id: str, from_ids: list[str]
                       ) -> list[asyncpg.Record]:
    """Live `to` records linked from these records through `cascade` or `restrict`
    relationships: what a delete would take along, or what blocks it."""
    return await conn.fetch(
        """SELECT DISTINCT rel.on_delete, rel.name, l.to_record_id
           FROM relationship_records l
           JOIN relationships rel ON rel.tenant_id = l.tenant_id AND rel.id = l.relationship_id
           JOIN records t ON t.tenant_id = l.tenant_id AND t.id = l.to_record_id
           WHERE l.tenant_id = $1 AND l.from_record_id = any($2::text[])
             AND rel.on_delete IN ('cascade', 'restrict') AND t.deleted_at IS NULL""",
        tenant_id, from_ids)


async def trash(conn: asyncpg.Connection, tenant_id: str, ids: list[str], actor: str | None,
                *, batch: str | None = None, objects: list[str] | None = None,
                excluded: list[str] | None = None) -> list[str]:
    """Trash the live records among `ids` (only those of `objects`, if given; none of
    `excluded`'s) with their history events, in one statement; the ids trashed. `batch`: the
    root of a cascade, whose records are restored together; None: each record is a batch of
    its own."""
    rows = await conn.fetch(
        """WITH gone AS (
               UPDATE records SET deleted_at = now(), trash_batch = coalesce($3, id),
                      version = version + 1, updated_at = now(), updated_by = $4
               WHERE tenant_id = $1 AND id = any($2::text[]) AND deleted_at IS NULL
                 AND ($5::text[] IS NULL OR object_id = any($5::text[]))
                 AND object_id <> all($6::text[])
               RETURNING id),
           logged AS (
               INSERT INTO record_events (tenant_id, record_id, op, changes, actor)
               SELECT $1, id, 'delete', '{}', $4 FROM gone)
           SELECT id FROM gone""",
        tenant_id, ids, batch, actor, objects, excluded or [])
    return [r["id"] for r in rows]


async def restore(conn: asyncpg.Connection, tenant_id: str, record: asyncpg.Record,
                  actor: str | None) -> list[str]:
    """Bring back the record, and if it was the root of a cascading delete, its whole batch."""
    ids = await conn.fetch(
        """UPDATE records SET deleted_at = NULL, trash_batch = NULL, version = version + 1,
                  updated_at = now(), updated_by = $4
           WHERE tenant_id = $1 AND deleted_at IS NOT NULL
             AND (id = $2 OR ($3 AND trash_batch = $2))
           RETURNING id""",
        tenant_id, record["id"], record["trash_batch"] == record["id"], actor)
    restored = [r["id"] for r in ids]
    await add_events(conn, tenant_id, restored, "restore", {}, actor)
    return restored


async def purge(conn: asyncpg.Connection, tenant_id: str, ids: list[str]) -> None:
    """Hard delete; foreign keys take the links with the records, and a trigger their history
    (migration 0020)."""
    await conn.execute("DELETE FROM records WHERE tenant_id = $1 AND id = any($2::text[])",
                       tenant_id, ids)


async def related(conn: asyncpg.Connection, tenant_id: str, relationship_id: str,
                  record_id: str, forward: bool, limit: int, max_bytes: int
                  ) -> list[asyncpg.Record]:
    """Live records linked to this one: its `to` records if forward, else its `from` records;
    `_bytes` their running size, past `max_bytes` PostgreSQL stops (OB413)."""
    near, far = ("from_record_id", "to_record_id") if forward else ("to_record_id",
                                                                     "from_record_id")
    sql = f"""SELECT r.id, r.object_id, r.data, r.primary_value, r.version, r.created_at,
                     r.updated_at, r.created_by, r.updated_by
              FROM relationship_records l
              JOIN records r ON r.tenant_id = l.tenant_id AND r.id = l.{far}
              WHERE l.tenant_id = $1 AND l.relationship_id = $2 AND l.{near} = $3
                AND r.deleted_at IS NULL
              ORDER BY l.created_at, l.id{sqltext.limit(limit)}"""
    return await conn.fetch(capped_rows(sql, [], "$4::bigint"), tenant_id, relationship_id,
                            record_id, max_bytes)


async def history(conn: asyncpg.Connection, tenant_id: str, record_id: str,
                  before_id: int | None, limit: int) -> list[asyncpg.Record]:
    """The record's events, newest first: its writes and its links (with the other record's
    primary value and object, null once it is purged)."""
    page = sqltext.limit(limit)
    return await conn.fetch(
        f"""(SELECT id, op, changes, actor, at, NULL::text AS relationship_id,
                   NULL::boolean AS forward, NULL::text AS other_record_id,
                   NULL::text AS other_primary_value, NULL::text AS other_object_id
            FROM record_events
            WHERE tenant_id = $1 AND record_id = $2 AND ($3::bigint IS NULL OR id < $3)
            ORDER BY id DESC{page})
           UNION ALL
           (SELECT e.id, e.op, '{{}}'::jsonb, e.actor, e.at, e.relationship_id, e.forward,
                   e.other_record_id, o.primary_value, o.object_id
            FROM link_events e
            LEFT JOIN records o ON o.tenant_id = e.tenant_id AND o.id = e.other_record_id
            WHERE e.tenant_id = $1 AND e.record_id = $2 AND ($3::bigint IS NULL OR e.id < $3)
            ORDER BY e.id DESC{page})
           ORDER BY id DESC{page}""",
        tenant_id, record_id, before_id)
