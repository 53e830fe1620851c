"""Records as the API shows them: data keyed by field name, plus the object's name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from objectry.metadata.model import ObjectDef, Snapshot
from objectry.records.validate import validator_for


def record_out(snapshot: Snapshot, obj: ObjectDef, row: Any) -> dict[str, Any]:
    return record_shaper(snapshot, obj)(row)


def record_shaper(snapshot: Snapshot, obj: ObjectDef) -> Callable[[Any], dict[str, Any]]:
    """`record_out` for many rows of one object: the lookups done once, not per row."""
    to_api = validator_for(snapshot, obj).to_api
    object_id, object_name = obj.id, obj.name

    def shape(row: Any) -> dict[str, Any]:
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


def changes_out(obj: ObjectDef | None, changes: dict[str, Any]) -> dict[str, Any]:
    """History is stored by field id (renames are free); show it by today's field names."""
    names = {f.id: f.name for f in obj.fields} if obj else {}
    return {names.get(key, key): value for key, value in changes.items()}
