"""Account and token administration for the command line: run as the schema owner against the
server's own database, each step still inside one workspace (`app.tenant_id`), so row-level
security scopes it even when the owner is not a superuser."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from objectry.auth import apitokens, passwords
from objectry.auth.accounts import REGISTRATION_LOCK, insert_user
from objectry.auth.schemas import Register, TokenCreate
from objectry.auth.token_service import COLUMNS, REVOKE_TREE
from objectry.db.pool import connect_owner
from objectry.ids import new_id
from objectry.workspaces import default_name, insert_with_owner, set_tenant

CLI_ACTOR = "cli"  # created_by of tokens made here: they belong to the workspace, not a member


class AdminError(Exception):
    """A refusal to print for the operator (exit status 1)."""


@asynccontextmanager
async def owner_transaction(url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await connect_owner(url)
    try:
        async with conn.transaction():
            yield conn
    finally:
        await conn.close()


async def choose_workspace(conn: asyncpg.Connection, wanted: str | None) -> str:
    """The workspace named, else the only one there is (a fresh single-team install)."""
    if wanted is not None:
        await set_tenant(conn, wanted)
        if not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM workspaces WHERE id = $1)",
                                   wanted):
            raise AdminError(f"no workspace {wanted!r}")
        return wanted
    rows = await conn.fetch("SELECT id FROM workspaces ORDER BY created_at, id LIMIT 2")
    if len(rows) != 1:
        raise AdminError("pass --workspace: there is not exactly one workspace to choose")
    await set_tenant(conn, rows[0]["id"])
    return rows[0]["id"]


async def create_admin(url: str, body: Register, workspace: str | None) -> tuple[str, str]:
    """A new user owning a new workspace, or owning the existing workspace named."""
    hashed = await passwords.hash_password(body.password)
    async with owner_transaction(url) as conn:
        await conn.execute("SELECT pg_advisory_xact_lock($1)", REGISTRATION_LOCK)
        if workspace is not None:
            await choose_workspace(conn, workspace)
        user_id = await insert_user(conn, body.email, hashed, body.full_name)
        if workspace is None:
            name = default_name(body.full_name, body.email)
            return user_id, await insert_with_owner(conn, name, user_id)
        await conn.execute("INSERT INTO workspace_members (tenant_id, user_id, role)"
                           " VALUES ($1, $2, 'owner')", workspace, user_id)
        return user_id, workspace


async def create_token(url: str, body: TokenCreate, workspace: str | None) -> dict[str, Any]:
    secret, prefix = apitokens.generate()
    async with owner_transaction(url) as conn:
        tenant = await choose_workspace(conn, workspace)
        row = await conn.fetchrow(
            "INSERT INTO api_tokens (tenant_id, id, name, prefix, token_hash, scopes, expires_at,"
            f" created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLUMNS}",
            tenant, new_id("tok"), body.name, prefix, apitokens.digest(secret),
            sorted(set(body.scopes)), body.expires_at, CLI_ACTOR)
    return {**dict(row), "workspace_id": tenant, "token": secret}


async def list_tokens(url: str, workspace: str | None) -> list[dict[str, Any]]:
    async with owner_transaction(url) as conn:
        tenant = await choose_workspace(conn, workspace)
        rows = await conn.fetch(f"SELECT {COLUMNS} FROM api_tokens WHERE tenant_id = $1"
                                " ORDER BY created_at, id", tenant)
    return [dict(r) for r in rows]


async def revoke_token(url: str, token_id: str, workspace: str | None) -> None:
    async with owner_transaction(url) as conn:
        tenant = await choose_workspace(conn, workspace)
        revoked = await conn.fetch(REVOKE_TREE, tenant, token_id)
    if token_id not in {r["id"] for r in revoked}:
        raise AdminError(f"no API token {token_id!r} in workspace {tenant}")
