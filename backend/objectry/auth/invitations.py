"""Invitations that need proof: an admin invites an e-mail with a role, and whoever holds the
token (shown once; e-mailed too when SMTP is set) and has that e-mail joins — once, within 7
days, unless revoked — by signing up with it or, with an account, by accepting it.

Inviting never says whether the e-mail has an account. A new invitation for a pending e-mail
replaces the old one, whose token stops working. Only a SHA-256 of a token is stored; the one
lookup before the workspace is known goes through `objectry_invitation_by_token` (0005).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg

from objectry.auth import invitation_mail
from objectry.auth.apitokens import digest
from objectry.auth.schemas import MemberAdd, lookup_email
from objectry.db import tenancy
from objectry.errors import Conflict, Forbidden, NotFound, detail
from objectry.ids import new_id
from objectry.web.context import Context
from objectry.web.pagination import PageRequest, page
from objectry.workspaces import set_tenant

VALID_DAYS = 7
COLUMNS = "id, email, role, expires_at, created_at, invited_by"
PENDING = "accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()"
_INSERT = f"""
INSERT INTO workspace_invitations (tenant_id, id, email, role, token_hash, invited_by, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(days => {VALID_DAYS}))
RETURNING id, email, role, expires_at
"""
# A pending invitation for the same e-mail is replaced: its token stops working.
_REPLACE = """
UPDATE workspace_invitations SET revoked_at = now()
WHERE tenant_id = $1 AND email = $2 AND accepted_at IS NULL AND revoked_at IS NULL
"""
_IS_MEMBER = """
SELECT EXISTS (SELECT 1 FROM workspace_members m JOIN users u ON u.id = m.user_id
               WHERE m.tenant_id = $1 AND lower(u.email) = $2)
"""


@dataclass(frozen=True, slots=True)
class Invitation:
    """A pending invitation, found by its token."""

    tenant_id: str
    id: str
    email: str
    role: str


def gone() -> NotFound:
    # One answer for unknown, used, revoked and expired: the token holder learns nothing more.
    return NotFound("this invitation does not exist, was already used or revoked, or has expired")


def mismatch() -> Forbidden:
    return Forbidden("this invitation is for another e-mail address")


async def invite(ctx: Context, body: MemberAdd, base_url: str) -> dict[str, Any]:
    """`ctx` comes through `members.managing`."""
    if body.role == "owner":
        ctx.principal.require("owner")
    token = secrets.token_urlsafe(32)
    async with tenancy.transaction(ctx.state.pool, ctx.tenant_id) as conn:
        if await conn.fetchval(_IS_MEMBER, ctx.tenant_id, body.email):
            raise Conflict("this e-mail is already a member",
                           [detail("email", "taken", "already a member")])
        await conn.execute(_REPLACE, ctx.tenant_id, body.email)
        row = await conn.fetchrow(_INSERT, ctx.tenant_id, new_id("inv"), body.email, body.role,
                                  digest(token), ctx.principal.user_id)
        workspace = await conn.fetchval("SELECT name FROM workspaces WHERE id = $1",
                                        ctx.tenant_id)
    await invitation_mail.send(ctx.state.settings.smtp_url, body.email,
                               invitation_mail.join_link(base_url, token), workspace,
                               row["expires_at"])
    return {"status": "invited", "invitation": {**dict(row), "token": token}}


async def list_(ctx: Context, request: PageRequest) -> dict[str, Any]:
    """Pending invitations, oldest first. `ctx` comes through `members.managing`."""
    after = request.after or (datetime.min.replace(tzinfo=UTC), "")
    async with tenancy.connection(ctx.state.pool, ctx.tenant_id) as conn:
        rows = await conn.fetch(
            f"SELECT {COLUMNS} FROM workspace_invitations WHERE tenant_id = $1 AND {PENDING}"
            " AND (created_at, id) > ($2, $3) ORDER BY created_at, id LIMIT $4",
            ctx.tenant_id, after[0], after[1], request.limit + 1)
    return page([dict(r) for r in rows], request)


async def revoke(ctx: Context, invitation_id: str) -> None:
    """`ctx` comes through `members.managing`. Revoking twice, or one already used or expired,
    is no error and changes nothing that was accepted (a member who joined stays)."""
    async with tenancy.connection(ctx.state.pool, ctx.tenant_id) as conn:
        found = await conn.fetchval(
            "UPDATE workspace_invitations SET revoked_at = CASE WHEN accepted_at IS NULL"
            " THEN coalesce(revoked_at, now()) END WHERE tenant_id = $1 AND id = $2"
            " RETURNING id", ctx.tenant_id, invitation_id)
    if found is None:
        raise NotFound(f"no invitation {invitation_id!r} in this workspace")


async def find(conn: asyncpg.Connection, token: str) -> Invitation:
    """The pending invitation this token proves, before any workspace is known."""
    row = await conn.fetchrow("SELECT * FROM objectry_invitation_by_token($1)", digest(token))
    if row is None:
        raise gone()
    return Invitation(**dict(row))


async def redeem(conn: asyncpg.Connection, invitation: Invitation, user_id: str) -> str:
    """Use the invitation (once: a concurrent use finds it gone) and make the member; the
    caller's transaction commits both or neither. Returns the role."""
    await set_tenant(conn, invitation.tenant_id)
    role = await conn.fetchval(
        "UPDATE workspace_invitations SET accepted_at = now(), accepted_by = $3"
        f" WHERE tenant_id = $1 AND id = $2 AND {PENDING} RETURNING role",
        invitation.tenant_id, invitation.id, user_id)
    if role is None:
        raise gone()
    try:
        await conn.execute("INSERT INTO workspace_members (tenant_id, user_id, role)"
                           " VALUES ($1, $2, $3)", invitation.tenant_id, user_id, role)
    except asyncpg.UniqueViolationError:
        raise Conflict("you are already a member of this workspace") from None
    return role


async def accept(ctx: Context, token: str) -> dict[str, Any]:
    """A signed-in person joins the workspace that invited their e-mail."""
    user_id = ctx.principal.user_id
    if user_id is None:
        raise Forbidden("an API token cannot accept an invitation; sign in as the person invited")
    async with ctx.state.pool.acquire() as conn:
        invitation = await find(conn, token)
    async with tenancy.transaction(ctx.state.pool, invitation.tenant_id) as conn:
        # The users policies show an account to itself (app.user_id) in any workspace.
        await conn.execute("SELECT set_config('app.user_id', $1, true)", user_id)
        email = await conn.fetchval("SELECT email FROM users WHERE id = $1", user_id)
        if lookup_email(email or "") != invitation.email:
            raise mismatch()
        role = await redeem(conn, invitation, user_id)
    return {"workspace_id": invitation.tenant_id, "role": role}
