"""The keyset ("after this row") condition for cursor pagination, NULL-aware.

A row comes after the cursor when, for some key i, keys 1..i-1 are equal and key i is past the
cursor's value in its direction, where NULLs sit first or last as the ORDER BY puts them.
Keys that can never be NULL and share one direction use a row comparison instead, which the
`(tenant_id, object_id, created_at, id)` index serves directly.
"""

from __future__ import annotations

from typing import Any

from objectry.records.query.planned import SortKey
from objectry.records.query.sqlexpr import Params, column_expr


def keyset_sql(keys: tuple[SortKey, ...], values: list[Any], alias: str, params: Params) -> str:
    """`values` are the cursor's, already typed (`cursor.typed_values`), one per key."""
    exprs = [column_expr(key.column, alias, params) for key in keys]
    directions = {key.desc for key in keys}
    if len(directions) == 1 and None not in values and not any(k.column.nullable for k in keys):
        bound = [params.add(value, key.column.cast)
                 for key, value in zip(keys, values, strict=True)]
        return f"({', '.join(exprs)}) {'<' if keys[0].desc else '>'} ({', '.join(bound)})"
    branches: list[str] = []
    equal: list[str] = []
    for key, expr, value in zip(keys, exprs, values, strict=True):
        bound_value = None if value is None else params.add(value, key.column.cast)
        after = _after(key, expr, bound_value)
        if after is not None:
            branches.append(" AND ".join([*equal, after]))
        equal.append(f"{expr} IS NULL" if bound_value is None else f"{expr} = {bound_value}")
    if not branches:
        return "FALSE"  # the cursor was the last possible row
    return "(" + " OR ".join(f"({branch})" for branch in branches) + ")"


def _after(key: SortKey, expr: str, bound: str | None) -> str | None:
    """Rows strictly past the cursor on this one key, or None when there are none."""
    nulls_first = key.desc if key.nulls_first is None else key.nulls_first
    if bound is None:
        # Past a NULL: the non-NULLs if NULLs come first, nothing if they come last.
        return f"{expr} IS NOT NULL" if nulls_first else None
    past = f"{expr} {'<' if key.desc else '>'} {bound}"
    if nulls_first or not key.column.nullable:
        return past
    return f"({past} OR {expr} IS NULL)"
