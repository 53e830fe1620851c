"""Golden tests of the formula language's parser and SQL compiler: every operator and function
as (expression → SQL, params), and every kind of syntax error with its message and position.
`column` renders a field as c.<name>; `param` numbers the constants it is given."""

from __future__ import annotations

from decimal import Decimal

import pytest

from objectry.formula import FormulaInvalid, FormulaProblem, check, to_sql
from objectry.formula.nodes import FormulaType

FIELDS: dict[str, FormulaType] = {
    "n": "number", "m": "number", "t": "text", "u": "text", "d": "date", "e": "date",
    "ts": "datetime", "b": "boolean",
}


def compile_(expression: str) -> tuple[str, list[object]]:
    params: list[object] = []

    def param(value: object) -> str:
        params.append(value)
        return f"${len(params)}"

    return to_sql(check(expression, FIELDS), lambda name: f"c.{name}", param), params


@pytest.mark.parametrize(("expression", "sql", "params"), [
    ('{n} + {m}',
     '((c.n) + (c.m))',
     []),
    ('{n} - {m}',
     '((c.n) - (c.m))',
     []),
    ('{n} * {m}',
     '((c.n) * (c.m))',
     []),
    ('{n} / {m}',
     'trim_scale(div((c.n) * 10000000000, NULLIF((c.m), 0)) * 0.0000000001)',
     []),
    ('{n} % {m}',
     'mod((c.n), NULLIF((c.m), 0))',
     []),
    ('-{n}',
     '(- (c.n))',
     []),
    ('{n} - -1.5',
     '((c.n) - (- ($1::numeric)))',
     [Decimal('1.5')]),
    ('{t} & {n} & {b}',
     "(coalesce((c.t), '') || coalesce(trim_scale((c.n))::text, '') || coalesce((c.b)::text, ''))",
     []),
    ('{t} & "x"',
     "(coalesce((c.t), '') || coalesce(($1::text), ''))",
     ['x']),
    ('{n} = {m}',
     '((c.n) = (c.m))',
     []),
    ('{n} != {m}',
     '((c.n) <> (c.m))',
     []),
    ('{n} <> {m}',
     '((c.n) <> (c.m))',
     []),
    ('{n} < {m}',
     '((c.n) < (c.m))',
     []),
    ('{n} <= {m}',
     '((c.n) <= (c.m))',
     []),
    ('{n} > {m}',
     '((c.n) > (c.m))',
     []),
    ('{n} >= {m}',
     '((c.n) >= (c.m))',
     []),
    ('{t} = {u}',
     '((c.t) COLLATE "C" = (c.u) COLLATE "C")',
     []),
    ('{t} < "b"',
     '((c.t) COLLATE "C" < ($1::text) COLLATE "C")',
     ['b']),
    ('{d} < {ts}',
     "(((c.d)::timestamp AT TIME ZONE 'UTC') < (c.ts))",
     []),
    ('{b} AND {n} > 1',
     '((c.b) AND ((c.n) > ($1::numeric)))',
     [Decimal('1')]),
    ('{b} OR NOT {b}',
     '((c.b) OR (NOT (c.b)))',
     []),
    ('TRUE',
     'TRUE',
     []),
    ('false',
     'FALSE',
     []),
    ('"it\'s"',
     '($1::text)',
     ["it's"]),
    ('\'say "hi"\'',
     '($1::text)',
     ['say "hi"']),
    ('IF({b}, {n}, 0)',
     'CASE WHEN (c.b) THEN (c.n) ELSE ($1::numeric) END',
     [Decimal('0')]),
    ('IF({b}, "yes")',
     'CASE WHEN (c.b) THEN ($1::text) END',
     ['yes']),
    ('IF({b}, {d}, {ts})',
     "CASE WHEN (c.b) THEN ((c.d)::timestamp AT TIME ZONE 'UTC') ELSE (c.ts) END",
     []),
    ('AND({b}, TRUE, FALSE)',
     '((c.b) AND TRUE AND FALSE)',
     []),
    ('or({b})',
     '((c.b))',
     []),
    ('NOT({b})',
     '(NOT (c.b))',
     []),
    ('CONCAT({t}, " ", {n}, {b})',
     "(coalesce((c.t), '') || coalesce(($1::text), '') || coalesce(trim_scale((c.n))::text, "
     "'') || coalesce((c.b)::text, ''))",
     [' ']),
    ('UPPER({t})',
     'upper((c.t))',
     []),
    ('LOWER({t})',
     'lower((c.t))',
     []),
    ('TRIM({t})',
     "btrim((c.t), ' ')",
     []),
    ('LEN({t})',
     'char_length((c.t))::numeric',
     []),
    ('LEFT({t}, 3)',
     'left((c.t), LEAST(GREATEST(round(($1::numeric)), -1000000), 1000000)::int)',
     [Decimal('3')]),
    ('RIGHT({t}, {n})',
     'right((c.t), LEAST(GREATEST(round((c.n)), -1000000), 1000000)::int)',
     []),
    ('ROUND({n})',
     'round((c.n))',
     []),
    ('ROUND({n}, 2)',
     'round((c.n), LEAST(GREATEST(round(($1::numeric)), -100), 100)::int)',
     [Decimal('2')]),
    ('FLOOR({n})',
     'floor((c.n))',
     []),
    ('CEIL({n})',
     'ceil((c.n))',
     []),
    ('ABS({n})',
     'abs((c.n))',
     []),
    ('MIN({n}, {m}, 0)',
     'LEAST((c.n), (c.m), ($1::numeric))',
     [Decimal('0')]),
    ('MAX({t}, {u})',
     '(GREATEST((c.t) COLLATE "C", (c.u) COLLATE "C") COLLATE "default")',
     []),
    ('MIN({d}, {ts})',
     "LEAST(((c.d)::timestamp AT TIME ZONE 'UTC'), (c.ts))",
     []),
    ('COALESCE({t}, "")',
     'COALESCE((c.t), ($1::text))',
     ['']),
    ('TODAY()',
     "(now() AT TIME ZONE 'UTC')::date",
     []),
    ('NOW()',
     'now()',
     []),
    ('DATEADD({d}, 1, "days")',
     'date_smaller(date_larger((c.d) + LEAST(GREATEST(round(($1::numeric)), -1000000), '
     '1000000)::int, make_date(1, 1, 1)), make_date(9999, 12, 31))',
     [Decimal('1')]),
    ('DATEADD({d}, 2, "weeks")',
     'date_smaller(date_larger((c.d) + LEAST(GREATEST(round(($1::numeric)), -150000), '
     '150000)::int * 7, make_date(1, 1, 1)), make_date(9999, 12, 31))',
     [Decimal('2')]),
    ('DATEADD({d}, 1, "months")',
     'date_smaller(date_larger(((c.d) + make_interval(months => '
     'LEAST(GREATEST(round(($1::numeric)), -33000), 33000)::int))::date, make_date(1, 1, '
     '1)), make_date(9999, 12, 31))',
     [Decimal('1')]),
    ('DATEADD({d}, 1, "years")',
     'date_smaller(date_larger(((c.d) + make_interval(years => '
     'LEAST(GREATEST(round(($1::numeric)), -2700), 2700)::int))::date, make_date(1, 1, 1)), '
     'make_date(9999, 12, 31))',
     [Decimal('1')]),
    ('DATEADD({d}, 3, "hours")',
     "timestamptz_smaller(timestamptz_larger(((((c.d)::timestamp AT TIME ZONE 'UTC') AT "
     "TIME ZONE 'UTC') + make_interval(hours => LEAST(GREATEST(round(($1::numeric)), "
     "-24000000), 24000000)::int)) AT TIME ZONE 'UTC', (make_timestamp(1, 1, 1, 0, 0, 0) AT "
     "TIME ZONE 'UTC')), (make_timestamp(9999, 12, 31, 23, 59, 59.999999) AT TIME ZONE "
     "'UTC'))",
     [Decimal('3')]),
    ('DATEADD({ts}, 1, "days")',
     "timestamptz_smaller(timestamptz_larger((((c.ts) AT TIME ZONE 'UTC') + "
     'make_interval(days => LEAST(GREATEST(round(($1::numeric)), -1000000), 1000000)::int)) '
     "AT TIME ZONE 'UTC', (make_timestamp(1, 1, 1, 0, 0, 0) AT TIME ZONE 'UTC')), "
     "(make_timestamp(9999, 12, 31, 23, 59, 59.999999) AT TIME ZONE 'UTC'))",
     [Decimal('1')]),
    ('DATEADD({ts}, 1, "minutes")',
     "timestamptz_smaller(timestamptz_larger((((c.ts) AT TIME ZONE 'UTC') + "
     'make_interval(mins => LEAST(GREATEST(round(($1::numeric)), -1440000000), '
     "1440000000)::int)) AT TIME ZONE 'UTC', (make_timestamp(1, 1, 1, 0, 0, 0) AT TIME ZONE "
     "'UTC')), (make_timestamp(9999, 12, 31, 23, 59, 59.999999) AT TIME ZONE 'UTC'))",
     [Decimal('1')]),
    ('DATEADD({ts}, 1, "seconds")',
     "timestamptz_smaller(timestamptz_larger((((c.ts) AT TIME ZONE 'UTC') + "
     'make_interval(secs => LEAST(GREATEST(round(($1::numeric)), -2000000000), '
     "2000000000)::int)) AT TIME ZONE 'UTC', (make_timestamp(1, 1, 1, 0, 0, 0) AT TIME ZONE "
     "'UTC')), (make_timestamp(9999, 12, 31, 23, 59, 59.999999) AT TIME ZONE 'UTC'))",
     [Decimal('1')]),
    ('DATEDIFF({d}, {e}, "days")',
     '((c.d) - (c.e))::numeric',
     []),
    ('DATEDIFF({d}, {e}, "weeks")',
     '(((c.d) - (c.e)) / 7)::numeric',
     []),
    ('DATEDIFF({d}, {e}, "months")',
     '((extract(year from (c.d)) - extract(year from (c.e))) * 12 + extract(month from '
     '(c.d)) - extract(month from (c.e)))',
     []),
    ('DATEDIFF({d}, {e}, "years")',
     '(extract(year from (c.d)) - extract(year from (c.e)))',
     []),
    ('DATEDIFF({ts}, {d}, "days")',
     "(((c.ts) AT TIME ZONE 'UTC')::date - (c.d))::numeric",
     []),
    ('DATEDIFF({ts}, {d}, "hours")',
     "div(extract(epoch from date_trunc('hour', (c.ts) AT TIME ZONE 'UTC')) - extract(epoch "
     "from date_trunc('hour', ((c.d)::timestamp AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')), "
     '3600)',
     []),
    ('DATEDIFF({ts}, {ts}, "minutes")',
     "div(extract(epoch from date_trunc('minute', (c.ts) AT TIME ZONE 'UTC')) - "
     "extract(epoch from date_trunc('minute', (c.ts) AT TIME ZONE 'UTC')), 60)",
     []),
    ('DATEDIFF({ts}, {ts}, "seconds")',
     "div(extract(epoch from date_trunc('second', (c.ts) AT TIME ZONE 'UTC')) - "
     "extract(epoch from date_trunc('second', (c.ts) AT TIME ZONE 'UTC')), 1)",
     []),
    ('YEAR({d})',
     'extract(year from (c.d))',
     []),
    ('MONTH({ts})',
     "extract(month from ((c.ts) AT TIME ZONE 'UTC')::date)",
     []),
    ('DAY({d})',
     'extract(day from (c.d))',
     []),
    ('{d} + 7',
     'date_smaller(date_larger((c.d) + LEAST(GREATEST(round(($1::numeric)), -1000000), '
     '1000000)::int, make_date(1, 1, 1)), make_date(9999, 12, 31))',
     [Decimal('7')]),
    ('7 + {d}',
     'date_smaller(date_larger((c.d) + LEAST(GREATEST(round(($1::numeric)), -1000000), '
     '1000000)::int, make_date(1, 1, 1)), make_date(9999, 12, 31))',
     [Decimal('7')]),
    ('{d} - 7',
     'date_smaller(date_larger((c.d) - LEAST(GREATEST(round(($1::numeric)), -1000000), '
     '1000000)::int, make_date(1, 1, 1)), make_date(9999, 12, 31))',
     [Decimal('7')]),
    ('{d} - {e}',
     '((c.d) - (c.e))::numeric',
     []),
    ('1 + 2 * 3',
     '(($1::numeric) + (($2::numeric) * ($3::numeric)))',
     [Decimal('1'), Decimal('2'), Decimal('3')]),
    ('(1 + 2) * 3',
     '((($1::numeric) + ($2::numeric)) * ($3::numeric))',
     [Decimal('1'), Decimal('2'), Decimal('3')]),
    ('{n} - {m} - 1',
     '(((c.n) - (c.m)) - ($1::numeric))',
     [Decimal('1')]),
    ('{n} - ({m} - 1)',
     '((c.n) - ((c.m) - ($1::numeric)))',
     [Decimal('1')]),
])
def test_sql(expression: str, sql: str, params: list[object]) -> None:
    assert compile_(expression) == (sql, params)


