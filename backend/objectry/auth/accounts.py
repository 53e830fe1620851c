"""Accounts: sign-up (first user, invitation or open sign-up), sign-in, and "who am I".

The one place the account rules live, for every door to them (/api/auth, later /auth/v1)."""

from __future__ import annotations

from typing import Any

import asyncpg

from objectry.auth import invitations, passwords, ratelimit, sessions
from objectry.auth.schemas import Login, Register, lookup_email
from objectry.db import tenancy
from objectry.errors import Conflict, Forbidden, Unauthenticated, detail
from objectry.ids import new_id
from objectry.lifespan import State
from objectry.web.context import Context
from objectry.workspaces import default_name, insert_with_owner

# Serialises sign-ups, so exactly one of two simultaneous first sign-ups owns the install.
REGISTRATION_LOCK = 0x0B7EC8


def email_taken() -> Conflict:
    return Conflict("an account with this e-mail already exists",
                    [detail("email", "taken", "already registered")])


async def _admission(conn: asyncpg.Connection, state: State,
                     body: Register) -> invitations.Invitation | None:
    """The invitation this sign-up joins by, if it brings one (404 when the token proves
    nothing, 403 when it is for another e-mail); else whether it may sign up at all (403)."""
    if body.invitation_token is not None:
        invitation = await invitations.find(conn, body.invitation_token)
        if invitation.email != body.email:
            raise invitations.mismatch()
        return invitation
    if not (state.settings.open_signup or await conn.fetchval(
            "SELECT objectry_install_is_fresh()")):
        raise Forbidden("signing up needs an invitation to a workspace")
    return None


async def register(state: State, body: Register) -> dict[str, Any]:
    """A new account: in the workspace that invited it (only that one), else — on a fresh
    install or with open sign-up — owning a new workspace of its own."""
    # Refused callers are turned away before an (expensive) password hash is spent on them.
    async with state.pool.acquire() as conn:
        await _admission(conn, state, body)
    hashed = await passwords.hash_password(body.password)
    async with state.pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", REGISTRATION_LOCK)
        # Checked again under the lock; before the duplicate check, so a closed install does
        # not reveal which e-mails have accounts.
        invitation = await _admission(conn, state, body)
        if await conn.fetchval("SELECT objectry_user_id_by_email($1)", body.email):
            raise email_taken()
        user_id = await insert_user(conn, body.email, hashed, body.full_name)
        if invitation is not None:
            workspace_id = invitation.tenant_id
            role = await invitations.redeem(conn, invitation, user_id)
        else:
            name = default_name(body.full_name, body.email)
            workspace_id, role = await insert_with_owner(conn, name, user_id), "owner"
    return {"id": user_id, "email": body.email, "full_name": body.full_name,
            "workspace_id": workspace_id, "role": role}


async def insert_user(conn: asyncpg.Connection, email: str, hashed: str, full_name: str) -> str:
    user_id = new_id("usr")
    # The users policies let a transaction write only the user named in app.user_id.
    await conn.execute("SELECT set_config('app.user_id', $1, true)", user_id)
    try:
        await conn.execute("INSERT INTO users (id, email, hashed_password, full_name)"
                           " VALUES ($1, $2, $3, $4)", user_id, email, hashed, full_name)
    except asyncpg.UniqueViolationError:
        raise email_taken() from None
    return user_id


def bad_credentials() -> Unauthenticated:
    # One message for every failure: it must not tell an unknown e-mail from a wrong password.
    return Unauthenticated("the e-mail or password is not right",
                           headers={"WWW-Authenticate": "Bearer"})


async def login(state: State, body: Login, address: str) -> dict[str, Any]:
    email = lookup_email(body.email)
    attempt = await ratelimit.begin(state.pool, state.settings, email, address)
    async with state.pool.acquire() as conn:
        user = await conn.fetchrow("SELECT * FROM objectry_login_lookup($1)", email)
    hashed = user["hashed_password"] if user is not None else None
    if not await passwords.verify(hashed, body.password) or not user or not user["is_active"]:
        raise bad_credentials()
    await ratelimit.succeeded(state.pool, attempt)
    workspace_id = await _workspace_for(state.pool, user["id"], body.workspace_id)
    await _signed_in(state.pool, user["id"], hashed, body.password)
    return await sessions.start(state, user["id"], workspace_id)


async def _workspace_for(pool: asyncpg.Pool, user_id: str, wanted: str | None) -> str:
    """The workspace asked for, else the one the user joined last (memberships come oldest
    first): someone who just accepted an invitation signs in where they were invited."""
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT tenant_id FROM objectry_memberships($1)", user_id)
    ids = [row["tenant_id"] for row in rows]
    if wanted is not None and wanted not in ids:
        raise Forbidden("this account is not a member of that workspace")
    if not ids:
        raise Forbidden("this account is not a member of any workspace")
    return wanted or ids[-1]


async def _signed_in(pool: asyncpg.Pool, user_id: str, hashed: str | None,
                     password: str) -> None:
    """Record the sign-in, and re-hash a password made with older argon2 parameters."""
    fresh = await passwords.hash_password(password) if hashed and \
        passwords.needs_rehash(hashed) else None
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT set_config('app.user_id', $1, true)", user_id)
        await conn.execute("UPDATE users SET last_login = now(),"
                           " hashed_password = coalesce($2, hashed_password),"
                           " updated_at = CASE WHEN $2::text IS NULL THEN updated_at"
                           " ELSE now() END WHERE id = $1", user_id, fresh)


async def me(ctx: Context) -> dict[str, Any]:
    principal = ctx.principal
    out = {"workspace_id": ctx.tenant_id, "role": principal.role}
    async with tenancy.transaction(ctx.state.pool, ctx.tenant_id) as conn:
        if principal.user_id is not None:
            row = await conn.fetchrow("SELECT id, email, full_name FROM users WHERE id = $1",
                                      principal.user_id)
            return {**dict(row), **out, "kind": "user"}
        name = await conn.fetchval("SELECT name FROM api_tokens WHERE tenant_id = $1"
                                   " AND id = $2", ctx.tenant_id, principal.token_id)
    return {"id": principal.token_id, "email": None, "full_name": None, "name": name, **out,
            "kind": "token", "scopes": sorted(principal.scopes or ())}
