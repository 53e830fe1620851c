"""Computed fields at metadata writes: a computed field attached or changed must fit its
workspace (checked on the snapshot the write is about to commit, so a 422 rolls it back), and
an autonumber attached to an object numbers the records it already has."""

from __future__ import annotations

from typing import Any

import asyncpg

from objectry.errors import ValidationFailed
from objectry.fields.computed import COMPUTED_TYPES, autonumber_value
from objectry.metadata import computed, repo
from objectry.metadata.loader import load_snapshot


async def refuse_unfit(conn: asyncpg.Connection, tenant_id: str, field_id: str,
                       object_ids: list[str]) -> None:
    """422 listing every problem of the field on each of these objects, as this transaction
    would leave the workspace."""
    snapshot = await load_snapshot(conn, tenant_id)
    problems = []
    for object_id in object_ids:
        obj = snapshot.objects_by_id.get(object_id)
        field = obj.fields_by_id.get(field_id) if obj is not None else None
        if obj is not None and field is not None:
            problems += computed.field_problems(snapshot, obj, field)
    if problems:
        raise ValidationFailed(problems)


async def after_attach(conn: asyncpg.Connection, tenant_id: str, object_id: str,
                       field: dict[str, Any]) -> None:
    if field["type"] in COMPUTED_TYPES:
        await refuse_unfit(conn, tenant_id, field["id"], [object_id])
    elif field["type"] == "autonumber":
        await number_existing(conn, tenant_id, object_id, field)


async def number_existing(conn: asyncpg.Connection, tenant_id: str, object_id: str,
                          field: dict[str, Any]) -> None:
    """Number the object's records that have no value yet, oldest first (created_at, id),
    from the field's counter: numbers go on from there for new records."""
    config = field["config"] or {}
    ids = await repo.unnumbered(conn, tenant_id, object_id, field["id"])
    start = config.get("start")
    first = await repo.take_numbers(conn, tenant_id, object_id, field["id"],
                                    1 if start is None else int(start), len(ids))
    if ids:
        await repo.set_values(conn, tenant_id, field["id"], ids,
                              [autonumber_value(config, first + i) for i in range(len(ids))])
