"""Builds a workspace's frozen Snapshot from its metadata rows (snapshot_repo.py: four queries,
run in the caller's transaction)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import asyncpg

from objectry.fields.registry import merged_config
from objectry.metadata import snapshot_repo as repo
from objectry.metadata.model import FieldDef, ObjectDef, RelationshipDef, Snapshot


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
    version = await repo.schema_version(conn, tenant_id)
    attached: dict[str, list[FieldDef]] = defaultdict(list)
    for row in await repo.attached_fields(conn, tenant_id):
        attached[row["object_id"]].append(field_def(row))
    objects = tuple(
        ObjectDef(id=o["id"], name=o["name"], label=o["label"], fields=tuple(attached[o["id"]]),
                  plural_name=o["plural_name"], plural_label=o["plural_label"],
                  primary_field_id=o["primary_field_id"], permissions=o["permissions"],
                  version=version or 0)
        for o in await repo.objects(conn, tenant_id)
    )
    relationships = tuple(
        RelationshipDef(**dict(r))
        for r in await repo.relationships(conn, tenant_id)
    )
    return Snapshot(tenant_id, version or 0, objects, relationships)
