"""What a computed field of a snapshot refers to, and every problem with it.

A `lookup`/`rollup` follows one relationship from its object to the linked records on the other
side (`Link`); a `formula` is an expression checked against its object's fields (`Checked` of
objectry.formula). The query compiler (records/query/computed.py) renders both from here, and
metadata writes call `problems` inside their transaction, on the snapshot they are about to
commit, so that a config that does not fit the workspace is a 422 and never a broken read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from objectry import formula
from objectry.errors import Detail, detail
from objectry.fields import cast_of, operators_of
from objectry.fields.comparison import BY_CAST
from objectry.fields.computed import COMPUTED_TYPES, autonumber_cast
from objectry.metadata.model import FieldDef, ObjectDef, RelationshipDef, Snapshot
from objectry.sqltext import (
    BOOLEAN,
    DATE,
    INTEGER,
    JSONB,
    NUMERIC,
    TEXT,
    TIMESTAMPTZ,
)

# A formula's result type ↔ the SQL cast its value compares under.
CAST_OF_RESULT = {"text": TEXT, "number": NUMERIC, "boolean": BOOLEAN, "date": DATE,
                  "datetime": TIMESTAMPTZ}
RESULT_OF_CAST = {TEXT: "text", NUMERIC: "number", INTEGER: "number", BOOLEAN: "boolean",
                  DATE: "date", TIMESTAMPTZ: "datetime"}
# Rollup functions and the casts of the fields they take.
NUMBERS = frozenset({NUMERIC, INTEGER})
ORDERED = NUMBERS | {DATE, TIMESTAMPTZ}
ROLLUP_TAKES = {"count": None, "sum": NUMBERS, "avg": NUMBERS, "min": ORDERED, "max": ORDERED}
# Types whose values compare as their cast says (a formula's result type, an autonumber's
# number or text), not by a fixed operator table of their own.
CAST_DECIDES = frozenset({"formula", "lookup", "rollup", "autonumber"})
# System columns a formula may use, with their types.
FORMULA_SYSTEM = {"id": "text", "primary_value": "text", "created_at": "datetime",
                  "updated_at": "datetime", "version": "number"}


class Unresolved(Exception):
    """A computed field that does not fit the workspace: `problems` say why."""

    def __init__(self, problems: list[Detail]) -> None:
        super().__init__("; ".join(p["message"] for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Link:
    """A lookup or rollup: from the field's object through `relationship` to `other`."""

    relationship: RelationshipDef
    forward: bool  # the field's object is the relationship's `from` side
    other: ObjectDef
    function: str  # "lookup", or the rollup's count | sum | avg | min | max
    target: FieldDef | None  # the linked records' field (None: a count of the records)
    filter: str | None = None  # a rollup's PostgREST filter on the linked records


def stored_cast(field: FieldDef) -> str:
    """The cast of a stored field (autonumber's depends on its config)."""
    return autonumber_cast(field.config) if field.type == "autonumber" else cast_of(field.type)


def is_read_time(field: FieldDef) -> bool:
    return field.type in COMPUTED_TYPES


def value_cast(snapshot: Snapshot, obj: ObjectDef, field: FieldDef) -> str:
    """The cast a field's value compares under: its type's, or for the types whose config
    decides (CAST_DECIDES) what that config gives; a lookup/rollup that no longer fits keeps
    the cast its config asks for."""
    if field.type == "formula":
        return CAST_OF_RESULT.get(str(field.config.get("result_type")), TEXT)
    if field.type == "lookup":
        return JSONB
    if field.type == "rollup":
        try:
            found = link(snapshot, obj, field)
        except Unresolved:
            return NUMERIC
        if found.function in ("min", "max") and found.target is not None:
            cast = stored_cast(found.target)
            return NUMERIC if cast in NUMBERS else cast
        return NUMERIC
    return stored_cast(field)


def operators(snapshot: Snapshot, obj: ObjectDef, field: FieldDef) -> frozenset[str]:
    """The PostgREST operators a filter on the field may use."""
    if field.type in CAST_DECIDES:
        return BY_CAST[value_cast(snapshot, obj, field)]
    return operators_of(field.type)


def link(snapshot: Snapshot, obj: ObjectDef, field: FieldDef) -> Link:
    """The way a lookup/rollup reaches its linked records; `Unresolved` if it does not fit."""
    config = field.config
    side = _side(snapshot, obj, config.get("relationship"))
    if side is None:
        raise Unresolved([detail("config.relationship", "not_found",
                                 f"no relationship {config.get('relationship')!r} of "
                                 f"{obj.name!r}")])
    relationship, forward = side
    other = snapshot.objects_by_id[relationship.to_object_id if forward
                                   else relationship.from_object_id]
    function = "lookup" if field.type == "lookup" else str(config.get("function"))
    target = None
    if config.get("field") is not None:
        target = other.fields_by_name.get(config["field"])
        if target is None or is_read_time(target):
            raise Unresolved([detail("config.field", "not_found",
                                     f"{other.name!r} has no stored field {config['field']!r} "
                                     "(lookups and rollups read stored fields)")])
        takes = ROLLUP_TAKES.get(function)
        if takes is not None and stored_cast(target) not in takes:
            raise Unresolved([detail("config.field", "type",
                                     f"{function} needs a number"
                                     + (" or date" if function in ("min", "max") else "")
                                     + f" field; {target.name!r} is {target.type}")])
    found = Link(relationship, forward, other, function, target, config.get("filter"))
    _check_filter(found)
    return found


