"""Frozen snapshots of a workspace's metadata: what every request reads, never the tables.

A `Snapshot` is built by `metadata/cache.py` from the metadata tables and replaced whole when
the workspace's `schema_version` moves; nothing in it is ever mutated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from objectry.fields.computed import COMPUTED_TYPES
from objectry.ids import looks_like

# Columns every record has besides its fields (API name → records column).
SYSTEM_COLUMNS: Mapping[str, str] = {
    "id": "id",
    "primary_value": "primary_value",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "version": "version",
    "created_by": "created_by",
    "updated_by": "updated_by",
}


@dataclass(frozen=True, slots=True)
class FieldDef:
    """A field as attached to one object: the field merged with its object_field settings."""

    id: str  # the field's id (fld_…), the key of its value in records.data
    name: str
    label: str  # after field_overrides
    type: str
    config: Mapping[str, Any]  # the field's config with field_overrides["config"] applied
    object_field_id: str = ""
    display_order: int = 0
    is_required: bool = False
    is_visible: bool = True
    is_readonly: bool = False
    is_unique: bool = False
    is_indexed: bool = False


@dataclass(frozen=True, slots=True)
class RelationshipDef:
    id: str
    name: str
    type: str  # "1:1" | "1:N" | "N:N"
    from_object_id: str
    to_object_id: str
    from_label: str
    to_label: str
    on_delete: str = "unlink"  # "unlink" | "cascade" | "restrict"


@dataclass(frozen=True)
class ObjectDef:
    id: str
    name: str
    label: str
    fields: tuple[FieldDef, ...] = ()  # display order
    plural_name: str | None = None
    plural_label: str | None = None
    primary_field_id: str | None = None
    permissions: Mapping[str, Any] | None = None
    version: int = 0  # the workspace schema_version this definition was read at

    @cached_property
    def fields_by_name(self) -> Mapping[str, FieldDef]:
        return {f.name: f for f in self.fields}

    @cached_property
    def fields_by_id(self) -> Mapping[str, FieldDef]:
        return {f.id: f for f in self.fields}

    @cached_property
    def computes(self) -> bool:
        """Whether a field's value is computed at read time (formula, lookup, rollup)."""
        return any(f.type in COMPUTED_TYPES for f in self.fields)

    @cached_property
    def autonumbers(self) -> tuple[FieldDef, ...]:
        """The autonumber fields: a create takes their next numbers first."""
        return tuple(f for f in self.fields if f.type == "autonumber")

    @cached_property
    def primary_field(self) -> FieldDef | None:
        """The object's primary field, else its first text field in display order."""
        if self.primary_field_id and self.primary_field_id in self.fields_by_id:
            return self.fields_by_id[self.primary_field_id]
        return next((f for f in self.fields if f.type == "text"), None)


@dataclass(frozen=True)
class Snapshot:
    tenant_id: str
    version: int
    objects: tuple[ObjectDef, ...] = ()
    relationships: tuple[RelationshipDef, ...] = ()
    loaded_at: datetime | None = None
    # Object id → the statement its stored rollups were computed with (rollup_statements):
    # reads use the stored values only while it is the one the compiler renders now.
    rollup_statements: Mapping[str, str] = field(default_factory=dict, compare=False)
    # Compiled per-object helpers (validators, SQL fragments) memoised for this version.
    compiled: dict[tuple[str, str], Any] = field(default_factory=dict, compare=False)
    # Query plans of this version's reads, and the saved views they applied, which are
    # metadata too: a view's change drops the snapshot (records/query/memo.py).
    plans: dict[Any, Any] = field(default_factory=dict, compare=False)

    @cached_property
    def objects_by_id(self) -> Mapping[str, ObjectDef]:
        return {o.id: o for o in self.objects}

    @cached_property
    def objects_by_name(self) -> Mapping[str, ObjectDef]:
        """By name, and by plural_name where that does not clash with another name."""
        by_name: dict[str, ObjectDef] = {}
        for o in self.objects:
            if o.plural_name:
                by_name.setdefault(o.plural_name, o)
        by_name.update({o.name: o for o in self.objects})
        return by_name

    @cached_property
    def objects_by_field_name(self) -> Mapping[str, frozenset[str]]:
        """Field name → ids of the objects it is attached to."""
        found: dict[str, set[str]] = {}
        for o in self.objects:
            for f in o.fields:
                found.setdefault(f.name, set()).add(o.id)
        return {name: frozenset(ids) for name, ids in found.items()}

    def only_object_with(self, names: Iterable[str]) -> ObjectDef | None:
        """The one object that has every field named, if exactly one has (none for no names)."""
        candidates: frozenset[str] | None = None
        index = self.objects_by_field_name
        for name in names:
            found = index.get(name, frozenset())
            candidates = found if candidates is None else candidates & found
            if not candidates:
                return None
        if candidates is None or len(candidates) != 1:
            return None
        return self.objects_by_id[next(iter(candidates))]

    def object(self, ref: str) -> ObjectDef | None:
        """An object by id or name (or plural name)."""
        return self.objects_by_id.get(ref) or self.objects_by_name.get(ref)

    @cached_property
    def relationships_by_id(self) -> Mapping[str, RelationshipDef]:
        return {r.id: r for r in self.relationships}

    @cached_property
    def _relationships_by_name(self) -> Mapping[str, RelationshipDef]:
        return {r.name: r for r in self.relationships}

    def relationship(self, ref: str) -> RelationshipDef | None:
        """A relationship by id, or by name (what a request body may give, as
        metadata/changes.find reads it from the database)."""
        if looks_like("rel", ref):
            return self.relationships_by_id.get(ref)
        return self._relationships_by_name.get(ref)

    @cached_property
    def deleted_alone(self) -> frozenset[str]:
        """Ids of the objects no relationship goes from with a `cascade` or `restrict` rule:
        deleting one of their records trashes that record alone, and nothing can refuse it."""
        held = {r.from_object_id for r in self.relationships if r.on_delete != "unlink"}
        return frozenset(o.id for o in self.objects if o.id not in held)

    def relationships_of(self, object_id: str) -> tuple[RelationshipDef, ...]:
        """Relationships with this object on either side."""
        return tuple(r for r in self.relationships
                     if object_id in (r.from_object_id, r.to_object_id))

    def memo(self, kind: str, obj: ObjectDef, build: Any) -> Any:
        """Build (once per snapshot) a compiled helper for an object, e.g. its validator."""
        key = (kind, obj.id)
        value = self.compiled.get(key)
        if value is None:
            value = self.compiled[key] = build(obj)
        return value