@pytest.mark.parametrize(("expression", "problems"), [
    ('', [('the expression is empty', 0, 1, 1)]),
    ('   ', [('the expression is empty', 0, 1, 1)]),
    ('1 +', [('unexpected end of the expression', 3, 1, 4)]),
    ('(1', [('unexpected end of the expression', 2, 1, 3)]),
    ('1)', [("unexpected ')'", 1, 1, 2)]),
    ('"abc', [('unterminated string', 0, 1, 1)]),
    ("'abc", [('unterminated string', 0, 1, 1)]),
    ('{n', [("unterminated field reference: '{' without '}'", 0, 1, 1)]),
    ('{n} # 1', [("unexpected character '#'", 4, 1, 5)]),
    ('f(1,)', [("unexpected ')'", 4, 1, 5)]),
    ('{n} {n}', [("unexpected '{n}'", 4, 1, 5)]),
    ('1 < 2 < 3', [("unexpected '<'", 6, 1, 7)]),
    ('n + 1', [("unexpected 'n': write {n} for a field, or n(…) for a function", 0, 1, 1)]),
    ('IF(,1)', [("unexpected ','", 3, 1, 4)]),
])
def test_syntax_errors(expression: str, problems: list[tuple[str, int, int, int]]) -> None:
    with pytest.raises(FormulaInvalid) as caught:
        check(expression, FIELDS)
    assert caught.value.problems == [FormulaProblem(*p) for p in problems]
