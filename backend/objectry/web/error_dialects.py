"""Each error dialect's renderer, and the one table that picks a dialect by path.

    /rest, /rest/…   PostgREST   `{code, message, details, hint}` + `Proxy-Status`
    any other path   /api        `{"error": {code, message, details}}`

A renderer turns any `APIError` (objectry/errors.py: the tree says what each dialect shows)
into a response. Adding a dialect (GoTrue's `{code, error_code, msg}` for /auth/v1) is a
renderer and one row of DIALECTS.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import orjson
from starlette.responses import Response

from objectry.errors import AS_API, APIError, Unauthenticated
from objectry.web.responses import JSONResponse

Renderer = Callable[[APIError, Mapping[str, str]], Response]


def render_api(exc: APIError, request_headers: Mapping[str, str]) -> Response:
    body = {"error": {"code": exc.code, "message": exc.message, "details": exc.details}}
    return JSONResponse(body, status_code=exc.status, headers=exc.headers)


def render_postgrest(exc: APIError, request_headers: Mapping[str, str]) -> Response:
    code = exc.rest_code or exc.code
    if isinstance(exc, Unauthenticated) and not _credential_given(request_headers):
        code = "PGRST302"
    details = (exc.details or None) if exc.rest_details is AS_API else exc.rest_details
    body = {"code": code, "message": exc.rest_message or exc.message, "details": details,
            "hint": exc.hint}
    headers = {"Proxy-Status": f"PostgREST; error={code}", **(exc.headers or {})}
    return Response(orjson.dumps(body), status_code=exc.rest_status or exc.status,
                    headers=headers, media_type="application/json; charset=utf-8")


def _credential_given(request_headers: Mapping[str, str]) -> bool:
    return "authorization" in request_headers or "apikey" in request_headers


# The first row whose prefix the path is under picks the dialect ("" is under every path).
DIALECTS: tuple[tuple[str, Renderer], ...] = (
    ("/rest", render_postgrest),
    ("", render_api),
)


def renderer_for(path: str) -> Renderer:
    return next(render for prefix, render in DIALECTS
                if path == prefix or path.startswith(prefix + "/"))


def answer(exc: APIError, path: str, request_headers: Mapping[str, str]) -> Response:
    """`exc` in the dialect of `path`: the only place the dialect is chosen."""
    return renderer_for(path)(exc, request_headers)
