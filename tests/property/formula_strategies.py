"""Hypothesis strategies for the formula differential test: well-typed expressions of each
formula type over a fixed set of fields, and values for those fields (nulls included).

Amounts added to dates stay small, so generated dates stay within Python's years 1–9999
(PostgreSQL's reach further; docs/API.md says what the evaluator does beyond them)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache

from hypothesis import strategies as st

from objectry.formula.nodes import FormulaType

FIELDS: dict[str, FormulaType] = {
    "n1": "number", "n2": "number", "t1": "text", "t2": "text", "d1": "date", "d2": "date",
    "ts1": "datetime", "b1": "boolean",
}
# ASCII, a space (TRIM), and letters whose case maps the same in PostgreSQL's C.UTF-8 and in
# Python's simple case mapping ('ß' has no one-letter upper case in either).
ALPHABET = "aAbé ß0"
UNITS = ["days", "weeks", "months", "years", "hours", "minutes", "seconds"]

# Halves (where rounding modes differ), zero (division by it) and plain two-place decimals.
EDGES = [Decimal(v) for v in ("0", "0.5", "-0.5", "2.5", "-2.5", "0.05", "-0.15", "1", "-1",
                              "12.345", "7")]
_numbers = st.sampled_from(EDGES) | st.decimals(min_value=-1000, max_value=1000, places=2,
                                                 allow_nan=False)
VALUES: dict[FormulaType, st.SearchStrategy[object]] = {
    "number": _numbers,
    "text": st.text(alphabet=ALPHABET, max_size=5),
    "boolean": st.booleans(),
    "date": st.dates(min_value=date(1950, 1, 1), max_value=date(2030, 12, 31)),
    "datetime": st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2030, 12, 31),
                             timezones=st.just(UTC)),
}


def values() -> st.SearchStrategy[dict[str, object]]:
    """A value (or null) for every field."""
    return st.fixed_dictionaries({name: st.none() | VALUES[type_]
                                  for name, type_ in FIELDS.items()})


def _fields(type_: FormulaType) -> list[str]:
    return [f"{{{name}}}" for name, t in FIELDS.items() if t == type_]


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


LITERALS: dict[FormulaType, st.SearchStrategy[str]] = {
    "number": (st.sampled_from(EDGES) | st.decimals(min_value=-100, max_value=100, places=2)
               ).map(lambda d: f"{d:f}" if d >= 0 else f"({d:f})"),
    "text": st.text(alphabet=ALPHABET + '"\\', max_size=3).map(_string),
    "boolean": st.sampled_from(["TRUE", "FALSE"]),
}
SMALL_AMOUNT = st.integers(-30, 30).map(lambda n: str(n) if n >= 0 else f"({n})")


@cache  # built once per (type, depth): rebuilding per level would grow exponentially
def expressions(type_: FormulaType, depth: int = 4) -> st.SearchStrategy[str]:
    """Expressions whose value has type `type_`, at most `depth` operations deep."""
    leaves = st.sampled_from(_fields(type_))
    if type_ in LITERALS:
        leaves = leaves | LITERALS[type_]
    if depth == 0:
        return leaves
    def sub(t: FormulaType) -> st.SearchStrategy[str]:
        return expressions(t, depth - 1)
    return st.one_of(leaves, *[rule(sub) for rule in _RULES[type_]])


Sub = Callable[[FormulaType], st.SearchStrategy[str]]
Rule = Callable[[Sub], st.SearchStrategy[str]]


def _fmt(template: str, *parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(*parts).map(lambda p: template.format(*p))


def _variadic(name: str, part: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(part, min_size=1, max_size=3).map(lambda a: f"{name}({', '.join(a)})")


def _any_of(sub: Sub, *types: FormulaType) -> st.SearchStrategy[str]:
    return st.one_of(*[sub(t) for t in types])


_ORDERED: tuple[FormulaType, ...] = ("number", "text", "date", "datetime", "boolean")
_RULES: dict[FormulaType, list[Rule]] = {
    "number": [
        lambda s: _fmt("({} {} {})", s("number"), st.sampled_from("+-*/%"), s("number")),
        lambda s: _fmt("-{}", s("number")),
        lambda s: _fmt("LEN({})", s("text")),
        lambda s: _fmt("ROUND({})", s("number")),
        lambda s: _fmt("ROUND({}, {})", s("number"), st.integers(-2, 4).map(str)),
        lambda s: _fmt("{}({})", st.sampled_from(["FLOOR", "CEIL", "ABS"]), s("number")),
        lambda s: _variadic("MIN", s("number")), lambda s: _variadic("MAX", s("number")),
        lambda s: _variadic("COALESCE", s("number")),
        lambda s: _fmt("IF({}, {}, {})", s("boolean"), s("number"), s("number")),
        lambda s: _fmt('DATEDIFF({}, {}, "{}")', _any_of(s, "date", "datetime"),
                       _any_of(s, "date", "datetime"), st.sampled_from(UNITS)),
        lambda s: _fmt("{}({})", st.sampled_from(["YEAR", "MONTH", "DAY"]),
                       _any_of(s, "date", "datetime")),
        lambda s: _fmt("({} - {})", s("date"), s("date")),
    ],
    "text": [
        lambda s: _fmt("({} & {})", _any_of(s, "text", "number", "boolean"),
                       _any_of(s, "text", "number", "boolean")),
        lambda s: _variadic("CONCAT", _any_of(s, "text", "number", "boolean")),
        lambda s: _fmt("{}({})", st.sampled_from(["UPPER", "LOWER", "TRIM"]), s("text")),
        lambda s: _fmt("{}({}, {})", st.sampled_from(["LEFT", "RIGHT"]), s("text"),
                       SMALL_AMOUNT),
        lambda s: _variadic("MIN", s("text")), lambda s: _variadic("MAX", s("text")),
        lambda s: _variadic("COALESCE", s("text")),
        lambda s: _fmt("IF({}, {}, {})", s("boolean"), s("text"), s("text")),
        lambda s: _fmt("IF({}, {})", s("boolean"), s("text")),
    ],
    "boolean": [
        lambda s: st.sampled_from(_ORDERED).flatmap(lambda t: _fmt(
            "({} {} {})", s(t), st.sampled_from(["=", "!=", "<>", "<", "<=", ">", ">="]),
            s(t))),
        lambda s: _fmt("({} < {})", s("date"), s("datetime")),
        lambda s: _fmt("({} {} {})", s("boolean"), st.sampled_from(["AND", "OR"]),
                       s("boolean")),
        lambda s: _fmt("(NOT {})", s("boolean")),
        lambda s: _variadic("AND", s("boolean")), lambda s: _variadic("OR", s("boolean")),
        lambda s: _variadic("COALESCE", s("boolean")),
    ],
    "date": [
        lambda s: _fmt("({} {} {})", s("date"), st.sampled_from("+-"), SMALL_AMOUNT),
        lambda s: _fmt("({} + {})", SMALL_AMOUNT, s("date")),
        lambda s: _fmt('DATEADD({}, {}, "{}")', s("date"), SMALL_AMOUNT,
                       st.sampled_from(UNITS[:4])),
        lambda s: _variadic("MIN", s("date")), lambda s: _variadic("MAX", s("date")),
        lambda s: _variadic("COALESCE", s("date")),
        lambda s: _fmt("IF({}, {}, {})", s("boolean"), s("date"), s("date")),
    ],
    "datetime": [
        lambda s: _fmt('DATEADD({}, {}, "{}")', s("datetime"), SMALL_AMOUNT,
                       st.sampled_from(UNITS)),
        lambda s: _fmt('DATEADD({}, {}, "{}")', s("date"), SMALL_AMOUNT,
                       st.sampled_from(UNITS[4:])),
        lambda s: _fmt("{}({}, {})", st.sampled_from(["MIN", "MAX"]), s("datetime"),
                       _any_of(s, "date", "datetime")),
        lambda s: _fmt("IF({}, {}, {})", s("boolean"), s("datetime"), s("date")),
    ],
}
