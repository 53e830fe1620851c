"""The operator table: PostgREST operator → SQL template, the kind of value it reads, and words.

Adding an operator is one row here, its name in a family of objectry.fields.comparison (which
field types accept it), and one golden test row. `{col}` is the column expression, `{val}` the
bound parameter (already cast), `{cfg}` an optional text search config. The `value` kind says
how `plan.py` reads the request text (see `coerce.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from objectry.fields.comparison import FULL_TEXT


@dataclass(frozen=True, slots=True)
class Operator:
    name: str
    template: str
    value: str  # scalar | list | pattern | text | tsquery | is | json | strings
    description: str  # Datasette style: "{col} is greater than {val}"


def _op(name: str, template: str, value: str, words: str) -> Operator:
    return Operator(name, template, value, words)


OPERATORS: Mapping[str, Operator] = {op.name: op for op in (
    _op("eq", "{col} = {val}", "scalar", "{col} equals {val}"),
    _op("neq", "{col} <> {val}", "scalar", "{col} does not equal {val}"),
    _op("gt", "{col} > {val}", "scalar", "{col} is greater than {val}"),
    _op("gte", "{col} >= {val}", "scalar", "{col} is greater than or equal to {val}"),
    _op("lt", "{col} < {val}", "scalar", "{col} is less than {val}"),
    _op("lte", "{col} <= {val}", "scalar", "{col} is less than or equal to {val}"),
    _op("like", "{col} LIKE {val}", "pattern", "{col} matches the pattern {val}"),
    _op("ilike", "{col} ILIKE {val}", "pattern",
        "{col} matches the pattern {val}, ignoring case"),
    _op("match", "{col} ~ {val}", "text", "{col} matches the regular expression {val}"),
    _op("imatch", "{col} ~* {val}", "text",
        "{col} matches the regular expression {val}, ignoring case"),
    _op("in", "{col} = ANY({val})", "list", "{col} is one of {val}"),
    _op("is", "{col} IS {val}", "is", "{col} is {val}"),
    _op("isdistinct", "{col} IS DISTINCT FROM {val}", "scalar",
        "{col} is distinct from {val}"),
    _op("cs", "{col} @> {val}", "json", "{col} contains {val}"),
    _op("cd", "{col} <@ {val}", "json", "{col} is contained in {val}"),
    _op("ov", "{col} ?| {val}", "strings", "{col} has any of {val}"),
    _op("fts", "to_tsvector({cfg}{col}) @@ to_tsquery({cfg}{val})", "tsquery",
        "{col} matches the text search query {val}"),
    _op("plfts", "to_tsvector({cfg}{col}) @@ plainto_tsquery({cfg}{val})", "text",
        "{col} contains the words {val}"),
    _op("phfts", "to_tsvector({cfg}{col}) @@ phraseto_tsquery({cfg}{val})", "text",
        "{col} contains the phrase {val}"),
    _op("wfts", "to_tsvector({cfg}{col}) @@ websearch_to_tsquery({cfg}{val})", "text",
        "{col} matches the web search {val}"),
)}

# `is.<value>` → SQL keyword; `null`/`not_null` test presence, the rest need a boolean.
IS_VALUES: Mapping[str, str] = {
    "null": "NULL", "not_null": "NOT NULL", "true": "TRUE", "false": "FALSE",
    "unknown": "UNKNOWN",
}
IS_ANY_TYPE = frozenset({"null", "not_null"})

# The operators that can take a `(config)`: `fts(english).word`.
FTS_OPERATORS = FULL_TEXT


def allowed(accepted: frozenset[str]) -> list[str]:
    """These operator names in table order (for error hints)."""
    return [name for name in OPERATORS if name in accepted]


def describe(column: str, op: str, value: object, negated: bool = False) -> str:
    """Human words for one filter: `age is greater than 30`."""
    words = OPERATORS[op].description.format(col=column, val=value)
    return f"not ({words})" if negated else words
