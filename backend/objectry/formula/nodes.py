"""The trees of the language: `Syntax` is what the parser read (with positions), `Typed` is
what the checker made of it — every node with its type, every implicit conversion explicit —
so that SQL rendering and Python evaluation are plain table lookups on `Typed.op`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FormulaType = Literal["text", "number", "boolean", "date", "datetime"]
TEXT: FormulaType = "text"
NUMBER: FormulaType = "number"
BOOLEAN: FormulaType = "boolean"
DATE: FormulaType = "date"
DATETIME: FormulaType = "datetime"
TYPES: tuple[FormulaType, ...] = (TEXT, NUMBER, BOOLEAN, DATE, DATETIME)


@dataclass(frozen=True)
class Syntax:
    """A parsed node. `kind`: "text", "number", "boolean" (literals, `value` holds the str,
    Decimal or bool), "field" (`value` is the name), "unary"/"binary" (`value` is the
    operator, upper-cased), "call" (`value` is the function name, upper-cased)."""

    kind: str
    position: int
    value: object = None
    args: tuple[Syntax, ...] = ()


@dataclass(frozen=True)
class Typed:
    """A checked node. `op` names the operation (see sql.py's and evaluate.py's tables):
    "literal", "field", an operator ("+", "&", "<"…), a function ("IF", "ROUND"…), or a
    conversion the checker inserted ("date→datetime", "number→text"…). `value` carries the
    literal, the field name, or the unit of DATEADD/DATEDIFF."""

    op: str
    type: FormulaType
    args: tuple[Typed, ...] = ()
    value: object = None
