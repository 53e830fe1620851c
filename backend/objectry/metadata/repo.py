"""SQL for the metadata tables, and what metadata changes ask of records (values stored, the
primary_value upkeep). Table and column names come from this module's own tables, never from a
request; every value is a bound parameter."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import astuple
from typing import Any

import asyncpg

from objectry import sqltext
from objectry.audit import repo as audit_repo
from objectry.web.pagination import PageRequest

# The columns each table exposes through the API (and accepts in inserts/updates).
COLUMNS: dict[str, tuple[str, ...]] = {
    "objects": ("id", "name", "label", "plural_name", "plural_label", "description", "icon",
                "primary_field_id", "permissions", "views", "created_at", "updated_at",
                "created_by"),
    "fields": ("id", "name", "label", "type", "config", "description", "category",
               "created_at", "updated_at", "created_by"),
    "object_fields": ("id", "object_id", "field_id", "display_order", "is_required",
                      "is_visible", "is_readonly", "is_unique", "is_indexed", "field_overrides",
                      "created_at", "updated_at"),
    "relationships": ("id", "name", "from_object_id", "to_object_id", "type", "from_label",
                      "to_label", "on_delete", "created_at", "created_by"),
    "relationship_records": ("id", "relationship_id", "from_record_id", "to_record_id",
                             "relationship_metadata", "created_at", "created_by"),
    "applications": ("id", "name", "label", "description", "icon", "config", "published_at",
                     "created_at", "updated_at", "created_by"),
}
_HAS_UPDATED_AT = {"objects", "fields", "object_fields", "applications"}


def _select(table: str, alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + c for c in COLUMNS[table])


def _checked(table: str, values: dict[str, Any]) -> list[str]:
    columns = list(values)
    unknown = set(columns) - set(COLUMNS[table]) - {"tenant_id"}
    assert not unknown, f"not a column of {table}: {unknown}"
    return columns


async def insert(conn: asyncpg.Connection, table: str, values: dict[str, Any]) -> dict[str, Any]:
    columns = _checked(table, values)
    marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
           f" RETURNING {_select(table)}")
    return dict(await conn.fetchrow(sql, *values.values()))


async def update(conn: asyncpg.Connection, table: str, tenant_id: str, item_id: str,
                 values: dict[str, Any]) -> dict[str, Any] | None:
    columns = _checked(table, values)
    sets = [f"{c} = ${i}" for i, c in enumerate(columns, start=3)]
    if table in _HAS_UPDATED_AT:
        sets.append("updated_at = now()")
    sql = (f"UPDATE {table} SET {', '.join(sets)} WHERE tenant_id = $1 AND id = $2"
           f" RETURNING {_select(table)}")
    row = await conn.fetchrow(sql, tenant_id, item_id, *values.values())
    return dict(row) if row else None


async def get(conn: asyncpg.Connection, table: str, tenant_id: str, item_id: str,
              *, for_update: bool = False) -> dict[str, Any] | None:
    lock = " FOR UPDATE" if for_update else ""
    sql = f"SELECT {_select(table)} FROM {table} WHERE tenant_id = $1 AND id = $2{lock}"
    row = await conn.fetchrow(sql, tenant_id, item_id)
    return dict(row) if row else None


async def get_by_name(conn: asyncpg.Connection, table: str, tenant_id: str, name: str
                      ) -> dict[str, Any] | None:
    sql = f"SELECT {_select(table)} FROM {table} WHERE tenant_id = $1 AND name = $2"
    row = await conn.fetchrow(sql, tenant_id, name)
    return dict(row) if row else None


async def delete(conn: asyncpg.Connection, table: str, tenant_id: str, item_id: str) -> bool:
    result = await conn.execute(f"DELETE FROM {table} WHERE tenant_id = $1 AND id = $2",
                                tenant_id, item_id)
    return result != "DELETE 0"


async def list_page(conn: asyncpg.Connection, table: str, tenant_id: str, page: PageRequest,
                    *, where: dict[str, Any] | None = None, either: tuple[str, str, Any] | None
                    = None, key: str = "created_at", extra_sql: str = "") -> list[dict[str, Any]]:
    """One keyset page ordered by (key, id). `where` is column = value; `either` is
    (col_a, col_b, value) for "col_a = value OR col_b = value"."""
    args: list[Any] = [tenant_id]
    clauses = ["t.tenant_id = $1"]
    for column, value in (where or {}).items():
        _checked(table, {column: value})
        args.append(value)
        clauses.append(f"t.{column} = ${len(args)}")
    if either is not None:
        args.append(either[2])
        clauses.append(f"(t.{either[0]} = ${len(args)} OR t.{either[1]} = ${len(args)})")
    if page.after is not None:
        args.extend(page.after)
        clauses.append(f"(t.{key}, t.id) > (${len(args) - 1}, ${len(args)})")
    sql = (f"SELECT {_select(table, 't')} FROM {table} t WHERE {' AND '.join(clauses)}"
           f"{extra_sql} ORDER BY t.{key}, t.id{sqltext.limit(page.limit + 1)}")
    return [dict(r) for r in await conn.fetch(sql, *args)]


async def plan_afresh(conn: asyncpg.Connection) -> None:
    """Until `conn`'s transaction ends, plan each statement for the tables as they are now.

    asyncpg keeps every statement prepared on its pooled connection, and PostgreSQL then keeps
    one generic plan for it, made for the sizes and statistics of its day. For the metadata
    tables that day may be long gone: a workspace grows by thousands of fields in minutes (a
    schema apply, a template), and until autovacuum's next ANALYZE a plan kept from when the
    tables were small could scan all of the workspace's fields for each attachment where a key
    probe was due (seen: a field create 200-300 ms right after a workspace grew to 5,000 fields,
    11 ms planned afresh; a snapshot load's scans, planned while the tables were small, could
    keep reading every workspace's rows). Snapshot loads and metadata writes are rare, so
    planning each of their statements costs nothing that shows; the records hot path keeps its
    generic plans."""
    await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")


async def bump_schema_version(conn: asyncpg.Connection, tenant_id: str) -> int:
    """Every metadata change moves the workspace's version and tells every process (on commit)."""
    version = await conn.fetchval(
        "UPDATE workspaces SET schema_version = schema_version + 1 WHERE id = $1"
        " RETURNING schema_version", tenant_id)
    await conn.execute("SELECT pg_notify('objectry_metadata', $1)", tenant_id)
    return version


# --- questions the metadata services ask of several tables --------------------------------

async def attachment_ids(conn: asyncpg.Connection, tenant_id: str, object_id: str) -> list[str]:
    """The object_fields ids of an object's attached fields."""
    rows = await conn.fetch("SELECT id FROM object_fields WHERE tenant_id = $1"
                            " AND object_id = $2", tenant_id, object_id)
    return [row["id"] for row in rows]


async def attachment_settings(conn: asyncpg.Connection, tenant_id: str, object_id: str
                              ) -> dict[str, dict[str, Any]]:
    """Per attached field id: the field's description and category, and the attachment's
    field_overrides (what the schema shows beyond the snapshot)."""
    rows = await conn.fetch(
        "SELECT f.id, f.description, f.category, of.field_overrides FROM object_fields of"
        " JOIN fields f ON f.tenant_id = of.tenant_id AND f.id = of.field_id"
        " WHERE of.tenant_id = $1 AND of.object_id = $2", tenant_id, object_id)
    return {row["id"]: dict(row) for row in rows}


async def attachment_count(conn: asyncpg.Connection, tenant_id: str, object_id: str
                           ) -> tuple[int, int | None]:
    """How many fields the object has attached, and their highest display_order."""
    count, last = await conn.fetchrow(
        "SELECT count(*), max(display_order) FROM object_fields"
        " WHERE tenant_id = $1 AND object_id = $2", tenant_id, object_id)
    return count, last


async def objects_using(conn: asyncpg.Connection, tenant_id: str, field_id: str) -> list[str]:
    """The names of the objects a field is attached to, in name order."""
    rows = await conn.fetch(
        "SELECT o.name FROM object_fields of JOIN objects o"
        " ON o.tenant_id = of.tenant_id AND o.id = of.object_id"
        " WHERE of.tenant_id = $1 AND of.field_id = $2 ORDER BY o.name", tenant_id, field_id)
    return [row["name"] for row in rows]


async def object_ids_using(conn: asyncpg.Connection, tenant_id: str, field_id: str
                           ) -> list[str]:
    """The ids of the objects a field is attached to."""
    rows = await conn.fetch("SELECT object_id FROM object_fields WHERE tenant_id = $1"
                            " AND field_id = $2 ORDER BY object_id", tenant_id, field_id)
    return [row["object_id"] for row in rows]


async def field_has_values(conn: asyncpg.Connection, tenant_id: str, field_id: str) -> bool:
    """Whether any record (the trash included) stores a value for the field."""
    return await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM records WHERE tenant_id = $1 AND data ? $2)",
        tenant_id, field_id)


