"""The grammar (lark, LALR: linear time, positions on every token) and the step from lark's
tree to `Syntax` nodes. Bounded before anything recursive runs: 4,000 characters, 64 levels."""

from __future__ import annotations

import re
from decimal import Decimal

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from objectry.formula.errors import FormulaInvalid, FormulaProblem
from objectry.formula.nodes import Syntax

MAX_LENGTH = 4_000
MAX_DEPTH = 64

# Precedence, loosest first: OR, AND, NOT, comparison (no chains), &, + -, * / %, unary minus.
# NOT(x) needs no call rule: it reads as NOT applied to (x).
GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr | or_expr OR and_expr -> binary
?and_expr: not_expr | and_expr AND not_expr -> binary
?not_expr: comparison | NOT not_expr -> unary
?comparison: concat | concat COMPARE concat -> binary
?concat: sum | concat AMP sum -> binary
?sum: product | sum ADD product -> binary
?product: unary | product MUL unary -> binary
?unary: atom | MINUS unary -> unary
?atom: NUMBER -> number
     | STRING -> text
     | TRUE -> true
     | FALSE -> false
     | FIELD -> field
     | (NAME | AND | OR) "(" [or_expr ("," or_expr)*] ")" -> call
     | "(" or_expr ")"

OR: "or"i
AND: "and"i
NOT: "not"i
TRUE: "true"i
FALSE: "false"i
COMPARE: "<=" | ">=" | "!=" | "<>" | "=" | "<" | ">"
AMP: "&"
ADD: "+" | "-"
MINUS: "-"
MUL: "*" | "/" | "%"
NAME: /[A-Za-z_][A-Za-z0-9_]*/
NUMBER: /[0-9]+(\.[0-9]+)?|\.[0-9]+/
STRING: /"(\\.|[^"\\])*"/ | /'(\\.|[^'\\])*'/
FIELD: /\{[^}]*\}/

%import common.WS
%ignore WS
"""

_PARSER = Lark(GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=False)
_ESCAPES = {"n": "\n", "t": "\t"}
# A name the parser stopped after: neither a {field} nor a call (the usual slip: `amount + 1`).
_BARE_NAME = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*$")
_KEYWORDS = frozenset({"AND", "OR", "NOT", "TRUE", "FALSE"})
_TOKEN_NAMES = {
    "RPAR": "')'", "LPAR": "'('", "COMMA": "','", "NUMBER": "a number", "STRING": "a string",
    "FIELD": "a {field}", "NAME": "a function name", "$END": "the end",
}


def parse(expression: str) -> Syntax:
    """The tree of `expression`, or FormulaInvalid with the (first) syntax error."""
    if len(expression) > MAX_LENGTH:
        raise _invalid(expression, MAX_LENGTH,
                       f"the expression is longer than {MAX_LENGTH} characters")
    if not expression.strip():
        raise _invalid(expression, 0, "the expression is empty")
    try:
        tree = _PARSER.parse(expression)
    except UnexpectedInput as error:
        raise _invalid(expression, *_describe(expression, error)) from None
    _check_depth(expression, tree)
    return _build(tree)


def _invalid(expression: str, position: int, message: str) -> FormulaInvalid:
    return FormulaInvalid([FormulaProblem.at(expression, position, message)])


def _position(expression: str, error: UnexpectedInput) -> int:
    if isinstance(error, UnexpectedEOF):
        return len(expression)
    if isinstance(error, UnexpectedToken) and error.token.type == "$END":
        return len(expression)
    return _offset(error)


def _offset(error: UnexpectedInput) -> int:
    # lark declares pos_in_stream as None on the base class; its subclasses set an int.
    offset: int = getattr(error, "pos_in_stream", 0) or 0
    return offset


def _describe(expression: str, error: UnexpectedInput) -> tuple[int, str]:
    """Where the syntax error is and what to say about it."""
    position = _position(expression, error)
    bare = _BARE_NAME.search(expression, 0, position)
    if bare and bare[1].upper() not in _KEYWORDS:
        return bare.start(1), (f"unexpected {bare[1]!r}: write {{{bare[1]}}} for a field, "
                               f"or {bare[1]}(…) for a function")
    if isinstance(error, UnexpectedCharacters):
        char = expression[position]
        if char in "\"'":
            return position, "unterminated string"
        if char == "{":
            return position, "unterminated field reference: '{' without '}'"
        return position, f"unexpected character {char!r}"
    if isinstance(error, UnexpectedToken) and error.token.type != "$END":
        return position, f"unexpected {error.token.value!r}"
    return position, "unexpected end of the expression"


def _check_depth(expression: str, tree: Tree[Token]) -> None:
    """Refuse a tree deeper than MAX_DEPTH, iteratively (the building below recurses)."""
    stack: list[tuple[Tree[Token], int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        operation = any(isinstance(child, Tree) for child in node.children)
        if depth > MAX_DEPTH and operation:  # a literal or {field} adds no level
            raise _invalid(expression, node.meta.start_pos,
                           f"the expression nests deeper than {MAX_DEPTH} levels")
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))


def _build(tree: Tree[Token]) -> Syntax:
    kind, children = tree.data, tree.children
    position = tree.meta.start_pos
    first = children[0] if children else None
    if kind == "binary":
        left, operator, right = children
        assert isinstance(left, Tree) and isinstance(operator, Token) and isinstance(right, Tree)
        return Syntax("binary", operator.start_pos or 0, str(operator).upper(),
                      (_build(left), _build(right)))
    if kind == "unary":
        assert isinstance(first, Token) and isinstance(children[1], Tree)
        return Syntax("unary", position, str(first).upper(), (_build(children[1]),))
    assert isinstance(first, Token)
    if kind == "call":
        return Syntax("call", position, str(first).upper(),
                      tuple(_build(child) for child in children[1:] if isinstance(child, Tree)))
    if kind == "number":
        return Syntax("number", position, Decimal(str(first)))
    if kind == "text":
        return Syntax("text", position, _unquote(str(first)))
    if kind == "field":
        return Syntax("field", position, str(first)[1:-1])
    assert kind in ("true", "false"), kind
    return Syntax("boolean", position, kind == "true")


def _unquote(literal: str) -> str:
    body, out, i = literal[1:-1], [], 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            i += 1
            out.append(_ESCAPES.get(body[i], body[i]))
        else:
            out.append(char)
        i += 1
    return "".join(out)
