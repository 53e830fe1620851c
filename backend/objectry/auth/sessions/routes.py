"""HTTP routes of /api/auth: sign-up, sign-in (JSON or OAuth2 form), refresh, logout, me
(rules in sessions/service.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from objectry.auth import schemas as s
from objectry.auth import throttling
from objectry.auth.client_address import client_address
from objectry.auth.sessions import service as sessions
from objectry.web.bodies import body, documented, json_body, parse
from objectry.web.context import Ctx, get_state
from objectry.web.openapi import errors
from objectry.web.responses import no_store

router = APIRouter(prefix="/api/auth", tags=["auth"])

_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_LOGIN_DOC = documented(s.Login)
_LOGIN_DOC["requestBody"]["content"]["application/x-www-form-urlencoded"] = {"schema": {
    "type": "object", "required": ["username", "password"],
    "properties": {"username": {"type": "string"}, "password": {"type": "string"},
                   "workspace_id": {"type": "string"}}}}


async def login_body(request: Request) -> s.Login:
    """JSON `{email, password}`, or the OAuth2 password form (`username`, `password`)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in _FORMS:
        return parse(s.Login, await json_body(request))
    form = await request.form()
    fields = {"email": form.get("username"), "password": form.get("password"),
              "workspace_id": form.get("workspace_id")}
    return parse(s.Login, {k: v for k, v in fields.items() if v is not None})


@router.post("/register", status_code=201, responses=errors(403, 404, 429),
             openapi_extra=documented(s.Register))
async def register(request: Request) -> Any:
    state = get_state(request)
    # Counted before the body is read: every sign-up request from the address counts.
    address = client_address(request, state.settings.trusted_proxies)
    await throttling.signup(state.pool, state.settings, address)
    return await sessions.register(state, await body(request, s.Register))


@router.post("/login", responses=errors(401, 403, 429), openapi_extra=_LOGIN_DOC)
async def login(request: Request) -> Any:
    credentials, state = await login_body(request), get_state(request)
    address = client_address(request, state.settings.trusted_proxies)
    return no_store((await sessions.login(state, credentials, address)).as_api())


@router.post("/refresh", responses=errors(401), openapi_extra=documented(s.Refresh))
async def refresh(request: Request) -> Any:
    token = (await body(request, s.Refresh)).refresh_token
    return no_store((await sessions.rotate(get_state(request), token)).as_api())


@router.post("/logout", status_code=204)
async def logout(ctx: Ctx) -> Response:
    await sessions.end(ctx.state, ctx.principal)
    return Response(status_code=204)


@router.get("/me")
async def me(ctx: Ctx) -> Any:
    return await sessions.me(ctx)
