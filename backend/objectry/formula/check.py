"""From an expression to a `Checked` formula: parse, resolve {field} references, type every
node (functions.py for calls, the operator rules below), and collect every problem found."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from objectry.formula.errors import FormulaInvalid, FormulaProblem
from objectry.formula.functions import FUNCTIONS, same_type
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
from objectry.formula.parse import parse
from objectry.formula.types import ARTICLE, TO_TEXT, convert, describe

# DATEDIFF in months writes each date twice into the SQL; this caps the SQL a short
# expression can grow into (nested DATEDIFFs would double it at every level).
MAX_SQL_NODES = 20_000
_ARITHMETIC = ("+", "-", "*", "/", "%")
_COMPARISONS = {"=": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


@dataclass(frozen=True)
class Checked:
    """A formula that parses and type-checks, ready for to_sql and evaluate."""

    expression: str
    type: FormulaType
    references: frozenset[str]
    deterministic: bool
    tree: Typed = field(repr=False)


def check(expression: str, fields: Mapping[str, FormulaType],
          result_type: FormulaType | None = None) -> Checked:
    """Parse and type-check `expression` over `fields` (name → formula type); with
    `result_type`, its value must be (or implicitly convert to) that type. Raises
    FormulaInvalid listing every problem with its position."""
    syntax = parse(expression)
    checker = _Checker(expression, fields)
    tree = checker.node(syntax)
    if tree is not None and result_type is not None:
        converted = convert(tree, result_type, TO_TEXT)
        if converted is None:
            checker.problem(syntax, f"the expression gives {ARTICLE[tree.type]}, "
                                    f"not {ARTICLE[result_type]} (its result type)")
        tree = converted
    if tree is not None and _sql_nodes(tree) > MAX_SQL_NODES:
        checker.problem(syntax, "the expression is too complex (DATEDIFF in months "
                                "nested too deeply)")
    if checker.problems or tree is None:
        raise FormulaInvalid(checker.problems)
    return Checked(expression, tree.type, frozenset(checker.references),
                   checker.deterministic, tree)


class _Checker:
    def __init__(self, expression: str, fields: Mapping[str, FormulaType]) -> None:
        self.expression, self.fields = expression, fields
        self.problems: list[FormulaProblem] = []
        self.references: set[str] = set()
        self.deterministic = True

    def problem(self, node: Syntax, message: str) -> None:
        self.problems.append(FormulaProblem.at(self.expression, node.position, message))

    def node(self, syntax: Syntax) -> Typed | None:
        """The typed node, or None after reporting its problems (a parent of a node with a
        problem reports nothing more, so one mistake gives one message)."""
        if syntax.kind in ("text", "number", "boolean"):
            literal_type: FormulaType = {"text": TEXT, "number": NUMBER}.get(syntax.kind, BOOLEAN)
            return Typed("literal", literal_type, (), syntax.value)
        if syntax.kind == "field":
            return self._field(syntax)
        args = [self.node(arg) for arg in syntax.args]
        if syntax.kind == "call":
            return self._call(syntax, args)
        typed = [a for a in args if a is not None]
        if len(typed) < len(args):
            return None
        return (self._unary if syntax.kind == "unary" else self._binary)(syntax, typed)

    def _field(self, syntax: Syntax) -> Typed | None:
        name = str(syntax.value)
        if name not in self.fields:
            self.problem(syntax, f"unknown field {{{name}}}")
            return None
        self.references.add(name)
        return Typed("field", self.fields[name], (), name)

    def _call(self, syntax: Syntax, args: list[Typed | None]) -> Typed | None:
        name = str(syntax.value)
        function = FUNCTIONS.get(name)
        if function is None:
            self.problem(syntax, f"unknown function {name}")
            return None
        high = function.max_args
        if len(args) < function.min_args or (high is not None and len(args) > high):
            self.problem(syntax, f"{name} takes {_arity(function.min_args, high)}, "
                                 f"not {len(args)}")
            return None
        self.deterministic &= function.deterministic
        typed = [a for a in args if a is not None]
        return function.rule(self, syntax, typed) if len(typed) == len(args) else None

    def _unary(self, syntax: Syntax, args: list[Typed]) -> Typed | None:
        wanted = BOOLEAN if syntax.value == "NOT" else NUMBER
        if args[0].type != wanted:
            self.problem(syntax, f"'{syntax.value}' expects {ARTICLE[wanted]}, "
                                 f"not {ARTICLE[args[0].type]}")
            return None
        return Typed("NOT" if wanted == BOOLEAN else "neg", wanted, (args[0],))

    def _binary(self, syntax: Syntax, args: list[Typed]) -> Typed | None:
        op = str(syntax.value)
        if op in ("AND", "OR"):
            return self._logic(syntax, op, args)
        if op == "&":
            joined = [convert(a, TEXT, TO_TEXT) for a in args]
            if None in joined:
                self.problem(syntax, f"'&' joins text, numbers and booleans, not "
                                     f"{describe([a.type for a in args])}")
                return None
            # a & b & c is one join of three, as CONCAT(a, b, c) is
            parts = [part for a in joined if a is not None
                     for part in (a.args if a.op == "&" else (a,))]
            return Typed("&", TEXT, tuple(parts))
        if op in _COMPARISONS:
            return same_type(self, syntax, _COMPARISONS[op], args, None, BOOLEAN)
        return self._arithmetic(syntax, op, args)

    def _arithmetic(self, syntax: Syntax, op: str, args: list[Typed]) -> Typed | None:
        left, right = (a.type for a in args)
        if (left, right) == (NUMBER, NUMBER):
            return Typed(op, NUMBER, tuple(args))
        if op in ("+", "-") and (left, right) == (DATE, NUMBER):
            return Typed("date" + op + "days", DATE, tuple(args))
        if op == "+" and (left, right) == (NUMBER, DATE):
            return Typed("date+days", DATE, (args[1], args[0]))
        if op == "-" and (left, right) == (DATE, DATE):
            return Typed("date-date", NUMBER, tuple(args))
        hint = " (DATEADD and DATEDIFF work on datetimes)" if DATETIME in (left, right) else ""
        self.problem(syntax, f"'{op}' cannot combine {describe([left, right])}{hint}")
        return None

    def _logic(self, syntax: Syntax, op: str, args: list[Typed]) -> Typed | None:
        if any(a.type != BOOLEAN for a in args):
            self.problem(syntax, f"'{op}' expects a boolean on both sides, not "
                                 f"{describe([a.type for a in args])}")
            return None
        return Typed(op, BOOLEAN, tuple(args))


def _arity(low: int, high: int | None) -> str:
    if high is None:
        return f"at least {low} argument" + ("s" if low != 1 else "")
    if low == high:
        return f"{low} argument" + ("s" if low != 1 else "")
    return f"{low} to {high} arguments"


def _sql_nodes(tree: Typed) -> int:
    copies = 2 if tree.op == "DATEDIFF" and tree.value == "months" else 1
    return 1 + copies * sum(_sql_nodes(arg) for arg in tree.args)
