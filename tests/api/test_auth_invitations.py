"""Invitations that need proof: inviting adds no one, the token (once, in time, unrevoked) and
the invited e-mail together admit — by signing up or, with an account, by accepting."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

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
