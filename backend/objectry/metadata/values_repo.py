"""SQL for what a schema change would touch: how many records hold a field's values (per
option for choices), what an object's deletion takes along, and the records an option map
rewrites. Records store values by field id; every value is a bound parameter."""

from __future__ import annotations

from typing import Any

import asyncpg

# A value counts as held unless it is absent, JSON null, "" or [] (what the admin shows empty).
_HELD = "data ? $3 AND data -> $3 NOT IN ('null'::jsonb, '\"\"'::jsonb, '[]'::jsonb)"


async def value_counts(conn: asyncpg.Connection, tenant_id: str, object_ids: list[str],
                       field_id: str) -> tuple[int, int]:
    """(live records of the objects, those of them holding a value of the field)."""
    row = await conn.fetchrow(
        f"SELECT count(*) AS total, count(*) FILTER (WHERE {_HELD}) AS held FROM records"
        " WHERE tenant_id = $1 AND object_id = any($2::text[]) AND deleted_at IS NULL",
        tenant_id, object_ids, field_id)
    return row["total"], row["held"]


async def option_counts(conn: asyncpg.Connection, tenant_id: str, object_ids: list[str],
                        field_id: str, options: list[str]) -> dict[str, int]:
    """Per option value: the live records whose value is it (select) or contains it (multi)."""
    rows = await conn.fetch(
        """
        SELECT o.v AS value, count(r.id) AS n
        FROM unnest($4::text[]) AS o(v)
        LEFT JOIN records r ON r.tenant_id = $1 AND r.object_id = any($2::text[])
             AND r.deleted_at IS NULL
             AND (r.data -> $3 = to_jsonb(o.v)
                  OR (jsonb_typeof(r.data -> $3) = 'array' AND r.data -> $3 ? o.v))
        GROUP BY o.v
        """, tenant_id, object_ids, field_id, options)
    return {row["value"]: row["n"] for row in rows}


async def object_reach(conn: asyncpg.Connection, tenant_id: str, object_id: str
                       ) -> dict[str, int]:
    """What deleting an object takes along: its records (live and trashed), its relationships
    and their links."""
    row = await conn.fetchrow(
        """
        SELECT
          (SELECT count(*) FROM records WHERE tenant_id = $1 AND object_id = $2
             AND deleted_at IS NULL) AS records,
          (SELECT count(*) FROM records WHERE tenant_id = $1 AND object_id = $2
             AND deleted_at IS NOT NULL) AS trashed_records,
          (SELECT count(*) FROM relationships WHERE tenant_id = $1
             AND $2 IN (from_object_id, to_object_id)) AS relationships,
          (SELECT count(*) FROM relationship_records l JOIN relationships r
             ON r.tenant_id = l.tenant_id AND r.id = l.relationship_id
           WHERE l.tenant_id = $1 AND $2 IN (r.from_object_id, r.to_object_id)) AS links
        """, tenant_id, object_id)
    return dict(row)


async def holding_options(conn: asyncpg.Connection, tenant_id: str, object_ids: list[str],
                          field_id: str, values: list[str]) -> list[asyncpg.Record]:
    """The records (the trash included: a restored one must not bring a removed option back)
    whose value of the field is, or contains, one of `values`; locked for the rewrite."""
    return await conn.fetch(
        """
        SELECT id, data, primary_value FROM records
        WHERE tenant_id = $1 AND object_id = any($2::text[])
          AND (data ->> $3 = any($4::text[])
               OR (jsonb_typeof(data -> $3) = 'array' AND data -> $3 ?| $4::text[]))
        ORDER BY id FOR UPDATE
        """, tenant_id, object_ids, field_id, values)



async def attachments_of(conn: asyncpg.Connection, tenant_id: str, field_id: str
                         ) -> list[asyncpg.Record]:
    """(object_id, field_overrides) of every attachment of a field."""
    return await conn.fetch("SELECT object_id, field_overrides FROM object_fields"
                            " WHERE tenant_id = $1 AND field_id = $2 ORDER BY object_id",
                            tenant_id, field_id)


async def map_values(conn: asyncpg.Connection, tenant_id: str, field_id: str,
                     changes: list[dict[str, Any]], actor: str | None) -> None:
    """Give records a new value of one field (`{id, old, new}` each; a missing or null `new`
    removes it) as ordinary record updates: the version bumped and an `update` history event
    `{field: [old, new]}` each, in one statement. One JSON document, not jsonb[]: asyncpg
    would read a list value as a nested array."""
    await conn.execute(
        """
        WITH changed AS (
            UPDATE records r
               SET data = CASE WHEN coalesce(u.new, 'null') = 'null' THEN r.data - $2::text
                               ELSE r.data || jsonb_build_object($2::text, u.new) END,
                   version = r.version + 1, updated_at = now(), updated_by = $4
              FROM jsonb_to_recordset($3::jsonb) AS u(id text, old jsonb, new jsonb)
             WHERE r.tenant_id = $1 AND r.id = u.id
            RETURNING r.id, coalesce(u.old, 'null') AS old, coalesce(u.new, 'null') AS new
        )
        INSERT INTO record_events (tenant_id, record_id, op, changes, actor)
        SELECT $1, id, 'update', jsonb_build_object($2::text, jsonb_build_array(old, new)), $4
          FROM changed
        """, tenant_id, field_id, changes, actor)
