"""`objectry createadmin` and `objectry token create|list|revoke` against the server's database."""

from __future__ import annotations

import asyncio

import pytest
from typer.testing import CliRunner

from objectry.cli import app as cli
from tests.api.builders import ok
from tests.api.conftest import PASSWORD, client, forgotten, login, new_email, refused


@pytest.fixture
def run(database_url):
    runner = CliRunner()

    async def invoke(*args: str, input: str | None = None):
        # In a thread: the command runs its own event loop, as it does from a shell.
        return await asyncio.to_thread(runner.invoke, cli, list(args), input=input,
                                       env={"DATABASE_URL": database_url})
    return invoke


async def test_createadmin_makes_an_owner_of_a_new_workspace(app, run):
    email = new_email("admin")
    result = await run("createadmin", "--email", email, "--password", PASSWORD,
                       "--full-name", "Ada Admin")
    assert result.exit_code == 0, result.output
    workspace_id = result.stdout.split()[-1]
    tokens = await login(app, email)
    async with client(app, {"Authorization": f"Bearer {tokens['access_token']}"}) as api:
        me = await ok(await api.get("/api/auth/me"))
    assert (me["full_name"], me["role"], me["workspace_id"]) == ("Ada Admin", "owner",
                                                                 workspace_id)
    again = await run("createadmin", "--email", email.upper(), "--password", PASSWORD)
    assert again.exit_code == 1 and "already exists" in again.stderr


async def test_createadmin_prompts_for_the_password_and_validates_it(app, run, session):
    email = new_email("prompted")
    result = await run("createadmin", "--email", email, "--workspace", session.workspace_id,
                       input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith(session.workspace_id)
    tokens = await login(app, email)
    async with client(app, {"Authorization": f"Bearer {tokens['access_token']}"}) as api:
        me = await ok(await api.get("/api/auth/me"))
    assert (me["workspace_id"], me["role"]) == (session.workspace_id, "owner")
    short = await run("createadmin", "--email", new_email(), "--password", "short")
    assert short.exit_code == 1 and "password: must be at least 10 characters" in short.stderr
    nowhere = await run("createadmin", "--email", new_email(), "--password", PASSWORD,
                        "--workspace", "wsp_0000000000000000")
    assert nowhere.exit_code == 1 and "no workspace" in nowhere.stderr


async def test_token_create_list_revoke(app, run, session):
    ws = ("--workspace", session.workspace_id)
    made = await run("token", "create", "--name", "ci", "--scopes", "schema:read, records:read",
                     "--expires-at", "2099-01-01T00:00:00", *ws)
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip().splitlines()[-1]
    token_id = made.stderr.split()[1]
    async with client(app, {"apikey": secret}) as app_client:
        await ok(await app_client.get("/api/objects"))
        listed = await run("token", "list", *ws)
        assert token_id in listed.stdout and "active" in listed.stdout
        assert "records:read,schema:read" in listed.stdout and secret not in listed.stdout
        revoked = await run("token", "revoke", token_id, *ws)
        assert revoked.exit_code == 0 and f"revoked {token_id}" in revoked.stdout
        # Another process revoked it: this one hears of it through NOTIFY, moments later.
        await forgotten(app, {"token": secret})
        refused(await app_client.get("/api/objects"), 401, "unauthenticated")
    async with client(app, session.headers) as api:
        row = (await ok(await api.get("/api/tokens")))["items"][0]
    assert (row["id"], row["created_by"]) == (token_id, "cli")
    assert row["expires_at"].startswith("2099-01-01T00:00:00") and row["revoked_at"]
    assert "revoked" in (await run("token", "list", *ws)).stdout


async def test_token_commands_refuse_bad_input(run, session):
    bad = await run("token", "create", "--name", "x", "--scopes", "records:delete",
                    "--workspace", session.workspace_id)
    assert bad.exit_code == 1 and "scopes.0" in bad.stderr
    # Several workspaces exist in the test database: the command will not guess.
    unsure = await run("token", "create", "--name", "x", "--scopes", "admin")
    assert unsure.exit_code == 1 and "pass --workspace" in unsure.stderr
    missing = await run("token", "revoke", "tok_0000000000000000", "--workspace",
                        session.workspace_id)
    assert missing.exit_code == 1 and "no API token" in missing.stderr
