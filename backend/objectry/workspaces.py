"""Workspaces: the tenant boundary. A workspace is created with its first owner (sign-up or
`objectry createadmin`); every row it owns carries its id as `tenant_id`."""

from __future__ import annotations

import asyncpg

from objectry.db import tenancy
from objectry.ids import new_id


async def set_tenant(conn: asyncpg.Connection, workspace_id: str) -> None:
    """Switch the open transaction to another workspace (for the row-level-security policies)."""
    await conn.execute("SELECT set_config('app.tenant_id', $1, true)", workspace_id)


async def insert_with_owner(conn: asyncpg.Connection, name: str, owner_id: str) -> str:
    """Create a workspace and its owner membership inside the caller's transaction."""
    workspace_id = new_id("wsp")
    await set_tenant(conn, workspace_id)
    await conn.execute("INSERT INTO workspaces (id, name) VALUES ($1, $2)", workspace_id, name)
    await conn.execute("INSERT INTO workspace_members (tenant_id, user_id, role)"
                       " VALUES ($1, $2, 'owner')", workspace_id, owner_id)
    return workspace_id


async def create_workspace(pool: asyncpg.Pool, name: str) -> str:
    """An empty workspace with no members (tests and tools that need a bare tenant)."""
    workspace_id = new_id("wsp")
    async with tenancy.transaction(pool, workspace_id) as conn:
        await conn.execute("INSERT INTO workspaces (id, name) VALUES ($1, $2)", workspace_id, name)
    return workspace_id


def default_name(full_name: str, email: str) -> str:
    return f"{full_name or email.split('@')[0]}'s workspace"
