"""Accounts and their sessions: sign-up (first user, invitation or open sign-up), sign-in,
"who am I", and the session's tokens — an access + refresh pair, the refresh token rotated on
use (presenting an already-rotated one revokes the whole family), ended at logout.

The one place the account rules live, for every door to them (/api/auth, /auth/v1): refusals
carry GoTrue's name for them too (`as_gotrue`), which only /auth/v1 shows."""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from typing import Any, Literal

import asyncpg

from objectry.audit.recorder import Actor, record_as
from objectry.auth import jwt_codec, passwords, throttling, workspaces
from objectry.auth.members import service as members
from objectry.auth.principal import Principal
from objectry.auth.schemas import Login, Register, lookup_email
from objectry.auth.secret_hash import digest
from objectry.auth.sessions import repo
from objectry.auth.tokens import repo as tokens_repo
from objectry.db import tenancy
from objectry.errors import Conflict, Forbidden, Unauthenticated, detail
from objectry.ids import new_id
from objectry.lifespan import State
from objectry.web.context import Context


@dataclass(frozen=True, slots=True)
class Tokens:
    """A session's access + refresh pair, and whose session it is."""

    access_token: str
    refresh_token: str
    expires_in: int  # seconds the access token lives
    expires_at: int  # its `exp` (epoch seconds)
    user_id: str
    workspace_id: str

    def as_api(self) -> dict[str, Any]:
        return {"access_token": self.access_token, "refresh_token": self.refresh_token,
                "token_type": "bearer", "expires_in": self.expires_in}


def email_taken() -> Conflict:
    return Conflict("an account with this e-mail already exists",
                    [detail("email", "taken", "already registered")]
                    ).as_gotrue("user_already_exists", 422, "User already registered")


def bad_credentials() -> Unauthenticated:
    # One message for every failure: it must not tell an unknown e-mail from a wrong password.
    return Unauthenticated("the e-mail or password is not right",
                           headers={"WWW-Authenticate": "Bearer"}
                           ).as_gotrue("invalid_credentials", 400, "Invalid login credentials")


def refresh_refused(reused: bool = False) -> Unauthenticated:
    if reused:
        return jwt_codec.invalid("this refresh token was already used; the session has ended,"
                                 " sign in again").as_gotrue(
            "refresh_token_already_used", 400, "Invalid Refresh Token: Already Used")
    return jwt_codec.invalid("this refresh token is no longer valid; sign in again").as_gotrue(
        "refresh_token_not_found", 400, "Invalid Refresh Token: Refresh Token Not Found")


async def _admission(conn: asyncpg.Connection, state: State,
                     body: Register) -> members.Invitation | None:
    """The invitation this sign-up joins by, if it brings one (404 when the token proves
    nothing, 403 when it is for another e-mail); else whether it may sign up at all (403)."""
    if body.invitation_token is not None:
        invitation = await members.find_invitation(conn, body.invitation_token)
        if invitation.email != body.email:
            raise members.mismatch()
        return invitation
    if not (state.settings.open_signup or await repo.install_is_fresh(conn)):
        raise Forbidden("signing up needs an invitation to a workspace").as_gotrue(
            "signup_disabled", 422, "Signups not allowed for this instance")
    return None


async def register(state: State, body: Register) -> dict[str, Any]:
    """A new account: in the workspace that invited it (only that one), else — on a fresh
    install or with open sign-up — owning a new workspace of its own."""
    # Refused callers are turned away before an (expensive) password hash is spent on them.
    async with tenancy.unscoped(state.pool) as conn:
        await _admission(conn, state, body)
    hashed = await passwords.hash_password(body.password)
    async with tenancy.unscoped(state.pool, transaction=True) as conn:
        await repo.lock_registrations(conn)
        # Checked again under the lock; before the duplicate check, so a closed install does
        # not reveal which e-mails have accounts.
        invitation = await _admission(conn, state, body)
        if await repo.user_id_by_email(conn, body.email):
            raise email_taken()
        user_id = await insert_user(conn, body.email, hashed, body.full_name)
        if invitation is not None:
            workspace_id = invitation.tenant_id
            role = await members.redeem(conn, invitation, user_id)
            await record_as(conn, Actor(workspace_id, user_id, "session", None), "invitation",
                            "accepted", invitation.id, invitation.email, {"role": [None, role]})
        else:
            name = workspaces.default_name(body.full_name, body.email)
            workspace_id = await workspaces.create_with_owner(conn, name, user_id)
            role = "owner"
    return {"id": user_id, "email": body.email, "full_name": body.full_name,
            "workspace_id": workspace_id, "role": role}