async def record_object(conn: asyncpg.Connection, tenant_id: str, record_id: str
                        ) -> dict[str, Any] | None:
    """A record's object_id and deleted_at."""
    row = await conn.fetchrow("SELECT object_id, deleted_at FROM records"
                              " WHERE tenant_id = $1 AND id = $2", tenant_id, record_id)
    return dict(row) if row is not None else None


def _link_events(source: str, op: str, actor: str) -> str:
    """INSERT of `op` (`link` or `unlink`) in the history of both records of each link that
    `source` yields (one event for a record linked to itself); records/repo.history reads
    them. `source` has the link's columns and `tenant_id`; `op` and `actor` are SQL."""
    return f"""INSERT INTO link_events (tenant_id, record_id, op, relationship_id, forward,
                                        other_record_id, link_id, actor)
               SELECT l.tenant_id, u.near, {op}, l.relationship_id, u.forward, u.far, l.id,
                      {actor}
               FROM {source} AS l
               CROSS JOIN LATERAL (VALUES (l.from_record_id, true, l.to_record_id),
                                          (l.to_record_id, false, l.from_record_id))
                    AS u(near, forward, far)
               WHERE u.forward OR l.from_record_id <> l.to_record_id"""


_LINK_COLUMNS = ("tenant_id", "id", "relationship_id", "rel_type", "from_object_id",
                 "to_object_id", "from_record_id", "to_record_id", "relationship_metadata",
                 "created_by")
