"""Keeping `records.primary_value` current when an object's primary field changes.

The primary field is the object's `primary_field_id` when that field is attached, else its
first `text` field in display order (the same rule as ObjectDef.primary_field). When a metadata
change moves it, one UPDATE rewrites the object's records' primary_value.
"""

from __future__ import annotations

import asyncpg

from objectry.metadata import repo


async def effective_field(conn: asyncpg.Connection, tenant_id: str, object_id: str) -> str | None:
    return await repo.effective_primary_field(conn, tenant_id, object_id)


async def refresh_if_moved(conn: asyncpg.Connection, tenant_id: str, object_id: str,
                           before: str | None) -> None:
    """Call with the effective field from before the change, inside the same transaction."""
    after = await effective_field(conn, tenant_id, object_id)
    if after == before:
        return
    await repo.rewrite_primary_values(conn, tenant_id, object_id, after)