async def insert_user(conn: asyncpg.Connection, email: str, hashed: str, full_name: str) -> str:
    user_id = new_id("usr")
    try:
        await repo.insert_user(conn, user_id, email, hashed, full_name)
    except asyncpg.UniqueViolationError:
        raise email_taken() from None
    return user_id


async def login(state: State, body: Login, address: str) -> Tokens:
    email = lookup_email(body.email)
    attempt = await throttling.begin(state.pool, state.settings, email, address)
    async with tenancy.unscoped(state.pool) as conn:
        user = await repo.login_lookup(conn, email)
    hashed = user["hashed_password"] if user is not None else None
    if not await passwords.verify(hashed, body.password) or not user or not user["is_active"]:
        raise bad_credentials()
    await throttling.succeeded(state.pool, attempt)
    workspace_id = await _workspace_for(state.pool, user["id"], body.workspace_id)
    await _signed_in(state.pool, user["id"], hashed, body.password)
    return await start(state, user["id"], workspace_id)


async def _workspace_for(pool: asyncpg.Pool, user_id: str, wanted: str | None) -> str:
    """The workspace asked for, else the one the user joined last (memberships come oldest
    first): someone who just accepted an invitation signs in where they were invited."""
    async with tenancy.unscoped(pool) as conn:
        ids = await repo.membership_ids(conn, user_id)
    if wanted is not None and wanted not in ids:
        # To GoTrue the workspace is the project: an account of another one is not known.
        raise Forbidden("this account is not a member of that workspace").as_gotrue(
            "invalid_credentials", 400, "Invalid login credentials")
    if not ids:
        raise Forbidden("this account is not a member of any workspace")
    return wanted or ids[-1]


async def _signed_in(pool: asyncpg.Pool, user_id: str, hashed: str | None,
                     password: str) -> None:
    """Record the sign-in, and re-hash a password made with older argon2 parameters."""
    fresh = await passwords.hash_password(password) if hashed and \
        passwords.needs_rehash(hashed) else None
    async with tenancy.unscoped(pool, transaction=True) as conn:
        await repo.record_sign_in(conn, user_id, fresh)


async def me(ctx: Context) -> dict[str, Any]:
    principal = ctx.principal
    out = {"workspace_id": ctx.tenant_id, "role": principal.role}
    async with tenancy.transaction(ctx.state.pool, ctx.tenant_id) as conn:
        if principal.user_id is not None:
            return {**await repo.profile(conn, principal.user_id), **out, "kind": "user"}
        name = await tokens_repo.name_of(conn, ctx.tenant_id, principal.token_id)
    return {"id": principal.token_id, "email": None, "full_name": None, "name": name, **out,
            "kind": "token", "scopes": sorted(principal.scopes or ())}


async def _issue(conn: asyncpg.Connection, state: State, user_id: str, workspace_id: str,
                 family_id: str) -> Tokens:
    settings = state.settings
    access_seconds = settings.access_token_minutes * 60
    common = {"user_id": user_id, "workspace_id": workspace_id, "family_id": family_id}
    access, access_claims = jwt_codec.encode(state.secret_key, typ="access",
                                             lifetime_seconds=access_seconds, **common)
    refresh, claims = jwt_codec.encode(state.secret_key, typ="refresh",
                                       lifetime_seconds=settings.refresh_token_days * 86400,
                                       **common)
    await repo.insert_refresh(conn, workspace_id, claims.jti, family_id=family_id,
                              user_id=user_id, token_hash=digest(refresh),
                              expires_at=claims.exp)
    return Tokens(access, refresh, access_seconds, access_claims.exp, user_id, workspace_id)


async def start(state: State, user_id: str, workspace_id: str) -> Tokens:
    # Pruned here: what can no longer matter (an access token never outlives the refresh
    # token issued with it).
    async with tenancy.transaction(state.pool, workspace_id) as conn:
        await repo.prune(conn, workspace_id)
        return await _issue(conn, state, user_id, workspace_id, uuid.uuid4().hex)


