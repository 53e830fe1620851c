"""The real `supabase` Python client (sync and async), unpatched, against `objectry serve`: the
auth calls of /auth/v1, then `.table()` writes and reads as the signed-in user and with the API
token alone; two workspaces never see each other's rows."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from supabase import (
    AsyncClientOptions,
    AuthApiError,
    ClientOptions,
    acreate_client,
    create_client,
)

from tests.support.servers import PASSWORD, Server, server_env

# supabase 2.x hands postgrest-py its own `timeout`/`verify`, which postgrest-py deprecates: the
# client warns about itself on every `.table()`.
pytestmark = pytest.mark.filterwarnings(
    "ignore:The '.*' parameter is deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Server]:
    data_dir: Path = tmp_path_factory.mktemp("supabase") / "data"
    live = Server(data_dir, database_url, env=server_env()).start()
    live.wait_ready()
    yield live
    live.stop()


class Workspace:
    """An owner's workspace holding a `note` object (`title`), its API token, and an invitation
    for a new member, all made over /api."""

    def __init__(self, server: Server) -> None:
        email = f"owner-{secrets.token_hex(6)}@example.com"
        with httpx.Client(base_url=server.url, timeout=30) as http:
            assert http.post("/api/auth/register", json={
                "email": email, "password": PASSWORD, "full_name": "Owner"}).status_code == 201
            login = http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
            http.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
            me = http.get("/api/auth/me").json()
            self.id: str = me["workspace_id"]
            note = http.post("/api/objects", json={"name": "note", "plural_name": "notes",
                                                   "label": "Note"})
            assert note.status_code == 201, note.text
            field = http.post(f"/api/objects/{note.json()['id']}/fields", json={
                "name": "title", "label": "Title", "type": "text", "config": {}})
            assert field.status_code == 201, field.text
            token = http.post("/api/tokens", json={"name": "anon",
                                                   "scopes": ["records:read", "records:write"]})
            self.anon: str = token.json()["token"]
            self.member_email = f"member-{secrets.token_hex(6)}@example.com"
            invited = http.post(f"/api/workspaces/{self.id}/members",
                                json={"email": self.member_email, "role": "editor"})
            assert invited.status_code == 201, invited.text
            self.invitation: str = invited.json()["invitation"]["token"]


def test_sync_client_auth_and_tables(server: Server) -> None:
    with httpx.Client(timeout=30) as http:  # closed here: no socket left open
        sync_client_auth_and_tables(server, http)


def sync_client_auth_and_tables(server: Server, http: httpx.Client) -> None:
    a, b = Workspace(server), Workspace(server)
    client = create_client(server.url, a.anon, ClientOptions(httpx_client=http))
    signed_up = client.auth.sign_up({"email": a.member_email, "password": PASSWORD, "options": {
        "data": {"full_name": "Mia Member", "invitation_token": a.invitation}}})
    assert signed_up.session is not None and signed_up.user is not None
    assert signed_up.user.app_metadata == {"workspace_id": a.id, "role": "editor"}
    assert (signed_up.user.aud, signed_up.user.role) == ("authenticated", "authenticated")
    assert signed_up.user.user_metadata == {"full_name": "Mia Member"}
    client.auth.sign_out()

    with pytest.raises(AuthApiError) as wrong:
        client.auth.sign_in_with_password({"email": a.member_email, "password": "not it, no"})
    assert (wrong.value.status, wrong.value.code) == (400, "invalid_credentials")
    signed_in = client.auth.sign_in_with_password({"email": a.member_email,
                                                   "password": PASSWORD})
    assert signed_in.session is not None and signed_in.user is not None
    user = client.auth.get_user()
    assert user is not None and user.user.email == a.member_email
    updated = client.auth.update_user({"data": {"full_name": "Mia Renamed"}})
    assert updated.user.user_metadata == {"full_name": "Mia Renamed"}
    refreshed = client.auth.refresh_session()
    assert refreshed.session is not None
    assert refreshed.session.refresh_token != signed_in.session.refresh_token

    # Tables as the signed-in user: the client now sends the session's token as Bearer.
    inserted = client.table("notes").insert({"title": "from mia"}).execute()
    row_id = inserted.data[0]["id"]
    assert [r["title"] for r in client.table("notes").select("title").execute().data] == [
        "from mia"]
    client.table("notes").update({"title": "edited"}).eq("id", row_id).execute()
    assert client.table("note").select("title").eq("id", row_id).execute().data == [
        {"title": "edited"}]

    # Workspace B's key sees none of A's rows, and A's none of B's.
    other = create_client(server.url, b.anon, ClientOptions(httpx_client=http))
    other.table("notes").insert({"title": "b's own"}).execute()
    assert [r["title"] for r in other.table("notes").select("title").execute().data] == [
        "b's own"]
    assert [r["title"] for r in client.table("notes").select("title").execute().data] == [
        "edited"]

    client.table("notes").delete().eq("id", row_id).execute()
    assert client.table("notes").select("id").execute().data == []
    client.auth.sign_out()
    assert client.auth.get_session() is None
    # Signed out, the client is back to the API token: it may still read A's (empty) table.
    assert client.table("notes").select("id").execute().data == []


async def test_async_client_auth_and_tables(server: Server) -> None:
    async with httpx.AsyncClient(timeout=30) as http:  # closed here: no socket left open
        await async_client_auth_and_tables(server, http)


async def async_client_auth_and_tables(server: Server, http: httpx.AsyncClient) -> None:
    def options() -> AsyncClientOptions:
        return AsyncClientOptions(httpx_client=http)

    a, b = Workspace(server), Workspace(server)
    client = await acreate_client(server.url, a.anon, options())
    signed_up = await client.auth.sign_up({
        "email": a.member_email, "password": PASSWORD,
        "options": {"data": {"invitation_token": a.invitation}}})
    assert signed_up.session is not None
    await client.auth.sign_out()
    signed_in = await client.auth.sign_in_with_password({"email": a.member_email,
                                                         "password": PASSWORD})
    assert signed_in.user is not None and signed_in.user.app_metadata["workspace_id"] == a.id
    assert (await client.auth.get_user()).user.id == signed_in.user.id  # type: ignore[union-attr]
    await client.auth.update_user({"password": "another long passphrase"})
    assert (await client.auth.refresh_session()).session is not None

    await client.table("notes").insert({"title": "async"}).execute()
    with_token = await acreate_client(server.url, a.anon, options())  # the API token alone
    assert (await with_token.table("notes").select("title").execute()).data == [
        {"title": "async"}]
    other = await acreate_client(server.url, b.anon, options())
    assert (await other.table("notes").select("title").execute()).data == []

    # A session of B with A's key: the apikey is not of the Bearer's workspace → 401.
    b_member = await other.auth.sign_up({"email": b.member_email, "password": PASSWORD,
                                         "options": {"data": {"invitation_token": b.invitation}}})
    assert b_member.session is not None
    mixed = await http.get(f"{server.url}/auth/v1/user", headers={
        "apikey": a.anon, "Authorization": f"Bearer {b_member.session.access_token}"})
    assert mixed.status_code == 401
    assert mixed.json()["error_code"] == "no_authorization"
    await client.auth.sign_out()
