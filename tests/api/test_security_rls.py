"""Row-level security as the database enforces it: global `users` hidden across workspaces,
the pre-tenant lookups answering one key only, and everything working when the schema owner
is an ordinary role without BYPASSRLS (a managed PostgreSQL)."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from objectry.auth.secret_hash import digest
from objectry.db import tenancy
from tests.api.builders import make_object, ok
from tests.api.conftest import client, invite, login, new_email, sign_up
from tests.conftest import running_app, settings_for
from tests.support.databases import fresh_database


async def test_users_of_other_workspaces_are_invisible_to_the_runtime_role(app, session):
    stranger = await sign_up(app)
    pool = app.state.objectry.pool
    async with tenancy.transaction(pool, session.workspace_id) as conn:
        # No WHERE at all: only this workspace's members come back.
        assert [r["id"] for r in await conn.fetch("SELECT id FROM users")] == [session.user_id]
        assert await conn.fetchval("UPDATE users SET full_name = 'x' RETURNING id") is None
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with conn.transaction():
                await conn.execute("DELETE FROM users WHERE id = $1", stranger.user_id)
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
            async with conn.transaction():
                await conn.execute("INSERT INTO users (id, email, hashed_password)"
                                   " VALUES ('usr_0000000000000000', 'x@y.z', 'x')")
    # A session that was never scoped to a workspace sees no one at all.
    fresh = await asyncpg.connect(app.state.objectry.database_url,
                                  server_settings={"role": "objectry_app"})
    try:
        assert await fresh.fetchval("SELECT count(*) FROM users") == 0
        assert await fresh.fetchval("SELECT count(*) FROM records") == 0
    finally:
        await fresh.close()


async def test_the_lookup_switch_gives_the_runtime_role_nothing(app, api, session):
    token = await ok(await api.post("/api/tokens", json={"name": "t", "scopes": ["admin"]}), 201)
    other = await sign_up(app)
    async with tenancy.transaction(app.state.objectry.pool, other.workspace_id) as conn:
        await conn.execute("SELECT set_config('app.definer', 'on', true)")
        await conn.execute("SELECT set_config('app.user_id', $1, true)", session.user_id)
        assert await conn.fetchval("SELECT count(*) FROM api_tokens") == 0
        members = await conn.fetch("SELECT user_id FROM workspace_members")
        assert [m["user_id"] for m in members] == [other.user_id]
        found = await conn.fetch("SELECT * FROM objectry_token_lookup($1)",
                                 digest(token["token"]))
        assert [(r["id"], r["tenant_id"]) for r in found] == [(token["id"],
                                                               session.workspace_id)]
        assert "token_hash" not in found[0]
        assert await conn.fetch("SELECT * FROM objectry_token_lookup('0' || $1)",
                                digest(token["token"])) == []
        mine = await conn.fetch("SELECT * FROM objectry_memberships($1)", session.user_id)
        assert [r["tenant_id"] for r in mine] == [session.workspace_id]


async def test_lookup_functions_are_locked_down(owner_db):
    rows = await owner_db.fetch("SELECT proname, proconfig, proacl::text[] AS acl,"
                                " prorettype = 'trigger'::regtype AS fired FROM pg_proc"
                                " WHERE prosecdef AND pronamespace = 'public'::regnamespace")
    # 0002 and 0005, objectry_webhook_due (0011), and the trigger objectry_record_events_forget
    # (0020), which no one calls: PostgreSQL runs it on a DELETE of records.
    assert len(rows) == 8
    assert [r["proname"] for r in rows if r["fired"]] == ["objectry_record_events_forget"]
    for row in rows:
        assert row["proconfig"] == ["search_path=pg_catalog, pg_temp"]
        # No grant to PUBLIC (an ACL item with an empty grantee); the runtime role may execute
        # the lookups, and nothing but the trigger.
        assert not any(item.startswith("=") for item in row["acl"]), row
        runtime = any(item.startswith("objectry_app=X/") for item in row["acl"])
        assert runtime is not row["fired"], row


async def test_every_tenant_table_is_guarded_by_a_tenant_policy(owner_db):
    tables = {r["table_name"] for r in await owner_db.fetch(
        "SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t"
        " USING (table_schema, table_name) WHERE c.column_name = 'tenant_id'"
        " AND c.table_schema = 'public' AND t.table_type = 'BASE TABLE'")}
    assert {"refresh_tokens", "workspace_invitations", "api_tokens"} <= tables
    forced = {r["relname"] for r in await owner_db.fetch(
        "SELECT relname FROM pg_class WHERE relrowsecurity AND relforcerowsecurity")}
    policies = {r["tablename"]: r["qual"] for r in await owner_db.fetch(
        "SELECT tablename, qual FROM pg_policies WHERE policyname = 'tenant_isolation'")}
    for table in tables:
        assert table in forced, table
        assert "current_setting('app.tenant_id'::text, true)" in policies[table], table
    extra = {(r["tablename"], r["policyname"], tuple(r["roles"])) for r in await owner_db.fetch(
        "SELECT tablename, policyname, roles::text[] AS roles FROM pg_policies"
        " WHERE policyname <> 'tenant_isolation'")}
    assert all("objectry_app" not in roles and "public" not in roles
               for table, name, roles in extra if name == "definer_lookup")


def _as(url: str, user: str) -> str:
    parts = urlsplit(url)  # the host may be a socket directory in the query string
    return urlunsplit(parts._replace(netloc=f"{user}@{parts.netloc.rsplit('@', 1)[-1]}"))


@pytest.fixture
async def unprivileged_owner_app(server_url):
    """An app whose database and schema belong to a plain role (no superuser, no BYPASSRLS)."""
    role = f"objectry_owner_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(server_url)
    await admin.execute(f"CREATE ROLE {role} LOGIN CREATEROLE NOSUPERUSER NOBYPASSRLS")
    await admin.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname ="
                        " 'objectry_app') THEN CREATE ROLE objectry_app NOLOGIN; END IF; END $$")
    await admin.execute(f"GRANT objectry_app TO {role} WITH ADMIN OPTION")
    try:
        async with (fresh_database(server_url, "objectry_np", owner=role) as url,
                    running_app(settings_for(_as(url, role), open_signup=True)) as application):
            yield application
    finally:
        await admin.execute(f"DROP ROLE IF EXISTS {role}")
        await admin.close()


async def test_sign_in_tokens_and_invitations_work_without_bypassrls(unprivileged_owner_app):
    app = unprivileged_owner_app
    owner = await sign_up(app)
    async with client(app, owner.headers) as api:
        await make_object(api, "lead")
        token = await ok(await api.post("/api/tokens", json={"name": "t",
                                                             "scopes": ["schema:read"]}), 201)
    existing = await sign_up(app)
    to_existing = await invite(app, owner, existing.email, "viewer")
    async with client(app, existing.headers) as api:
        await ok(await api.post("/api/invitations/accept", json={"token": to_existing["token"]}))
    invited = new_email("invited")
    to_new = await invite(app, owner, invited, "editor")
    joined = await sign_up(app, invited, invitation_token=to_new["token"])
    assert joined.workspace_id == owner.workspace_id
    there = await login(app, existing.email, workspace_id=owner.workspace_id)
    async with client(app, {"apikey": token["token"]}) as app_client:
        assert [o["name"] for o in (await ok(await app_client.get("/api/objects")))["items"]] \
            == ["lead"]
    async with client(app, {"Authorization": f"Bearer {there['access_token']}"}) as viewer:
        assert (await ok(await viewer.get("/api/auth/me")))["role"] == "viewer"


async def test_the_session_check_leaves_no_tenant_behind(app, session, owner_db):
    # A session of the runtime role that was never scoped to a workspace.
    conn = await asyncpg.connect(app.state.objectry.database_url,
                                 server_settings={"role": "objectry_app"})
    try:
        row = await conn.fetchrow("SELECT * FROM objectry_session_check($1, $2, 'j', 'f')",
                                  session.workspace_id, session.user_id)
        assert (row["role"], row["blacklisted"], row["family_revoked"]) == ("owner", False,
                                                                            False)
        assert await conn.fetchval("SELECT current_setting('app.tenant_id', true)") in ("", None)
        assert await conn.fetchval("SELECT count(*) FROM workspace_members") == 0
    finally:
        await conn.close()
    acl = await owner_db.fetchval("SELECT proacl::text[] FROM pg_proc"
                                  " WHERE proname = 'objectry_session_check'")
    assert not any(item.startswith("=") for item in acl)
