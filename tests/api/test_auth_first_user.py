"""A fresh install with closed sign-up: the first user owns the first workspace, everyone
after needs an invitation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.api.builders import ok
from tests.api.conftest import PASSWORD, client, login, refused
from tests.conftest import NewDatabase, running_app, settings_for


@pytest.fixture
async def fresh_app(new_database: NewDatabase) -> AsyncIterator[Any]:
    """An app over a brand-new, empty database, with OBJECTRY_OPEN_SIGNUP off."""
    url = await new_database("objectry_fresh")
    async with running_app(settings_for(url)) as application:
        yield application


async def register(app: Any, email: str, token: str | None = None):
    body = {"email": email, "password": PASSWORD, "full_name": email.split("@")[0]}
    if token is not None:
        body["invitation_token"] = token
    async with client(app) as anonymous:
        return await anonymous.post("/api/auth/register", json=body)


async def test_first_user_owns_a_new_workspace_and_later_ones_need_an_invitation(fresh_app):
    first = await ok(await register(fresh_app, "first@example.com"), 201)
    assert first["role"] == "owner" and first["workspace_id"].startswith("wsp_")
    refused(await register(fresh_app, "second@example.com"), 403, "forbidden")
    # A closed install does not say which e-mails have accounts.
    refused(await register(fresh_app, "first@example.com"), 403, "forbidden")
    tokens = await login(fresh_app, "first@example.com")
    async with client(fresh_app, {"Authorization": f"Bearer {tokens['access_token']}"}) as api:
        invited = await ok(await api.post(
            f"/api/workspaces/{first['workspace_id']}/members",
            json={"email": "Second@Example.com", "role": "editor"}), 201)
    invitation = invited["invitation"]
    assert (invited["status"], invitation["email"]) == ("invited", "second@example.com")
    # The invited e-mail alone proves nothing; the token for another e-mail admits nobody.
    refused(await register(fresh_app, "second@example.com"), 403, "forbidden")
    refused(await register(fresh_app, "third@example.com", invitation["token"]),
            403, "forbidden")
    refused(await register(fresh_app, "second@example.com", "not-a-token"), 404, "not_found")
    second = await ok(await register(fresh_app, "SECOND@example.com", invitation["token"]), 201)
    assert (second["workspace_id"], second["role"]) == (first["workspace_id"], "editor")
    refused(await register(fresh_app, "again@example.com", invitation["token"]),
            404, "not_found")  # used up
    refused(await register(fresh_app, "third@example.com"), 403, "forbidden")
    tokens = await login(fresh_app, "second@example.com")
    async with client(fresh_app, {"Authorization": f"Bearer {tokens['access_token']}"}) as api:
        me = await ok(await api.get("/api/auth/me"))
    assert (me["workspace_id"], me["role"]) == (first["workspace_id"], "editor")
