"""What an import will do, checked before it starts: its options, and which column of the file
feeds which field (every problem in one 422)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from objectry.errors import Detail, ValidationFailed, detail
from objectry.fields import ValueProblem
from objectry.imports import coerce
from objectry.imports.sources import DELIMITERS
from objectry.metadata.model import FieldDef, ObjectDef

_KEYS = frozenset({"mapping", "mode", "match_on", "on_error", "dry_run", "delimiter",
                   "date_format", "decimal"})


@dataclass(frozen=True, slots=True)
class Options:
    mode: str = "insert"
    on_error: str = "abort"
    dry_run: bool = False
    match_on: str | None = None
    mapping: dict[str, str | None] | None = None
    delimiter: str | None = None
    date_format: str | None = None
    decimal: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) is not None}


def _enum(raw: dict[str, Any], key: str, allowed: tuple[Any, ...], problems: list[Detail],
          default: Any = None) -> Any:
    value = raw.get(key, default)
    if value is not None and value not in allowed:
        problems.append(detail(key, "enum", f"must be one of {', '.join(map(str, allowed))}"))
    return value


def options_from(text: str | bytes | None) -> Options:
    """`options` of the form; absent means an insert that aborts on the first bad row."""
    try:
        raw = orjson.loads(text) if text else {}
    except orjson.JSONDecodeError:
        raise ValidationFailed([detail("options", "json", "must be a JSON object")]) from None
    if not isinstance(raw, dict):
        raise ValidationFailed([detail("options", "type", "must be a JSON object")])
    problems = [detail(k, "extra_forbidden", "is not a known option") for k in sorted(set(raw)
                                                                                    - _KEYS)]
    mode = _enum(raw, "mode", ("insert", "upsert"), problems, "insert")
    on_error = _enum(raw, "on_error", ("abort", "skip"), problems, "abort")
    dry_run = _enum(raw, "dry_run", (True, False), problems, False)
    delimiter = _enum(raw, "delimiter", DELIMITERS, problems)
    date_format = _enum(raw, "date_format", tuple(coerce.DATE_FORMATS), problems)
    decimal = _enum(raw, "decimal", (".", ","), problems)
    mapping = raw.get("mapping")
    if mapping is not None and not (isinstance(mapping, dict) and all(
            isinstance(k, str) and (v is None or isinstance(v, str))
            for k, v in mapping.items())):
        problems.append(detail("mapping", "type",
                               "must map column names to field names (or null: skip it)"))
    match_on = raw.get("match_on")
    if match_on is not None and not isinstance(match_on, str):
        problems.append(detail("match_on", "type", "must be a field name"))
    if problems:
        raise ValidationFailed(problems)
    return Options(mode, on_error, bool(dry_run), match_on, mapping, delimiter, date_format,
                   decimal)


@dataclass(frozen=True, slots=True)
class Column:
    index: int  # position in the row
    field: str  # the field's name (record data is keyed by name)
    coerce: coerce.Coercer


@dataclass(frozen=True, slots=True)
class Plan:
    columns: tuple[Column, ...]
    header: tuple[str, ...]
    match_field: str | None  # the unique field's name, for upsert

    def described(self) -> dict[str, str | None]:
        """Each header cell → the field it feeds, or None (what the job shows)."""
        fed = {c.index: c.field for c in self.columns}
        return {name: fed.get(i) for i, name in enumerate(self.header)}


def _by_name_or_label(obj: ObjectDef) -> dict[str, FieldDef]:
    fields: dict[str, FieldDef] = {}
    for f in obj.fields:  # a name wins over another field's equal label
        fields.setdefault(f.label.strip().lower(), f)
    fields.update((f.name.lower(), f) for f in obj.fields)
    return fields


def plan_for(header: list[str], obj: ObjectDef, options: Options) -> Plan:
    """Each column to its field: the mapping's, else a field named or labelled so (any case);
    a column mapped to null or to nothing known feeds nothing."""
    known = _by_name_or_label(obj)
    problems = _mapping_problems(header, known, options.mapping or {})
    mapped = {k.strip().lower(): v for k, v in (options.mapping or {}).items()}
    columns, seen = [], set()
    for index, name in enumerate(header):
        target = mapped.get(name.lower(), name)
        field = known.get(target.strip().lower()) if target is not None else None
        if field is None or not coerce.importable(field.type) or field.id in seen:
            continue
        seen.add(field.id)
        columns.append(Column(index, field.name, coerce.coercer(
            field.type, options.date_format, options.decimal)))
    match_field = _match_field(obj, options, problems)
    if not columns and not problems:
        problems.append(detail("file", "no_columns",
                               "no column of the file matches a field of this object"))
    if problems:
        raise ValidationFailed(problems)
    return Plan(tuple(columns), tuple(header), match_field)


def _mapping_problems(header: list[str], known: dict[str, FieldDef],
                      mapping: dict[str, str | None]) -> list[Detail]:
    problems = []
    in_file = {name.lower() for name in header}
    for column, target in mapping.items():
        field = known.get(target.strip().lower()) if target is not None else None
        if column.strip().lower() not in in_file:
            problems.append(detail(f"mapping.{column}", "unknown_column",
                                   "the file has no such column"))
        elif target is not None and field is None:
            problems.append(detail(f"mapping.{column}", "unknown_field",
                                   f"no field {target!r} on this object"))
        elif field is not None and not coerce.importable(field.type):
            problems.append(detail(f"mapping.{column}", "read_only",
                                   f"{field.name} is computed and cannot be imported"))
    return problems


def _match_field(obj: ObjectDef, options: Options, problems: list[Detail]) -> str | None:
    if options.mode != "upsert":
        return None
    field = obj.fields_by_name.get(options.match_on or "")
    if field is None or not field.is_unique:
        problems.append(detail("match_on", "not_unique",
                               "upsert needs match_on: the name of a unique field"))
        return None
    return field.name


def row_data(plan: Plan, row: list[Any]) -> tuple[dict[str, Any], list[Detail]]:
    """A row as record data keyed by field name, and the cells that would not coerce."""
    data: dict[str, Any] = {}
    problems: list[Detail] = []
    for column in plan.columns:
        cell = row[column.index] if column.index < len(row) else None
        if coerce.is_empty(cell):
            continue
        try:
            data[column.field] = column.coerce(cell)
        except ValueProblem as problem:
            problems.append(detail(column.field, problem.code, str(problem)))
    return data, problems
