"""The one place that renders failures: every exception becomes the documented error shape."""

from __future__ import annotations

import logging

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from objectry.errors import (
    APIError,
    BadRequest,
    Detail,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    Unauthenticated,
    UnsupportedMediaType,
    ValidationFailed,
    detail,
    from_db_error,
)
from objectry.http import JSONResponse
from objectry.records.query import QueryError

log = logging.getLogger("objectry")


def render(exc: APIError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


def _request_problems(exc: RequestValidationError) -> list[Detail]:
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
        problems.append(detail(".".join(loc), err.get("type", "invalid"),
                               err.get("msg", "invalid")))
    return problems


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into the documented error shape."""

    @app.exception_handler(APIError)
    async def _api_error(request: Request, exc: APIError) -> JSONResponse:
        return render(exc)

    @app.exception_handler(QueryError)
    async def _query_error(request: Request, exc: QueryError) -> JSONResponse:
        if request.url.path.startswith("/rest/"):
            return JSONResponse(exc.body(), status_code=exc.status)
        extra = [m for m in (exc.details, exc.hint) if m] or [exc.message]  # code: always
        return render(BadRequest(exc.message, [detail("query", exc.code, str(m)) for m in extra]))

    @app.exception_handler(RequestValidationError)
    async def _request_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = _request_problems(exc)
        if any(p["code"] == "json_invalid" for p in problems):
            return render(BadRequest("the body is not valid JSON", problems))
        if all(err.get("loc", ("body",))[0] in ("query", "path", "header")
               for err in exc.errors()):
            return render(BadRequest("the query string is not valid", problems))
        return render(ValidationFailed(problems))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        by_status = {400: BadRequest, 401: Unauthenticated, 403: Forbidden, 404: NotFound,
                     413: PayloadTooLarge, 415: UnsupportedMediaType}
        cls = by_status.get(exc.status_code)
        if cls is not None:
            return render(cls(str(exc.detail) if exc.detail else cls.code))
        body = {"error": {"code": "http_error", "message": str(exc.detail), "details": []}}
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(asyncpg.PostgresError)
    async def _db_error(request: Request, exc: asyncpg.PostgresError) -> JSONResponse:
        mapped = from_db_error(exc)
        if mapped is not None:
            return render(mapped)
        log.exception("unmapped database error", exc_info=exc)
        return _internal()

    @app.exception_handler(ClientDisconnect)
    async def _gone(request: Request, exc: ClientDisconnect) -> Response:
        # The client left before sending its whole body: nobody reads the answer, and it is
        # no server error, so it is neither logged as one nor answered with a 500.
        return Response(status_code=499)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return _internal()


def _internal() -> JSONResponse:
    body = {"error": {"code": "internal_error", "message": "an internal error occurred",
                      "details": []}}
    return JSONResponse(body, status_code=500)
