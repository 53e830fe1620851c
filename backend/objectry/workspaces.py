"""Workspaces: the tenant boundary; until accounts exist, one default workspace serves all."""

from __future__ import annotations

import asyncpg

from objectry.db import tenancy
from objectry.ids import new_id


async def create_workspace(pool: asyncpg.Pool, name: str) -> str:
    workspace_id = new_id("wsp")
    async with tenancy.transaction(pool, workspace_id) as conn:
        await conn.execute("INSERT INTO workspaces (id, name) VALUES ($1, $2)", workspace_id, name)
    return workspace_id


async def ensure_default_workspace(pool: asyncpg.Pool, owner_url: str) -> str:
    """The oldest workspace, created on first start. Row-level security hides workspaces from
    the runtime role, so the lookup runs once as the schema owner."""
    conn = await asyncpg.connect(owner_url)
    try:
        existing = await conn.fetchval("SELECT id FROM workspaces ORDER BY created_at, id LIMIT 1")
    finally:
        await conn.close()
    return existing or await create_workspace(pool, "Default workspace")
