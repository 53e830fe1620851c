"""SQL of accounts and their sessions: `users` (with the SECURITY DEFINER lookups that run
before any workspace is known, migration 0002), `refresh_tokens` and `token_blacklist`."""

from __future__ import annotations

from typing import Any

import asyncpg

from objectry.auth.repo import act_as_user

# Serialises sign-ups, so exactly one of two simultaneous first sign-ups owns the install. A key
# of its own: sharing the field-index builds' key (0x0B7EC8, metadata/indexes.py) made a sign-up
# during a build wait for it — a 503 at the statement timeout, or, as the build waits for every
# older snapshot (the sign-up's too), "deadlock detected".
REGISTRATION_LOCK = 0x0B7ECA


async def lock_registrations(conn: asyncpg.Connection) -> None:
    await conn.execute("SELECT pg_advisory_xact_lock($1)", REGISTRATION_LOCK)


async def install_is_fresh(conn: asyncpg.Connection) -> bool:
    return await conn.fetchval("SELECT objectry_install_is_fresh()")


async def user_id_by_email(conn: asyncpg.Connection, email: str) -> str | None:
    return await conn.fetchval("SELECT objectry_user_id_by_email($1)", email)


async def insert_user(conn: asyncpg.Connection, user_id: str, email: str, hashed: str,
                      full_name: str) -> None:
    """Raises asyncpg.UniqueViolationError when the e-mail has an account."""
    await act_as_user(conn, user_id)
    await conn.execute("INSERT INTO users (id, email, hashed_password, full_name)"
                       " VALUES ($1, $2, $3, $4)", user_id, email, hashed, full_name)


async def login_lookup(conn: asyncpg.Connection, email: str) -> dict[str, Any] | None:
    """id, hashed_password and is_active of the account with this e-mail."""
    row = await conn.fetchrow("SELECT * FROM objectry_login_lookup($1)", email)
    return dict(row) if row is not None else None


async def membership_ids(conn: asyncpg.Connection, user_id: str) -> list[str]:
    """The workspaces the user is a member of, oldest membership first."""
    rows = await conn.fetch("SELECT tenant_id FROM objectry_memberships($1)", user_id)
    return [row["tenant_id"] for row in rows]


async def record_sign_in(conn: asyncpg.Connection, user_id: str, fresh_hash: str | None
                         ) -> None:
    """Stamp last_login, and store `fresh_hash` as the password hash when there is one."""
    await act_as_user(conn, user_id)
    await conn.execute("UPDATE users SET last_login = now(),"
                       " hashed_password = coalesce($2, hashed_password),"
                       " updated_at = CASE WHEN $2::text IS NULL THEN updated_at"
                       " ELSE now() END WHERE id = $1", user_id, fresh_hash)


async def profile(conn: asyncpg.Connection, user_id: str) -> dict[str, Any]:
    row = await conn.fetchrow("SELECT id, email, full_name FROM users WHERE id = $1", user_id)
    return dict(row)


async def account(conn: asyncpg.Connection, workspace_id: str, user_id: str
                  ) -> dict[str, Any]:
    """The account and its role in the workspace the transaction is scoped to."""
    row = await conn.fetchrow(
        "SELECT u.id, u.email, u.full_name, u.created_at, u.updated_at, u.last_login, m.role"
        " FROM users u JOIN workspace_members m ON m.user_id = u.id AND m.tenant_id = $1"
        " WHERE u.id = $2", workspace_id, user_id)
    return dict(row)


async def update_account(conn: asyncpg.Connection, user_id: str, hashed: str | None,
                         full_name: str | None) -> None:
    """Set what is given (None: keep it)."""
    await act_as_user(conn, user_id)
    await conn.execute("UPDATE users SET hashed_password = coalesce($2, hashed_password),"
                       " full_name = coalesce($3, full_name), updated_at = now()"
                       " WHERE id = $1", user_id, hashed, full_name)


async def email_of(conn: asyncpg.Connection, user_id: str) -> str | None:
    """The user's e-mail; the session must act as that user (act_as_user) to see it."""
    return await conn.fetchval("SELECT email FROM users WHERE id = $1", user_id)


async def is_active_member(conn: asyncpg.Connection, workspace_id: str, user_id: str) -> bool:
    return await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM workspace_members m JOIN users u ON u.id = m.user_id"
        " WHERE m.tenant_id = $1 AND m.user_id = $2 AND u.is_active)", workspace_id, user_id)


async def session_check(conn: asyncpg.Connection, workspace_id: str, user_id: str, jti: str,
                        family_id: str) -> asyncpg.Record | None:
    """role, blacklisted, family_revoked of an access token's session, in one round trip
    outside any transaction (the function scopes itself to the workspace); None when the
    user is not an active member of it. Every signed-in request asks: a Record, not a dict."""
    return await conn.fetchrow("SELECT * FROM objectry_session_check($1, $2, $3, $4)",
                               workspace_id, user_id, jti, family_id)


async def insert_refresh(conn: asyncpg.Connection, workspace_id: str, jti: str, *,
                         family_id: str, user_id: str, token_hash: str, expires_at: int
                         ) -> None:
    await conn.execute(
        "INSERT INTO refresh_tokens (tenant_id, id, family_id, user_id, token_hash, expires_at)"
        " VALUES ($1, $2, $3, $4, $5, to_timestamp($6))",
        workspace_id, jti, family_id, user_id, token_hash, expires_at)


async def refresh_for_update(conn: asyncpg.Connection, workspace_id: str, jti: str
                             ) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        "SELECT family_id, user_id, token_hash, used_at, revoked_at FROM refresh_tokens"
        " WHERE tenant_id = $1 AND id = $2 FOR UPDATE", workspace_id, jti)
    return dict(row) if row is not None else None


async def mark_used(conn: asyncpg.Connection, workspace_id: str, jti: str) -> None:
    await conn.execute("UPDATE refresh_tokens SET used_at = now() WHERE tenant_id = $1"
                       " AND id = $2", workspace_id, jti)


async def revoke_family(conn: asyncpg.Connection, workspace_id: str, family_id: str) -> None:
    await conn.execute("UPDATE refresh_tokens SET revoked_at = now() WHERE tenant_id = $1"
                       " AND family_id = $2 AND revoked_at IS NULL", workspace_id, family_id)


async def revoke_user(conn: asyncpg.Connection, workspace_id: str, user_id: str, *,
                      keep_family: str | None = None) -> None:
    """End every session a user has in this workspace (but the `keep_family` one)."""
    await conn.execute("UPDATE refresh_tokens SET revoked_at = now() WHERE tenant_id = $1"
                       " AND user_id = $2 AND revoked_at IS NULL"
                       " AND family_id IS DISTINCT FROM $3", workspace_id, user_id, keep_family)


async def blacklist(conn: asyncpg.Connection, jti: str, user_id: str, expires_at: int) -> None:
    await conn.execute(
        "INSERT INTO token_blacklist (jti, user_id, expires_at) VALUES ($1, $2,"
        " to_timestamp($3)) ON CONFLICT (jti) DO NOTHING", jti, user_id, expires_at)


async def prune(conn: asyncpg.Connection, workspace_id: str) -> None:
    """Drop blacklisted and refresh tokens past their expiry."""
    await conn.execute("DELETE FROM token_blacklist WHERE expires_at < now()")
    await conn.execute("DELETE FROM refresh_tokens WHERE tenant_id = $1 AND expires_at < now()",
                       workspace_id)
