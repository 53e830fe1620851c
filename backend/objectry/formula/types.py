"""Type rules shared by the operators and the functions: the implicit conversions the
language allows (date → datetime; number and boolean → text where text is joined or
expected as a result) and how the branches of IF/COALESCE/MIN/MAX agree on one type."""

from __future__ import annotations

from collections.abc import Sequence

from objectry.formula.nodes import BOOLEAN, DATE, DATETIME, NUMBER, TEXT, FormulaType, Typed

ARTICLE = {TEXT: "text", NUMBER: "a number", BOOLEAN: "a boolean", DATE: "a date",
           DATETIME: "a datetime"}

# (from, to) → the conversion op the checker inserts; sql.py and evaluate.py define each.
CONVERSIONS: dict[tuple[FormulaType, FormulaType], str] = {
    (DATE, DATETIME): "date→datetime",
    (DATETIME, DATE): "datetime→date",
    (NUMBER, TEXT): "number→text",
    (BOOLEAN, TEXT): "boolean→text",
}
# Conversions done without being asked: a date where a datetime is expected is its midnight
# UTC, and joined or resulting text accepts numbers and booleans. A datetime never silently
# becomes a date (that would drop its time); YEAR/MONTH/DAY and DATEDIFF ask for it.
IMPLICIT = frozenset({(DATE, DATETIME), (NUMBER, TEXT), (BOOLEAN, TEXT)})


def convert(node: Typed, to: FormulaType, *, implicit_only: bool = True) -> Typed | None:
    """`node` as a value of type `to`, or None when the language does not convert it."""
    if node.type == to:
        return node
    key = (node.type, to)
    if key not in CONVERSIONS or (implicit_only and key not in IMPLICIT):
        return None
    return Typed(CONVERSIONS[key], to, (node,))


def unify(types: Sequence[FormulaType]) -> FormulaType | None:
    """The one type values of `types` share (dates meet datetimes as datetimes), or None."""
    distinct = set(types)
    if len(distinct) == 1:
        return types[0]
    if distinct == {DATE, DATETIME}:
        return DATETIME
    return None


def describe(types: Sequence[FormulaType]) -> str:
    """'a number and text' — for messages."""
    words = [ARTICLE[t] for t in types]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
