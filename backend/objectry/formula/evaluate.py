"""`evaluate`: the language's semantics in Python, op for op with sql.py — the judge of the
differential test against PostgreSQL, and the admin's live preview. Numbers are Decimal,
computed exactly (no context rounding) as PostgreSQL's numeric does."""

from __future__ import annotations

import calendar
import decimal
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from objectry.formula import limits
from objectry.formula.check import Checked
from objectry.formula.nodes import Typed
from objectry.formula.sql import QUOTIENT_DIGITS

# Exact + - * %: a precision no result reaches, so nothing is rounded behind our back.
EXACT = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN,
                        rounding=ROUND_HALF_UP, traps=[decimal.InvalidOperation])
Op = Callable[..., Any]
_FIRST_TIME, _LAST_TIME = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)


def evaluate(checked: Checked, values: Mapping[str, object], *,
             now: datetime | None = None) -> object:
    """The value of `checked` for a record whose fields have `values` (missing = null).
    `now` fixes TODAY() and NOW() (default: the current time)."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return _eval(checked.tree, values, moment)


def _eval(node: Typed, values: Mapping[str, object], now: datetime) -> Any:
    if node.op == "literal":
        return node.value
    if node.op == "field":
        return _normal(node.type, values.get(str(node.value)))
    if node.op in _LAZY:
        return _LAZY[node.op](node, [_eval(a, values, now) for a in node.args])
    if node.op in ("TODAY", "NOW"):
        return now.date() if node.op == "TODAY" else now
    args = [_eval(a, values, now) for a in node.args]
    if any(a is None for a in args):
        return None  # strict ops: any null argument gives null, as in SQL
    return _STRICT[node.op](node, *args)


def _normal(type_: str, value: object) -> object:
    """A field's value as the evaluator computes with it: Python values pass (ints and floats
    become Decimal, datetimes UTC), and so do JSON ones as records store them (ISO 8601
    strings for dates and datetimes), for a preview computed from a record's data."""
    if value is None or isinstance(value, bool):
        return value
    if type_ == "number" and isinstance(value, int | float | str):
        return Decimal(str(value))
    if type_ == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    if type_ == "datetime" and isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    return value


def count(value: Decimal, bound: int) -> int:
    """sql.count: rounded half away from zero, held within ±bound."""
    return max(-bound, min(bound, int(value.to_integral_value(ROUND_HALF_UP))))


def _divide(node: Typed, a: Decimal, b: Decimal) -> Decimal | None:
    if b == 0:
        return None
    quotient = int(Fraction(a) * 10 ** QUOTIENT_DIGITS / Fraction(b))  # int() truncates
    return _trim_scale(Decimal(quotient).scaleb(-QUOTIENT_DIGITS, EXACT))


def _trim_scale(number: Decimal) -> Decimal:
    """PostgreSQL's trim_scale: no trailing fractional zeros (and no exponent: 300, not 3E+2)."""
    trimmed = number.normalize(EXACT)
    return trimmed.quantize(Decimal(1)) if trimmed == trimmed.to_integral_value() else trimmed


def _modulo(node: Typed, a: Decimal, b: Decimal) -> Decimal | None:
    return None if b == 0 else EXACT.remainder(a, b)  # the dividend's sign, as mod()


def _text(number: Decimal) -> str:
    """trim_scale(n)::text: no exponent, no trailing zeros, no '-0'."""
    return "0" if number == 0 else format(_trim_scale(number), "f")


def _compare(test: Callable[[Any, Any], bool]) -> Op:
    return lambda node, a, b: test(a, b)


def _logic(node: Typed, args: list[bool | None]) -> bool | None:
    decisive = node.op == "OR"  # OR is decided by a true, AND by a false
    if decisive in args:
        return decisive
    return None if None in args else not decisive


def _if(node: Typed, args: list[Any]) -> Any:
    return args[1] if args[0] is True else (args[2] if len(args) == 3 else None)


def _extreme(node: Typed, args: list[Any]) -> Any:
    present = [a for a in args if a is not None]  # LEAST/GREATEST skip nulls
    return (min if node.op == "MIN" else max)(present) if present else None


def _right(node: Typed, text: str, n: Decimal) -> str:
    length = count(n, limits.MAX_LENGTH)
    return "" if length == 0 else text[-length:]


def _round(node: Typed, x: Decimal, digits: Decimal = Decimal(0)) -> Decimal:
    places = count(digits, limits.MAX_DIGITS)
    return x.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP, EXACT)


