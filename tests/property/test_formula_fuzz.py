"""Whatever is typed into a formula editor, `check` answers with a Checked formula or with
FormulaInvalid — never another exception (a 500 when a field is saved) — and whatever checks
compiles to SQL and evaluates over any values without raising."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from objectry.formula import FormulaInvalid, check, evaluate, to_sql
from objectry.formula.nodes import TYPES
from tests.property import formula_strategies as gen

TOKENS = ["{n1}", "{t1}", "{d1}", "{ts1}", "{b1}", "{nope}", "{", "}", "(", ")", ",", "+", "-",
          "*", "/", "%", "&", "=", "!=", "<>", "<", "<=", ">", ">=", "AND", "OR", "NOT", "TRUE",
          "FALSE", "1", "0", "2.5", ".5", '"a"', "'b'", '"', "\\", " ", "\n", "days", '"days"',
          '"months"', '"hours"', *[f"{name}(" for name in (
              "IF", "AND", "OR", "CONCAT", "UPPER", "LOWER", "TRIM", "LEN", "LEFT", "RIGHT",
              "ROUND", "FLOOR", "CEIL", "ABS", "MIN", "MAX", "COALESCE", "TODAY", "NOW",
              "DATEADD", "DATEDIFF", "YEAR", "MONTH", "DAY", "NOPE")]]
SOUP = st.lists(st.sampled_from(TOKENS), max_size=30).map("".join)


def _survives(expression: str, values: dict[str, Any]) -> None:
    try:
        checked = check(expression, gen.FIELDS)
    except FormulaInvalid as invalid:
        assert invalid.problems
        assert all(0 <= p.position <= len(expression) for p in invalid.problems)
        return
    assert to_sql(checked, lambda name: name, lambda value: "$1")
    evaluate(checked, values)


@settings(max_examples=1_000, deadline=None)
@given(expression=SOUP, values=gen.values())
def test_token_soup(expression: str, values: dict[str, Any]) -> None:
    _survives(expression, values)


@settings(max_examples=300, deadline=None)
@given(expression=st.text(max_size=60), values=gen.values())
def test_any_text(expression: str, values: dict[str, Any]) -> None:
    _survives(expression, values)


NAMES = re.compile(r"\{[a-z0-9]+\}|\b[A-Z]+(?=\()")
SWAPS = [f"{{{name}}}" for name in gen.FIELDS] + [t[:-1] for t in TOKENS if t.endswith("(")]


@settings(max_examples=500, deadline=None)
@given(data=st.data())
def test_well_typed_expressions_with_names_swapped(data: Any) -> None:
    expression = data.draw(gen.expressions(data.draw(st.sampled_from(TYPES)), depth=3))
    swapped = NAMES.sub(lambda m: data.draw(st.sampled_from([m[0], m[0], *SWAPS])), expression)
    _survives(swapped, data.draw(gen.values()))
