"""API tokens for apps: create (the secret is returned once), list, revoke — over HTTP, and
from the command line (`objectry token …`, as the operator).

Managing tokens needs the `admin` right (an admin or owner, or a token with the `admin`
scope). A new token's scopes must all be rights its maker has, so no token can mint a wider one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg

from objectry.audit.recorder import record
from objectry.auth import operator_steps
from objectry.auth.schemas import TokenCreate
from objectry.auth.secret_hash import digest
from objectry.auth.tokens import repo, secret
from objectry.db import tenancy
from objectry.errors import NotFound, ValidationFailed, detail
from objectry.ids import looks_like, new_id
from objectry.web.context import Context
from objectry.web.pagination import PageRequest, page

CLI_ACTOR = "cli"  # created_by of tokens made by the operator: they belong to the workspace


def managing(ctx: Context) -> Context:
    ctx.principal.require("admin")
    return ctx


async def _insert(conn: asyncpg.Connection, workspace_id: str, body: TokenCreate,
                  maker: str | None) -> dict[str, Any]:
    token, prefix = secret.generate()
    row = await repo.insert(conn, workspace_id, new_id("tok"), name=body.name, prefix=prefix,
                            token_hash=digest(token), scopes=sorted(set(body.scopes)),
                            expires_at=body.expires_at, created_by=maker)
    return {**row, "token": token}


async def create(ctx: Context, body: TokenCreate) -> dict[str, Any]:
    """`ctx` comes through `managing`."""
    for scope in sorted(set(body.scopes)):
        ctx.principal.require(scope)
    if body.expires_at is not None and body.expires_at <= datetime.now(UTC):
        raise ValidationFailed([detail("expires_at", "past", "must be in the future")])
    async with tenancy.transaction(ctx.state.pool, ctx.tenant_id) as conn:
        made = await _insert(conn, ctx.tenant_id, body, ctx.principal.actor)
        await record(conn, ctx, "token", "created", made["id"], made["name"],
                     {"scopes": [None, made["scopes"]]})
        return made


async def list_(ctx: Context, request: PageRequest) -> dict[str, Any]:
    """`ctx` comes through `managing`. Newest last, like every other list."""
    after = request.after or (datetime.min.replace(tzinfo=UTC), "")
    async with tenancy.transaction(ctx.state.pool, ctx.tenant_id) as conn:
        rows = await repo.page(conn, ctx.tenant_id, after, request.limit + 1)
    return page(rows, request)


async def revoke(ctx: Context, token_id: str) -> None:
    """`ctx` comes through `managing`. Revoking twice is not an error; the first time counts."""
    async with tenancy.transaction(ctx.state.pool, ctx.tenant_id) as conn:
        revoked = await repo.revoke_tree(conn, ctx.tenant_id, token_id) \
            if looks_like("tok", token_id) else set()
        if token_id in revoked:
            await record(conn, ctx, "token", "revoked", token_id,
                         await repo.name_of(conn, ctx.tenant_id, token_id))
    ctx.state.tokens.forget()  # at once here; other processes hear it from the trigger
    if token_id not in revoked:
        raise NotFound(f"no API token {token_id!r} in this workspace")


async def create_by_operator(url: str, body: TokenCreate, workspace: str | None
                             ) -> dict[str, Any]:
    async with operator_steps.owner_transaction(url) as conn:
        tenant = await operator_steps.choose_workspace(conn, workspace)
        made = await _insert(conn, tenant, body, CLI_ACTOR)
    return {**made, "workspace_id": tenant}


async def list_by_operator(url: str, workspace: str | None) -> list[dict[str, Any]]:
    async with operator_steps.owner_transaction(url) as conn:
        return await repo.all_of(conn, await operator_steps.choose_workspace(conn, workspace))


async def revoke_by_operator(url: str, token_id: str, workspace: str | None) -> None:
    async with operator_steps.owner_transaction(url) as conn:
        tenant = await operator_steps.choose_workspace(conn, workspace)
        revoked = await repo.revoke_tree(conn, tenant, token_id)
    if token_id not in revoked:
        raise operator_steps.AdminError(f"no API token {token_id!r} in workspace {tenant}")
