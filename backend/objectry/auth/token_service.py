"""API tokens for apps: create (the secret is returned once), list, revoke.

Managing tokens needs the `admin` right (an admin or owner, or a token with the `admin`
scope). A new token's scopes must all be rights its maker has, so no token can mint a wider one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from objectry.auth import apitokens
from objectry.auth.schemas import TokenCreate
from objectry.db import tenancy
from objectry.errors import NotFound, ValidationFailed, detail
from objectry.ids import looks_like, new_id
from objectry.web.context import Context
from objectry.web.pagination import PageRequest, page

# Revoking a token (or a member's rights) revokes every token minted from it, recursively: a
# token made by a token must not outlive it. $2 is a token id or a user id.
REVOKE_TREE = """
WITH RECURSIVE doomed(id) AS (
    SELECT id FROM api_tokens WHERE tenant_id = $1 AND (id = $2 OR created_by = $2)
    UNION
    SELECT t.id FROM api_tokens t JOIN doomed d ON t.created_by = d.id WHERE t.tenant_id = $1
)
UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now())
WHERE tenant_id = $1 AND id IN (SELECT id FROM doomed) RETURNING id
"""
COLUMNS = ("id, name, prefix, scopes, expires_at, created_at, created_by, last_used_at,"
           " revoked_at")


def managing(ctx: Context) -> Context:
    ctx.principal.require("admin")
    return ctx


async def create(ctx: Context, body: TokenCreate) -> dict[str, Any]:
    """`ctx` comes through `managing`."""
    scopes = sorted(set(body.scopes))
    for scope in scopes:
        ctx.principal.require(scope)
    if body.expires_at is not None and body.expires_at <= datetime.now(UTC):
        raise ValidationFailed([detail("expires_at", "past", "must be in the future")])
    secret, prefix = apitokens.generate()
    async with tenancy.transaction(ctx.state.pool, ctx.tenant_id) as conn:
        row = await conn.fetchrow(
            "INSERT INTO api_tokens (tenant_id, id, name, prefix, token_hash, scopes, expires_at,"
            f" created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLUMNS}",
            ctx.tenant_id, new_id("tok"), body.name, prefix, apitokens.digest(secret), scopes,
            body.expires_at, ctx.principal.actor)
    return {**dict(row), "token": secret}


async def list_(ctx: Context, request: PageRequest) -> dict[str, Any]:
    """`ctx` comes through `managing`. Newest last, like every other list."""
    after = request.after or (datetime.min.replace(tzinfo=UTC), "")
    async with tenancy.transaction(ctx.state.pool, ctx.tenant_id) as conn:
        rows = await conn.fetch(
            f"SELECT {COLUMNS} FROM api_tokens WHERE tenant_id = $1 AND (created_at, id) > ($2, $3)"
            " ORDER BY created_at, id LIMIT $4", ctx.tenant_id, after[0], after[1],
            request.limit + 1)
    return page([dict(r) for r in rows], request)


async def revoke(ctx: Context, token_id: str) -> None:
    """`ctx` comes through `managing`. Revoking twice is not an error; the first time counts."""
    async with tenancy.transaction(ctx.state.pool, ctx.tenant_id) as conn:
        revoked = await conn.fetch(REVOKE_TREE, ctx.tenant_id, token_id) \
            if looks_like("tok", token_id) else []
    ctx.state.tokens.drop()  # at once here; other processes hear it from the trigger
    if token_id not in {r["id"] for r in revoked}:
        raise NotFound(f"no API token {token_id!r} in this workspace")
