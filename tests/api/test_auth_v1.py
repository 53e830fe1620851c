"""/auth/v1, the GoTrue dialect of the accounts and sessions of /api/auth: every endpoint, its
session and user shapes, GoTrue's error shape, rotation and reuse detection, throttling, and
the apikey + Bearer rule on every dialect — always with a second workspace."""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.api.conftest import PASSWORD, Account, client, invite, new_email, sign_up
from tests.conftest import running_app, settings_for

NEW_PASSWORD = "a brand new passphrase 42"


async def api_token(app: Any, owner: Account) -> str:
    async with client(app, owner.headers) as api:
        made = await api.post("/api/tokens", json={
            "name": "anon", "scopes": ["records:read", "records:write"]})
    assert made.status_code == 201, made.text
    return str(made.json()["token"])


def gotrue(anon: str, access: str | None = None) -> dict[str, str]:
    """The headers supabase-py sends: the project key, and the session's token when signed in."""
    return {"apikey": anon, "Authorization": f"Bearer {access or anon}"}


def refused(response: httpx.Response, status: int, error_code: str, msg: str | None = None
            ) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert (body["code"], body["error_code"]) == (status, error_code), body
    if msg is not None:
        assert body["msg"] == msg, body
    return dict(body)


def assert_session(body: dict[str, Any], *, user_id: str, email: str, workspace_id: str,
                   role: str, full_name: str) -> None:
    assert set(body) == {"access_token", "token_type", "expires_in", "expires_at",
                         "refresh_token", "user"}
    assert (body["token_type"], body["expires_in"]) == ("bearer", 900)
    assert abs(body["expires_at"] - (time.time() + 900)) < 60
    assert_user(body["user"], user_id=user_id, email=email, workspace_id=workspace_id,
                role=role, full_name=full_name)


def assert_user(user: dict[str, Any], *, user_id: str, email: str, workspace_id: str,
                role: str, full_name: str) -> None:
    created_at = user.pop("created_at")
    assert created_at.endswith("Z")
    assert user == {"id": user_id, "aud": "authenticated", "role": "authenticated",
                    "email": email, "user_metadata": {"full_name": full_name},
                    "app_metadata": {"workspace_id": workspace_id, "role": role}}


@pytest.fixture
async def project(app: Any, session: Account) -> str:
    """Workspace A's API token: the anon key a Supabase app is configured with."""
    return await api_token(app, session)


@pytest.fixture
async def other(app: Any) -> Account:
    """The owner of workspace B, with an account there only."""
    return await sign_up(app, full_name="Other Owner")


async def signup_invited(app: Any, owner: Account, anon: str, role: str = "editor"
                         ) -> tuple[str, httpx.Response]:
    email = new_email("invited")
    invitation = await invite(app, owner, email, role)
    async with client(app, gotrue(anon)) as http:
        response = await http.post("/auth/v1/signup", json={
            "email": email, "password": PASSWORD, "gotrue_meta_security": {},
            "data": {"full_name": "Ines Invited", "invitation_token": invitation["token"]}})
    return email, response


async def test_signup_with_an_invitation_to_the_project_signs_in_there(app, session, project,
                                                                       owner_db):
    email, response = await signup_invited(app, session, project)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    user_id = await owner_db.fetchval("SELECT id FROM users WHERE email = $1", email)
    assert_session(body, user_id=user_id, email=email, workspace_id=session.workspace_id,
                   role="editor", full_name="Ines Invited")
    async with client(app, gotrue(project, body["access_token"])) as http:
        me = await http.get("/auth/v1/user")
    assert me.status_code == 200
    assert me.json()["app_metadata"] == {"workspace_id": session.workspace_id, "role": "editor"}


async def test_open_signup_without_an_invitation_gets_its_own_workspace_and_no_session(
        app, project, session, owner_db):
    email = new_email("open")
    async with client(app, gotrue(project)) as http:
        response = await http.post("/auth/v1/signup", json={"email": email,
                                                            "password": PASSWORD})
    assert response.status_code == 200, response.text
    user = response.json()
    row = await owner_db.fetchrow("SELECT u.id, m.tenant_id FROM users u JOIN"
                                  " workspace_members m ON m.user_id = u.id WHERE u.email = $1",
                                  email)
    assert row["tenant_id"] != session.workspace_id
    assert_user(user, user_id=row["id"], email=email, workspace_id=row["tenant_id"],
                role="owner", full_name="")
    # Its password works, but not through workspace A's key: to this project it is unknown.
    async with client(app, gotrue(project)) as http:
        signin = await http.post("/auth/v1/token?grant_type=password",
                                 json={"email": email, "password": PASSWORD})
    refused(signin, 400, "invalid_credentials", "Invalid login credentials")


