"""`to_sql`: a checked formula as SQL text over typed column expressions and bound
parameters. One renderer per op (the table at the end). Deterministic formulas render to
IMMUTABLE SQL only — no now(), no TimeZone/DateStyle/locale-dependent cast or function — so an
expression index can be built on them; every date/time step goes through UTC explicitly."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from objectry.formula import limits
from objectry.formula.check import Checked
from objectry.formula.nodes import BOOLEAN, TEXT, Typed

Column = Callable[[str], str]
Param = Callable[[object], str]
Renderer = Callable[[Typed, list[str]], str]

QUOTIENT_DIGITS = 10  # a quotient is truncated toward zero at 10 decimal places (docs/API.md)
_SCALE = 10 ** QUOTIENT_DIGITS
_STEP = f"{Decimal(1).scaleb(-QUOTIENT_DIGITS):f}"  # 0.0000000001
_UTC = "'UTC'"
# make_date/make_timestamp are IMMUTABLE (a '0001-01-01'::date literal goes through DateStyle).
_FIRST_DATE, _LAST_DATE = "make_date(1, 1, 1)", "make_date(9999, 12, 31)"
_FIRST_TIME = f"(make_timestamp(1, 1, 1, 0, 0, 0) AT TIME ZONE {_UTC})"
_LAST_TIME = f"(make_timestamp(9999, 12, 31, 23, 59, 59.999999) AT TIME ZONE {_UTC})"


def to_sql(checked: Checked, column: Column, param: Param) -> str:
    """SQL for the value of `checked`, typed text/numeric/boolean/date/timestamptz.
    `column(name)` renders a referenced field; `param(value)` binds a constant (str or
    Decimal) and returns its placeholder. For an index's DDL, `param` may return a literal
    instead: a query binding the same constants still matches the index in a custom plan,
    where PostgreSQL folds them to the same constants."""
    return _render(checked.tree, column, param)


def _render(node: Typed, column: Column, param: Param) -> str:
    if node.op == "literal":
        return _literal(node, param)
    if node.op == "field":
        return f"({column(str(node.value))})"
    return RENDERERS[node.op](node, [_render(arg, column, param) for arg in node.args])


def _literal(node: Typed, param: Param) -> str:
    if node.type == BOOLEAN:
        return "TRUE" if node.value else "FALSE"
    assert isinstance(node.value, str | Decimal)
    return f"({param(node.value)}::{'text' if node.type == TEXT else 'numeric'})"


def count(sql: str, bound: int) -> str:
    """A number as an int4 count: rounded half away from zero, held within ±bound."""
    return f"LEAST(GREATEST(round({sql}), -{bound}), {bound})::int"


def _infix(operator: str) -> Renderer:
    def render(node: Typed, args: list[str]) -> str:
        if node.op in _COMPARED and node.args[0].type == TEXT:
            args = [f'{a} COLLATE "C"' for a in args]  # byte order = Python's code points
        return "(" + f" {operator} ".join(args) + ")"
    return render


def _call(function: str) -> Renderer:
    def render(node: Typed, args: list[str]) -> str:
        if node.type == TEXT and node.op in ("MIN", "MAX"):
            # Compared by code point, as Python compares; the result goes on in the database's
            # collation, as any other text: under "C", UPPER(MIN("é")) left the "é" as it was.
            compared = ", ".join(f'{a} COLLATE "C"' for a in args)
            return f'({function}({compared}) COLLATE "default")'
        return f"{function}({', '.join(args)})"
    return render


def _if(node: Typed, args: list[str]) -> str:
    otherwise = f" ELSE {args[2]}" if len(args) == 3 else ""
    return f"CASE WHEN {args[0]} THEN {args[1]}{otherwise} END"


def within_years(node: Typed, sql: str) -> str:
    """A computed date or datetime held within years 1-9999 (limits.py): from stored values in
    that range, one bounded step cannot leave PostgreSQL's range, so nested steps never raise."""
    # Not LEAST/GREATEST: they skip nulls, and a null date must stay null. These are strict.
    if node.type == "date":
        return f"date_smaller(date_larger({sql}, {_FIRST_DATE}), {_LAST_DATE})"
    return f"timestamptz_smaller(timestamptz_larger({sql}, {_FIRST_TIME}), {_LAST_TIME})"


