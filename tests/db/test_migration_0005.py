"""Migration 0005 on a database that already has data: old invitations (which never had a
token) are kept as revoked history, and stored e-mails get the one spelling sign-up now uses."""

from __future__ import annotations

import asyncio

import asyncpg

from objectry.db import migrate
from tests.conftest import NewDatabase

OLD_DATA = """
INSERT INTO workspaces (id, name) VALUES ('wsp_a', 'A');
INSERT INTO users (id, email, hashed_password) VALUES
    ('usr_wide', 'ａｄａ@example.com', 'x'),
    ('usr_plain', 'bea@example.com', 'x'),
    ('usr_clash', 'ｂｅａ@example.com', 'x');
INSERT INTO workspace_members (tenant_id, user_id, role) VALUES ('wsp_a', 'usr_wide', 'owner');
INSERT INTO workspace_invitations (tenant_id, email, role, accepted_at) VALUES
    ('wsp_a', 'pending@example.com', 'viewer', NULL),
    ('wsp_a', 'joined@example.com', 'editor', now());
"""


async def test_old_invitations_are_revoked_and_emails_respelt(new_database: NewDatabase):
    url = await new_database()
    await asyncio.to_thread(migrate.upgrade, url, "0004")
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(OLD_DATA)
        await asyncio.to_thread(migrate.upgrade, url, "0005")
        rows = {r["email"]: r for r in await conn.fetch("SELECT * FROM workspace_invitations")}
        assert rows["pending@example.com"]["revoked_at"] is not None
        assert rows["joined@example.com"]["revoked_at"] is None
        for row in rows.values():
            assert row["id"].startswith("inv_") and len(row["id"]) == 20
            assert len(row["token_hash"]) == 64 and row["expires_at"] is not None
        emails = dict(await conn.fetch("SELECT id, email FROM users"))
        # A new spelling that is another account's already is left alone.
        assert emails == {"usr_wide": "ada@example.com", "usr_plain": "bea@example.com",
                          "usr_clash": "ｂｅａ@example.com"}
        await asyncio.to_thread(migrate.downgrade, url, "0004")
        assert await conn.fetchval("SELECT count(*) FROM workspace_invitations") == 2
        assert await conn.fetchval("SELECT count(*) FROM objectry_pending_invitations($1)",
                                   "pending@example.com") == 1
    finally:
        await conn.close()
