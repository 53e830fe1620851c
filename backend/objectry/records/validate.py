"""Record data checked against an object's fields: compiled once per object version, then cheap.

API data is keyed by field name, stored data by field id. Every method returns the complete new
stored data or raises `ValidationFailed` listing every problem (display order, unknown last).
Keys of detached fields stay in storage untouched but are never validated or exposed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cached_property
from typing import Any

from objectry.errors import Detail, ValidationFailed, detail
from objectry.fields import ValueProblem
from objectry.metadata.model import ObjectDef, Snapshot
from objectry.metadata.record_schema import (
    MISSING,
    CompiledField,
    compile_fields,
    compiled_fields,
    object_schema,
)

Problems = list[tuple[int, Detail]]  # (field display index, problem): sorted before raising


class RecordValidator:
    """Validates and normalises record data for one object definition (one schema version)."""

    def __init__(self, obj: ObjectDef, fields: tuple[CompiledField, ...] | None = None) -> None:
        self.obj = obj
        self.fields = compile_fields(obj) if fields is None else fields
        self.by_name = {f.name: f for f in self.fields}
        self.attached_ids = frozenset(f.id for f in self.fields)
        self._api_names = tuple((f.id, f.name) for f in self.fields)
        self._name_of = dict(self._api_names).__getitem__
        primary = obj.primary_field
        self.primary_id = primary.id if primary is not None else None
        self._weighed = tuple((f.name, f.weigh) for f in self.fields if f.weigh is not None)

    @cached_property
    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema of what this validator accepts on create."""
        return object_schema(self.obj, self.fields)

    def weight(self, data: Any) -> int:
        """Roughly what validating `data` costs (µs), counting only the costly values: what
        `offload.run` decides by."""
        if not self._weighed or not isinstance(data, Mapping):
            return 0
        return sum(weigh(data[name]) for name, weigh in self._weighed
                   if data.get(name) is not None)

    def for_create(self, data: Mapping[str, Any]) -> dict[str, Any]:
        stored: dict[str, Any] = {}
        problems = self._fill(as_mapping(data), stored, None)
        self._raise_if_any(problems, data)
        return stored

    def for_replace(self, data: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
        """PUT: like create, except read-only fields keep their values; detached keys stay."""
        stored = {k: v for k, v in current.items() if k not in self.attached_ids}
        problems = self._fill(as_mapping(data), stored, current)
        self._raise_if_any(problems, data)
        return stored

    def for_update(self, patch: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
        """PATCH: only the given keys change; an explicit null removes a value (unless required)."""
        stored, problems = dict(current), []
        for name, raw in as_mapping(patch).items():
            field = self.by_name.get(name)
            if field is None:
                continue  # reported by _raise_if_any, after the known fields
            if field.readonly:
                if field.computed or raw != current.get(field.id):
                    problems.append(field.problem("read_only", "is read-only"))
            elif raw is not None:
                self._clean_into(field, raw, stored, problems)
            elif field.required:
                problems.append(field.problem("required", "is required"))
            else:
                stored.pop(field.id, None)
        self._raise_if_any(problems, patch)
        return stored

    def for_patch(self, patch: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]] | None:
        """`for_update` without the record, as (stored values set, field ids cleared): what the
        patch does to any record's data. None when it needs the record (a read-only field may
        be sent back with the value it holds) or has a problem: the path that reads the record
        reports problems, after the 404 or 412 that come first."""
        sets: dict[str, Any] = {}
        clears: list[str] = []
        for name, raw in patch.items():
            field = self.by_name.get(name)
            if field is None or field.readonly:
                return None
            if raw is None:
                if field.required:
                    return None
                clears.append(field.id)
                continue
            try:
                sets[field.id] = field.clean(raw)
            except ValueProblem:
                return None
        return sets, clears

    def _fill(self, data: Mapping[str, Any], stored: dict[str, Any],
              current: Mapping[str, Any] | None) -> Problems:
        """Create/replace: every attached field from `data`, its default, or (read-only) as is."""
        problems: Problems = []
        for field in self.fields:
            raw = data.get(field.name, MISSING)
            if field.readonly:
                self._keep_readonly(field, raw, stored, current, problems)
            elif raw is MISSING and field.default is not MISSING:
                stored[field.id] = field.fresh_default()
            elif raw is not MISSING and raw is not None:
                self._clean_into(field, raw, stored, problems)
            elif field.required:
                problems.append(field.problem("required", "is required"))
        return problems

    @staticmethod
    def _keep_readonly(field: CompiledField, raw: Any, stored: dict[str, Any],
                       current: Mapping[str, Any] | None, problems: Problems) -> None:
        # Sending back the value a record already has is not an attempt to change it, so a
        # GET → edit → PUT round trip works; any other value is refused.
        before = current.get(field.id) if current is not None else None
        # A computed value is not stored, so there is no "value it already has" to send back.
        if raw is not MISSING and (field.computed or raw != before):
            problems.append(field.problem("read_only", "is read-only"))
        if current is None and field.default is not MISSING:
            stored[field.id] = field.fresh_default()
        elif current is not None and field.id in current:
            stored[field.id] = current[field.id]

    @staticmethod
    def _clean_into(field: CompiledField, raw: Any, stored: dict[str, Any],
                    problems: Problems) -> None:
        try:
            stored[field.id] = field.clean(raw)
        except ValueProblem as problem:
            problems.append(field.problem(problem.code, problem.message))

    def _raise_if_any(self, problems: Problems, data: Mapping[str, Any]) -> None:
        unknown = [detail(str(name), "unknown_field", "no such field on this object")
                   for name in data if name not in self.by_name]
        if problems or unknown:
            problems.sort(key=lambda p: p[0])
            raise ValidationFailed([d for _, d in problems] + unknown)

    def primary_value(self, stored: Mapping[str, Any]) -> str | None:
        """The primary field's value as text (what `primary_value` holds and `q=` searches)."""
        value = stored.get(self.primary_id) if self.primary_id is not None else None
        return None if value is None else as_text(value)

    def to_api(self, stored: Mapping[str, Any]) -> dict[str, Any]:
        """Stored data keyed by field name: attached fields only, absent values left out."""
        try:  # every key an attached field's (the usual case): renamed in C, in stored order
            return dict(zip(map(self._name_of, stored), stored.values(), strict=True))
        except KeyError:  # a value left by a field since detached: not shown
            return {name: stored[key] for key, name in self._api_names if key in stored}


def validator_for(snapshot: Snapshot, obj: ObjectDef) -> RecordValidator:
    """The object's validator, built once per metadata snapshot (on the fields the snapshot
    compiled, which the schema endpoint's JSON Schema also reads)."""
    return snapshot.memo("validator", obj,
                         lambda o: RecordValidator(o, compiled_fields(snapshot, o)))


def as_mapping(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ValidationFailed([detail("", "type", "record data must be a JSON object")])
    return data


def as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ", ".join(as_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)
