"""The one place that renders failures: every exception becomes the documented error shape, in
the dialect of its path — PostgREST's `{code, message, details, hint}` under /rest (rest/errors.py),
the /api shape `{"error": {code, message, details}}` everywhere else."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.routing import Match

from objectry.errors import (
    APIError,
    BadRequest,
    Detail,
    Forbidden,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    Unauthenticated,
    UnsupportedMediaType,
    ValidationFailed,
    detail,
    from_db_error,
)
from objectry.records.query import QueryError
from objectry.rest import errors as rest
from objectry.web import security_headers
from objectry.web.responses import JSONResponse

log = logging.getLogger("objectry")

_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequest, 401: Unauthenticated, 403: Forbidden, 404: NotFound, 413: PayloadTooLarge,
    415: UnsupportedMediaType}


def is_rest(path: str) -> bool:
    return path.startswith("/rest/") or path == "/rest"


def render(exc: APIError) -> JSONResponse:
    """The /api shape."""
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


def answer(exc: APIError, path: str, request_headers: Mapping[str, str]) -> Response:
    """`exc` in the dialect of `path`: the only place the dialect is chosen."""
    if is_rest(path):
        return rest.render(rest.from_api_error(exc, request_headers))
    return render(exc)


async def _api_error(request: Request, exc: APIError) -> Response:
    return answer(exc, request.scope["path"], request.headers)


async def _query_error(request: Request, exc: QueryError) -> Response:
    if is_rest(request.scope["path"]):
        return rest.render(exc)
    extra = [m for m in (exc.details, exc.hint) if m] or [exc.message]  # code: always
    return render(BadRequest(exc.message, [detail("query", exc.code, str(m)) for m in extra]))


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
    """Every method some route takes on this path (Starlette's own Allow names only the first
    route that matched the path, and each method here is a route of its own)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is Match.PARTIAL:
            methods.update(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods)) or None


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """Starlette's own refusals: no route for the path (404), a method it does not take (405)."""
    on_rest, method = is_rest(request.scope["path"]), request.method
    if exc.status_code == 404:
        return rest.render(rest.bad_path()) if on_rest else render(
            NotFound(f"nothing is served at {request.scope['path'][:200]}"))
    if exc.status_code == 405:
        allow = _allowed(request) or (exc.headers or {}).get("Allow")
        if on_rest:
            return rest.render(rest.bad_method(method, allow))
        return render(MethodNotAllowed(f"{method[:20]} is not allowed on this path",
                                       headers={"Allow": allow} if allow else None))
    cls = _BY_STATUS.get(exc.status_code)
    error = cls(str(exc.detail)) if cls else APIError(
        str(exc.detail), headers=None if exc.headers is None else dict(exc.headers))
    if cls is None:
        error.status, error.code = exc.status_code, "http_error"
    return await _api_error(request, error)


async def _db_error(request: Request, exc: asyncpg.PostgresError) -> Response:
    if is_rest(request.scope["path"]):
        mapped_rest = rest.from_database(exc)
        if mapped_rest is not None:
            return rest.render(mapped_rest)
    else:
        mapped = from_db_error(exc)
        if mapped is not None:
            return render(mapped)
    log.exception("unmapped database error", exc_info=exc)
    return _internal(request)


async def _gone(request: Request, exc: ClientDisconnect) -> Response:
    # The client left before sending its whole body: nobody reads the answer, and it is
    # no server error, so it is neither logged as one nor answered with a 500.
    return Response(status_code=499)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", exc_info=exc)
    response = _internal(request)
    # Starlette answers this one outside every middleware, so it adds the headers itself.
    security_headers.add(response, request.scope["path"])
    return response


def _internal(request: Request) -> Response:
    return answer(APIError("an internal error occurred"), request.scope["path"], request.headers)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into the documented error shape."""
    for exc_type, handler in ((APIError, _api_error), (QueryError, _query_error),
                              (RequestValidationError, _request_invalid),
                              (StarletteHTTPException, _http_error),
                              (asyncpg.PostgresError, _db_error), (ClientDisconnect, _gone),
                              (Exception, _unexpected)):
        app.add_exception_handler(exc_type, handler)  # type: ignore[arg-type]
