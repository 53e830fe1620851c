"""Result rows of `render_read` → response objects, keyed by names (never field ids).

"rest" plans give PostgREST rows (the select's keys, in order); "record" plans give the
/api/records object `{id, object_id, object, data: {name: value}, …, related?}`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from objectry.metadata.model import SYSTEM_COLUMNS
from objectry.records.query.planned import ReadPlan

Row = Mapping[str, Any]


def shape_row(plan: ReadPlan, row: Row) -> dict[str, Any]:
    return shape_record(plan, row) if plan.shape == "record" else shape_rest(plan, row)


def shape_rest(plan: ReadPlan, row: Row) -> dict[str, Any]:
    data = _json(row["data"]) or {}
    out: dict[str, Any] = {}
    for output in plan.outputs:
        if output.embed is not None:
            out[output.key] = _json(row[output.label or ""])
        elif output.column is not None and output.column.field_id:
            out[output.key] = data.get(output.column.field_id)
        elif output.column is not None:
            out[output.key] = row[output.column.system or ""]
    return out


def shape_record(plan: ReadPlan, row: Row) -> dict[str, Any]:
    data = _json(row["data"]) or {}
    record: dict[str, Any] = {"id": row["id"], "object_id": row["object_id"],
                              "object": plan.obj.name,
                              "data": {f.name: data.get(f.id) for f in plan.fields}}
    record.update((name, row[column]) for name, column in SYSTEM_COLUMNS.items() if name != "id")
    related = {o.key: _json(row[o.label or ""]) for o in plan.outputs if o.embed is not None}
    if related:
        record["related"] = related
    return record


def _json(value: Any) -> Any:
    """json/jsonb columns arrive decoded with the pool's codec, as text without it."""
    return json.loads(value) if isinstance(value, str | bytes) else value
