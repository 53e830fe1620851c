"""A write the database refused because a unique field's value is taken, told by field name.

Unique field indexes are named `rx_<object_field_id>_u` (metadata/indexes.py), so the violated
constraint says which field it was; every write path (/api/records, bulk, /rest/v1, restore)
answers the same 409.
"""

from __future__ import annotations

import asyncpg

from objectry.errors import Conflict, detail
from objectry.metadata.model import ObjectDef


def unique_conflict(obj: ObjectDef, exc: asyncpg.UniqueViolationError) -> Conflict:
    """A unique field index (rx_<object_field_id>_u) said no: name the field."""
    name = exc.constraint_name or ""
    field = next((f for f in obj.fields if name == f"rx_{f.object_field_id}_u"), None)
    if field is None:
        return Conflict("a value that must be unique is already taken")
    return Conflict(f"{field.name} must be unique and this value is already taken",
                    [detail(field.name, "unique", "already taken by another record")])
