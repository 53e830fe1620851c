"""Sign-up, sign-in (JSON and OAuth2 form), me, and what sign-up refuses."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher

from objectry.metadata import indexes
from tests.api.builders import codes, ok
from tests.api.conftest import PASSWORD, client, invite, login, new_email, refused, sign_up


async def test_register_login_and_me(app):
    email = new_email("Ana").replace("ana", "ANA")
    async with client(app) as anonymous:
        user = await ok(await anonymous.post("/api/auth/register", json={
            "email": email, "password": PASSWORD, "full_name": "Ana Lima"}), 201)
        assert user["id"].startswith("usr_") and user["workspace_id"].startswith("wsp_")
        assert (user["email"], user["full_name"], user["role"]) == (email.lower(), "Ana Lima",
                                                                    "owner")
        signed_in = await anonymous.post("/api/auth/login",
                                         json={"email": email, "password": PASSWORD})
    tokens = await ok(signed_in)
    assert set(tokens) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert (tokens["token_type"], tokens["expires_in"]) == ("bearer", 900)
    assert signed_in.headers["cache-control"] == "no-store"
    async with client(app, {"Authorization": f"Bearer {tokens['access_token']}"}) as api:
        me = await ok(await api.get("/api/auth/me"))
    assert me == {"id": user["id"], "email": email.lower(), "full_name": "Ana Lima",
                  "workspace_id": user["workspace_id"], "role": "owner", "kind": "user"}


async def test_login_accepts_the_oauth2_password_form(app, session):
    async with client(app) as anonymous:
        form = {"grant_type": "password", "username": session.email, "password": PASSWORD,
                "scope": ""}
        tokens = await ok(await anonymous.post("/api/auth/login", data=form))
        me = await anonymous.get("/api/auth/me",
                                 headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert (await ok(me))["id"] == session.user_id


async def test_register_reports_every_problem(app):
    async with client(app) as anonymous:
        bad = await anonymous.post("/api/auth/register", json={
            "email": "not-an-address", "password": "short", "extra": 1})
        refused(bad, 422, "validation_failed")
        assert sorted(codes(bad)) == [("email", "format"), ("extra", "extra_forbidden"),
                                      ("password", "too_short")]
        missing = await anonymous.post("/api/auth/register", json={})
        assert codes(missing) == [("email", "missing"), ("password", "missing")]
        refused(await anonymous.post("/api/auth/register", content=b"{",
                                     headers={"content-type": "application/json"}),
                400, "bad_request")
        refused(await anonymous.post("/api/auth/register", content=b"email=a",
                                     headers={"content-type": "text/plain"}),
                415, "unsupported_media_type")


async def test_an_email_registers_once_whatever_its_case(app, session):
    async with client(app) as anonymous:
        again = await anonymous.post("/api/auth/register", json={
            "email": session.email.upper(), "password": PASSWORD})
    refused(again, 409, "conflict")
    assert codes(again) == [("email", "taken")]


async def test_wrong_credentials_get_one_generic_answer(app, session):
    async with client(app, address="198.51.100.10") as anonymous:
        wrong_password = await anonymous.post("/api/auth/login", json={
            "email": session.email, "password": "not the password"})
        unknown_email = await anonymous.post("/api/auth/login", json={
            "email": new_email("nobody"), "password": PASSWORD})
        malformed = await anonymous.post("/api/auth/login", json={
            "email": "nobody", "password": PASSWORD})
    messages = {refused(r, 401, "unauthenticated")["message"]
                for r in (wrong_password, unknown_email, malformed)}
    assert messages == {"the e-mail or password is not right"}


async def test_login_body_problems_are_422(app):
    async with client(app) as anonymous:
        empty = await anonymous.post("/api/auth/login", json={"email": "a@b.c"})
        assert codes(empty) == [("password", "missing")]
        form = await anonymous.post("/api/auth/login", data={"username": "a@b.c"})
        assert codes(form) == [("password", "missing")]


async def test_login_picks_the_workspace_joined_last_unless_told(app, session):
    other = await sign_up(app)
    invitation = await invite(app, other, session.email, "viewer")
    async with client(app, session.headers) as api:
        await ok(await api.post("/api/invitations/accept", json={"token": invitation["token"]}))
    default = await login(app, session.email)
    chosen = await login(app, session.email, workspace_id=session.workspace_id)
    async with client(app) as anonymous:
        for tokens, workspace, role in ((default, other.workspace_id, "viewer"),
                                        (chosen, session.workspace_id, "owner")):
            me = await ok(await anonymous.get("/api/auth/me", headers={
                "Authorization": f"Bearer {tokens['access_token']}"}))
            assert (me["workspace_id"], me["role"]) == (workspace, role)
        stranger = await sign_up(app)
        refused(await anonymous.post("/api/auth/login", json={
            "email": session.email, "password": PASSWORD,
            "workspace_id": stranger.workspace_id}), 403, "forbidden")


async def test_an_inactive_account_cannot_sign_in_or_act(app, session, api, owner_db):
    await owner_db.execute("UPDATE users SET is_active = false WHERE id = $1", session.user_id)
    refused(await api.get("/api/objects"), 401, "unauthenticated")
    async with client(app, address="198.51.100.11") as anonymous:
        refused(await anonymous.post("/api/auth/login", json={
            "email": session.email, "password": PASSWORD}), 401, "unauthenticated")


async def test_a_weaker_hash_is_upgraded_at_sign_in(app, session, owner_db):
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    await owner_db.execute("UPDATE users SET hashed_password = $2 WHERE id = $1",
                           session.user_id, weak)
    await login(app, session.email)
    stored = await owner_db.fetchrow("SELECT hashed_password, last_login FROM users"
                                     " WHERE id = $1", session.user_id)
    assert stored["hashed_password"].startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert stored["last_login"] is not None
    await login(app, session.email)


async def test_passwords_are_stored_as_argon2id_only(owner_db, session):
    stored = await owner_db.fetchval("SELECT hashed_password FROM users WHERE id = $1",
                                     session.user_id)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


async def test_a_sign_up_does_not_wait_for_a_field_index_build(app, database_url):
    # A build holds this lock for as long as CREATE INDEX CONCURRENTLY takes, and the build waits
    # for every older snapshot: a sign-up queued behind it was aborted as a deadlock.
    builder = await indexes.connect(database_url)
    try:
        async with indexes._ddl_lock(builder):
            await asyncio.wait_for(sign_up(app), timeout=30)
    finally:
        await builder.close()
