"""What field values can be compared with: the PostgREST operators by family, and the set a
value of each SQL cast supports. A field type picks its `operators` from these.

How each operator is written in SQL is the query compiler's table (records/query/operators.py);
adding an operator is a row there and its name in a family here.
"""

from __future__ import annotations

from collections.abc import Mapping

from objectry.sqltext import BOOLEAN, DATE, INTEGER, JSONB, NUMERIC, TEXT, TIMESTAMPTZ

EQUALITY = frozenset({"eq", "neq", "in", "is", "isdistinct"})
ORDERING = frozenset({"gt", "gte", "lt", "lte"})
PATTERN = frozenset({"like", "ilike", "match", "imatch"})
FULL_TEXT = frozenset({"fts", "plfts", "phfts", "wfts"})
CONTAINMENT = frozenset({"cs", "cd", "ov"})

# Text orders and matches too (PostgREST runs gt/lt, patterns and text search on any text).
TEXT_OPERATORS = EQUALITY | ORDERING | PATTERN | FULL_TEXT
ORDERED_OPERATORS = EQUALITY | ORDERING
BOOLEAN_OPERATORS = EQUALITY
# A JSON value is compared whole or by containment; `in` takes scalars only.
JSON_OPERATORS = (EQUALITY - {"in"}) | CONTAINMENT

# What a value of each cast can be compared with: a field type accepts these or fewer, and a
# system column (which has a cast, not a type) exactly these.
BY_CAST: Mapping[str, frozenset[str]] = {
    TEXT: TEXT_OPERATORS,
    NUMERIC: ORDERED_OPERATORS, INTEGER: ORDERED_OPERATORS,
    DATE: ORDERED_OPERATORS, TIMESTAMPTZ: ORDERED_OPERATORS,
    BOOLEAN: BOOLEAN_OPERATORS,
    JSONB: JSON_OPERATORS,
}
