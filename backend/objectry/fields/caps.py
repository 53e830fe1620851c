"""Caps on JSON values: nesting depth, encoded size, and numbers that every client reads exactly.

Checked iteratively (a deep value cannot exhaust the stack) and in linear time: the size by
orjson (C) first, so a value over the size cap is refused before Python walks any of it.
"""

from __future__ import annotations

import math
from typing import Any

import orjson

MAX_DEPTH = 32  # levels of arrays and objects: [[1]] has 2, a scalar 0
MAX_BYTES = 1024 * 1024  # of the compact JSON encoding (1 MB as the project counts: 10 MB bodies)
# JSON numbers are doubles in JavaScript (supabase-js, the admin): beyond ±2^53 not every integer
# exists there, and orjson reads an integer literal beyond 64 bits as a float, so a larger
# number may already have lost digits. Either way it cannot be stored and read back exactly.
SAFE_INTEGER = 2**53
EXACT_RANGE = ("between -2^53 and 2^53 (±9007199254740992): larger numbers cannot be stored "
               "and read back exactly")

Problem = tuple[str, str]  # (code, message)


def too_deep(max_depth: int) -> Problem:
    return "too_deep", f"must not be nested more than {max_depth} levels deep"


def too_large(max_bytes: int) -> Problem:
    return "too_large", f"must be at most {max_bytes} bytes as JSON"


def json_problem(value: Any, *, max_depth: int = MAX_DEPTH, max_bytes: int = MAX_BYTES,
                 scalars: bool = True) -> Problem | None:
    """The first cap `value` breaks, or None. With `scalars`, also every string, number and
    key must be storable as jsonb (no NUL) and exact (`SAFE_INTEGER`)."""
    try:
        if len(orjson.dumps(value)) > max_bytes:
            return too_large(max_bytes)
    except orjson.JSONEncodeError as exc:
        if "ecursion" in str(exc):  # orjson gives up beyond 255 levels: far over any cap
            return too_deep(max_depth)
        # Not JSON at all (a set, a non-string key…): the walk below names the part.
    return walk(value, max_depth, scalars)


def walk(value: Any, max_depth: int, scalars: bool) -> Problem | None:
    """Depth (and scalars) in one iterative pass that stops at the first problem."""
    if not isinstance(value, (dict, list)):
        return scalar_problem(value) if scalars else None
    stack: list[tuple[Any, int]] = [(value, 0)]  # JSON containers, each with its depth
    while stack:
        item, depth = stack.pop()
        if depth >= max_depth:
            return too_deep(max_depth)
        if isinstance(item, dict):
            problem = key_problem(item) if scalars else None
            if problem is not None:
                return problem
            item = item.values()
        for child in item:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
            elif scalars and (problem := scalar_problem(child)) is not None:
                return problem
    return None


def key_problem(item: dict[Any, Any]) -> Problem | None:
    if not all(isinstance(k, str) for k in item):
        return "type", "object keys must be strings"
    if any("\x00" in k for k in item):
        return "format", "must not contain NUL characters"
    return None


def scalar_problem(item: Any) -> Problem | None:
    kind = type(item)
    if kind is str:
        return ("format", "must not contain NUL characters") if "\x00" in item else None
    if item is None or kind is bool:
        return None
    if kind is int or kind is float:
        if kind is float and not math.isfinite(item):
            return "type", "numbers must be finite"
        return None if is_exact(item) else ("range", f"numbers must be {EXACT_RANGE}")
    return "type", f"{type(item).__name__} is not a JSON value"


def count_nodes(value: Any, limit: int) -> int:
    """How many values `value` holds, itself included, counting up to `limit` at most."""
    count, stack = 0, [value]
    while stack and count < limit:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return min(count, limit)


def is_exact(number: int | float) -> bool:
    """Whether every JSON client reads `number` back as the very same number."""
    return -SAFE_INTEGER <= number <= SAFE_INTEGER
