"""SQL of API tokens (`api_tokens`; only a SHA-256 of a token is stored)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from objectry import sqltext

# What the API and the CLI show of a token (never its hash).
_COLUMNS = ("id, name, prefix, scopes, expires_at, created_at, created_by, last_used_at,"
            " revoked_at")
# Revoking a token (or a member's rights) revokes every token minted from it, recursively: a
# token made by a token must not outlive it. $2 is a token id or a user id.
_REVOKE_TREE = """
WITH RECURSIVE doomed(id) AS (
    SELECT id FROM api_tokens WHERE tenant_id = $1 AND (id = $2 OR created_by = $2)
    UNION
    SELECT t.id FROM api_tokens t JOIN doomed d ON t.created_by = d.id WHERE t.tenant_id = $1
)
UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now())
WHERE tenant_id = $1 AND id IN (SELECT id FROM doomed) RETURNING id
"""


async def insert(conn: asyncpg.Connection, workspace_id: str, token_id: str, *, name: str,
                 prefix: str, token_hash: str, scopes: list[str],
                 expires_at: datetime | None, created_by: str | None) -> dict[str, Any]:
    row = await conn.fetchrow(
        "INSERT INTO api_tokens (tenant_id, id, name, prefix, token_hash, scopes, expires_at,"
        f" created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {_COLUMNS}",
        workspace_id, token_id, name, prefix, token_hash, scopes, expires_at, created_by)
    return dict(row)


async def page(conn: asyncpg.Connection, workspace_id: str, after: tuple[datetime, str],
               limit: int) -> list[dict[str, Any]]:
    """Tokens after `after` (created_at, id), oldest first."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM api_tokens WHERE tenant_id = $1 AND (created_at, id) > ($2, $3)"
        f" ORDER BY created_at, id{sqltext.limit(limit)}", workspace_id, after[0], after[1])
    return [dict(r) for r in rows]


async def all_of(conn: asyncpg.Connection, workspace_id: str) -> list[dict[str, Any]]:
    rows = await conn.fetch(f"SELECT {_COLUMNS} FROM api_tokens WHERE tenant_id = $1"
                            " ORDER BY created_at, id", workspace_id)
    return [dict(r) for r in rows]


async def revoke_tree(conn: asyncpg.Connection, workspace_id: str, maker_id: str) -> set[str]:
    """Revoke the token `maker_id` (or every token the user `maker_id` made) and every token
    made from those; the ids revoked (already revoked ones included)."""
    rows = await conn.fetch(_REVOKE_TREE, workspace_id, maker_id)
    return {row["id"] for row in rows}


async def name_of(conn: asyncpg.Connection, workspace_id: str, token_id: str | None
                  ) -> str | None:
    return await conn.fetchval("SELECT name FROM api_tokens WHERE tenant_id = $1 AND id = $2",
                               workspace_id, token_id)


async def by_hash(conn: asyncpg.Connection, token_hash: str) -> dict[str, Any] | None:
    """The token of this hash, before any workspace is known (a SECURITY DEFINER function,
    migration 0002: tenant_id, id, scopes, expires_at, last_used_at, revoked_at)."""
    row = await conn.fetchrow("SELECT * FROM objectry_token_lookup($1)", token_hash)
    return dict(row) if row is not None else None


async def touch(conn: asyncpg.Connection, workspace_id: str, token_id: str) -> None:
    await conn.execute("UPDATE api_tokens SET last_used_at = now()"
                       " WHERE tenant_id = $1 AND id = $2", workspace_id, token_id)
