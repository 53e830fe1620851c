"""SQL of workspace members (`workspace_members`, joined to `users`) and of invitations
(`workspace_invitations`; only a SHA-256 of an invitation's token is stored)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from objectry import sqltext

VALID_DAYS = 7  # an invitation's lifetime
_MEMBER = """
SELECT m.user_id, u.email, u.full_name, m.role, m.created_at
FROM workspace_members m JOIN users u ON u.id = m.user_id
WHERE m.tenant_id = $1
"""
_IS_MEMBER = """
SELECT EXISTS (SELECT 1 FROM workspace_members m JOIN users u ON u.id = m.user_id
               WHERE m.tenant_id = $1 AND lower(u.email) = $2)
"""
_INVITATION_COLUMNS = "id, email, role, expires_at, created_at, invited_by"
_PENDING = "accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()"
_INVITE = f"""
INSERT INTO workspace_invitations (tenant_id, id, email, role, token_hash, invited_by, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(days => {VALID_DAYS}))
RETURNING id, email, role, expires_at
"""
# A pending invitation for the same e-mail is replaced: its token stops working.
_REPLACE = """
UPDATE workspace_invitations SET revoked_at = now()
WHERE tenant_id = $1 AND email = $2 AND accepted_at IS NULL AND revoked_at IS NULL
"""


async def insert_member(conn: asyncpg.Connection, workspace_id: str, user_id: str,
                        role: str) -> None:
    await conn.execute("INSERT INTO workspace_members (tenant_id, user_id, role)"
                       " VALUES ($1, $2, $3)", workspace_id, user_id, role)


async def member_for_update(conn: asyncpg.Connection, workspace_id: str,
                            user_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(_MEMBER + " AND m.user_id = $2 FOR UPDATE OF m",
                              workspace_id, user_id)
    return dict(row) if row is not None else None


async def members(conn: asyncpg.Connection, workspace_id: str) -> list[dict[str, Any]]:
    rows = await conn.fetch(_MEMBER + " ORDER BY m.created_at, m.user_id", workspace_id)
    return [dict(r) for r in rows]


async def lock_owners(conn: asyncpg.Connection, workspace_id: str) -> int:
    """Lock the owner rows (in one order) and count them."""
    rows = await conn.fetch("SELECT user_id FROM workspace_members WHERE tenant_id = $1"
                            " AND role = 'owner' ORDER BY user_id FOR UPDATE", workspace_id)
    return len(rows)


async def set_role(conn: asyncpg.Connection, workspace_id: str, user_id: str,
                   role: str) -> None:
    await conn.execute("UPDATE workspace_members SET role = $3 WHERE tenant_id = $1"
                       " AND user_id = $2", workspace_id, user_id, role)


async def delete_member(conn: asyncpg.Connection, workspace_id: str, user_id: str) -> None:
    await conn.execute("DELETE FROM workspace_members WHERE tenant_id = $1"
                       " AND user_id = $2", workspace_id, user_id)


async def has_member_email(conn: asyncpg.Connection, workspace_id: str, email: str) -> bool:
    return await conn.fetchval(_IS_MEMBER, workspace_id, email)


async def insert_invitation(conn: asyncpg.Connection, workspace_id: str, invitation_id: str,
                            email: str, role: str, token_hash: str,
                            invited_by: str | None) -> dict[str, Any]:
    """A new pending invitation; a pending one for the same e-mail is revoked first."""
    await conn.execute(_REPLACE, workspace_id, email)
    row = await conn.fetchrow(_INVITE, workspace_id, invitation_id, email, role, token_hash,
                              invited_by)
    return dict(row)


async def pending_invitations(conn: asyncpg.Connection, workspace_id: str,
                              after: tuple[datetime, str], limit: int) -> list[dict[str, Any]]:
    """Pending invitations after `after` (created_at, id), oldest first."""
    rows = await conn.fetch(
        f"SELECT {_INVITATION_COLUMNS} FROM workspace_invitations WHERE tenant_id = $1"
        f" AND {_PENDING} AND (created_at, id) > ($2, $3) ORDER BY created_at, id"
        f"{sqltext.limit(limit)}", workspace_id, after[0], after[1])
    return [dict(r) for r in rows]


async def revoke_invitation(conn: asyncpg.Connection, workspace_id: str,
                            invitation_id: str) -> str | None:
    """Revoke a pending invitation (an accepted one stays accepted); its e-mail, or None when
    there is none of that id."""
    return await conn.fetchval(
        "UPDATE workspace_invitations SET revoked_at = CASE WHEN accepted_at IS NULL"
        " THEN coalesce(revoked_at, now()) END WHERE tenant_id = $1 AND id = $2"
        " RETURNING email", workspace_id, invitation_id)


async def invitation_by_token(conn: asyncpg.Connection, token_hash: str) -> dict[str, Any] | None:
    """The pending invitation of this token hash, before any workspace is known (a SECURITY
    DEFINER function, migration 0005: tenant_id, id, email, role)."""
    row = await conn.fetchrow("SELECT * FROM objectry_invitation_by_token($1)", token_hash)
    return dict(row) if row is not None else None


async def use_invitation(conn: asyncpg.Connection, workspace_id: str, invitation_id: str,
                         user_id: str) -> str | None:
    """Mark a pending invitation accepted by `user_id`; its role, or None when it is no longer
    pending (a concurrent use took it)."""
    return await conn.fetchval(
        "UPDATE workspace_invitations SET accepted_at = now(), accepted_by = $3"
        f" WHERE tenant_id = $1 AND id = $2 AND {_PENDING} RETURNING role",
        workspace_id, invitation_id, user_id)
