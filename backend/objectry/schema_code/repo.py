"""SQL that reads a workspace's metadata for its schema document: run in one transaction
(export.py), so the answers agree. Personal views are left out: they are their creator's."""

from __future__ import annotations

from typing import Any

import asyncpg

_QUERIES = {
    "fields": "SELECT id, name, label, type, config, description, category FROM fields"
              " WHERE tenant_id = $1",
    "objects": "SELECT id, name, label, plural_name, plural_label, description, icon,"
               " primary_field_id, permissions, views FROM objects WHERE tenant_id = $1",
    "object_fields": "SELECT id, object_id, field_id, display_order, is_required, is_visible,"
                     " is_readonly, is_unique, is_indexed, field_overrides FROM object_fields"
                     " WHERE tenant_id = $1",
    "relationships": "SELECT id, name, from_object_id, to_object_id, type, from_label, to_label,"
                     " on_delete FROM relationships WHERE tenant_id = $1",
    "views": "SELECT id, object_id, name, type, filter, order_by, fields, group_by, date_field"
             " FROM views WHERE tenant_id = $1 AND shared ORDER BY created_at, id",
    "applications": "SELECT id, name, label, description, icon, config FROM applications"
                    " WHERE tenant_id = $1",
}


async def metadata_rows(conn: asyncpg.Connection, tenant_id: str
                        ) -> dict[str, list[dict[str, Any]]]:
    """Every metadata row of the workspace, by table."""
    return {table: [dict(r) for r in await conn.fetch(sql, tenant_id)]
            for table, sql in _QUERIES.items()}


async def lock_applies(conn: asyncpg.Connection, tenant_id: str) -> None:
    """One schema apply at a time per workspace (until the transaction ends): each reads the
    schema it changes after the previous one committed."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('objectry.schema_apply'),"
                       " hashtext($1))", tenant_id)
