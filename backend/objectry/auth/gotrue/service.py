"""/auth/v1 over the one implementation of accounts and sessions (auth/sessions/service.py):
what each GoTrue call means in Objectry's terms, and GoTrue's session and user shapes.

The project is the workspace of the request's credential (the `apikey`, an API token, or the
signed-in user's session): signing in picks that workspace, and a session is only handed out
for it, so every later request (apikey + Bearer) passes the same-workspace rule."""

from __future__ import annotations

from typing import Any

from objectry.auth import jwt_codec
from objectry.auth.gotrue.schemas import PasswordGrant, SignUp, UserUpdate
from objectry.auth.schemas import Login, Register
from objectry.auth.sessions import service as sessions
from objectry.errors import BadRequest, Unauthenticated, ValidationFailed, detail
from objectry.lifespan import State
from objectry.web.context import Context

AUDIENCE = "authenticated"  # GoTrue's `aud` and `role` of every signed-in user


def user(account: dict[str, Any], workspace_id: str) -> dict[str, Any]:
    return {"id": account["id"], "aud": AUDIENCE, "role": AUDIENCE, "email": account["email"],
            "user_metadata": {"full_name": account["full_name"]},
            "app_metadata": {"workspace_id": workspace_id, "role": account["role"]},
            "created_at": account["created_at"]}


async def member(state: State, workspace_id: str, user_id: str) -> dict[str, Any]:
    return user(await sessions.account(state, workspace_id, user_id), workspace_id)


async def session(project: Context, tokens: sessions.Tokens) -> dict[str, Any]:
    return {"access_token": tokens.access_token, "token_type": "bearer",
            "expires_in": tokens.expires_in, "expires_at": tokens.expires_at,
            "refresh_token": tokens.refresh_token,
            "user": await member(project.state, tokens.workspace_id, tokens.user_id)}


async def sign_up(project: Context, body: SignUp) -> dict[str, Any]:
    """The sign-up rules of /api/auth/register, unchanged. An account that joined the project's
    workspace (by an invitation to it, or as the first user) is signed in; one that got a
    workspace of its own (open sign-up) is answered as GoTrue answers a sign-up awaiting
    confirmation — the user, no session — since this project's key cannot act with it."""
    joined = await sessions.register(project.state, Register(
        email=body.email, password=body.password, full_name=body.data.full_name,
        invitation_token=body.data.invitation_token))
    if joined["workspace_id"] != project.tenant_id:
        return await member(project.state, joined["workspace_id"], joined["id"])
    return await session(project, await sessions.start(project.state, joined["id"],
                                                       joined["workspace_id"]))


async def password_grant(project: Context, body: PasswordGrant, address: str
                         ) -> dict[str, Any]:
    login = Login.model_construct(email=body.email, password=body.password,
                                  workspace_id=project.tenant_id)
    return await session(project, await sessions.login(project.state, login, address))


async def refresh_grant(project: Context, refresh_token: str) -> dict[str, Any]:
    try:
        claims = jwt_codec.decode(project.state.secret_key, refresh_token, "refresh")
    except Unauthenticated:
        raise sessions.refresh_refused() from None
    if claims.wsp != project.tenant_id:  # another project's session: unknown here
        raise sessions.refresh_refused()
    return await session(project, await sessions.rotate(project.state, refresh_token))


def unsupported_grant() -> BadRequest:
    return BadRequest("grant_type must be password or refresh_token").as_gotrue(
        "validation_failed", 400, "unsupported_grant_type")


async def current_user(ctx: Context) -> dict[str, Any]:
    return await member(ctx.state, ctx.tenant_id, sessions.session_user(ctx.principal))


async def update_user(ctx: Context, body: UserUpdate) -> dict[str, Any]:
    if body.email is not None:
        raise ValidationFailed([detail("email", "unsupported",
                                       "changing the e-mail is not supported")]).as_gotrue(
            "validation_failed", 422, "email: changing the e-mail is not supported")
    await sessions.change_account(ctx, password=body.password, full_name=body.data.full_name)
    return await current_user(ctx)
