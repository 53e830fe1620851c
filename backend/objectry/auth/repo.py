"""SQL that the auth packages share: the session scope the row-level-security policies read
(`app.tenant_id`, `app.user_id`) and the workspaces table."""

from __future__ import annotations

import asyncpg


async def set_tenant(conn: asyncpg.Connection, workspace_id: str) -> None:
    """Switch the open transaction to another workspace (for the row-level-security policies)."""
    await conn.execute("SELECT set_config('app.tenant_id', $1, true)", workspace_id)


async def act_as_user(conn: asyncpg.Connection, user_id: str) -> None:
    """The users policies let a transaction write only the user named in app.user_id, and show
    an account to itself in any workspace."""
    await conn.execute("SELECT set_config('app.user_id', $1, true)", user_id)


async def insert_workspace(conn: asyncpg.Connection, workspace_id: str, name: str) -> None:
    await conn.execute("INSERT INTO workspaces (id, name) VALUES ($1, $2)", workspace_id, name)


async def workspace_exists(conn: asyncpg.Connection, workspace_id: str) -> bool:
    return await conn.fetchval("SELECT EXISTS (SELECT 1 FROM workspaces WHERE id = $1)",
                               workspace_id)


async def first_workspace_ids(conn: asyncpg.Connection, limit: int) -> list[str]:
    """The oldest workspaces' ids (of those the session may see)."""
    rows = await conn.fetch("SELECT id FROM workspaces ORDER BY created_at, id LIMIT $1", limit)
    return [row["id"] for row in rows]


async def workspace_name(conn: asyncpg.Connection, workspace_id: str) -> str | None:
    return await conn.fetchval("SELECT name FROM workspaces WHERE id = $1", workspace_id)
