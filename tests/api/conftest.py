"""API fixtures: an HTTP client signed in as a fresh user who owns a fresh workspace.

Tests authenticate exactly as clients do (register, log in, send the Bearer token); there is
no test-only way into the app. `session`/`sign_up` give more users when a test needs them.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

PASSWORD = "correct horse battery staple"


@dataclass
class Account:
    user_id: str
    email: str
    workspace_id: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


def client(app: Any, headers: dict[str, str] | None = None,
           address: str = "127.0.0.1") -> httpx.AsyncClient:
    """A client over the real ASGI stack; `address` is the peer the rate limiter sees."""
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://objectry.test",
                             headers=headers or {})


def new_email(label: str = "user") -> str:
    return f"{label}-{secrets.token_hex(6)}@example.com"


async def login(app: Any, email: str, password: str = PASSWORD,
                workspace_id: str | None = None) -> dict[str, Any]:
    body = {"email": email, "password": password}
    if workspace_id is not None:
        body["workspace_id"] = workspace_id
    async with client(app) as anonymous:
        response = await anonymous.post("/api/auth/login", json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def sign_up(app: Any, email: str | None = None, full_name: str = "Test User",
                  invitation_token: str | None = None) -> Account:
    """Register (open sign-up: the user owns a new workspace, or joins by invitation), log in."""
    email = email or new_email()
    body = {"email": email, "password": PASSWORD, "full_name": full_name}
    if invitation_token is not None:
        body["invitation_token"] = invitation_token
    async with client(app) as anonymous:
        registered = await anonymous.post("/api/auth/register", json=body)
    assert registered.status_code == 201, registered.text
    user = registered.json()
    tokens = await login(app, email)
    return Account(user["id"], email, user["workspace_id"], tokens["access_token"],
                   tokens["refresh_token"])


@pytest.fixture
async def session(app: Any) -> Account:
    return await sign_up(app)


@pytest.fixture
async def workspace_id(session: Account) -> str:
    return session.workspace_id


@pytest.fixture
async def api(app: Any, session: Account) -> AsyncIterator[httpx.AsyncClient]:
    async with client(app, session.headers) as signed_in:
        yield signed_in


@pytest.fixture
async def other_process(app: Any, database_url: str) -> AsyncIterator[Any]:
    """A second process of the same deployment (the same signing key)."""
    from tests.conftest import running_app, settings_for

    settings = settings_for(database_url, open_signup=True,
                            secret_key=app.state.settings.secret_key)
    async with running_app(settings) as other:
        yield other


async def eventually(check: Any, seconds: float = 5.0) -> None:
    """`check()` true within `seconds` (a notice crosses processes after the commit)."""
    for _ in range(int(seconds / 0.02)):
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the other process did not see the change in time")


@asynccontextmanager
async def counted_owner(database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """A fresh owner's client of an app connected directly through a relay that counts its
    round trips to PostgreSQL (tests/support/round_trips.py), and that counter."""
    from objectry.settings import DIRECT
    from tests.conftest import running_app, settings_for
    from tests.support.round_trips import counting_relay

    async with counting_relay(database_url) as (url, counter):
        settings = settings_for(url, database_pooler=DIRECT, direct_database_url=database_url,
                                open_signup=True)
        async with running_app(settings) as app:
            owner = await sign_up(app)
            async with client(app, owner.headers) as api:
                yield api, counter


def refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Assert an error answer (status and `code`); returns its `error` object."""
    assert response.status_code == status, (response.status_code, response.text)
    error = response.json()["error"]
    assert error["code"] == code, error
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")
    return error


async def invite(app: Any, inviter: Account, email: str, role: str) -> dict[str, Any]:
    """`inviter` invites `email` into their workspace; returns the invitation (with its token)."""
    async with client(app, inviter.headers) as api:
        invited = await api.post(f"/api/workspaces/{inviter.workspace_id}/members",
                                 json={"email": email, "role": role})
    assert invited.status_code == 201, invited.text
    return invited.json()["invitation"]


async def join(app: Any, owner: Account, role: str, label: str = "member") -> Account:
    """A new account that `owner` invites with `role` and that signs up with the invitation's
    token: a member of the owner's workspace only, signed in there."""
    email = new_email(label)
    invitation = await invite(app, owner, email, role)
    member = await sign_up(app, email, invitation_token=invitation["token"])
    assert member.workspace_id == owner.workspace_id
    return member


async def forgotten(app, token, seconds: float = 5.0) -> None:
    """Wait until this process has dropped the token from its cache (the NOTIFY arrived)."""
    digest = hashlib.sha256(token["token"].encode()).hexdigest()
    for _ in range(int(seconds / 0.02)):
        if app.state.objectry.tokens.get(digest) is None:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the token change was never notified")