async def test_signup_refusals_speak_gotrue(app, session, project):
    async with client(app, gotrue(project)) as http:
        taken = await http.post("/auth/v1/signup", json={"email": session.email,
                                                         "password": PASSWORD})
        short = await http.post("/auth/v1/signup", json={"email": new_email(),
                                                         "password": "short"})
        common = await http.post("/auth/v1/signup", json={"email": new_email(),
                                                          "password": "password1234"})
        bad_email = await http.post("/auth/v1/signup", json={"email": "nope",
                                                             "password": PASSWORD})
        unknown_data = await http.post("/auth/v1/signup", json={
            "email": new_email(), "password": PASSWORD, "data": {"avatar": "x"}})
    assert taken.json() == {"code": 422, "error_code": "user_already_exists",
                            "msg": "User already registered"}
    assert taken.status_code == 422
    assert short.status_code == 422
    assert short.json() == {"code": 422, "error_code": "weak_password",
                            "weak_password": {"reasons": ["length"]},
                            "msg": "password: must be at least 10 characters"}
    refused(common, 422, "weak_password")
    assert common.json()["weak_password"] == {"reasons": ["pwned"]}
    refused(bad_email, 400, "validation_failed", "email: not a valid email address")
    refused(unknown_data, 400, "validation_failed")


async def test_signup_and_token_need_a_project_key(app):
    async with client(app) as http:
        signup = await http.post("/auth/v1/signup", json={"email": new_email(),
                                                          "password": PASSWORD})
        token = await http.post("/auth/v1/token?grant_type=password",
                                json={"email": new_email(), "password": PASSWORD})
    for response in (signup, token):
        body = refused(response, 401, "no_authorization")
        assert set(body) == {"code", "error_code", "msg"}
    async with client(app, {"apikey": "oby_" + "x" * 40}) as http:
        forged = await http.post("/auth/v1/signup", json={"email": new_email(),
                                                          "password": PASSWORD})
    refused(forged, 401, "no_authorization")


async def test_closed_signup_is_signup_disabled(database_url, app, session):
    settings = settings_for(database_url, open_signup=False,
                            secret_key=app.state.settings.secret_key)
    async with running_app(settings) as closed:
        anon = await api_token(closed, session)  # the install has users: not fresh
        async with client(closed, gotrue(anon)) as http:
            response = await http.post("/auth/v1/signup", json={"email": new_email(),
                                                                "password": PASSWORD})
    assert response.status_code == 422
    assert response.json() == {"code": 422, "error_code": "signup_disabled",
                               "msg": "Signups not allowed for this instance"}


async def test_password_grant_signs_in_to_the_project_workspace(app, session, other, project):
    # `other` also joins workspace A: with A's key, the session is A's (not the one joined last).
    async with client(app, gotrue(project)) as http:
        right = await http.post("/auth/v1/token?grant_type=password", json={
            "email": session.email, "password": PASSWORD, "data": {},
            "gotrue_meta_security": {"captcha_token": None}})
        wrong = await http.post("/auth/v1/token?grant_type=password",
                                json={"email": session.email, "password": "not it at all"})
        stranger = await http.post("/auth/v1/token?grant_type=password",
                                   json={"email": other.email, "password": PASSWORD})
        grant = await http.post("/auth/v1/token?grant_type=magic", json={})
    assert right.status_code == 200, right.text
    assert right.headers["cache-control"] == "no-store"
    assert_session(right.json(), user_id=session.user_id, email=session.email,
                   workspace_id=session.workspace_id, role="owner", full_name="Test User")
    assert wrong.json() == stranger.json() == {"code": 400, "error_code": "invalid_credentials",
                                               "msg": "Invalid login credentials"}
    assert (wrong.status_code, stranger.status_code) == (400, 400)
    refused(grant, 400, "validation_failed", "unsupported_grant_type")


