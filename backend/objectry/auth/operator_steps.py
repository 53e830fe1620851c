"""What the command line does as the operator: run as the schema owner against the server's
own database, each step still inside one workspace (`app.tenant_id`), so row-level security
scopes it even when the owner is not a superuser. The token commands' steps are in
tokens/service.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from objectry.auth import passwords, repo, workspaces
from objectry.auth.members import repo as members_repo
from objectry.auth.schemas import Register
from objectry.auth.sessions import repo as sessions_repo
from objectry.auth.sessions.service import insert_user
from objectry.db.pool import connect_owner


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
        await repo.set_tenant(conn, wanted)
        if not await repo.workspace_exists(conn, wanted):
            raise AdminError(f"no workspace {wanted!r}")
        return wanted
    ids = await repo.first_workspace_ids(conn, 2)
    if len(ids) != 1:
        raise AdminError("pass --workspace: there is not exactly one workspace to choose")
    await repo.set_tenant(conn, ids[0])
    return ids[0]


async def create_admin(url: str, body: Register, workspace: str | None) -> tuple[str, str]:
    """A new user owning a new workspace, or owning the existing workspace named."""
    hashed = await passwords.hash_password(body.password)
    async with owner_transaction(url) as conn:
        await sessions_repo.lock_registrations(conn)
        if workspace is not None:
            await choose_workspace(conn, workspace)
        user_id = await insert_user(conn, body.email, hashed, body.full_name)
        if workspace is None:
            name = workspaces.default_name(body.full_name, body.email)
            return user_id, await workspaces.create_with_owner(conn, name, user_id)
        await members_repo.insert_member(conn, workspace, user_id, "owner")
        return user_id, workspace
