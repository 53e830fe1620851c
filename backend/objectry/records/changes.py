"""What a write changed, as history keeps it: `{field id: [old, new]}` for every value that
differs, stored by field id (renames are free) and shown by today's field names.

Every update path (/api/records PATCH and PUT, a bulk upsert's merge, /rest/v1 PATCH) writes
its history event from `diff`; a create's event, from `created`, is written with its insert
(records/repo.py insert_many, and bulk.py's staged rows).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from objectry.metadata.model import ObjectDef


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Any]]:
    """`[old, new]` per key whose value differs; a key only one side has pairs with None."""
    return {key: [old.get(key), new.get(key)] for key in old.keys() | new.keys()
            if old.get(key) != new.get(key)}


def created(stored: Mapping[str, Any]) -> dict[str, list[Any]]:
    """A create's event: `[null, value]` for every stored value, null ones included."""
    return {key: [None, value] for key, value in stored.items()}


def by_name(obj: ObjectDef | None, changes: dict[str, Any]) -> dict[str, Any]:
    """Stored changes keyed by today's field names (a detached field's id stays as it is)."""
    names = {f.id: f.name for f in obj.fields} if obj else {}
    return {names.get(key, key): value for key, value in changes.items()}
