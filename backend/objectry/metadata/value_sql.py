"""The one place a field's typed value becomes SQL (`value_sql`): the query compiler renders
every column through it, and a formula's expression index is built on it, so a filter and the
index that should serve it are the same text."""

from __future__ import annotations

from collections.abc import Callable

from objectry import formula
from objectry.metadata.computed import (
    FORMULA_SYSTEM,
    checked_formula,
    is_read_time,
    stored_cast,
)
from objectry.metadata.model import FieldDef, ObjectDef, Snapshot
from objectry.sqltext import field_expr, literal


def formula_sql(checked: formula.Checked, column: Callable[[str], str]) -> str:
    """A checked formula as SQL: fields through `column(name)`; its constants as literals,
    quoted by sqltext. They are metadata (an admin's expression, never request text), and an
    expression index only matches a query that repeats its constants as literals."""
    return formula.to_sql(checked, column=column, param=constant)


def constant(value: object) -> str:
    """A formula's constant (a str or Decimal, cast by to_sql) as a quoted literal."""
    return literal(str(value))


def value_sql(snapshot: Snapshot, obj: ObjectDef, field: FieldDef, alias: str | None,
              read_time: Callable[[FieldDef], str]) -> str:
    """The one place a field's typed value becomes SQL: a stored field is `field_expr`; a
    formula is its SQL with each field it uses through this same function (so a formula may
    use another formula, or a rollup); a lookup or rollup is `read_time(field)`, which only
    the query compiler can render (an index never holds one). `Unresolved` if it does not
    fit the workspace."""
    if field.type == "formula":
        checked = checked_formula(snapshot, obj, field)

        def column(name: str) -> str:
            if name in FORMULA_SYSTEM:
                return f"{alias}.{name}" if alias else name
            return value_sql(snapshot, obj, obj.fields_by_name[name], alias, read_time)

        return formula_sql(checked, column)
    if is_read_time(field):
        return read_time(field)
    # Dates through the immutable casts, so that a formula index and the query match.
    return field_expr(field.id, stored_cast(field), alias, indexed=True)
