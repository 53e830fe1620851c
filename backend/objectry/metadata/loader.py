"""Reads a workspace's metadata tables into a frozen Snapshot (four queries, one transaction)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import asyncpg

from objectry.fields.registry import merged_config
from objectry.metadata.model import FieldDef, ObjectDef, RelationshipDef, Snapshot

_FIELDS_SQL = """
SELECT of.object_id, of.id AS object_field_id, of.display_order, of.is_required, of.is_visible,
       of.is_readonly, of.is_unique, of.is_indexed, of.field_overrides,
       f.id, f.name, f.label, f.type, f.config
FROM object_fields of JOIN fields f ON f.tenant_id = of.tenant_id AND f.id = of.field_id
WHERE of.tenant_id = $1
ORDER BY of.object_id, of.display_order, of.created_at, of.id
"""


def field_def(row: asyncpg.Record | dict[str, Any]) -> FieldDef:
    overrides = row["field_overrides"] or {}
    return FieldDef(
        id=row["id"], name=row["name"], label=overrides.get("label") or row["label"],
        type=row["type"], config=merged_config(row["config"] or {}, overrides),
        object_field_id=row["object_field_id"], display_order=row["display_order"],
        is_required=row["is_required"], is_visible=row["is_visible"],
        is_readonly=row["is_readonly"], is_unique=row["is_unique"], is_indexed=row["is_indexed"],
    )


async def load_snapshot(conn: asyncpg.Connection, tenant_id: str) -> Snapshot:
    version = await conn.fetchval("SELECT schema_version FROM workspaces WHERE id = $1", tenant_id)
    attached: dict[str, list[FieldDef]] = defaultdict(list)
    for row in await conn.fetch(_FIELDS_SQL, tenant_id):
        attached[row["object_id"]].append(field_def(row))
    objects = tuple(
        ObjectDef(id=o["id"], name=o["name"], label=o["label"], fields=tuple(attached[o["id"]]),
                  plural_name=o["plural_name"], plural_label=o["plural_label"],
                  primary_field_id=o["primary_field_id"], permissions=o["permissions"],
                  version=version or 0)
        for o in await conn.fetch(
            "SELECT id, name, label, plural_name, plural_label, primary_field_id, permissions"
            " FROM objects WHERE tenant_id = $1 ORDER BY name", tenant_id)
    )
    relationships = tuple(
        RelationshipDef(**dict(r))
        for r in await conn.fetch(
            "SELECT id, name, type, from_object_id, to_object_id, from_label, to_label, on_delete"
            " FROM relationships WHERE tenant_id = $1 ORDER BY name", tenant_id)
    )
    return Snapshot(tenant_id, version or 0, objects, relationships)
