"""Each error dialect's renderer, and the one table that picks a dialect by path.

    /rest, /rest/…   PostgREST   `{code, message, details, hint}` + `Proxy-Status`
    /auth/v1/…       GoTrue      `{code: <status>, error_code, msg}` (+ `weak_password`)
    any other path   /api        `{"error": {code, message, details}}`

A renderer turns any `APIError` (objectry/errors.py: the tree says what each dialect shows)
into a response. Adding a dialect is a renderer and one row of DIALECTS.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import orjson
from starlette.responses import Response

from objectry.errors import AS_API, APIError, Unauthenticated, ValidationFailed
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


# GoTrue's `weak_password.reasons` for each way our password rule refuses (schemas.py).
_WEAK_PASSWORD_REASONS = {"too_short": "length", "too_long": "length", "too_common": "pwned"}


def render_gotrue(exc: APIError, request_headers: Mapping[str, str]) -> Response:
    """GoTrue's legacy error shape (no `X-Supabase-Api-Version` header is sent, so the clients
    read `error_code`); a refused password is its 422 `weak_password` with the reasons."""
    status = exc.gotrue_status or exc.status
    body: dict[str, Any] = {"error_code": exc.gotrue_code}
    weak = [_WEAK_PASSWORD_REASONS[d["code"]] for d in exc.details
            if d.get("field") == "password" and d.get("code") in _WEAK_PASSWORD_REASONS]
    if isinstance(exc, ValidationFailed) and weak:
        status, body = 422, {"error_code": "weak_password",
                             "weak_password": {"reasons": sorted(set(weak))}}
    return JSONResponse({"code": status, **body, "msg": _gotrue_message(exc)},
                        status_code=status, headers=exc.headers)


def _gotrue_message(exc: APIError) -> str:
    if exc.gotrue_message is not None:
        return exc.gotrue_message
    if isinstance(exc, ValidationFailed):  # GoTrue says what is wrong in `msg` alone
        return "; ".join(f"{d['field']}: {d['message']}" if d.get("field") else d["message"]
                         for d in exc.details) or exc.message
    return exc.message


# The first row whose prefix the path is under picks the dialect ("" is under every path).
DIALECTS: tuple[tuple[str, Renderer], ...] = (
    ("/rest", render_postgrest),
    ("/auth/v1", render_gotrue),
    ("", render_api),
)


def renderer_for(path: str) -> Renderer:
    return next(render for prefix, render in DIALECTS
                if path == prefix or path.startswith(prefix + "/"))


def answer(exc: APIError, path: str, request_headers: Mapping[str, str]) -> Response:
    """`exc` in the dialect of `path`: the only place the dialect is chosen."""
    return renderer_for(path)(exc, request_headers)
