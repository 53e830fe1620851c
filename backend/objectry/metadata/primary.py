"""Keeping `records.primary_value` current when an object's primary field changes.

The primary field is the object's `primary_field_id` when that field is attached, else its
first `text` field in display order (the same rule as ObjectDef.primary_field). When a metadata
change moves it, one UPDATE rewrites the object's records' primary_value.
"""

from __future__ import annotations

import asyncpg

_EFFECTIVE = """
SELECT coalesce(
    (SELECT o.primary_field_id FROM objects o
       JOIN object_fields of ON of.tenant_id = o.tenant_id AND of.object_id = o.id
                            AND of.field_id = o.primary_field_id
      WHERE o.tenant_id = $1 AND o.id = $2),
    (SELECT of.field_id FROM object_fields of
       JOIN fields f ON f.tenant_id = of.tenant_id AND f.id = of.field_id
      WHERE of.tenant_id = $1 AND of.object_id = $2 AND f.type = 'text'
      ORDER BY of.display_order, of.created_at, of.id LIMIT 1))
"""


async def effective_field(conn: asyncpg.Connection, tenant_id: str, object_id: str) -> str | None:
    return await conn.fetchval(_EFFECTIVE, tenant_id, object_id)


async def refresh_if_moved(conn: asyncpg.Connection, tenant_id: str, object_id: str,
                           before: str | None) -> None:
    """Call with the effective field from before the change, inside the same transaction."""
    after = await effective_field(conn, tenant_id, object_id)
    if after == before:
        return
    await conn.execute(
        "UPDATE records SET primary_value = data ->> $3"
        " WHERE tenant_id = $1 AND object_id = $2"
        " AND primary_value IS DISTINCT FROM data ->> $3",
        tenant_id, object_id, after)
