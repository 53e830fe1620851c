"""Computed values for records read or written by id (create, get, PATCH, bulk): the rows'
`data` as the query compiler reads it, with their formulas, lookups and rollups, so every
answer carries them as a list does. Objects without computed fields pay nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from objectry.metadata.model import ObjectDef, Snapshot
from objectry.records import repo
from objectry.records.query import Filter, Query, plan_read, render_read

# Ids per read: an `in` list well within the compiler's bounds.
_CHUNK = 1000


async def with_computed(conn: asyncpg.Connection, snapshot: Snapshot, obj: ObjectDef,
                        rows: Sequence[Any]) -> list[Any]:
    """`rows` (of `obj`), their `data` replaced by the compiler's, with computed values."""
    if not rows or not obj.computes:
        return list(rows)
    ids = [row["id"] for row in rows]
    data: dict[str, Any] = {}
    for start in range(0, len(ids), _CHUNK):
        where = (Filter("id", "in", tuple(ids[start:start + _CHUNK])),)
        plan = plan_read(Query(where=where), obj, snapshot, shape="record")
        data.update((r["id"], r["data"]) for r in
                    await repo.compiled_rows(conn, render_read(plan, trashed=False)))
    return [{**dict(row), "data": data.get(row["id"], row["data"])} for row in rows]


async def with_computed_of_any(conn: asyncpg.Connection, snapshot: Snapshot,
                               rows: Sequence[Any]) -> list[Any]:
    """`with_computed` for rows of several objects (a realtime notification's), in order."""
    done: dict[str, Any] = {}
    by_object: dict[str, list[Any]] = {}
    for row in rows:
        by_object.setdefault(row["object_id"], []).append(row)
    for object_id, group in by_object.items():
        obj = snapshot.objects_by_id.get(object_id)
        group = await with_computed(conn, snapshot, obj, group) if obj is not None else group
        done.update((row["id"], row) for row in group)
    return [done[row["id"]] for row in rows]