async def rotate(state: State, refresh_token: str) -> Tokens:
    try:
        claims = jwt_codec.decode(state.secret_key, refresh_token, "refresh")
    except Unauthenticated:
        raise refresh_refused() from None
    async with tenancy.transaction(state.pool, claims.wsp) as conn:
        pair = await _rotate(conn, state, claims, refresh_token)
    # Raised after the commit, so a family revoked on reuse stays revoked; a revoked family's
    # sessions are forgotten here at once (other processes hear the trigger).
    if not isinstance(pair, Tokens):
        state.sessions.forget()
        raise refresh_refused(reused=pair == "reused")
    return pair


async def _rotate(conn: asyncpg.Connection, state: State, claims: jwt_codec.Claims,
                  token: str) -> Tokens | Literal["reused", "unknown"]:
    row = await repo.refresh_for_update(conn, claims.wsp, claims.jti)
    if (row is None or row["revoked_at"] is not None or row["user_id"] != claims.sub
            or not hmac.compare_digest(row["token_hash"], digest(token))):
        return "unknown"
    if row["used_at"] is not None:
        # A rotated token seen again means two parties hold this session: end it for both.
        await repo.revoke_family(conn, claims.wsp, row["family_id"])
        return "reused"
    if not await repo.is_active_member(conn, claims.wsp, claims.sub):
        await repo.revoke_family(conn, claims.wsp, row["family_id"])
        return "unknown"
    await repo.mark_used(conn, claims.wsp, claims.jti)
    return await _issue(conn, state, claims.sub, claims.wsp, row["family_id"])


Scope = Literal["local", "global", "others"]


async def end(state: State, principal: Principal, scope: Scope = "local") -> None:
    """Logout. `local`: the presented access token is blacklisted and its refresh family
    revoked; `global`: every session of the user in this workspace too; `others`: every
    session but this one (GoTrue's scopes)."""
    session = principal.session
    if session is None or principal.user_id is None:
        raise Forbidden("an API token has no session to end; revoke it with DELETE /api/tokens"
                        ).as_gotrue("bad_jwt", 403, "an API token is not a user's session")
    workspace_id, user_id = principal.workspace_id, principal.user_id
    async with tenancy.transaction(state.pool, workspace_id) as conn:
        if scope != "others":
            await repo.blacklist(conn, session.jti, user_id, session.expires_at)
        if scope == "local":
            await repo.revoke_family(conn, workspace_id, session.family_id)
        else:
            await repo.revoke_user(conn, workspace_id, user_id,
                                   keep_family=session.family_id if scope == "others" else None)
        await repo.prune(conn, workspace_id)
    state.sessions.forget()  # here at once, after the commit; other processes hear the trigger


def session_user(principal: Principal) -> str:
    """The signed-in user behind `principal`; an API token acts for no user (403)."""
    if principal.user_id is None:
        raise Forbidden("an API token is not a user; sign in").as_gotrue(
            "bad_jwt", 403, "invalid claim: an API token is not a user's session")
    return principal.user_id


async def account(state: State, workspace_id: str, user_id: str) -> dict[str, Any]:
    """A member's account in a workspace: id, email, full_name, created_at, updated_at,
    last_login and role."""
    async with tenancy.transaction(state.pool, workspace_id) as conn:
        return await repo.account(conn, workspace_id, user_id)


async def change_account(ctx: Context, *, password: str | None, full_name: str | None) -> None:
    """A new password (every other session of the user then ends, as GoTrue does) and/or
    full name; `password` has passed the sign-up password rule (schemas.NewPassword)."""
    user_id = session_user(ctx.principal)
    hashed = await passwords.hash_password(password) if password is not None else None
    async with tenancy.transaction(ctx.state.pool, ctx.tenant_id) as conn:
        await repo.update_account(conn, user_id, hashed, full_name)
        if hashed is not None and ctx.principal.session is not None:
            await repo.revoke_user(conn, ctx.tenant_id, user_id,
                                   keep_family=ctx.principal.session.family_id)
    ctx.state.sessions.forget()
