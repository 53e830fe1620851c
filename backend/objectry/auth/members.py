"""Workspace members: list, change a role, remove (adding one is an invitation: invitations.py).

Admins manage members; only owners make or unmake owners; a workspace always keeps an owner
(the owner rows are locked first, so two concurrent demotions cannot both pass the check).
A member removed, or demoted below admin, loses their sessions and the API tokens they made.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from objectry.auth import sessions
from objectry.auth.schemas import MemberUpdate
from objectry.auth.token_service import REVOKE_TREE
from objectry.db import tenancy
from objectry.errors import Conflict, NotFound
from objectry.web.context import Context

_MEMBER = """
SELECT m.user_id, u.email, u.full_name, m.role, m.created_at
FROM workspace_members m JOIN users u ON u.id = m.user_id
WHERE m.tenant_id = $1
"""


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
    row = await conn.fetchrow(_MEMBER + " AND m.user_id = $2 FOR UPDATE OF m",
                              ctx.tenant_id, user_id)
    if row is None:
        raise NotFound(f"no member {user_id!r} in this workspace")
    return dict(row)


async def list_(ctx: Context, workspace_id: str) -> dict[str, Any]:
    here(ctx, workspace_id).principal.require("members:read")
    async with tenancy.transaction(ctx.state.pool, ctx.tenant_id) as conn:
        rows = await conn.fetch(_MEMBER + " ORDER BY m.created_at, m.user_id", ctx.tenant_id)
    return {"items": [dict(r) for r in rows], "next_cursor": None}


async def _lock_owners(conn: asyncpg.Connection, ctx: Context) -> int:
    rows = await conn.fetch("SELECT user_id FROM workspace_members WHERE tenant_id = $1"
                            " AND role = 'owner' ORDER BY user_id FOR UPDATE", ctx.tenant_id)
    return len(rows)


async def _drop_rights(conn: asyncpg.Connection, ctx: Context, user_id: str) -> None:
    """A token must not outlive its maker's right to make it (nor the tokens it made)."""
    await conn.execute(REVOKE_TREE, ctx.tenant_id, user_id)
    ctx.state.tokens.drop()  # other processes hear it from the trigger on commit


async def update(ctx: Context, user_id: str, body: MemberUpdate) -> dict[str, Any]:
    """`ctx` comes through `managing`."""
    async with tenancy.transaction(ctx.state.pool, ctx.tenant_id) as conn:
        owners = await _lock_owners(conn, ctx)
        member = await _member(conn, ctx, user_id)
        if "owner" in (member["role"], body.role):
            ctx.principal.require("owner")
        if member["role"] == "owner" and body.role != "owner" and owners == 1:
            raise Conflict("the last owner cannot be demoted; make another owner first")
        await conn.execute("UPDATE workspace_members SET role = $3 WHERE tenant_id = $1"
                           " AND user_id = $2", ctx.tenant_id, user_id, body.role)
        if body.role not in ("admin", "owner"):
            await _drop_rights(conn, ctx, user_id)
        return await _member(conn, ctx, user_id)


async def remove(ctx: Context, workspace_id: str, user_id: str) -> None:
    """Admins remove members; anyone may leave (remove themselves)."""
    leaving = user_id == here(ctx, workspace_id).principal.user_id
    if not leaving:
        ctx.principal.require("admin")
    async with tenancy.transaction(ctx.state.pool, ctx.tenant_id) as conn:
        owners = await _lock_owners(conn, ctx)
        member = await _member(conn, ctx, user_id)
        if member["role"] == "owner" and not leaving:
            ctx.principal.require("owner")
        if member["role"] == "owner" and owners == 1:
            raise Conflict("the last owner cannot be removed; make another owner first")
        await conn.execute("DELETE FROM workspace_members WHERE tenant_id = $1"
                           " AND user_id = $2", ctx.tenant_id, user_id)
        await _drop_rights(conn, ctx, user_id)
        await sessions.revoke_user(conn, ctx.tenant_id, user_id)
