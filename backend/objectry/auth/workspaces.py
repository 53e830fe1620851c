"""Workspaces: the tenant boundary. A workspace is created with its first owner (sign-up or
`objectry createadmin`); every row it owns carries its id as `tenant_id`."""

from __future__ import annotations

import asyncpg

from objectry.auth import repo
from objectry.auth.members import repo as members_repo
from objectry.db import tenancy
from objectry.ids import new_id


async def create_with_owner(conn: asyncpg.Connection, name: str, owner_id: str) -> str:
    """Create a workspace and its owner membership inside the caller's transaction."""
    workspace_id = new_id("wsp")
    await repo.set_tenant(conn, workspace_id)
    await repo.insert_workspace(conn, workspace_id, name)
    await members_repo.insert_member(conn, workspace_id, owner_id, "owner")
    return workspace_id


async def create_workspace(pool: asyncpg.Pool, name: str) -> str:
    """An empty workspace with no members (tests and tools that need a bare tenant)."""
    workspace_id = new_id("wsp")
    async with tenancy.transaction(pool, workspace_id) as conn:
        await repo.insert_workspace(conn, workspace_id, name)
    return workspace_id


def default_name(full_name: str, email: str) -> str:
    return f"{full_name or email.split('@')[0]}'s workspace"
