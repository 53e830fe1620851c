"""What `check` raises: every problem found in an expression, each with its position, so an
editor can underline it and an API can list them all in one 422."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FormulaProblem:
    """One problem, where it starts: `position` is a 0-based character offset; `line` and
    `column` are 1-based, as editors count."""

    message: str
    position: int
    line: int
    column: int

    @classmethod
    def at(cls, expression: str, position: int, message: str) -> FormulaProblem:
        """A problem at `position` of `expression`, with its line and column worked out."""
        position = max(0, min(position, len(expression)))
        line = expression.count("\n", 0, position) + 1
        column = position - (expression.rfind("\n", 0, position) + 1) + 1
        return cls(message, position, line, column)


class FormulaInvalid(Exception):
    """The expression cannot be used; `problems` lists every problem found, in order."""

    def __init__(self, problems: list[FormulaProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: p.position)
        super().__init__("; ".join(f"{p.message} (at {p.line}:{p.column})"
                                   for p in self.problems))
