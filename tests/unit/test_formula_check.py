"""Golden tests of the formula checker: unknown names, wrong arity, type mismatches, result
types and limits, each with its exact message and position; and what a checked formula
reports (type, references, determinism)."""

from __future__ import annotations

import pytest

from objectry.formula import FormulaInvalid, check
from objectry.formula.nodes import FormulaType
from objectry.formula.parse import MAX_DEPTH, MAX_LENGTH

UNITS = '"days", "weeks", "months", "years", "hours", "minutes", "seconds"'
FIELDS: dict[str, FormulaType] = {
    "n": "number", "t": "text", "d": "date", "ts": "datetime", "b": "boolean",
}


def problems(expression: str, result_type: FormulaType | None = None,
             ) -> list[tuple[str, int, int, int]]:
    with pytest.raises(FormulaInvalid) as caught:
        check(expression, FIELDS, result_type)
    return [(p.message, p.position, p.line, p.column) for p in caught.value.problems]


@pytest.mark.parametrize(("expression", "expected"), [
    ('{}', [('unknown field {}', 0, 1, 1)]),
    ('{nope}', [('unknown field {nope}', 0, 1, 1)]),
    ('{Nope} + {n2}', [('unknown field {Nope}', 0, 1, 1), ('unknown field {n2}', 9, 1, 10)]),
    ('NOPE(1)', [('unknown function NOPE', 0, 1, 1)]),
    ('IF({b})', [('IF takes 2 to 3 arguments, not 1', 0, 1, 1)]),
    ('IF({b},1,2,3)', [('IF takes 2 to 3 arguments, not 4', 0, 1, 1)]),
    ('TODAY(1)', [('TODAY takes 0 arguments, not 1', 0, 1, 1)]),
    ('MIN()', [('MIN takes at least 1 argument, not 0', 0, 1, 1)]),
    ('CONCAT()', [('CONCAT takes at least 1 argument, not 0', 0, 1, 1)]),
    ('DATEADD({d}, 1)', [('DATEADD takes 3 arguments, not 2', 0, 1, 1)]),
    ('{t} + 1', [("'+' cannot combine text and a number", 4, 1, 5)]),
    ('{n} & {d}', [("'&' joins text, numbers and booleans, not a number and a date", 4, 1, 5)]),
    ('-{t}', [("'-' expects a number, not text", 0, 1, 1)]),
    ('NOT {n}', [("'NOT' expects a boolean, not a number", 0, 1, 1)]),
    ('{n} AND {b}',
     [("'AND' expects a boolean on both sides, not a number and a boolean", 4, 1, 5)]),
    ('{t} = {n}', [("'=' cannot compare text and a number", 4, 1, 5)]),
    ('{d} * 2', [("'*' cannot combine a date and a number", 4, 1, 5)]),
    ('{d} + {d}', [("'+' cannot combine a date and a date", 4, 1, 5)]),
    ('{ts} + 1',
     [("'+' cannot combine a datetime and a number (DATEADD and DATEDIFF work on datetimes)",
       5, 1, 6)]),
    ('IF({n}, 1, 2)', [('IF expects a boolean as argument 1, not a number', 3, 1, 4)]),
    ('IF({b}, 1, "a")', [("IF's values must share one type, not a number and text", 0, 1, 1)]),
    ('UPPER({n})', [('UPPER expects text as argument 1, not a number', 6, 1, 7)]),
    ('LEFT({t}, "2")', [('LEFT expects a number as argument 2, not text', 10, 1, 11)]),
    ('ROUND({n}, {t})', [('ROUND expects a number as argument 2, not text', 11, 1, 12)]),
    ('MIN({b}, {b})', [('MIN cannot order boolean values', 0, 1, 1)]),
    ('COALESCE({n}, {t})',
     [("COALESCE's values must share one type, not a number and text", 0, 1, 1)]),
    ('DATEADD({d}, 1, "fortnights")',
     [('DATEADD expects a unit in quotes as argument 3: ' + UNITS, 16, 1, 17)]),
    ('DATEADD({d}, 1, {t})',
     [('DATEADD expects a unit in quotes as argument 3: ' + UNITS, 16, 1, 17)]),
    ('DATEDIFF({d}, {n}, "days")',
     [('DATEDIFF expects a date or a datetime as argument 2, not a number', 14, 1, 15)]),
    ('YEAR({t})', [('YEAR expects a date or a datetime as argument 1, not text', 5, 1, 6)]),
    ('LEN({t}, {t})', [('LEN takes 1 argument, not 2', 0, 1, 1)]),
    ('UPPER({x}) & LOWER({y}) & NOPE()',
     [('unknown field {x}', 6, 1, 7),
      ('unknown field {y}', 19, 1, 20),
      ('unknown function NOPE', 26, 1, 27)]),
    ('IF({b},\n  1,\n  {t} * 2)', [("'*' cannot combine text and a number", 19, 3, 7)]),
])
def test_problems(expression: str, expected: list[tuple[str, int, int, int]]) -> None:
    assert problems(expression) == expected


