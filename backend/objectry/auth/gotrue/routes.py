"""HTTP routes of /auth/v1, the GoTrue subset Supabase's clients call (rules in service.py).
Every route needs a credential: the project's `apikey` (any valid API token), and for the user
routes the session's access token as `Authorization: Bearer`. Kept out of /openapi.json: GoTrue
documents this surface, and its error shape is not the /api one."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, Response

from objectry.auth import throttling
from objectry.auth.client_address import client_address
from objectry.auth.gotrue import schemas as s
from objectry.auth.gotrue import service as gotrue
from objectry.auth.sessions import service as sessions
from objectry.web.bodies import body
from objectry.web.context import Ctx
from objectry.web.responses import no_store

router = APIRouter(prefix="/auth/v1", tags=["auth/v1"], include_in_schema=False)


def _address(ctx: Ctx, request: Request) -> str:
    return client_address(request, ctx.state.settings.trusted_proxies)


@router.post("/signup")
async def signup(ctx: Ctx, request: Request) -> Any:
    # Counted before the body is read, as on /api/auth/register: every attempt counts.
    await throttling.signup(ctx.state.pool, ctx.state.settings, _address(ctx, request))
    return no_store(await gotrue.sign_up(ctx, await body(request, s.SignUp)))


@router.post("/token")
async def token(ctx: Ctx, request: Request, grant_type: str = "") -> Any:
    if grant_type == "password":
        grant = await body(request, s.PasswordGrant)
        return no_store(await gotrue.password_grant(ctx, grant, _address(ctx, request)))
    if grant_type == "refresh_token":
        refresh = (await body(request, s.RefreshGrant)).refresh_token
        return no_store(await gotrue.refresh_grant(ctx, refresh))
    raise gotrue.unsupported_grant()


@router.get("/user")
async def get_user(ctx: Ctx) -> Any:
    return no_store(await gotrue.current_user(ctx))


@router.put("/user")
async def update_user(ctx: Ctx, request: Request) -> Any:
    return no_store(await gotrue.update_user(ctx, await body(request, s.UserUpdate)))


@router.post("/logout", status_code=204)
async def logout(ctx: Ctx, scope: Literal["global", "local", "others"] = "global") -> Response:
    await sessions.end(ctx.state, ctx.principal, scope)
    return Response(status_code=204)
