"""Workspace members and invitations: list members, change a role, remove; invite, list and
revoke invitations, and join by one (accepting it, or signing up with it: sessions/service.py).

Admins manage members; only owners make or unmake owners; a workspace always keeps an owner
(the owner rows are locked first, so two concurrent demotions cannot both pass the check).
A member removed, or demoted below admin, loses their sessions and the API tokens they made.

Invitations need proof: whoever holds the token (shown once; e-mailed too when SMTP is set)
and has the invited e-mail joins — once, within 7 days, unless revoked. Inviting never says
whether the e-mail has an account; a new invitation for a pending e-mail replaces the old one,
whose token stops working.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg

from objectry.audit.recorder import changed, record
from objectry.auth import repo as auth_repo
from objectry.auth.members import invitation_mail, repo
from objectry.auth.schemas import MemberAdd, MemberUpdate, lookup_email
from objectry.auth.secret_hash import digest
from objectry.auth.sessions import repo as sessions_repo
from objectry.auth.tokens import repo as tokens_repo
from objectry.db import tenancy
from objectry.errors import Conflict, Forbidden, NotFound, detail
from objectry.ids import new_id
from objectry.web.context import Context
from objectry.web.pagination import PageRequest, page


def here(ctx: Context, workspace_id: str) -> Context:
    # Another workspace's id is answered exactly like one that does not exist.
    if workspace_id != ctx.tenant_id:
        raise NotFound(f"no workspace {workspace_id!r}")
    return ctx


def managing(ctx: Context, workspace_id: str) -> Context:
    """Checked before the body is read: a caller without the right learns nothing more."""
    here(ctx, workspace_id).principal.require("admin")
    return ctx


async def _member(conn: asyncpg.Connection, ctx: Context, user_id: str) -> dict[str, Any]:
    row = await repo.member_for_update(conn, ctx.tenant_id, user_id)
    if row is None:
        raise NotFound(f"no member {user_id!r} in this workspace")
    return row


async def list_(ctx: Context, workspace_id: str) -> dict[str, Any]:
    here(ctx, workspace_id).principal.require("members:read")
    async with tenancy.transaction(ctx.state.pool, ctx.tenant_id) as conn:
        rows = await repo.members(conn, ctx.tenant_id)
    return {"items": rows, "next_cursor": None}


async def _drop_rights(conn: asyncpg.Connection, ctx: Context, user_id: str) -> None:
    """A token must not outlive its maker's right to make it (nor the tokens it made)."""
    await tokens_repo.revoke_tree(conn, ctx.tenant_id, user_id)
    ctx.state.tokens.forget()  # other processes hear it from the trigger on commit


async def update(ctx: Context, user_id: str, body: MemberUpdate) -> dict[str, Any]:
    """`ctx` comes through `managing`."""
    async with tenancy.transaction(ctx.state.pool, ctx.tenant_id) as conn:
        owners = await repo.lock_owners(conn, ctx.tenant_id)
        member = await _member(conn, ctx, user_id)
        if "owner" in (member["role"], body.role):
            ctx.principal.require("owner")
        if member["role"] == "owner" and body.role != "owner" and owners == 1:
            raise Conflict("the last owner cannot be demoted; make another owner first")
        await repo.set_role(conn, ctx.tenant_id, user_id, body.role)
        await record(conn, ctx, "member", "updated", user_id, member["email"],
                     changed(member, {"role": body.role}))
        if body.role not in ("admin", "owner"):
            await _drop_rights(conn, ctx, user_id)
        member = await _member(conn, ctx, user_id)
    ctx.state.sessions.forget()  # here at once, after the commit; other processes: the trigger
    return member


