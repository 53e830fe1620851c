"""The compiler's refusals: `QueryError` (objectry/errors.py) in PostgREST's terms, per stage.

Stages keep PostgREST's codes: `PGRST1xx` for the grammar, `PGRST2xx` for relationships, and
PostgreSQL SQLSTATEs (`42703` unknown column, `22P02` bad value) for what PostgREST would have
let the database refuse. `/api/*` routes show every one as `bad_request`.
"""

from __future__ import annotations

from objectry.errors import QueryError

__all__ = ["QueryError", "bad_value", "syntax"]


def syntax(message: str, details: str | None = None, hint: str | None = None) -> QueryError:
    """A grammar error (PGRST100)."""
    return QueryError("PGRST100", message, details, hint)


def bad_value(type_name: str, value: object) -> QueryError:
    """A value that does not read as its column's type: what PostgreSQL would have said."""
    shown = value if isinstance(value, str) else repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return QueryError("22P02", f'invalid input syntax for type {type_name}: "{shown}"')
