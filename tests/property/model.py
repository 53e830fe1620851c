"""A plain-Python evaluation of a /rest/v1 read, with SQL's semantics: three-valued logic
(NULL is neither true nor false, NOT NULL is NULL, a row is kept only when the WHERE is true),
`x = ANY('{}')` false even for NULL, LIKE/ILIKE wildcards, jsonb containment, and ORDER BY
with NULLS LAST ascending / NULLS FIRST descending, `id` as the final tie-breaker in the last
key's direction.

Text compares by code point, which is what PostgreSQL does under the C collation; under
en_US it agrees for the strings generated here (lower-case ASCII letters and digits only).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

Record = dict[str, Any]  # column name → Python value (None: NULL)


@dataclass(frozen=True)
class Flt:
    column: str
    kind: str  # text | number | boolean | date | datetime | multi | id
    op: str
    value: Any  # a Python value; a list for in/cs/cd/ov; a pattern; an IS keyword
    negated: bool = False


@dataclass(frozen=True)
class Grp:
    op: str  # and | or
    items: tuple[Flt | Grp, ...]
    negated: bool = False


Node = Flt | Grp
OrderKey = tuple[str, bool, bool | None]  # (column, descending, nulls first)


def python_value(kind: str, value: Any) -> Any:
    """A value as the API returned it → the Python value SQL compares."""
    if value is None:
        return None
    if kind == "number":
        return Decimal(str(value))
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "datetime" or kind == "created_at":
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def _not(value: bool | None) -> bool | None:
    return None if value is None else not value


def holds(node: Node, record: Record) -> bool | None:
    if isinstance(node, Grp):
        results = [holds(item, record) for item in node.items]
        if node.op == "and":
            value = False if False in results else None if None in results else True
        else:
            value = True if True in results else None if None in results else False
    else:
        value = _filter(node, record.get(node.column))
    return _not(value) if node.negated else value


_COMPARE = {
    "eq": lambda v, x: v == x, "neq": lambda v, x: v != x, "gt": lambda v, x: v > x,
    "gte": lambda v, x: v >= x, "lt": lambda v, x: v < x, "lte": lambda v, x: v <= x,
}


def _filter(f: Flt, v: Any) -> bool | None:
    if f.op == "is":
        return {"null": v is None, "not_null": v is not None, "true": v is True,
                "false": v is False, "unknown": v is None}[f.value]
    if f.op == "isdistinct":
        return v is None or v != f.value
    if f.op == "in":
        if not f.value:
            return False  # x = ANY('{}') is false, even for NULL
        return None if v is None else v in f.value
    if v is None:
        return None
    if f.op in _COMPARE:
        return _COMPARE[f.op](v, f.value)
    if f.op in ("like", "ilike"):
        return like(f.value.replace("*", "%"), f.op == "ilike").fullmatch(v) is not None
    if f.op in ("match", "imatch"):
        return re.search(f.value, v, re.I if f.op == "imatch" else 0) is not None
    if f.op == "cs":
        return all(x in v for x in f.value)
    if f.op == "cd":
        return all(x in f.value for x in v)
    if f.op == "ov":
        return any(x in v for x in f.value)
    raise AssertionError(f"no model for {f.op}")


@functools.lru_cache(maxsize=512)
def like(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """A LIKE pattern (`%` any run, `_` one character, backslash escapes) as a regex."""
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        i += 1
    return re.compile("".join(out), re.S | (re.I if ignore_case else 0))


def _compare(a: Record, b: Record, keys: Sequence[OrderKey]) -> int:
    for column, desc, nulls_first in keys:
        x, y = a.get(column), b.get(column)
        if x is None and y is None:
            continue
        first = desc if nulls_first is None else nulls_first
        if x is None or y is None:
            return (-1 if first else 1) * (1 if x is None else -1)
        if x != y:
            return (-1 if x < y else 1) * (-1 if desc else 1)
    return 0


def evaluate(records: list[Record], where: Sequence[Node], order: Sequence[OrderKey],
             limit: int | None, offset: int | None) -> tuple[list[str], int]:
    """(ids of the page, in order; how many records match)."""
    kept = [r for r in records if all(holds(node, r) is True for node in where)]
    keys = list(order) or [("created_at", False, None)]
    if not any(column == "id" for column, _, _ in keys):
        keys.append(("id", keys[-1][1], None))
    kept.sort(key=functools.cmp_to_key(lambda a, b: _compare(a, b, keys)))
    start = offset or 0
    page = kept[start:] if limit is None else kept[start:start + limit]
    return [r["id"] for r in page], len(kept)