# Whether a record is live and of an object: read by its key, the conditions tested on the row.
# Given as predicates beside the key, they let the planner take a partial index of `records`
# that holds every live record of the object instead, and scan it, which it did while the
# table's statistics were those of an empty table (right after the first records were made).
_LIVE_END = ("(SELECT object_id = ${object} AND deleted_at IS NULL FROM records"
             " WHERE tenant_id = $1 AND id = ${id})")
_INSERT_LINK = f"""
    WITH l AS (
        INSERT INTO relationship_records ({", ".join(_LINK_COLUMNS)})
        SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text,
               $9::jsonb, $10::text
        WHERE {_LIVE_END.format(id=7, object=5)} AND {_LIVE_END.format(id=8, object=6)}
        RETURNING tenant_id, {_select("relationship_records")}
    ), events AS ({_link_events("l", "'link'", "$10::text")}),
    audited AS ({audit_repo.insert_sql(11, source="l")})
    SELECT {_select("relationship_records")} FROM l
"""


async def insert_link(conn: asyncpg.Connection, values: Mapping[str, Any],
                      entry: audit_repo.Entry) -> dict[str, Any] | None:
    """A link (`values`: the relationship_records columns), its `link` events and its audit
    `entry`, in one statement: nothing is written unless both of its records are live records
    of the relationship's objects (None then). A broken uniqueness rule raises as the insert
    would (the caller names it); a relationship gone meanwhile is a foreign-key violation."""
    row = await conn.fetchrow(_INSERT_LINK, *(values[c] for c in _LINK_COLUMNS),
                              *astuple(entry))
    return dict(row) if row is not None else None


_DELETE_LINK = f"""
    WITH l AS (
        DELETE FROM relationship_records WHERE tenant_id = $1 AND id = $2
        RETURNING tenant_id, id, relationship_id, from_record_id, to_record_id
    ), events AS ({_link_events("l", "'unlink'", "$3::text")}),
    audited AS ({audit_repo.insert_sql(4, source="l", target_name=(
        "(SELECT name FROM relationships WHERE tenant_id = l.tenant_id"
        " AND id = l.relationship_id)"))})
    SELECT count(*) FROM l
"""


async def delete_link(conn: asyncpg.Connection, tenant_id: str, link_id: str, actor: str | None,
                      entry: audit_repo.Entry) -> bool:
    """A link, its `unlink` events and its audit `entry` (named after the link's relationship),
    in one statement; False when the workspace has no such link (nothing is written then)."""
    deleted: int = await conn.fetchval(_DELETE_LINK, tenant_id, link_id, actor, *astuple(entry))
    return deleted > 0


# Links to a record in the trash are hidden until it is restored (extra_sql of list_page).
LIVE_LINK_ENDS = (" AND NOT EXISTS (SELECT 1 FROM records r WHERE r.tenant_id = t.tenant_id"
                  " AND r.id IN (t.from_record_id, t.to_record_id) AND r.deleted_at IS NOT NULL)")


