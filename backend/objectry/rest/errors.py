"""Every /rest/v1 failure in PostgREST's shape `{code, message, details, hint}`, with its status.

`RestRoute` wraps the routes (their dependencies included, so a missing credential is caught
too) and renders the compiler's `QueryError`, the API's `APIError` tree and mapped database
errors the way PostgREST 12 would. Codes are PostgREST's (`PGRSTnnn`) or the SQLSTATE
PostgreSQL would have raised for the same mistake against a real table:

    23514  400  a record fails validation (a CHECK violation); `details` lists every problem
    23505  409  a unique value is taken          23503  409  an `on_delete: restrict` link
    42501  403  the role may not do this         PGRST301/302  401  bad / missing credential
    21000  400  PATCH/DELETE without a filter (pg-safeupdate's "requires a WHERE clause")
    428C9  400  writing a system column          42P10  400  on_conflict is not a unique field
    54000  413  too many records in one request
    response_too_large  400  the answer would pass OBJECTRY_MAX_RESPONSE_BYTES
"""

from __future__ import annotations

import difflib
from typing import Any

import asyncpg
import orjson
from fastapi import Request, Response

from objectry.errors import (
    APIError,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    ResponseTooLarge,
    Unauthenticated,
    UnsupportedMediaType,
    ValidationFailed,
    from_db_error,
)
from objectry.metadata.model import Snapshot
from objectry.records.query import QueryError
from objectry.routing import DirectRoute, Handler

_API_CODES: dict[type[APIError], tuple[str, int]] = {
    ValidationFailed: ("23514", 400),
    Forbidden: ("42501", 403),
    Conflict: ("23505", 409),
    PayloadTooLarge: ("54000", 413),
    ResponseTooLarge: ("response_too_large", 400),
    UnsupportedMediaType: ("PGRST107", 415),
    NotFound: ("PGRST205", 404),
}


class RestError(QueryError):
    """A QueryError that also sets response headers (416's Content-Range)."""

    def __init__(self, code: str, message: str, details: Any = None, hint: str | None = None,
                 status: int = 400, headers: dict[str, str] | None = None) -> None:
        super().__init__(code, message, details, hint, status)
        self.headers = headers or {}


class RestRoute(DirectRoute):
    """A DirectRoute (objectry/routing.py) whose failures answer in PostgREST's shape."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def rest_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except QueryError as exc:
                return render(exc)
            except APIError as exc:
                return render(from_api_error(exc, request))
            except asyncpg.PostgresError as exc:
                mapped = from_db_error(exc)
                if mapped is None:
                    raise  # a bug: the app's handler logs it and answers 500
                if isinstance(mapped, ResponseTooLarge):
                    return render(from_api_error(mapped, request))
                status = 409 if isinstance(mapped, Conflict) else 400
                return render(QueryError(exc.sqlstate or "XX000", mapped.message, status=status))

        return rest_handler


def render(exc: QueryError) -> Response:
    headers = {"Proxy-Status": f"PostgREST; error={exc.code}",
               **getattr(exc, "headers", {})}
    return Response(orjson.dumps(exc.body()), status_code=exc.status, headers=headers,
                    media_type="application/json; charset=utf-8")


def from_api_error(exc: APIError, request: Request) -> RestError:
    headers = dict(exc.headers or {})
    if isinstance(exc, Unauthenticated):
        given = "authorization" in request.headers or "apikey" in request.headers
        return RestError("PGRST301" if given else "PGRST302", exc.message, status=401,
                         headers=headers)
    code, status = _API_CODES.get(type(exc), ("PGRST100", exc.status))
    if isinstance(exc, Conflict) and any(d.get("code") == "restrict" for d in exc.details):
        code = "23503"
    return RestError(code, exc.message, exc.details or None, status=status, headers=headers)


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
