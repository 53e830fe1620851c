"""Pending invitations as admins see them: listed without tokens, revoked, expired, and
never reachable from another workspace; the one lookup before a workspace is known."""

from __future__ import annotations

import hashlib

from objectry.db import tenancy
from tests.api.builders import ok
from tests.api.conftest import client, invite, join, new_email, refused, sign_up
from tests.api.test_auth_invitations import (
    LISTED_KEYS,
    invitations_path,
    members_path,
    pending,
    register,
)


async def test_expired_and_revoked_invitations_admit_no_one(app, api, session, owner_db):
    expired_email, revoked_email = new_email("expired"), new_email("revoked")
    expired = await invite(app, session, expired_email, "viewer")
    revoked = await invite(app, session, revoked_email, "viewer")
    await owner_db.execute("UPDATE workspace_invitations SET expires_at = now() - interval '1s'"
                           " WHERE tenant_id = $1 AND id = $2", session.workspace_id,
                           expired["id"])
    await ok(await api.delete(invitations_path(session, revoked["id"])), 204)
    await ok(await api.delete(invitations_path(session, revoked["id"])), 204)  # again: no error
    await ok(await api.delete(invitations_path(session, expired["id"])), 204)
    refused(await api.delete(invitations_path(session, "inv_0000000000000000")), 404,
            "not_found")
    assert await pending(app, session) == []
    refused(await register(app, expired_email, expired["token"]), 404, "not_found")
    refused(await register(app, revoked_email, revoked["token"]), 404, "not_found")


async def test_revoking_a_used_invitation_leaves_the_member(app, api, session, owner_db):
    member = await join(app, session, "editor")
    invitation_id = await owner_db.fetchval(
        "SELECT id FROM workspace_invitations WHERE tenant_id = $1 AND accepted_by = $2",
        session.workspace_id, member.user_id)
    await ok(await api.delete(invitations_path(session, invitation_id)), 204)
    assert await owner_db.fetchval("SELECT revoked_at FROM workspace_invitations"
                                   " WHERE tenant_id = $1 AND id = $2", session.workspace_id,
                                   invitation_id) is None
    async with client(app, member.headers) as as_member:
        assert (await ok(await as_member.get("/api/auth/me")))["role"] == "editor"


async def test_pending_invitations_are_listed_without_their_tokens(app, api, session):
    first = await invite(app, session, new_email("a"), "viewer")
    second = await invite(app, session, new_email("b"), "editor")
    page = await ok(await api.get(invitations_path(session), params={"limit": 1}))
    assert [set(i) for i in page["items"]] == [LISTED_KEYS]
    assert (page["items"][0]["id"], page["items"][0]["invited_by"]) == (first["id"],
                                                                        session.user_id)
    rest = await ok(await api.get(invitations_path(session),
                                  params={"limit": 1, "cursor": page["next_cursor"]}))
    assert [i["id"] for i in rest["items"]] == [second["id"]]
    assert "token" not in str(page) + str(rest)
    refused(await api.get(invitations_path(session), params={"cursor": "nope"}), 400,
            "bad_request")


async def test_only_admins_and_admin_tokens_see_and_revoke_invitations(app, api, session):
    invitation = await invite(app, session, new_email("x"), "viewer")
    admin_token = await ok(await api.post("/api/tokens", json={"name": "a", "scopes": ["admin"]}),
                           201)
    reader_token = await ok(await api.post("/api/tokens", json={
        "name": "r", "scopes": ["records:read", "schema:read"]}), 201)
    async with client(app, {"apikey": admin_token["token"]}) as as_admin_token:
        by_token = await invite_as(as_admin_token, session, new_email("by-token"))
        assert {i["id"]: i["invited_by"] for i in (await ok(await as_admin_token.get(
            invitations_path(session))))["items"]} == {invitation["id"]: session.user_id,
                                                     by_token["id"]: None}
    async with client(app, {"apikey": reader_token["token"]}) as as_reader_token:
        refused(await as_reader_token.get(invitations_path(session)), 403, "forbidden")
    for role in ("editor", "viewer"):
        member = await join(app, session, role, role)
        async with client(app, member.headers) as as_member:
            refused(await as_member.get(invitations_path(session)), 403, "forbidden")
            refused(await as_member.delete(invitations_path(session, invitation["id"])), 403,
                    "forbidden")
    admin = await join(app, session, "admin", "admin")
    async with client(app, admin.headers) as as_admin:
        await ok(await as_admin.delete(invitations_path(session, invitation["id"])), 204)


async def invite_as(api, owner, email: str) -> dict:
    invited = await ok(await api.post(members_path(owner), json={"email": email,
                                                                 "role": "viewer"}), 201)
    return invited["invitation"]


async def test_another_workspaces_invitations_are_not_found(app, session):
    victims = await invite(app, session, new_email("victim"), "viewer")
    intruder = await sign_up(app)
    async with client(app, intruder.headers) as api:
        refused(await api.get(invitations_path(session)), 404, "not_found")
        refused(await api.delete(invitations_path(session, victims["id"])), 404, "not_found")
        # The victim's invitation id through the intruder's own workspace: not there.
        refused(await api.delete(invitations_path(intruder, victims["id"])), 404, "not_found")
        assert (await ok(await api.get(invitations_path(intruder))))["items"] == []
        refused(await api.post(members_path(session), json={"email": new_email(),
                                                            "role": "viewer"}), 404,
                "not_found")
    assert [i["id"] for i in await pending(app, session)] == [victims["id"]]


async def test_the_token_lookup_answers_one_pending_invitation_only(app, session):
    invitation = await invite(app, session, new_email("lookup"), "viewer")
    digest = hashlib.sha256(invitation["token"].encode()).hexdigest()
    other = await sign_up(app)
    async with tenancy.transaction(app.state.objectry.pool, other.workspace_id) as conn:
        await conn.execute("SELECT set_config('app.definer', 'on', true)")
        # The runtime role sees no other workspace's invitations, switch or not.
        assert await conn.fetchval("SELECT count(*) FROM workspace_invitations") == 0
        found = await conn.fetch("SELECT * FROM objectry_invitation_by_token($1)", digest)
        assert [dict(r) for r in found] == [{
            "tenant_id": session.workspace_id, "id": invitation["id"],
            "email": invitation["email"], "role": "viewer"}]
        assert await conn.fetch("SELECT * FROM objectry_invitation_by_token($1)",
                                invitation["token"]) == []
    await ok(await register(app, invitation["email"], invitation["token"]), 201)
    async with app.state.objectry.pool.acquire() as conn:
        assert await conn.fetch("SELECT * FROM objectry_invitation_by_token($1)", digest) == []
