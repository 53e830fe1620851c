"""Differential test of the formula language: for generated well-typed expressions and field
values, the SQL from `to_sql` run by PostgreSQL gives exactly what `evaluate` gives in Python.
Deterministic formulas must also be accepted in an expression index (IMMUTABLE SQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from objectry.formula import check, evaluate, to_sql
from objectry.formula.nodes import TYPES
from tests.property import formula_strategies as gen

CASTS = {"number": "numeric", "text": "text", "boolean": "boolean", "date": "date",
         "datetime": "timestamptz"}


def compiled(expression: str, values: dict[str, object]) -> tuple[Any, str, list[object]]:
    """The checked formula, its SQL with fields bound as typed parameters, and the args."""
    checked = check(expression, gen.FIELDS)
    args: list[object] = []

    def bind(value: object, cast: str = "") -> str:
        args.append(value)
        return f"${len(args)}{cast}"

    sql = to_sql(checked, lambda name: bind(values[name], f"::{CASTS[gen.FIELDS[name]]}"), bind)
    return checked, sql, args


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
async def test_postgresql_and_python_agree(owner_db: asyncpg.Connection, data: Any) -> None:
    type_ = data.draw(st.sampled_from(TYPES), label="type")
    expression = data.draw(gen.expressions(type_), label="expression")
    values = data.draw(gen.values(), label="values")
    checked, sql, args = compiled(expression, values)
    assert checked.type == type_
    now = await owner_db.fetchval("SELECT now()")  # TODAY() and NOW() never generated; fixed
    assert await owner_db.fetchval(f"SELECT {sql}", *args) == evaluate(checked, values, now=now)


@pytest.mark.parametrize("expression", ['UPPER(MIN("é"))', 'LOWER(MAX("É", "Ä"))',
                                        'UPPER(MIN("é")) & LOWER(MAX("Ä"))',
                                        'IF(MIN("b", "a") < "é", UPPER(MIN("é")), "x")'])
async def test_the_case_of_a_text_min_or_max(owner_db: asyncpg.Connection,
                                             expression: str) -> None:
    """MIN and MAX compare text by code point; what they give is cased as any other text."""
    values = dict.fromkeys(gen.FIELDS)
    checked, sql, args = compiled(expression, values)
    assert await owner_db.fetchval(f"SELECT {sql}", *args) == evaluate(checked, values,
                                                                       now=None)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
async def test_deterministic_formulas_can_be_indexed(owner_db: asyncpg.Connection,
                                                     data: Any) -> None:
    type_ = data.draw(st.sampled_from(TYPES), label="type")
    expression = data.draw(gen.expressions(type_, depth=3), label="expression")
    checked = check(expression, gen.FIELDS)
    # An index cannot hold parameters: constants are written as literals here, as the
    # field-index DDL does with metadata names.
    sql = to_sql(checked, lambda name: f'"{name}"',
                 lambda value: "'" + str(value).replace("'", "''") + "'")
    columns = ", ".join(f'"{name}" {CASTS[t]}' for name, t in gen.FIELDS.items())
    async with owner_db.transaction():
        await owner_db.execute(f"CREATE TEMP TABLE scratch ({columns}) ON COMMIT DROP")
        await owner_db.execute(f"CREATE INDEX ON scratch (({sql}))")


# The rules docs/API.md states, pinned: each expression gives `expected` in PostgreSQL and in
# Python (fields: n1 = 7.5, n2 = null, t1 = " Ab ", d1 = 2024-01-31, b1 = null).
PINNED_VALUES: dict[str, object] = {
    "n1": Decimal("7.5"), "n2": None, "t1": " Ab ", "t2": None, "d1": date(2024, 1, 31),
    "d2": None, "ts1": datetime(2024, 3, 10, 23, 30, tzinfo=UTC), "b1": None,
}
PINNED: list[tuple[str, object]] = [
    ("ROUND(2.5)", Decimal(3)), ("ROUND(-2.5)", Decimal(-3)), ("ROUND(0.125, 2)", Decimal("0.13")),
    ("ROUND(1250, -2)", Decimal(1300)), ("2 / 3", Decimal("0.6666666666")),
    ("-2 / 3", Decimal("-0.6666666666")), ("1 / 0", None), ("1 % 0", None),
    ("-7 % 3", Decimal(-1)), ("7 % -3", Decimal(1)), ("{n1} + {n2}", None),
    ('"a" & {n2} & {b1} & 1.50', "a1.5"), ('CONCAT({t2}, "x", TRUE)', "xtrue"),
    ("IF({b1}, 1, 2)", Decimal(2)), ("IF({b1}, 1)", None), ("{n2} = {n2}", None),
    ("{b1} OR TRUE", True), ("{b1} AND FALSE", False), ("NOT {b1}", None),
    ('"B" < "a"', True), ('"a" < "é"', True), ("MIN({n2}, 3, {n1})", Decimal(3)),
    ("MAX({n2})", None), ('COALESCE({t2}, "-")', "-"), ("LEN({t1})", Decimal(4)),
    ("TRIM({t1})", "Ab"), ("LEFT({t1}, -1)", " Ab"), ("RIGHT({t1}, -1)", "Ab "),
    ("RIGHT({t1}, 0)", ""), ("LEFT({t1}, 2.5)", " Ab"), ('UPPER("éß")', "Éß"),
    ('DATEADD({d1}, 1, "months")', date(2024, 2, 29)),
    ('DATEADD({d1}, 1, "hours")', datetime(2024, 1, 31, 1, tzinfo=UTC)),
    ('DATEDIFF({ts1}, {d1}, "months")', Decimal(2)),
    ('DATEDIFF({d1}, {ts1}, "days")', Decimal(-39)),
    ('DATEDIFF({ts1}, DATEADD({ts1}, -1, "seconds"), "minutes")', Decimal(1)),
    ("{d1} + 1", date(2024, 2, 1)), ("{d1} - DATEADD({d1}, 1, \"weeks\")", Decimal(-7)),
    ("YEAR({ts1}) * 100 + MONTH({ts1})", Decimal(202403)),
    # Date steps stop at years 1 and 9999 rather than fail (PostgreSQL's range ends elsewhere)
    ('DATEADD(DATEADD(DATEADD({d1}, -2700, "years"), -2700, "years"), 2, "days")',
     date(1, 1, 3)),
    ('DATEADD(DATEADD(DATEADD({d1}, 2700, "years"), 2700, "years"), 2700, "years")',
     date(9999, 12, 31)),
    ("{d1} + 1000000 + 1000000 + 1000000 - 1000000", date(9999, 12, 31) - timedelta(1000000)),
    ('DATEADD(DATEADD(DATEADD({ts1}, 2700, "years"), 2700, "years"), 2700, "years")',
     datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
    ('DATEADD({d2}, 1, "days")', None), ("{d2} - 1", None), ('DATEADD({d2}, 1, "hours")', None),
    ('DATEADD(DATEADD({ts1}, -2700, "years"), -2000000000, "seconds")',
     datetime(1, 1, 1, tzinfo=UTC)),
    ('DATEADD({d1}, -24000000, "hours")', datetime(1, 1, 1, tzinfo=UTC)),
]


@pytest.mark.parametrize(("expression", "expected"), PINNED)
async def test_pinned_semantics(owner_db: asyncpg.Connection, expression: str,
                                expected: object) -> None:
    checked, sql, args = compiled(expression, PINNED_VALUES)
    assert evaluate(checked, PINNED_VALUES) == expected
    assert await owner_db.fetchval(f"SELECT {sql}", *args) == expected


CLOCK = ["TODAY()", "NOW()", 'DATEDIFF(NOW(), DATEADD(TODAY(), 1, "days"), "minutes")',
         'YEAR(TODAY()) = YEAR(NOW())']


# 26 hours apart: at any moment, at least one of them is on another date than UTC.
@pytest.mark.parametrize("zone", ["Etc/GMT-14", "Etc/GMT+12"])
@pytest.mark.parametrize("expression", CLOCK)
async def test_today_and_now_read_the_transaction_clock_in_utc(owner_db: asyncpg.Connection,
                                                                expression: str,
                                                                zone: str) -> None:
    checked, sql, args = compiled(expression, PINNED_VALUES)
    async with owner_db.transaction():
        await owner_db.execute(f"SET LOCAL TimeZone = '{zone}'")
        now, value = await owner_db.fetchrow(f"SELECT now(), {sql}", *args)
    assert checked.deterministic is False
    assert value == evaluate(checked, PINNED_VALUES, now=now)


@pytest.mark.parametrize("expression", CLOCK)
async def test_an_index_refuses_what_check_calls_non_deterministic(
        owner_db: asyncpg.Connection, expression: str) -> None:
    sql = to_sql(check(expression, gen.FIELDS), lambda name: name, lambda value: "'1'")
    with pytest.raises(asyncpg.InvalidObjectDefinitionError,
                       match="functions in index expression must be marked IMMUTABLE"):
        async with owner_db.transaction():
            await owner_db.execute("CREATE TEMP TABLE clock (d1 date) ON COMMIT DROP")
            await owner_db.execute(f"CREATE INDEX ON clock (({sql}))")


@pytest.mark.parametrize(("expression", "text"), [
    ("1000 * 30 / 100", "300"), ("1 / 4", "0.25"), ("2 / 3", "0.6666666666"), ("0 / 7", "0")])
async def test_a_quotient_has_no_trailing_zeros(owner_db: asyncpg.Connection, expression: str,
                                               text: str) -> None:
    checked, sql, args = compiled(expression, PINNED_VALUES)
    assert str(evaluate(checked, PINNED_VALUES)) == text
    assert str(await owner_db.fetchval(f"SELECT {sql}", *args)) == text
