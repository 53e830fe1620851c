"""Invitations that need proof: inviting adds no one, the token (once, in time, unrevoked) and
the invited e-mail together admit — by signing up or, with an account, by accepting."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from objectry.db import tenancy
from tests.api.builders import codes, ok
from tests.api.conftest import (
    PASSWORD,
    client,
    invite,
    join,
    login,
    new_email,
    refused,
    sign_up,
)

INVITATION_KEYS = {"id", "email", "role", "token", "expires_at"}
LISTED_KEYS = {"id", "email", "role", "expires_at", "created_at", "invited_by"}


def members_path(account) -> str:
    return f"/api/workspaces/{account.workspace_id}/members"


def invitations_path(account, invitation_id: str | None = None) -> str:
    base = f"/api/workspaces/{account.workspace_id}/invitations"
    return f"{base}/{invitation_id}" if invitation_id else base


async def register(app, email: str, token: str | None = None, address: str = "127.0.0.1"):
    body = {"email": email, "password": PASSWORD, "full_name": "Invitee"}
    if token is not None:
        body["invitation_token"] = token
    async with client(app, address=address) as anonymous:
        return await anonymous.post("/api/auth/register", json=body)


async def accept(app, account, token: str):
    async with client(app, account.headers) as api:
        return await api.post("/api/invitations/accept", json={"token": token})


async def pending(app, owner) -> list[dict]:
    async with client(app, owner.headers) as api:
        return (await ok(await api.get(invitations_path(owner))))["items"]


async def test_inviting_adds_no_one_and_does_not_say_who_has_an_account(app, api, session):
    existing = await sign_up(app)
    answers = []
    for email in (existing.email, new_email("nobody")):
        response = await api.post(members_path(session), json={"email": email, "role": "editor"})
        assert response.headers["cache-control"] == "no-store"
        answers.append(await ok(response, 201))
    for answer, email in zip(answers, (existing.email, None), strict=True):
        assert set(answer) == {"status", "invitation"} and answer["status"] == "invited"
        invitation = answer["invitation"]
        assert set(invitation) == INVITATION_KEYS and invitation["id"].startswith("inv_")
        assert invitation["role"] == "editor" and len(invitation["token"]) >= 32
        assert email is None or invitation["email"] == email
        expires = datetime.fromisoformat(invitation["expires_at"])
        assert abs(expires - (datetime.now(UTC) + timedelta(days=7))) < timedelta(minutes=1)
    members = (await ok(await api.get(members_path(session))))["items"]
    assert [m["user_id"] for m in members] == [session.user_id]


async def test_a_member_cannot_be_invited_again(app, api, session):
    member = await join(app, session, "viewer")
    for email in (session.email, member.email.upper()):
        again = await api.post(members_path(session), json={"email": email, "role": "admin"})
        refused(again, 409, "conflict")
        assert codes(again) == [("email", "taken")]


async def test_a_new_account_joins_the_inviting_workspace_only(app, session, owner_db):
    email = new_email("invitee")
    invitation = await invite(app, session, email, "editor")
    joined = await ok(await register(app, email.upper(), invitation["token"]), 201)
    assert (joined["email"], joined["workspace_id"], joined["role"]) == (
        email, session.workspace_id, "editor")
    # Open sign-up is on, yet no workspace of its own was made.
    memberships = await owner_db.fetch("SELECT tenant_id, role FROM workspace_members"
                                       " WHERE user_id = $1", joined["id"])
    assert [tuple(m) for m in memberships] == [(session.workspace_id, "editor")]
    stored = await owner_db.fetchrow("SELECT accepted_at, accepted_by FROM workspace_invitations"
                                     " WHERE tenant_id = $1 AND id = $2",
                                     session.workspace_id, invitation["id"])
    assert stored["accepted_at"] is not None and stored["accepted_by"] == joined["id"]
    assert await pending(app, session) == []
    tokens = await login(app, email)
    async with client(app, {"Authorization": f"Bearer {tokens['access_token']}"}) as as_member:
        me = await ok(await as_member.get("/api/auth/me"))
    assert (me["workspace_id"], me["role"]) == (session.workspace_id, "editor")


async def test_a_token_works_once(app, session):
    email = new_email("once")
    invitation = await invite(app, session, email, "viewer")
    await ok(await register(app, email, invitation["token"]), 201)
    other = await sign_up(app, email.replace("once", "twice"))
    refused(await register(app, new_email("late"), invitation["token"]), 404, "not_found")
    refused(await accept(app, other, invitation["token"]), 404, "not_found")


async def test_an_invited_email_without_its_token_joins_nothing(app, session):
    email = new_email("tokenless")
    invitation = await invite(app, session, email, "admin")
    alone = await ok(await register(app, email), 201)
    # Open sign-up: a workspace of its own, and the invitation is still waiting for its token.
    assert alone["workspace_id"] != session.workspace_id and alone["role"] == "owner"
    assert [i["id"] for i in await pending(app, session)] == [invitation["id"]]
    assert email not in await member_emails(app, session)


async def member_emails(app, owner) -> set[str]:
    async with client(app, owner.headers) as api:
        return {m["email"] for m in (await ok(await api.get(members_path(owner))))["items"]}


async def test_sign_up_with_a_token_that_proves_nothing_makes_no_account(app, session, owner_db):
    email = new_email("bad-token")
    invitation = await invite(app, session, email, "viewer")
    refused(await register(app, email, "no-such-token"), 404, "not_found")
    refused(await register(app, email, invitation["token"][:-1]), 404, "not_found")
    # The right token for another e-mail: 403, and the invitation still works for its own.
    refused(await register(app, new_email("someone-else"), invitation["token"]), 403,
            "forbidden")
    assert await owner_db.fetchval("SELECT count(*) FROM users WHERE email = $1", email) == 0
    await ok(await register(app, email, invitation["token"]), 201)


async def test_an_account_accepts_while_signed_in(app, session):
    other = await sign_up(app)
    invitation = await invite(app, session, other.email.upper(), "editor")
    accepted = await accept(app, other, invitation["token"])
    assert await ok(accepted) == {"workspace_id": session.workspace_id, "role": "editor"}
    assert other.email in await member_emails(app, session)
    refused(await accept(app, other, invitation["token"]), 404, "not_found")
    there = await login(app, other.email)  # the workspace joined last
    async with client(app, {"Authorization": f"Bearer {there['access_token']}"}) as as_other:
        me = await ok(await as_other.get("/api/auth/me"))
    assert (me["workspace_id"], me["role"]) == (session.workspace_id, "editor")


async def test_accept_needs_the_invited_person_signed_in(app, api, session, owner_db):
    other, stranger = await sign_up(app), await sign_up(app)
    invitation = await invite(app, session, other.email, "viewer")
    refused(await accept(app, stranger, invitation["token"]), 403, "forbidden")
    token = await ok(await api.post("/api/tokens", json={"name": "t", "scopes": ["admin"]}), 201)
    async with client(app, {"apikey": token["token"]}) as as_token:
        refused(await as_token.post("/api/invitations/accept",
                                    json={"token": invitation["token"]}), 403, "forbidden")
    async with client(app) as anonymous:
        refused(await anonymous.post("/api/invitations/accept",
                                     json={"token": invitation["token"]}), 401, "unauthenticated")
    async with client(app, other.headers) as as_other:
        empty = await as_other.post("/api/invitations/accept", json={})
        refused(empty, 422, "validation_failed")
        assert codes(empty) == [("token", "missing")]
    # Already a member (added behind the API's back): 409, and the invitation is not used up.
    await owner_db.execute("INSERT INTO workspace_members (tenant_id, user_id, role)"
                           " VALUES ($1, $2, 'viewer')", session.workspace_id, other.user_id)
    refused(await accept(app, other, invitation["token"]), 409, "conflict")
    assert [i["id"] for i in await pending(app, session)] == [invitation["id"]]


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


async def test_inviting_a_pending_email_again_replaces_the_invitation(app, session):
    email = new_email("again")
    first = await invite(app, session, email, "viewer")
    second = await invite(app, session, email.upper(), "admin")
    assert second["id"] != first["id"] and second["token"] != first["token"]
    assert [(i["id"], i["role"]) for i in await pending(app, session)] == [(second["id"],
                                                                            "admin")]
    refused(await register(app, email, first["token"]), 404, "not_found")
    joined = await ok(await register(app, email, second["token"]), 201)
    assert joined["role"] == "admin"


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


async def test_only_a_hash_of_the_token_is_stored(app, session, owner_db):
    invitation = await invite(app, session, new_email("hashed"), "viewer")
    row = await owner_db.fetchrow("SELECT * FROM workspace_invitations WHERE tenant_id = $1"
                                  " AND id = $2", session.workspace_id, invitation["id"])
    assert row["token_hash"] == hashlib.sha256(invitation["token"].encode()).hexdigest()
    assert invitation["token"] not in str(dict(row))


async def test_the_invited_email_matches_however_it_is_spelt(app, session):
    local = new_email("ada").split("@")[0]
    wide = "".join(chr(ord(c) + 0xFEE0) for c in local.upper())  # full-width letters and digits
    invitation = await invite(app, session, f"{local}@EXAMPLE.com", "viewer")
    assert invitation["email"] == f"{local}@example.com"
    joined = await ok(await register(app, f"{wide}@example.com", invitation["token"]), 201)
    assert joined["email"] == f"{local}@example.com"
    idn = await sign_up(app, f"{local}@bücher.de")
    to_idn = await invite(app, session, f"{local}@xn--bcher-kva.de", "editor")
    assert await ok(await accept(app, idn, to_idn["token"])) == {
        "workspace_id": session.workspace_id, "role": "editor"}


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
