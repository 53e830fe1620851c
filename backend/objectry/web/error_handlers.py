"""The one place that turns every failure into an `APIError` (objectry/errors.py) and answers it
in the dialect of its path (web/error_dialects.py): the endpoints' own refusals, Starlette's and
FastAPI's (no route, a method the path does not take, a request that does not parse), database
errors by SQLSTATE, a database that cannot be reached (503 unavailable), and bugs (500)."""

from __future__ import annotations

import logging
import time

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.routing import Match

from objectry.db.pool import unreachable
from objectry.errors import (
    APIError,
    BadRequest,
    Detail,
    Forbidden,
    MethodNotAllowed,
    NoRoute,
    PayloadTooLarge,
    Unauthenticated,
    Unavailable,
    UnsupportedMediaType,
    ValidationFailed,
    detail,
    from_db_error,
)
from objectry.web import security_headers
from objectry.web.error_dialects import answer

log = logging.getLogger("objectry")

_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequest, 401: Unauthenticated, 403: Forbidden, 413: PayloadTooLarge,
    415: UnsupportedMediaType}


async def _api_error(request: Request, exc: APIError) -> Response:
    return answer(exc, request.scope["path"], request.headers)


def _request_problems(exc: RequestValidationError) -> list[Detail]:
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
        problems.append(detail(".".join(loc), err.get("type", "invalid"),
                               err.get("msg", "invalid")))
    return problems


async def _request_invalid(request: Request, exc: RequestValidationError) -> Response:
    problems = _request_problems(exc)
    if any(p["code"] == "json_invalid" for p in problems):
        error: APIError = BadRequest("the body is not valid JSON", problems)
    elif all(err.get("loc", ("body",))[0] in ("query", "path", "header") for err in exc.errors()):
        error = BadRequest("the query string is not valid", problems)
    else:
        error = ValidationFailed(problems)
    return await _api_error(request, error)


def _allowed(request: Request) -> str | None:
    """The methods of the resource this path is: every documented route with the path template
    of the first route that matched (`/api/records/bulk` is the bulk resource, not a record
    id). A route kept out of the document refuses its method (PUT on /rest/v1, always 405)
    unless it is the HEAD twin of a GET. Starlette's own Allow names only the first route's
    methods, and each method here is a route of its own."""
    routes = request.app.router.routes
    first = next((r for r in routes if r.matches(request.scope)[0] is Match.PARTIAL), None)
    if first is None:
        return None
    methods = {method for r in routes if getattr(r, "path", None) == first.path
               for method in getattr(r, "methods", None) or ()
               if getattr(r, "include_in_schema", True) or method == "HEAD"}
    return ", ".join(sorted(methods)) or None


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """Starlette's own refusals: no route for the path (404), a method it does not take (405)."""
    error: APIError
    if exc.status_code == 404:
        error = NoRoute(request.scope["path"])
    elif exc.status_code == 405:
        error = MethodNotAllowed(request.method,
                                 _allowed(request) or (exc.headers or {}).get("Allow"))
    elif cls := _BY_STATUS.get(exc.status_code):
        error = cls(str(exc.detail))
    else:
        error = APIError(str(exc.detail), headers=dict(exc.headers or {}) or None)
        error.status, error.code = exc.status_code, "http_error"
    return await _api_error(request, error)


async def _db_error(request: Request, exc: asyncpg.PostgresError) -> Response:
    mapped = from_db_error(exc)
    if mapped is not None:
        return await _api_error(request, mapped)
    log.exception("unmapped database error", exc_info=exc)
    return _internal(request)


async def _unreachable(request: Request, exc: Exception) -> Response:
    """No SQLSTATE, but the database is down, restarting or out of free connections: a 503
    the client may retry, not a 500 (db/pool.py `unreachable` says which failures those are)."""
    if not unreachable(exc):
        raise exc  # a bug: on to the catch-all (_unexpected), outside the middlewares
    _outage_log.warn(exc)
    return await _api_error(request, Unavailable())


class _OutageLog:
    """One warning per second at most while the database is away: during an outage every
    request fails the same way (thousands a second under load), and one line says so."""

    def __init__(self, every_seconds: float = 1.0) -> None:
        self.every, self.last, self.held = every_seconds, float("-inf"), 0

    def warn(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self.last < self.every:
            self.held += 1
            return
        log.warning("database unavailable: %r (%d more like it since the last line)",
                    exc, self.held)
        self.last, self.held = now, 0


_outage_log = _OutageLog()


async def _gone(request: Request, exc: ClientDisconnect) -> Response:
    # The client left before sending its whole body: nobody reads the answer, and it is
    # no server error, so it is neither logged as one nor answered with a 500.
    return Response(status_code=499)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", exc_info=exc)
    response = _internal(request)
    # Starlette answers this one outside every middleware, so it adds the headers itself.
    security_headers.add(response, request.scope["path"], request.headers.get("host"))
    return response


def _internal(request: Request) -> Response:
    return answer(APIError("an internal error occurred"), request.scope["path"], request.headers)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into the documented error shape."""
    for exc_type, handler in ((APIError, _api_error), (RequestValidationError, _request_invalid),
                              (StarletteHTTPException, _http_error),
                              (asyncpg.PostgresError, _db_error), (ClientDisconnect, _gone),
                              (OSError, _unreachable), (asyncpg.InterfaceError, _unreachable),
                              (asyncpg.InternalClientError, _unreachable),
                              (Exception, _unexpected)):
        app.add_exception_handler(exc_type, handler)  # type: ignore[arg-type]