@pytest.mark.parametrize(("expression", "result_type", "expected"), [
    ('{n}', 'date', [('the expression gives a number, not a date (its result type)', 0, 1, 1)]),
    ('{ts}', 'date', [('the expression gives a datetime, not a date (its result type)', 0, 1, 1)]),
    ('{t}', 'number', [('the expression gives text, not a number (its result type)', 0, 1, 1)]),
])
def test_a_result_type_the_value_cannot_become(expression: str, result_type: FormulaType,
                                               expected: list[tuple[str, int, int, int]]) -> None:
    assert problems(expression, result_type) == expected


@pytest.mark.parametrize(("expression", "result_type", "type_"), [
    ("{n}", "text", "text"),  # numbers and booleans become text; dates become datetimes
    ("{b}", "text", "text"),
    ("{d}", "datetime", "datetime"),
    ("{n} * 2", None, "number"),
    ("{d} - {d}", None, "number"),
    ("{d} + 1", None, "date"),
    ("IF({b}, {d}, {ts})", None, "datetime"),
    ('DATEADD({d}, 1, "hour")', None, "datetime"),  # a unit may be singular
    ('DATEADD({d}, 1, "DAYS")', None, "date"),
])
def test_result_types(expression: str, result_type: FormulaType | None, type_: str) -> None:
    assert check(expression, FIELDS, result_type).type == type_


def test_references_and_determinism() -> None:
    checked = check('IF({b}, {t}, "") & {t} & DATEDIFF(TODAY(), {d}, "days")', FIELDS)
    assert checked.references == frozenset({"b", "t", "d"})
    assert checked.deterministic is False
    assert check("NOW() > {ts}", FIELDS).deterministic is False
    assert check("{n} + 1", FIELDS).deterministic is True
    assert check("1", FIELDS).references == frozenset()


def test_field_names_are_taken_as_written() -> None:
    fields: dict[str, FormulaType] = {"deal value": "number", "Ünïcode": "text"}
    assert check("{deal value} + LEN({Ünïcode})", fields).references == frozenset(fields)
    assert problems("{ n}") == [("unknown field { n}", 0, 1, 1)]


def test_function_names_and_keywords_ignore_case() -> None:
    assert check("if(not {b} and true, upper({t}), Lower({t}))", FIELDS).type == "text"


def test_too_long() -> None:
    expression = "1" + " + 1" * (MAX_LENGTH // 4)
    assert problems(expression) == [
        (f"the expression is longer than {MAX_LENGTH} characters", MAX_LENGTH, 1,
         MAX_LENGTH + 1)]


def test_too_deep() -> None:
    nested = "ABS(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH
    assert check(nested, FIELDS).type == "number"  # a literal adds no level
    deeper = "ABS(" + nested + ")"
    assert problems(deeper) == [
        (f"the expression nests deeper than {MAX_DEPTH} levels", 4 * MAX_DEPTH, 1,
         4 * MAX_DEPTH + 1)]


def test_a_long_operator_chain_is_refused_quickly_not_by_recursion() -> None:
    chain = "1" + "+1" * 1_999
    assert problems(chain)[0][0] == f"the expression nests deeper than {MAX_DEPTH} levels"


def test_nested_month_differences_are_refused_before_their_sql_explodes() -> None:
    expression = "{n}"
    for _ in range(16):
        expression = f'DATEDIFF(DATEADD({{d}}, {expression}, "days"), {{d}}, "months")'
    assert problems(expression) == [
        ("the expression is too complex (DATEDIFF in months nested too deeply)", 0, 1, 1)]
