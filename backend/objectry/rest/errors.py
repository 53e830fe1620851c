"""Every /rest/v1 failure in PostgREST's shape `{code, message, details, hint}`, with its status.

handlers.py picks this dialect for every answer under /rest (the one place that chooses by
path); this module turns the compiler's `QueryError`, the API's `APIError` tree and database
errors into what PostgREST 12 would answer. Codes are PostgREST's (`PGRSTnnn`) or the SQLSTATE
PostgreSQL would have raised for the same mistake against a real table; where PostgREST has
no code for a failure (a timeout, throttling, an internal error), the /api code is used:

    23514  400  a record fails validation (a CHECK violation); `details` lists every problem
    23505  409  a unique value is taken          23503  409  an `on_delete: restrict` link
    42501  403  the role may not do this         PGRST301/302  401  bad / missing credential
    21000  400  PATCH/DELETE without a filter (pg-safeupdate's "requires a WHERE clause")
    428C9  400  writing a system column          42P10  400  on_conflict is not a unique field
    54000  413  too many records, or a body over the size limit
    22021  400  a NUL character in the path, query or body
    PGRST125 404  no route (an unknown path)     PGRST117 405  a method the path does not take
    response_too_large  400  the answer would pass OBJECTRY_MAX_RESPONSE_BYTES
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

import asyncpg
import orjson
from fastapi import Response

from objectry.errors import (
    APIError,
    BadRequest,
    Conflict,
    Forbidden,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    ResponseTooLarge,
    Unauthenticated,
    UnstorableText,
    UnsupportedMediaType,
    ValidationFailed,
    from_db_error,
)
from objectry.metadata.model import Snapshot
from objectry.records.query import QueryError

# By class, most specific first along the MRO; a class not here keeps its /api code and status.
_API_CODES: dict[type[APIError], tuple[str, int]] = {
    UnstorableText: ("22021", 400),
    BadRequest: ("PGRST100", 400),
    ValidationFailed: ("23514", 400),
    Forbidden: ("42501", 403),
    NotFound: ("PGRST205", 404),
    MethodNotAllowed: ("PGRST117", 405),
    Conflict: ("23505", 409),
    PayloadTooLarge: ("54000", 413),
    ResponseTooLarge: ("response_too_large", 400),
    UnsupportedMediaType: ("PGRST107", 415),
}


class RestError(QueryError):
    """A QueryError that also sets response headers (416's Content-Range, 401's
    WWW-Authenticate, 503's Retry-After)."""

    def __init__(self, code: str, message: str, details: Any = None, hint: str | None = None,
                 status: int = 400, headers: dict[str, str] | None = None) -> None:
        super().__init__(code, message, details, hint, status)
        self.headers = headers or {}


def render(exc: QueryError) -> Response:
    headers = {"Proxy-Status": f"PostgREST; error={exc.code}",
               **getattr(exc, "headers", {})}
    return Response(orjson.dumps(exc.body()), status_code=exc.status, headers=headers,
                    media_type="application/json; charset=utf-8")


def from_api_error(exc: APIError, request_headers: Mapping[str, str]) -> RestError:
    headers = dict(exc.headers or {})
    if isinstance(exc, Unauthenticated):
        given = "authorization" in request_headers or "apikey" in request_headers
        return RestError("PGRST301" if given else "PGRST302", exc.message, status=401,
                         headers=headers)
    code, status = next((_API_CODES[cls] for cls in type(exc).__mro__ if cls in _API_CODES),
                        (exc.code, exc.status))
    if isinstance(exc, Conflict) and any(d.get("code") == "restrict" for d in exc.details):
        code = "23503"
    return RestError(code, exc.message, exc.details or None, status=status, headers=headers)


def from_database(exc: asyncpg.PostgresError) -> RestError | None:
    """A database error under its own SQLSTATE, as PostgREST passes it on; None for a bug."""
    mapped = from_db_error(exc)
    if mapped is None:
        return None
    if isinstance(mapped, BadRequest | ValidationFailed | Conflict):
        status = 409 if isinstance(mapped, Conflict) else 400
        return RestError(exc.sqlstate or "XX000", mapped.message, status=status)
    return from_api_error(mapped, {})


def bad_path() -> QueryError:
    return QueryError("PGRST125", "Invalid path specified in request URL", status=404)


def bad_method(method: str, allow: str | None) -> RestError:
    return RestError("PGRST117", f"Unsupported HTTP method: {method[:20]}", status=405,
                     headers={"Allow": allow} if allow else None)


def table_not_found(snapshot: Snapshot, name: str) -> QueryError:
    shown = name if len(name) <= 100 else name[:97] + "..."
    close = difflib.get_close_matches(name, list(snapshot.objects_by_name), n=1, cutoff=0.75)
    hint = f"Perhaps you meant the table 'public.{close[0]}'" if close else None
    return QueryError("PGRST205", f"Could not find the table 'public.{shown}' in the schema cache",
                      hint=hint, status=404)


def column_not_found(table: str, column: str) -> QueryError:
    shown = column if len(column) <= 100 else column[:97] + "..."
    return QueryError("PGRST204", f"Could not find the '{shown}' column of '{table}' in the "
                      "schema cache")


def system_column(column: str, verb: str) -> QueryError:
    message = (f'cannot insert a non-DEFAULT value into column "{column}"' if verb == "insert"
               else f'column "{column}" can only be updated to DEFAULT')
    return QueryError("428C9", message, f'"{column}" is set by the server.')


def invalid_body(details: str) -> QueryError:
    return QueryError("PGRST102", "Empty or invalid json", details)


def needs_filter(command: str) -> QueryError:
    """PostgREST with pg-safeupdate: a 400 (SQLSTATE 21000) for a write without a WHERE."""
    return QueryError("21000", f"{command} requires a WHERE clause",
                      hint="add a filter such as ?id=eq.<id>; to match every record use "
                           "?id=not.is.null")


def not_singular(count: int) -> QueryError:
    return QueryError("PGRST116", "Cannot coerce the result to a single JSON object",
                      f"The result contains {count} rows", status=406)
