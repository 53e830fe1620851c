"""SQL that reads a workspace's metadata for its snapshot (loader.py builds the Snapshot):
run in one transaction, so the four answers agree."""

from __future__ import annotations

import asyncpg

_ATTACHED_FIELDS = """
SELECT of.object_id, of.id AS object_field_id, of.display_order, of.is_required, of.is_visible,
       of.is_readonly, of.is_unique, of.is_indexed, of.field_overrides,
       f.id, f.name, f.label, f.type, f.config
FROM object_fields of JOIN fields f ON f.tenant_id = of.tenant_id AND f.id = of.field_id
WHERE of.tenant_id = $1
ORDER BY of.object_id, of.display_order, of.created_at, of.id
"""


async def schema_version(conn: asyncpg.Connection, tenant_id: str) -> int | None:
    return await conn.fetchval("SELECT schema_version FROM workspaces WHERE id = $1", tenant_id)


async def attached_fields(conn: asyncpg.Connection, tenant_id: str) -> list[asyncpg.Record]:
    """Every attachment with its field, by object and display order."""
    return await conn.fetch(_ATTACHED_FIELDS, tenant_id)


async def objects(conn: asyncpg.Connection, tenant_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT id, name, label, plural_name, plural_label, primary_field_id, permissions"
        " FROM objects WHERE tenant_id = $1 ORDER BY name", tenant_id)


async def relationships(conn: asyncpg.Connection, tenant_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT id, name, type, from_object_id, to_object_id, from_label, to_label, on_delete"
        " FROM relationships WHERE tenant_id = $1 ORDER BY name", tenant_id)
