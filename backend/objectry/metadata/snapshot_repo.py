"""SQL that reads a workspace's metadata for its snapshot (loader.py builds the Snapshot):
run in one transaction, each a scan of one table (no join for the planner to get wrong)."""

from __future__ import annotations

import asyncpg


async def schema_version(conn: asyncpg.Connection, tenant_id: str) -> int | None:
    return await conn.fetchval("SELECT schema_version FROM workspaces WHERE id = $1", tenant_id)


async def attachments(conn: asyncpg.Connection, tenant_id: str) -> list[asyncpg.Record]:
    """Every attachment (object_fields row), by object and display order. Read apart from the
    fields and joined in Python (loader.py): a join's plan rests on statistics, and a workspace
    that has just grown by thousands of fields has statistics that say a few rows, for which
    probing `fields` through `(tenant_id, category)` with `id` as a filter looks as good as its
    key: every field of the workspace for each attachment (seen on the primary-field query,
    metadata/repo.py). Right after 40,000 attachments were written, their snapshot's joined
    load ran past the 15 s statement timeout in two test runs of three (the statement was not
    captured). A scan of one table cannot go quadratic, and the load reads every row of both
    anyway."""
    return await conn.fetch(
        "SELECT object_id, id AS object_field_id, field_id, display_order, is_required,"
        " is_visible, is_readonly, is_unique, is_indexed, field_overrides"
        " FROM object_fields WHERE tenant_id = $1"
        " ORDER BY object_id, display_order, created_at, id", tenant_id)


async def fields(conn: asyncpg.Connection, tenant_id: str) -> list[asyncpg.Record]:
    """Every field of the workspace (read after the attachments: see `attachments`)."""
    return await conn.fetch(
        "SELECT id, name, label, type, config FROM fields WHERE tenant_id = $1", tenant_id)


async def objects(conn: asyncpg.Connection, tenant_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT id, name, label, plural_name, plural_label, primary_field_id, permissions"
        " FROM objects WHERE tenant_id = $1 ORDER BY name", tenant_id)


async def rollup_statements(conn: asyncpg.Connection, tenant_id: str) -> dict[str, str]:
    """Object id → the statement its stored rollups were computed with (migration 0022); one
    stored before its `reads` were (0023) counts as not stored until a refresh stores them."""
    rows = await conn.fetch("SELECT object_id, statement FROM rollup_statements"
                            " WHERE tenant_id = $1 AND reads IS NOT NULL", tenant_id)
    return {r["object_id"]: r["statement"] for r in rows}


async def relationships(conn: asyncpg.Connection, tenant_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT id, name, type, from_object_id, to_object_id, from_label, to_label, on_delete"
        " FROM relationships WHERE tenant_id = $1 ORDER BY name", tenant_id)
