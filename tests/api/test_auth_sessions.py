"""Refresh rotation with reuse detection, logout, and sign-in throttling."""

from __future__ import annotations

import secrets

from tests.api.builders import ok
from tests.api.conftest import PASSWORD, client, invite, login, new_email, refused, sign_up


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def refresh(app, token: str):
    async with client(app) as anonymous:
        return await anonymous.post("/api/auth/refresh", json={"refresh_token": token})


async def test_refresh_rotates_and_the_old_token_stops_working(app, session):
    rotated = await refresh(app, session.refresh_token)
    pair = await ok(rotated)
    assert rotated.headers["cache-control"] == "no-store"
    assert pair["refresh_token"] != session.refresh_token
    assert pair["access_token"] != session.access_token
    async with client(app, bearer(pair["access_token"])) as api:
        assert (await ok(await api.get("/api/auth/me")))["id"] == session.user_id
    second = await ok(await refresh(app, pair["refresh_token"]))
    assert second["refresh_token"] != pair["refresh_token"]


async def test_a_reused_refresh_token_revokes_the_whole_family(app, session, owner_db):
    pair = await ok(await refresh(app, session.refresh_token))
    # Someone replays the rotated token: both holders lose the session.
    refused(await refresh(app, session.refresh_token), 401, "unauthenticated")
    refused(await refresh(app, pair["refresh_token"]), 401, "unauthenticated")
    async with client(app, bearer(pair["access_token"])) as api:
        refused(await api.get("/api/auth/me"), 401, "unauthenticated")
    live = await owner_db.fetchval(
        "SELECT count(*) FROM refresh_tokens WHERE tenant_id = $1 AND user_id = $2"
        " AND revoked_at IS NULL", session.workspace_id, session.user_id)
    assert live == 0
    # Another sign-in is another family, untouched.
    fresh = await login(app, session.email)
    async with client(app, bearer(fresh["access_token"])) as api:
        await ok(await api.get("/api/auth/me"))


async def test_refresh_refuses_what_is_not_a_live_refresh_token(app, session):
    refused(await refresh(app, session.access_token), 401, "unauthenticated")
    refused(await refresh(app, "not.a.jwt"), 401, "unauthenticated")
    refused(await refresh(app, session.refresh_token[:-2] + "xx"), 401, "unauthenticated")
    async with client(app) as anonymous:
        missing = await anonymous.post("/api/auth/refresh", json={})
    refused(missing, 422, "validation_failed")


async def test_refresh_ends_when_the_member_is_removed(app, session):
    other = await sign_up(app)
    invitation = await invite(app, other, session.email, "editor")
    async with client(app, session.headers) as api:
        await ok(await api.post("/api/invitations/accept", json={"token": invitation["token"]}))
    async with client(app, other.headers) as api:
        there = await login(app, session.email, workspace_id=other.workspace_id)
        await ok(await api.delete(
            f"/api/workspaces/{other.workspace_id}/members/{session.user_id}"), 204)
    refused(await refresh(app, there["refresh_token"]), 401, "unauthenticated")
    async with client(app, bearer(there["access_token"])) as api:
        refused(await api.get("/api/auth/me"), 401, "unauthenticated")


async def test_logout_ends_the_access_token_and_its_refresh_token_at_once(app, session,
                                                                           owner_db):
    other_device = await login(app, session.email)
    async with client(app, session.headers) as api:
        await ok(await api.post("/api/auth/logout"), 204)
        refused(await api.get("/api/auth/me"), 401, "unauthenticated")
        refused(await api.post("/api/auth/logout"), 401, "unauthenticated")
    refused(await refresh(app, session.refresh_token), 401, "unauthenticated")
    async with client(app, bearer(other_device["access_token"])) as api:
        await ok(await api.get("/api/auth/me"))
    listed = await owner_db.fetchval("SELECT count(*) FROM token_blacklist WHERE user_id = $1",
                                     session.user_id)
    assert listed == 1


async def test_logout_prunes_expired_blacklist_entries(api, owner_db):
    stale = "stale-" + secrets.token_hex(8)
    await owner_db.execute("INSERT INTO token_blacklist (jti, user_id, expires_at)"
                           " VALUES ($1, 'usr_gone', now() - interval '1 minute')", stale)
    await ok(await api.post("/api/auth/logout"), 204)
    assert await owner_db.fetchval("SELECT count(*) FROM token_blacklist WHERE jti = $1",
                                   stale) == 0


async def test_an_api_token_has_no_session_to_log_out(app, api):
    made = await ok(await api.post("/api/tokens", json={"name": "app", "scopes": ["admin"]}), 201)
    async with client(app, bearer(made["token"])) as app_client:
        refused(await app_client.post("/api/auth/logout"), 403, "forbidden")


async def _attempt(app, email: str, password: str, address: str):
    async with client(app, address=address) as anonymous:
        return await anonymous.post("/api/auth/login", json={"email": email,
                                                             "password": password})


async def test_five_failures_lock_the_account_for_a_while(app, session):
    for _ in range(5):
        refused(await _attempt(app, session.email, "wrong password", "203.0.113.1"),
                401, "unauthenticated")
    locked = await _attempt(app, session.email, PASSWORD, "203.0.113.1")
    refused(locked, 429, "rate_limited")
    assert 1 <= int(locked.headers["retry-after"]) <= 300
    # Per account: another address does not help.
    refused(await _attempt(app, session.email, PASSWORD, "203.0.113.2"), 429, "rate_limited")


async def test_a_right_password_starts_the_account_count_over(app, session):
    for _ in range(4):
        await _attempt(app, session.email, "wrong password", "203.0.113.3")
    await ok(await _attempt(app, session.email, PASSWORD, "203.0.113.3"))
    for _ in range(4):
        refused(await _attempt(app, session.email, "wrong password", "203.0.113.3"),
                401, "unauthenticated")
    await ok(await _attempt(app, session.email, PASSWORD, "203.0.113.3"))


async def test_one_address_guessing_many_accounts_is_throttled(app, session):
    for _ in range(20):
        refused(await _attempt(app, new_email("guess"), "password1", "203.0.113.4"),
                401, "unauthenticated")
    refused(await _attempt(app, session.email, PASSWORD, "203.0.113.4"), 429, "rate_limited")
    await ok(await _attempt(app, session.email, PASSWORD, "203.0.113.5"))


async def test_attempts_are_stored_hashed(owner_db, app, session):
    await _attempt(app, session.email, "wrong password", "203.0.113.6")
    keys = [r["key_hash"] for r in await owner_db.fetch("SELECT key_hash FROM login_attempts")]
    assert keys and all(len(k) == 64 and "@" not in k for k in keys)
