"""The function table: each function's name, how many arguments it takes and the rule that
types its arguments and result. Adding a function = a row here, a row in sql.py's and
evaluate.py's tables, and golden tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from objectry.formula.nodes import (
    BOOLEAN,
    DATE,
    DATETIME,
    NUMBER,
    TEXT,
    FormulaType,
    Syntax,
    Typed,
)
from objectry.formula.types import ANY, ARTICLE, TO_TEXT, convert, describe, unify

DATE_UNITS = ("days", "weeks", "months", "years")
TIME_UNITS = ("hours", "minutes", "seconds")
UNITS = DATE_UNITS + TIME_UNITS
ORDERED = (NUMBER, TEXT, DATE, DATETIME)  # the types MIN and MAX compare


class Problems(Protocol):
    """What a rule needs from the checker: a way to report a problem at a node."""

    def problem(self, node: Syntax, message: str) -> None: ...


Rule = Callable[[Problems, Syntax, list[Typed]], Typed | None]


@dataclass(frozen=True)
class Function:
    min_args: int
    max_args: int | None  # None: variadic
    rule: Rule
    deterministic: bool = True


def _expect(p: Problems, call: Syntax, args: list[Typed], index: int,
            *allowed: FormulaType) -> Typed | None:
    """Argument `index` converted to the first of `allowed` it can be, or a problem."""
    for type_ in allowed:
        converted = convert(args[index], type_)
        if converted is not None:
            return converted
    wanted = " or ".join(ARTICLE[t] for t in allowed)
    p.problem(call.args[index], f"{call.value} expects {wanted} as argument {index + 1}, "
                                f"not {ARTICLE[args[index].type]}")
    return None


def _fixed(result: FormulaType, *params: tuple[FormulaType, ...]) -> Rule:
    """A function whose argument i is one of params[i] (converted to it), giving `result`."""
    def rule(p: Problems, call: Syntax, args: list[Typed]) -> Typed | None:
        typed = [_expect(p, call, args, i, *params[i]) for i in range(len(args))]
        if any(t is None for t in typed):
            return None
        return Typed(str(call.value), result, tuple(t for t in typed if t is not None))
    return rule


def _same(allowed: tuple[FormulaType, ...] | None = None) -> Rule:
    """A function whose arguments share one type (see unify), which is also its result."""
    def rule(p: Problems, call: Syntax, args: list[Typed]) -> Typed | None:
        return same_type(p, call, str(call.value), args, allowed)
    return rule


def same_type(p: Problems, at: Syntax, op: str, args: list[Typed],
              allowed: tuple[FormulaType, ...] | None, result: FormulaType | None = None
              ) -> Typed | None:
    """`op` over `args` converted to their common type; `result` defaults to that type."""
    common = unify([a.type for a in args])
    name = at.value if at.kind == "call" else f"'{at.value}'"
    if common is None:
        given = describe([a.type for a in args])
        p.problem(at, f"{name}'s values must share one type, not {given}" if at.kind == "call"
                  else f"{name} cannot compare {given}")
        return None
    if allowed is not None and common not in allowed:
        p.problem(at, f"{name} cannot order {common} values")
        return None
    converted = tuple(convert(a, common) for a in args)
    return Typed(op, result or common, tuple(a for a in converted if a is not None))


def _if(p: Problems, call: Syntax, args: list[Typed]) -> Typed | None:
    condition = _expect(p, call, args, 0, BOOLEAN)
    branches = same_type(p, call, "IF", args[1:], None)
    if condition is None or branches is None:
        return None
    return Typed("IF", branches.type, (condition, *branches.args))


def _joined(p: Problems, call: Syntax, args: list[Typed]) -> Typed | None:
    joined = [convert(arg, TEXT, TO_TEXT) for arg in args]
    for index, (arg, text) in enumerate(zip(args, joined, strict=True)):
        if text is None:
            p.problem(call.args[index], f"CONCAT joins text, numbers and booleans, not "
                                        f"{ARTICLE[arg.type]} (argument {index + 1})")
    if None in joined:
        return None
    return Typed("&", TEXT, tuple(t for t in joined if t is not None))


def _unit(p: Problems, call: Syntax, index: int, allowed: tuple[str, ...]) -> str | None:
    node = call.args[index]
    unit = str(node.value).lower() if node.kind == "text" else ""
    unit = unit if unit.endswith("s") else unit + "s"  # "day" means "days"
    if node.kind != "text" or unit not in allowed:
        p.problem(node, f"{call.value} expects a unit in quotes as argument {index + 1}: "
                        + ", ".join(f'"{u}"' for u in allowed))
        return None
    return unit


def _dateadd(p: Problems, call: Syntax, args: list[Typed]) -> Typed | None:
    when = _expect(p, call, args, 0, DATE, DATETIME)
    amount = _expect(p, call, args, 1, NUMBER)
    unit = _unit(p, call, 2, UNITS)
    if when is None or amount is None or unit is None:
        return None
    if unit in TIME_UNITS:  # a date plus hours is a datetime: its midnight UTC, then later
        when = convert(when, DATETIME) or when
    return Typed("DATEADD", when.type, (when, amount), unit)


def _datediff(p: Problems, call: Syntax, args: list[Typed]) -> Typed | None:
    later, earlier = (_expect(p, call, args, i, DATE, DATETIME) for i in (0, 1))
    unit = _unit(p, call, 2, UNITS)
    if later is None or earlier is None or unit is None:
        return None
    # Counted on the UTC calendar for days and longer, on the UTC clock for hours and shorter.
    as_type = DATE if unit in DATE_UNITS else DATETIME
    both = [convert(end, as_type, ANY) for end in (later, earlier)]
    return Typed("DATEDIFF", NUMBER, tuple(b for b in both if b is not None), unit)


def _date_part(p: Problems, call: Syntax, args: list[Typed]) -> Typed | None:
    when = _expect(p, call, args, 0, DATE, DATETIME)
    if when is None:
        return None
    return Typed(str(call.value), NUMBER, (convert(when, DATE, ANY) or when,))


def _logic(p: Problems, call: Syntax, args: list[Typed]) -> Typed | None:
    return _fixed(BOOLEAN, *[(BOOLEAN,)] * len(args))(p, call, args)


_TEXT, _NUMBER = (TEXT,), (NUMBER,)
FUNCTIONS: dict[str, Function] = {
    "IF": Function(2, 3, _if),
    "AND": Function(1, None, _logic),
    "OR": Function(1, None, _logic),
    "CONCAT": Function(1, None, _joined),
    "UPPER": Function(1, 1, _fixed(TEXT, _TEXT)),
    "LOWER": Function(1, 1, _fixed(TEXT, _TEXT)),
    "TRIM": Function(1, 1, _fixed(TEXT, _TEXT)),
    "LEN": Function(1, 1, _fixed(NUMBER, _TEXT)),
    "LEFT": Function(2, 2, _fixed(TEXT, _TEXT, _NUMBER)),
    "RIGHT": Function(2, 2, _fixed(TEXT, _TEXT, _NUMBER)),
    "ROUND": Function(1, 2, _fixed(NUMBER, _NUMBER, _NUMBER)),
    "FLOOR": Function(1, 1, _fixed(NUMBER, _NUMBER)),
    "CEIL": Function(1, 1, _fixed(NUMBER, _NUMBER)),
    "ABS": Function(1, 1, _fixed(NUMBER, _NUMBER)),
    "MIN": Function(1, None, _same(ORDERED)),
    "MAX": Function(1, None, _same(ORDERED)),
    "COALESCE": Function(1, None, _same()),
    "TODAY": Function(0, 0, _fixed(DATE), deterministic=False),
    "NOW": Function(0, 0, _fixed(DATETIME), deterministic=False),
    "DATEADD": Function(3, 3, _dateadd),
    "DATEDIFF": Function(3, 3, _datediff),
    "YEAR": Function(1, 1, _date_part),
    "MONTH": Function(1, 1, _date_part),
    "DAY": Function(1, 1, _date_part),
}