async def remove(ctx: Context, workspace_id: str, user_id: str) -> None:
    """Admins remove members; anyone may leave (remove themselves)."""
    leaving = user_id == here(ctx, workspace_id).principal.user_id
    if not leaving:
        ctx.principal.require("admin")
    async with tenancy.transaction(ctx.state.pool, ctx.tenant_id) as conn:
        owners = await repo.lock_owners(conn, ctx.tenant_id)
        member = await _member(conn, ctx, user_id)
        if member["role"] == "owner" and not leaving:
            ctx.principal.require("owner")
        if member["role"] == "owner" and owners == 1:
            raise Conflict("the last owner cannot be removed; make another owner first")
        # Written while the member still is one: their e-mail is visible to this workspace.
        await record(conn, ctx, "member", "left" if leaving else "removed", user_id,
                     member["email"], {"role": [member["role"], None]})
        await repo.delete_member(conn, ctx.tenant_id, user_id)
        await _drop_rights(conn, ctx, user_id)
        await sessions_repo.revoke_user(conn, ctx.tenant_id, user_id)
    ctx.state.sessions.forget()  # here at once, after the commit; other processes: the trigger


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
    """`ctx` comes through `managing`."""
    if body.role == "owner":
        ctx.principal.require("owner")
    token = secrets.token_urlsafe(32)
    async with tenancy.transaction(ctx.state.pool, ctx.tenant_id) as conn:
        if await repo.has_member_email(conn, ctx.tenant_id, body.email):
            raise Conflict("this e-mail is already a member",
                           [detail("email", "taken", "already a member")])
        row = await repo.insert_invitation(conn, ctx.tenant_id, new_id("inv"), body.email,
                                           body.role, digest(token), ctx.principal.user_id)
        await record(conn, ctx, "invitation", "created", row["id"], body.email,
                     {"role": [None, body.role]})
        workspace = await auth_repo.workspace_name(conn, ctx.tenant_id)
    await invitation_mail.send(ctx.state.settings.smtp_url, body.email,
                               invitation_mail.join_link(base_url, token), str(workspace),
                               row["expires_at"])
    return {"status": "invited", "invitation": {**row, "token": token}}


async def list_invitations(ctx: Context, request: PageRequest) -> dict[str, Any]:
    """Pending invitations, oldest first. `ctx` comes through `managing`."""
    after = request.after or (datetime.min.replace(tzinfo=UTC), "")
    async with tenancy.connection(ctx.state.pool, ctx.tenant_id) as conn:
        rows = await repo.pending_invitations(conn, ctx.tenant_id, after, request.limit + 1)
    return page(rows, request)


async def revoke_invitation(ctx: Context, invitation_id: str) -> None:
    """`ctx` comes through `managing`. Revoking twice, or one already used or expired,
    is no error and changes nothing that was accepted (a member who joined stays)."""
    async with tenancy.tx(ctx) as conn:
        email = await repo.revoke_invitation(conn, ctx.tenant_id, invitation_id)
        if email is None:
            raise NotFound(f"no invitation {invitation_id!r} in this workspace")
        await record(conn, ctx, "invitation", "revoked", invitation_id, email)


async def find_invitation(conn: asyncpg.Connection, token: str) -> Invitation:
    """The pending invitation this token proves, before any workspace is known."""
    row = await repo.invitation_by_token(conn, digest(token))
    if row is None:
        raise gone()
    return Invitation(**row)


async def redeem(conn: asyncpg.Connection, invitation: Invitation, user_id: str) -> str:
    """Use the invitation (once: a concurrent use finds it gone) and make the member; the
    caller's transaction commits both or neither. Returns the role."""
    await auth_repo.set_tenant(conn, invitation.tenant_id)
    role = await repo.use_invitation(conn, invitation.tenant_id, invitation.id, user_id)
    if role is None:
        raise gone()
    try:
        await repo.insert_member(conn, invitation.tenant_id, user_id, role)
    except asyncpg.UniqueViolationError:
        raise Conflict("you are already a member of this workspace") from None
    return role


async def accept(ctx: Context, token: str) -> dict[str, Any]:
    """A signed-in person joins the workspace that invited their e-mail."""
    user_id = ctx.principal.user_id
    if user_id is None:
        raise Forbidden("an API token cannot accept an invitation; sign in as the person invited")
    async with tenancy.unscoped(ctx.state.pool) as conn:
        invitation = await find_invitation(conn, token)
    async with tenancy.transaction(ctx.state.pool, invitation.tenant_id) as conn:
        await auth_repo.act_as_user(conn, user_id)
        email = await sessions_repo.email_of(conn, user_id)
        if lookup_email(email or "") != invitation.email:
            raise mismatch()
        role = await redeem(conn, invitation, user_id)
        await record(conn, ctx, "invitation", "accepted", invitation.id, invitation.email,
                     {"role": [None, role]}, workspace_id=invitation.tenant_id)
    return {"workspace_id": invitation.tenant_id, "role": role}
