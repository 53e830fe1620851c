"""QueryError: the one error the query compiler raises, in PostgREST's shape.

Stages keep PostgREST's codes: `PGRST1xx` for the grammar, `PGRST2xx` for relationships, and
PostgreSQL SQLSTATEs (`42703` unknown column, `22P02` bad value) for what PostgREST would have
let the database refuse. `/api/*` routes render it as `bad_request` through `api_code`.
"""

from __future__ import annotations

from typing import Any


class QueryError(Exception):
    """A request the compiler refuses; never a bug (those raise anything else)."""

    def __init__(self, code: str, message: str, details: Any = None, hint: str | None = None,
                 status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
        self.hint = hint
        self.status = status

    @property
    def api_code(self) -> str:
        # Every refusal of a query (even PostgREST's 300 "ambiguous embed") is a bad request
        # in the /api error vocabulary.
        return "bad_request"

    def body(self) -> dict[str, Any]:
        """The PostgREST error body: `{code, message, details, hint}`."""
        return {"code": self.code, "message": self.message, "details": self.details,
                "hint": self.hint}

    def __repr__(self) -> str:
        return f"QueryError({self.code!r}, {self.message!r})"


def syntax(message: str, details: str | None = None, hint: str | None = None) -> QueryError:
    """A grammar error (PGRST100)."""
    return QueryError("PGRST100", message, details, hint)


def bad_value(type_name: str, value: object) -> QueryError:
    """A value that does not read as its column's type: what PostgreSQL would have said."""
    shown = value if isinstance(value, str) else repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return QueryError("22P02", f'invalid input syntax for type {type_name}: "{shown}"')
