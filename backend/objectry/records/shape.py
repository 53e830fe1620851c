"""Stored rows → API objects keyed by field names (storage keys values by field id, so renaming
a field never rewrites records). The one place that maps ids to names for both APIs, whose
documented shapes differ on purpose:

- /api/records: `{id, object_id, object, data, primary_value, version, …}`; `data` holds the
  attached fields that have a value (an absent value is left out, as it was never sent);
- /rest/v1: a flat row keyed as `select` says, in its order; every selected field is there,
  null when it has no value (a PostgREST table always has all its columns).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from objectry.metadata.model import ObjectDef, Snapshot
from objectry.records.query.planned import ReadPlan
from objectry.records.validate import validator_for

Row = Mapping[str, Any]
Shaper = Callable[[Row], dict[str, Any]]


def record_out(snapshot: Snapshot, obj: ObjectDef, row: Row) -> dict[str, Any]:
    return record_shaper(snapshot, obj)(row)


def record_shaper(snapshot: Snapshot, obj: ObjectDef) -> Shaper:
    """`record_out` for many rows of one object: the lookups done once, not per row."""
    to_api = validator_for(snapshot, obj).to_api  # attached fields only, absent left out
    object_id, object_name = obj.id, obj.name

    def shape(row: Row) -> dict[str, Any]:
        return {
            "id": row["id"],
            "object_id": object_id,
            "object": object_name,
            "data": to_api(row["data"]),
            "primary_value": row["primary_value"],
            "version": row["version"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
            "created_by": row["created_by"],
            "updated_by": row["updated_by"],
        }

    return shape


def rest_row(plan: ReadPlan, row: Row) -> dict[str, Any]:
    return rest_shaper(plan)(row)


def rest_shaper(plan: ReadPlan) -> Shaper:
    """/rest/v1 rows of a compiled read (`render_read`): each output of the plan, in order —
    an embed (its JSON column), a field (null when absent) or a system column."""
    takes: list[tuple[str, str, str]] = []  # (key, kind, source)
    for output in plan.outputs:
        if output.embed is not None:
            takes.append((output.key, "embed", output.label or ""))
        elif output.column is not None and output.column.field_id:
            takes.append((output.key, "field", output.column.field_id))
        elif output.column is not None:
            takes.append((output.key, "system", output.column.system or ""))

    if all(kind != "embed" for _, kind, _ in takes):
        return _flat_shaper(tuple(key for key, _, _ in takes),
                            tuple(source for _, _, source in takes))

    def shape(row: Row) -> dict[str, Any]:
        data = _json(row["data"]) or {}
        out: dict[str, Any] = {}
        for key, kind, source in takes:
            if kind == "field":
                out[key] = data.get(source)
            elif kind == "system":
                out[key] = row[source]
            else:
                out[key] = _json(row[source])
        return out

    return shape


def _flat_shaper(keys: tuple[str, ...], sources: tuple[str, ...]) -> Shaper:
    """Rows of fields and system columns only, built without a Python loop per column: the
    row's columns and its data in one mapping (field ids never clash with column names),
    then each output's value by its source, in the select's order."""

    def shape(row: Row) -> dict[str, Any]:
        values = dict(row)
        data = _json(values["data"])
        if data:
            values.update(data)
        return dict(zip(keys, map(values.get, sources), strict=True))

    return shape


def _json(value: Any) -> Any:
    """json/jsonb columns arrive decoded with the pool's codec, as text without it."""
    return json.loads(value) if isinstance(value, str | bytes) else value
