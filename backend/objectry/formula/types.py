"""Type rules shared by the operators and the functions: the implicit conversions the
language allows (date → datetime; number and boolean → text where text is joined or
expected as a result) and how the branches of IF/COALESCE/MIN/MAX agree on one type."""

from __future__ import annotations

from collections.abc import Collection, Sequence

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
# UTC (WIDEN, everywhere), and numbers and booleans become text where text is joined (& and
# CONCAT) or is the result type (TO_TEXT). A datetime never silently becomes a date (that would
# drop its time): YEAR/MONTH/DAY and DATEDIFF ask for that conversion explicitly.
WIDEN = frozenset({(DATE, DATETIME)})
TO_TEXT = WIDEN | {(NUMBER, TEXT), (BOOLEAN, TEXT)}
ANY = frozenset(CONVERSIONS)


def convert(node: Typed, to: FormulaType,
            allowed: Collection[tuple[FormulaType, FormulaType]] = WIDEN) -> Typed | None:
    """`node` as a value of type `to`, or None when `allowed` has no such conversion."""
    if node.type == to:
        return node
    key = (node.type, to)
    if key not in allowed:
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
