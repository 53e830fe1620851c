"""User sessions: issue an access + refresh token pair, rotate the refresh token (presenting an
already-rotated one revokes the whole family), and end a session at logout."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any

import asyncpg

from objectry.auth import jwt_codec
from objectry.auth.principal import Principal
from objectry.db import tenancy
from objectry.errors import Forbidden
from objectry.lifespan import State


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _issue(conn: asyncpg.Connection, state: State, user_id: str, workspace_id: str,
                 family_id: str) -> dict[str, Any]:
    settings = state.settings
    access_seconds = settings.access_token_minutes * 60
    common = {"user_id": user_id, "workspace_id": workspace_id, "family_id": family_id}
    access, _ = jwt_codec.encode(state.secret_key, typ="access", lifetime_seconds=access_seconds,
                                 **common)
    refresh, claims = jwt_codec.encode(state.secret_key, typ="refresh",
                                       lifetime_seconds=settings.refresh_token_days * 86400,
                                       **common)
    await conn.execute(
        "INSERT INTO refresh_tokens (tenant_id, id, family_id, user_id, token_hash, expires_at)"
        " VALUES ($1, $2, $3, $4, $5, to_timestamp($6))",
        workspace_id, claims.jti, family_id, user_id, _digest(refresh), claims.exp)
    return {"access_token": access, "refresh_token": refresh, "token_type": "bearer",
            "expires_in": access_seconds}


async def prune(conn: asyncpg.Connection, workspace_id: str) -> None:
    """Drop what can no longer matter: blacklisted and refresh tokens past their expiry (an
    access token never outlives the refresh token issued with it)."""
    await conn.execute("DELETE FROM token_blacklist WHERE expires_at < now()")
    await conn.execute("DELETE FROM refresh_tokens WHERE tenant_id = $1 AND expires_at < now()",
                       workspace_id)


async def start(state: State, user_id: str, workspace_id: str) -> dict[str, Any]:
    async with tenancy.transaction(state.pool, workspace_id) as conn:
        await prune(conn, workspace_id)
        return await _issue(conn, state, user_id, workspace_id, uuid.uuid4().hex)


async def rotate(state: State, refresh_token: str) -> dict[str, Any]:
    claims = jwt_codec.decode(state.secret_key, refresh_token, "refresh")
    async with tenancy.transaction(state.pool, claims.wsp) as conn:
        pair = await _rotate(conn, state, claims, refresh_token)
    # Raised after the commit, so a family revoked on reuse stays revoked.
    if pair is None:
        raise jwt_codec.invalid("this refresh token is no longer valid; sign in again")
    return pair


async def _rotate(conn: asyncpg.Connection, state: State, claims: jwt_codec.Claims,
                  token: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        "SELECT family_id, user_id, token_hash, used_at, revoked_at FROM refresh_tokens"
        " WHERE tenant_id = $1 AND id = $2 FOR UPDATE", claims.wsp, claims.jti)
    if (row is None or row["revoked_at"] is not None or row["user_id"] != claims.sub
            or not hmac.compare_digest(row["token_hash"], _digest(token))):
        return None
    if row["used_at"] is not None or not await _member(conn, claims.wsp, claims.sub):
        # A rotated token seen again means two parties hold this session: end it for both.
        await revoke_family(conn, claims.wsp, row["family_id"])
        return None
    await conn.execute("UPDATE refresh_tokens SET used_at = now() WHERE tenant_id = $1"
                       " AND id = $2", claims.wsp, claims.jti)
    return await _issue(conn, state, claims.sub, claims.wsp, row["family_id"])


async def _member(conn: asyncpg.Connection, workspace_id: str, user_id: str) -> bool:
    return await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM workspace_members m JOIN users u ON u.id = m.user_id"
        " WHERE m.tenant_id = $1 AND m.user_id = $2 AND u.is_active)", workspace_id, user_id)


async def revoke_family(conn: asyncpg.Connection, workspace_id: str, family_id: str) -> None:
    await conn.execute("UPDATE refresh_tokens SET revoked_at = now() WHERE tenant_id = $1"
                       " AND family_id = $2 AND revoked_at IS NULL", workspace_id, family_id)


async def revoke_user(conn: asyncpg.Connection, workspace_id: str, user_id: str) -> None:
    """End every session a user has in this workspace (removed from it)."""
    await conn.execute("UPDATE refresh_tokens SET revoked_at = now() WHERE tenant_id = $1"
                       " AND user_id = $2 AND revoked_at IS NULL", workspace_id, user_id)


async def end(state: State, principal: Principal) -> None:
    """Logout: the presented access token is blacklisted and its refresh family revoked."""
    session = principal.session
    if session is None or principal.user_id is None:
        raise Forbidden("an API token has no session to end; revoke it with DELETE /api/tokens")
    async with tenancy.transaction(state.pool, principal.workspace_id) as conn:
        await conn.execute(
            "INSERT INTO token_blacklist (jti, user_id, expires_at) VALUES ($1, $2,"
            " to_timestamp($3)) ON CONFLICT (jti) DO NOTHING",
            session.jti, principal.user_id, session.expires_at)
        await revoke_family(conn, principal.workspace_id, session.family_id)
        await prune(conn, principal.workspace_id)