def _side(snapshot: Snapshot, obj: ObjectDef, name: Any) -> tuple[RelationshipDef, bool] | None:
    for rel in snapshot.relationships_of(obj.id):
        if name in (rel.name, rel.id) and {rel.from_object_id, rel.to_object_id} <= \
                set(snapshot.objects_by_id):
            return rel, rel.from_object_id == obj.id
    return None


def _check_filter(found: Link) -> None:
    """The filter's shape here (its columns are fields of the linked object); operators and
    values are checked when the compiler plans it (records/query/computed.py)."""
    if found.filter is None:
        return
    logic = {"and", "or", "not.and", "not.or"}
    try:
        pairs = parse_qsl(found.filter, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        pairs = []
    fields = found.other.fields_by_name
    unknown = [key for key, _ in pairs if key not in logic and key not in fields]
    if not pairs or unknown:
        what = f"unknown field {unknown[0]!r} of {found.other.name!r}" if unknown else \
            "must be a PostgREST filter such as stage=neq.lost"
        raise Unresolved([detail("config.filter", "filter", what)])


def result_type(snapshot: Snapshot, obj: ObjectDef, field: FieldDef) -> str | None:
    """What a field is to a formula: its FormulaType, or None when a formula cannot use it."""
    if field.type == "formula":
        return str(field.config.get("result_type"))
    if field.type == "lookup":
        return None
    if field.type == "rollup":
        if field.config.get("function") in ("count", "sum", "avg"):
            return "number"
        try:
            target = link(snapshot, obj, field).target
        except Unresolved:
            return None
        return RESULT_OF_CAST.get(stored_cast(target)) if target else None
    return RESULT_OF_CAST.get(stored_cast(field))


def checked_formula(snapshot: Snapshot, obj: ObjectDef, field: FieldDef) -> formula.Checked:
    """The formula checked against its object's fields and system columns (once per snapshot);
    `Unresolved` with each problem's position when it does not check."""
    return snapshot.memo(f"formula:{field.id}", obj, lambda o: _check(snapshot, o, field))


def _check(snapshot: Snapshot, obj: ObjectDef, field: FieldDef) -> formula.Checked:
    types: dict[str, Any] = dict(FORMULA_SYSTEM)
    for other in obj.fields:
        kind = result_type(snapshot, obj, other)
        if kind is not None and other.name not in FORMULA_SYSTEM:
            types[other.name] = kind
    try:
        return formula.check(str(field.config.get("expression")), types,
                             field.config.get("result_type"))
    except formula.FormulaInvalid as exc:
        raise Unresolved([{**detail("config.expression", "formula", p.message),
                           "position": p.position, "line": p.line, "column": p.column}
                          for p in exc.problems]) from None


def formula_cycle(snapshot: Snapshot, obj: ObjectDef, field: FieldDef) -> list[str] | None:
    """The names of a cycle of formulas through `field` (`a → b → a`), or None."""
    path: list[str] = []

    def visit(current: FieldDef) -> list[str] | None:
        if current.name in path:
            return path[path.index(current.name):] + [current.name]
        path.append(current.name)
        try:
            references = checked_formula(snapshot, obj, current).references
        except Unresolved:
            references = frozenset()
        for name in sorted(references):
            nxt = obj.fields_by_name.get(name)
            if nxt is not None and nxt.type == "formula" and (cycle := visit(nxt)):
                return cycle
        path.pop()
        return None

    return visit(field)


def field_problems(snapshot: Snapshot, obj: ObjectDef, field: FieldDef) -> list[Detail]:
    """Every problem of one attached field that only the workspace can show."""
    try:
        if field.type in ("lookup", "rollup"):
            link(snapshot, obj, field)
        elif field.type == "formula":
            checked_formula(snapshot, obj, field)
            cycle = formula_cycle(snapshot, obj, field)
            if cycle:
                return [detail("config.expression", "cycle",
                               "formulas refer to each other in a cycle: " + " → ".join(cycle))]
    except Unresolved as exc:
        return exc.problems
    if is_read_time(field) and (field.is_indexed or field.is_unique) and \
            not indexable(snapshot, obj, field):
        flag = "is_unique" if field.is_unique else "is_indexed"
        return [detail(flag, "not_indexable",
                       f"a {field.type} field cannot be indexed"
                       + (" unless it is deterministic and reads only stored fields"
                          if field.type == "formula" else ""))]
    return []


def problems(snapshot: Snapshot, obj: ObjectDef) -> list[Detail]:
    """Every problem of the object's computed fields, each `field` prefixed by the field's name
    (`weighted.config.expression`)."""
    found: list[Detail] = []
    for field in obj.fields:
        if field.type in COMPUTED_TYPES:
            found += [{**p, "field": f"{field.name}.{p['field']}"}
                      for p in field_problems(snapshot, obj, field)]
    return found


def indexable(snapshot: Snapshot, obj: ObjectDef, field: FieldDef) -> bool:
    """A formula whose value depends on the record alone (deterministic, no lookup or rollup
    anywhere beneath it) can carry an expression index; nothing else computed can."""
    if field.type != "formula":
        return False
    try:
        checked = checked_formula(snapshot, obj, field)
    except Unresolved:
        return False
    if not checked.deterministic or formula_cycle(snapshot, obj, field):
        return False
    for name in checked.references:
        used = obj.fields_by_name.get(name)
        if used is not None and is_read_time(used) and not indexable(snapshot, obj, used):
            return False
    return True