async def signed_in(app: Any, anon: str, account: Account) -> dict[str, Any]:
    async with client(app, gotrue(anon)) as http:
        response = await http.post("/auth/v1/token?grant_type=password",
                                   json={"email": account.email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def refresh(app: Any, anon: str, token: str) -> httpx.Response:
    async with client(app, gotrue(anon)) as http:
        return await http.post("/auth/v1/token?grant_type=refresh_token",
                               json={"refresh_token": token})


async def test_refresh_rotates_and_a_reused_token_ends_the_session(app, session, project):
    first = await signed_in(app, project, session)
    rotated = await refresh(app, project, first["refresh_token"])
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()
    assert_session(second, user_id=session.user_id, email=session.email,
                   workspace_id=session.workspace_id, role="owner", full_name="Test User")
    assert second["refresh_token"] != first["refresh_token"]
    reused = await refresh(app, project, first["refresh_token"])
    assert reused.status_code == 400
    assert reused.json() == {"code": 400, "error_code": "refresh_token_already_used",
                             "msg": "Invalid Refresh Token: Already Used"}
    # Reuse means two parties hold the session: the newest token is revoked as well.
    after = await refresh(app, project, second["refresh_token"])
    assert after.json() == {"code": 400, "error_code": "refresh_token_not_found",
                            "msg": "Invalid Refresh Token: Refresh Token Not Found"}
    async with client(app, gotrue(project, second["access_token"])) as http:
        refused(await http.get("/auth/v1/user"), 403, "session_not_found")
    refused(await refresh(app, project, "garbage"), 400, "refresh_token_not_found")


async def test_another_workspaces_refresh_token_is_unknown_to_the_project(app, other, project):
    theirs = await signed_in(app, await api_token(app, other), other)
    refused(await refresh(app, project, theirs["refresh_token"]), 400,
            "refresh_token_not_found")
    # …and was not rotated by the attempt: it still works with its own project key.
    assert (await refresh(app, await api_token(app, other), theirs["refresh_token"])
            ).status_code == 200


async def test_get_user_needs_a_session(app, session, project):
    signed = await signed_in(app, project, session)
    async with client(app, gotrue(project, signed["access_token"])) as http:
        me = await http.get("/auth/v1/user")
    assert me.status_code == 200
    assert_user(me.json(), user_id=session.user_id, email=session.email,
                workspace_id=session.workspace_id, role="owner", full_name="Test User")
    async with client(app, gotrue(project)) as http:  # the API token alone is no user
        refused(await http.get("/auth/v1/user"), 403, "bad_jwt")
    async with client(app, gotrue(project, "not.a.jwt")) as http:
        refused(await http.get("/auth/v1/user"), 403, "bad_jwt")
    async with client(app) as http:
        refused(await http.get("/auth/v1/user"), 401, "no_authorization")


async def test_put_user_changes_the_name_and_the_password(app, session, project):
    first = await signed_in(app, project, session)
    kept = await signed_in(app, project, session)  # another device: ended by the new password
    async with client(app, gotrue(project, first["access_token"])) as http:
        renamed = await http.put("/auth/v1/user", json={"data": {"full_name": "Ana Renamed"}})
        weak = await http.put("/auth/v1/user", json={"password": "123"})
        email = await http.put("/auth/v1/user", json={"email": new_email()})
        changed = await http.put("/auth/v1/user", json={"password": NEW_PASSWORD})
        still = await http.get("/auth/v1/user")
    assert renamed.status_code == 200
    assert renamed.json()["user_metadata"] == {"full_name": "Ana Renamed"}
    refused(weak, 422, "weak_password")
    refused(email, 422, "validation_failed", "email: changing the e-mail is not supported")
    assert changed.status_code == 200 and still.status_code == 200
    async with client(app, gotrue(project)) as http:
        old = await http.post("/auth/v1/token?grant_type=password",
                              json={"email": session.email, "password": PASSWORD})
        new = await http.post("/auth/v1/token?grant_type=password",
                              json={"email": session.email, "password": NEW_PASSWORD})
    refused(old, 400, "invalid_credentials")
    assert new.status_code == 200
    refused(await refresh(app, project, kept["refresh_token"]), 400, "refresh_token_not_found")


@pytest.mark.parametrize("scope", ["global", "local", "others"])
async def test_logout_ends_sessions_by_scope(app, session, project, scope):
    this = await signed_in(app, project, session)
    another = await signed_in(app, project, session)
    async with client(app, gotrue(project, this["access_token"])) as http:
        response = await http.post(f"/auth/v1/logout?scope={scope}")
        me = await http.get("/auth/v1/user")
    assert (response.status_code, response.content) == (204, b"")
    this_ended, another_ended = {"global": (True, True), "local": (True, False),
                                 "others": (False, True)}[scope]
    assert me.status_code == (403 if this_ended else 200)
    other_refresh = await refresh(app, project, another["refresh_token"])
    assert other_refresh.status_code == (400 if another_ended else 200)


async def test_sign_in_failures_are_throttled(app, session, project):
    address = f"198.51.100.{secrets.randbelow(250) + 1}"
    async with client(app, gotrue(project), address=address) as http:
        for _ in range(5):
            refused(await http.post("/auth/v1/token?grant_type=password", json={
                "email": session.email, "password": "wrong password!"}), 400,
                "invalid_credentials")
        throttled = await http.post("/auth/v1/token?grant_type=password",
                                    json={"email": session.email, "password": PASSWORD})
    refused(throttled, 429, "over_request_rate_limit",
            "too many failed sign-ins; try again later")
    assert int(throttled.headers["retry-after"]) >= 1


async def test_signup_is_throttled_per_address(database_url, app, session):
    settings = settings_for(database_url, open_signup=True, signup_limit=1,
                            secret_key=app.state.settings.secret_key)
    async with running_app(settings) as strict:
        anon = await api_token(strict, session)
        async with client(strict, gotrue(anon), address="203.0.113.77") as http:
            first = await http.post("/auth/v1/signup", json={"email": new_email(),
                                                             "password": PASSWORD})
            second = await http.post("/auth/v1/signup", json={"email": new_email(),
                                                              "password": PASSWORD})
    assert first.status_code == 200
    refused(second, 429, "over_request_rate_limit")
    assert "retry-after" in second.headers


# The apikey + Bearer rule holds on every dialect: the Bearer acts, the apikey must be a valid
# credential of the same workspace.

@pytest.fixture
async def mixed(app: Any, session: Account, other: Account, project: str) -> AsyncIterator[
        dict[str, dict[str, str]]]:
    yield {"same": gotrue(project, session.access_token),
           "other_workspace": gotrue(project, other.access_token),
           "forged_apikey": {"apikey": "oby_" + "y" * 40,
                             "Authorization": f"Bearer {session.access_token}"}}


async def test_a_project_key_of_another_workspace_is_401_on_rest(app, mixed):
    async with client(app) as http:
        same = await http.get("/rest/v1/", headers=mixed["same"])
        other = await http.get("/rest/v1/", headers=mixed["other_workspace"])
        forged = await http.get("/rest/v1/", headers=mixed["forged_apikey"])
    assert same.status_code == 200
    for response in (other, forged):
        assert response.status_code == 401
        assert response.json()["code"] == "PGRST301"
    assert other.json()["message"] == ("the apikey belongs to another workspace than the"
                                       " Authorization credential")


async def test_a_project_key_of_another_workspace_is_401_on_api_and_auth_v1(app, mixed):
    async with client(app) as http:
        same = await http.get("/api/auth/me", headers=mixed["same"])
        other = await http.get("/api/auth/me", headers=mixed["other_workspace"])
        gotrue_other = await http.get("/auth/v1/user", headers=mixed["other_workspace"])
        gotrue_forged = await http.get("/auth/v1/user", headers=mixed["forged_apikey"])
    assert same.status_code == 200
    assert other.status_code == 401
    assert other.json() == {"error": {
        "code": "unauthenticated", "details": [],
        "message": "the apikey belongs to another workspace than the Authorization credential"}}
    refused(gotrue_other, 401, "no_authorization",
            "the apikey belongs to another workspace than the Authorization credential")
    refused(gotrue_forged, 401, "no_authorization")