def _dateadd(node: Typed, args: list[str]) -> str:
    unit = str(node.value)
    amount = count(args[1], limits.MAX_AMOUNT[unit])
    if node.type == "date":
        if unit in ("days", "weeks"):
            return within_years(node, f"{args[0]} + {amount}{' * 7' if unit == 'weeks' else ''}")
        return within_years(node, f"({args[0]} + make_interval({unit} => {amount}))::date")
    field = {"minutes": "mins", "seconds": "secs"}.get(unit, unit)
    return within_years(node, f"(({args[0]} AT TIME ZONE {_UTC}) + make_interval({field} => "
                              f"{amount})) AT TIME ZONE {_UTC}")


def _datediff(node: Typed, args: list[str]) -> str:
    later, earlier = args
    unit = str(node.value)
    if unit == "days":
        return f"({later} - {earlier})::numeric"
    if unit == "weeks":  # int4 division truncates toward zero
        return f"(({later} - {earlier}) / 7)::numeric"
    if unit == "years":
        return f"(extract(year from {later}) - extract(year from {earlier}))"
    if unit == "months":
        return (f"((extract(year from {later}) - extract(year from {earlier})) * 12"
                f" + extract(month from {later}) - extract(month from {earlier}))")
    # Clock units count the hour/minute/second boundaries crossed, in UTC.
    part, seconds = {"hours": ("hour", 3600), "minutes": ("minute", 60)}.get(unit, ("second", 1))
    def epoch(sql: str) -> str:
        return f"extract(epoch from date_trunc('{part}', {sql} AT TIME ZONE {_UTC}))"
    return f"div({epoch(later)} - {epoch(earlier)}, {seconds})"


def _template(text: str) -> Renderer:
    return lambda node, args: text.format(*args)


_COMPARED = frozenset({"=", "!=", "<", "<=", ">", ">="})
RENDERERS: dict[str, Renderer] = {
    "neg": _template("(- {0})"),
    "+": _infix("+"), "-": _infix("-"), "*": _infix("*"),
    # Exact on both sides: div() truncates the exact quotient; Python does the same (Fraction).
    # trim_scale: 300, not 300.0000000000.
    "/": _template(f"trim_scale(div({{0}} * {_SCALE}, NULLIF({{1}}, 0)) * {_STEP})"),
    "%": _template("mod({0}, NULLIF({1}, 0))"),
    "date+days": lambda node, args: within_years(
        node, f"{args[0]} + {count(args[1], limits.MAX_AMOUNT['days'])}"),
    "date-days": lambda node, args: within_years(
        node, f"{args[0]} - {count(args[1], limits.MAX_AMOUNT['days'])}"),
    "date-date": _template("({0} - {1})::numeric"),
    "&": lambda node, args: "(" + " || ".join(f"coalesce({a}, '')" for a in args) + ")",
    "=": _infix("="), "!=": _infix("<>"), "<": _infix("<"), "<=": _infix("<="),
    ">": _infix(">"), ">=": _infix(">="),
    "AND": _infix("AND"), "OR": _infix("OR"), "NOT": _template("(NOT {0})"),
    "IF": _if,
    "UPPER": _call("upper"), "LOWER": _call("lower"), "TRIM": _template("btrim({0}, ' ')"),
    "LEN": _template("char_length({0})::numeric"),
    "LEFT": lambda node, args: f"left({args[0]}, {count(args[1], limits.MAX_LENGTH)})",
    "RIGHT": lambda node, args: f"right({args[0]}, {count(args[1], limits.MAX_LENGTH)})",
    "ROUND": lambda node, args: (f"round({args[0]}, {count(args[1], limits.MAX_DIGITS)})"
                                 if len(args) == 2 else f"round({args[0]})"),
    "FLOOR": _call("floor"), "CEIL": _call("ceil"), "ABS": _call("abs"),
    "MIN": _call("LEAST"), "MAX": _call("GREATEST"), "COALESCE": _call("COALESCE"),
    "TODAY": _template(f"(now() AT TIME ZONE {_UTC})::date"),
    "NOW": _template("now()"),
    "DATEADD": _dateadd, "DATEDIFF": _datediff,
    "YEAR": _template("extract(year from {0})"), "MONTH": _template("extract(month from {0})"),
    "DAY": _template("extract(day from {0})"),
    "date→datetime": _template(f"({{0}}::timestamp AT TIME ZONE {_UTC})"),
    "datetime→date": _template(f"({{0}} AT TIME ZONE {_UTC})::date"),
    "number→text": _template("trim_scale({0})::text"),
    "boolean→text": _template("{0}::text"),
}