async def indexed_attachments(conn: asyncpg.Connection, tenant_id: str) -> int:
    """The workspace's attachments with an index; one with both flags counts once (the cap is
    on indexed fields)."""
    return await conn.fetchval("SELECT count(*) FROM object_fields WHERE tenant_id = $1"
                               " AND (is_unique OR is_indexed)", tenant_id)


async def values_longer_than(conn: asyncpg.Connection, tenant_id: str, object_id: str,
                             field_id: str, max_bytes: int) -> int:
    """How many of the object's records (the trash included: a restored record enters the
    index again) hold a value of the field longer than `max_bytes`."""
    return await conn.fetchval(
        "SELECT count(*) FROM records WHERE tenant_id = $1 AND object_id = $2"
        " AND octet_length(data ->> $3) > $4", tenant_id, object_id, field_id, max_bytes)


# The object's `primary_field_id` when that field is attached, else its first `text` field in
# display order (the same rule as ObjectDef.primary_field). Run twice by every attachment; each
# of the object's attachments has its field's type probed by key, so that no plan joins the
# workspace's other fields (with stale statistics PostgreSQL merged all of them: 1.3 ms at
# 5,000 fields, growing with the workspace, against 0.5 ms).
_EFFECTIVE_PRIMARY = """
SELECT coalesce(
    (SELECT o.primary_field_id FROM objects o
      WHERE o.tenant_id = $1 AND o.id = $2
        AND EXISTS (SELECT FROM object_fields of WHERE of.tenant_id = $1 AND of.object_id = $2
                                                   AND of.field_id = o.primary_field_id)),
    (SELECT of.field_id FROM object_fields of
      WHERE of.tenant_id = $1 AND of.object_id = $2
        AND (SELECT f.type FROM fields f WHERE f.tenant_id = $1 AND f.id = of.field_id) = 'text'
      ORDER BY of.display_order, of.created_at, of.id LIMIT 1))
"""


async def effective_primary_field(conn: asyncpg.Connection, tenant_id: str, object_id: str
                                  ) -> str | None:
    return await conn.fetchval(_EFFECTIVE_PRIMARY, tenant_id, object_id)


async def rewrite_primary_values(conn: asyncpg.Connection, tenant_id: str, object_id: str,
                                 field_id: str | None) -> None:
    """Set every record's primary_value of the object from `field_id` (NULL when None)."""
    await conn.execute(
        "UPDATE records SET primary_value = data ->> $3"
        " WHERE tenant_id = $1 AND object_id = $2"
        " AND primary_value IS DISTINCT FROM data ->> $3",
        tenant_id, object_id, field_id)


async def take_numbers(conn: asyncpg.Connection, tenant_id: str, object_id: str, field_id: str,
                       start: int, count: int) -> int:
    """The first of `count` autonumbers of a field on an object (the counter starts at `start`):
    one upsert, so concurrent takers wait on the counter row and get distinct numbers."""
    first: int = await conn.fetchval(
        """
        INSERT INTO autonumber_counters AS c (tenant_id, object_id, field_id, next_value)
        VALUES ($1, $2, $3, $4::bigint + $5::bigint)
        ON CONFLICT (tenant_id, object_id, field_id)
        DO UPDATE SET next_value = c.next_value + $5::bigint
        RETURNING next_value - $5::bigint
        """, tenant_id, object_id, field_id, start, count)
    return first


async def unnumbered(conn: asyncpg.Connection, tenant_id: str, object_id: str, field_id: str
                     ) -> list[str]:
    """Records of an object without a value of the field, oldest first (trashed ones too, so a
    restored record has its number)."""
    rows = await conn.fetch(
        "SELECT id FROM records WHERE tenant_id = $1 AND object_id = $2 AND NOT data ? $3"
        " ORDER BY created_at, id", tenant_id, object_id, field_id)
    return [r["id"] for r in rows]


async def set_values(conn: asyncpg.Connection, tenant_id: str, field_id: str, ids: list[str],
                     values: list[Any]) -> None:
    """Give records a value of one field (an autonumber numbering existing records)."""
    await conn.execute(
        "UPDATE records r SET data = r.data || jsonb_build_object($2::text, u.v)"
        " FROM unnest($3::text[], $4::jsonb[]) AS u(id, v)"
        " WHERE r.tenant_id = $1 AND r.id = u.id", tenant_id, field_id, ids, values)