def _add_months(day: date, months: int) -> date | None:
    """PostgreSQL's date + interval 'n months': the same day, or the month's last day; None
    past years 1-9999 (the caller saturates: a date to its end, a datetime to its end)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    if not 1 <= year <= 9999:
        return None
    return day.replace(year=year, month=month + 1,
                       day=min(day.day, calendar.monthrange(year, month + 1)[1]))


def _add_days(day: date, days: int) -> date:
    ordinal = min(max(day.toordinal() + days, 1), date.max.toordinal())
    return date.fromordinal(ordinal)


def _add_time(moment: datetime, step: timedelta) -> datetime:
    """sql.within_years for datetimes: a step past years 1-9999 stops at their ends."""
    if step > _LAST_TIME - moment:
        return _LAST_TIME
    return _FIRST_TIME if -step > moment - _FIRST_TIME else moment + step


def _dateadd(node: Typed, when: date, amount: Decimal) -> date:
    unit = str(node.value)
    n = count(amount, limits.MAX_AMOUNT[unit])
    if unit in ("months", "years"):
        months = n * (12 if unit == "years" else 1)
        moved = _add_months(when.date() if isinstance(when, datetime) else when, months)
        if isinstance(when, datetime):
            if moved is None:
                return _FIRST_TIME if months < 0 else _LAST_TIME
            return datetime.combine(moved, when.timetz())
        return moved or (date.min if months < 0 else date.max)
    if isinstance(when, datetime):
        return _add_time(when, timedelta(**{unit: n}))
    return _add_days(when, n * (7 if unit == "weeks" else 1))


def _datediff(node: Typed, later: Any, earlier: Any) -> Decimal:
    unit = str(node.value)
    if unit in ("days", "weeks"):
        days = (later - earlier).days
        return Decimal(days if unit == "days" else int(Fraction(days, 7)))  # toward zero
    if unit in ("months", "years"):
        months = (later.year - earlier.year) * 12 + later.month - earlier.month
        return Decimal(later.year - earlier.year if unit == "years" else months)
    step = timedelta(**{unit: 1})
    # date_trunc floors to the unit; so does floor division of the time since any instant.
    return Decimal((later - _FIRST_TIME) // step - (earlier - _FIRST_TIME) // step)


def _date_plus(node: Typed, day: date, n: Decimal) -> date:
    return _add_days(day, count(n, limits.MAX_AMOUNT["days"]) * (
        1 if node.op == "date+days" else -1))


# Ops that see null arguments themselves; every other op is strict (null in → null out).
_LAZY: dict[str, Callable[[Typed, list[Any]], Any]] = {
    "&": lambda node, args: "".join("" if a is None else a for a in args),
    "AND": _logic, "OR": _logic, "IF": _if,
    "MIN": _extreme, "MAX": _extreme,
    "COALESCE": lambda node, args: next((a for a in args if a is not None), None),
}
_STRICT: dict[str, Op] = {
    "neg": lambda node, a: EXACT.minus(a),
    "+": lambda node, a, b: EXACT.add(a, b),
    "-": lambda node, a, b: EXACT.subtract(a, b),
    "*": lambda node, a, b: EXACT.multiply(a, b),
    "/": _divide, "%": _modulo,
    "date+days": _date_plus, "date-days": _date_plus,
    "date-date": lambda node, a, b: Decimal((a - b).days),
    "=": _compare(lambda a, b: a == b), "!=": _compare(lambda a, b: a != b),
    "<": _compare(lambda a, b: a < b), "<=": _compare(lambda a, b: a <= b),
    ">": _compare(lambda a, b: a > b), ">=": _compare(lambda a, b: a >= b),
    "NOT": lambda node, a: not a,
    "UPPER": lambda node, s: "".join(_simple_case(c, str.upper) for c in s),
    "LOWER": lambda node, s: "".join(_simple_case(c, str.lower) for c in s),
    "TRIM": lambda node, s: s.strip(" "),
    "LEN": lambda node, s: Decimal(len(s)),
    "LEFT": lambda node, s, n: s[:count(n, limits.MAX_LENGTH)],
    "RIGHT": _right,
    "ROUND": _round,
    "FLOOR": lambda node, x: x.to_integral_value(ROUND_FLOOR, EXACT),
    "CEIL": lambda node, x: x.to_integral_value(ROUND_CEILING, EXACT),
    "ABS": lambda node, x: EXACT.abs(x),
    "DATEADD": _dateadd, "DATEDIFF": _datediff,
    "YEAR": lambda node, d: Decimal(d.year), "MONTH": lambda node, d: Decimal(d.month),
    "DAY": lambda node, d: Decimal(d.day),
    "date→datetime": lambda node, d: datetime(d.year, d.month, d.day, tzinfo=UTC),
    "datetime→date": lambda node, t: t.astimezone(UTC).date(),
    "number→text": lambda node, n: _text(n),
    "boolean→text": lambda node, b: "true" if b else "false",
}


def _simple_case(char: str, mapping: Callable[[str], str]) -> str:
    """One character's simple case mapping, as PostgreSQL's upper()/lower() apply per
    character (Python's str.upper() would turn 'ß' into 'SS')."""
    mapped = mapping(char)
    return mapped if len(mapped) == 1 else char
