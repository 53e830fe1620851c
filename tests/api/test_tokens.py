"""API tokens: created with the secret shown once, listed without it, used as Bearer or
`apikey`, limited by scopes, refused once revoked or expired."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

from tests.api.builders import codes, make_object, make_record, ok
from tests.api.conftest import client, forgotten, refused

SHAPE = re.compile(r"^oby_[0-9a-z]{8}_[A-Za-z0-9_-]{43}$")


async def make_token(api, scopes, **extra):
    return await ok(await api.post("/api/tokens", json={"name": "app", "scopes": scopes,
                                                        **extra}), 201)


async def test_create_shows_the_secret_once_and_stores_only_its_hash(api, owner_db, session):
    created = await api.post("/api/tokens", json={
        "name": "Website", "scopes": ["records:write", "records:read", "records:read"]})
    token = await ok(created, 201)
    assert created.headers["cache-control"] == "no-store"
    assert SHAPE.match(token["token"]) and token["token"].startswith(token["prefix"] + "_")
    assert token["id"].startswith("tok_") and token["scopes"] == ["records:read",
                                                                   "records:write"]
    assert (token["name"], token["expires_at"], token["revoked_at"]) == ("Website", None, None)
    row = await owner_db.fetchrow("SELECT * FROM api_tokens WHERE id = $1", token["id"])
    assert row["token_hash"] == hashlib.sha256(token["token"].encode()).hexdigest()
    assert row["created_by"] == session.user_id and row["tenant_id"] == session.workspace_id
    assert not any(token["token"] in str(value) for value in dict(row).values())
    listed = await ok(await api.get("/api/tokens"))
    assert [t["id"] for t in listed["items"]] == [token["id"]]
    assert set(listed["items"][0]) == {"id", "name", "prefix", "scopes", "expires_at",
                                       "created_at", "created_by", "last_used_at",
                                       "revoked_at"}


async def test_a_token_works_as_bearer_and_as_apikey_and_records_its_use(app, api, owner_db):
    await make_object(api, "lead")
    token = await make_token(api, ["schema:read"])
    for headers in ({"Authorization": f"Bearer {token['token']}"}, {"apikey": token["token"]}):
        async with client(app, headers) as app_client:
            listed = await ok(await app_client.get("/api/objects"))
            assert [o["name"] for o in listed["items"]] == ["lead"]
    first = await owner_db.fetchval("SELECT last_used_at FROM api_tokens WHERE id = $1",
                                    token["id"])
    assert first is not None
    # Within a minute the timestamp is not rewritten on every request.
    async with client(app, {"apikey": token["token"]}) as app_client:
        await ok(await app_client.get("/api/objects"))
    assert await owner_db.fetchval("SELECT last_used_at FROM api_tokens WHERE id = $1",
                                   token["id"]) == first
    listed = await ok(await api.get("/api/tokens"))
    assert listed["items"][0]["last_used_at"] is not None


async def test_a_revoked_token_is_refused_from_the_next_request(app, api):
    token = await make_token(api, ["schema:read"])
    async with client(app, {"apikey": token["token"]}) as app_client:
        await ok(await app_client.get("/api/objects"))
        await ok(await api.delete(f"/api/tokens/{token['id']}"), 204)
        refused(await app_client.get("/api/objects"), 401, "unauthenticated")
    listed = await ok(await api.get("/api/tokens"))
    assert listed["items"][0]["revoked_at"] is not None
    await ok(await api.delete(f"/api/tokens/{token['id']}"), 204)
    refused(await api.delete("/api/tokens/tok_0000000000000000"), 404, "not_found")
    refused(await api.delete("/api/tokens/whatever"), 404, "not_found")


async def test_an_expired_token_is_refused(app, api, owner_db):
    soon = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    token = await make_token(api, ["schema:read"], expires_at=soon)
    assert token["expires_at"] is not None
    async with client(app, {"apikey": token["token"]}) as app_client:
        await ok(await app_client.get("/api/objects"))
        await owner_db.execute("UPDATE api_tokens SET expires_at = now() - interval '1 second'"
                               " WHERE id = $1", token["id"])
        await forgotten(app, token)  # another process changed it: wait for the NOTIFY
        error = refused(await app_client.get("/api/objects"), 401, "unauthenticated")
    assert "expired" in error["message"]


async def test_create_validates_its_body(api):
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    bad = await api.post("/api/tokens", json={"name": "", "scopes": ["records:delete"]})
    refused(bad, 422, "validation_failed")
    assert sorted(codes(bad)) == [("name", "string_too_short"), ("scopes.0", "literal_error")]
    assert codes(await api.post("/api/tokens", json={"name": "x", "scopes": []})) == [
        ("scopes", "too_short")]
    assert codes(await api.post("/api/tokens", json={"name": "x", "scopes": ["admin"],
                                                     "expires_at": past})) == [
        ("expires_at", "past")]
    assert codes(await api.post("/api/tokens", json={"name": "x", "scopes": ["admin"],
                                                     "expires_at": "2030-01-01T00:00:00"})) == [
        ("expires_at", "timezone_aware")]


async def test_scopes_limit_what_a_token_may_do(app, api):
    await make_object(api, "lead")
    reader = await make_token(api, ["records:read", "schema:read"])
    async with client(app, {"apikey": reader["token"]}) as app_client:
        await ok(await app_client.get("/api/objects/lead"))
        refused(await app_client.post("/api/records", json={"object": "lead", "data": {}}),
                403, "forbidden")
        refused(await app_client.post("/api/objects", json={"name": "x", "label": "X"}),
                403, "forbidden")
        refused(await app_client.get("/api/tokens"), 403, "forbidden")
        refused(await app_client.post("/api/tokens", json={"name": "x", "scopes": ["admin"]}),
                403, "forbidden")
        refused(await app_client.delete(f"/api/tokens/{reader['id']}"), 403, "forbidden")
        me = await ok(await app_client.get("/api/auth/me"))
    assert (me["kind"], me["id"], me["role"]) == ("token", reader["id"], "admin")
    assert me["scopes"] == ["records:read", "schema:read"]
    writer = await make_token(api, ["records:write"])
    async with client(app, {"apikey": writer["token"]}) as app_client:
        await ok(await app_client.post("/api/records", json={"object": "lead", "data": {}}), 201)
        refused(await app_client.get("/api/objects"), 403, "forbidden")
    # A delete's right is the token's, not only its role's: a token of the same role (admin)
    # deleting first does not let the reader delete.
    first, second = [await make_record(api, "lead") for _ in range(2)]
    async with client(app, {"apikey": writer["token"]}) as app_client:
        await ok(await app_client.delete(f"/api/records/{first['id']}"), 204)
    async with client(app, {"apikey": reader["token"]}) as app_client:
        refused(await app_client.delete(f"/api/records/{second['id']}"), 403, "forbidden")
    await ok(await api.get(f"/api/records/{second['id']}"))


async def test_only_an_admin_scoped_token_manages_tokens_and_members(app, api, session):
    admin = await make_token(api, ["admin"])
    async with client(app, {"apikey": admin["token"]}) as app_client:
        child = await make_token(app_client, ["records:read"])
        assert child["created_by"] == admin["id"]
        await ok(await app_client.get(f"/api/workspaces/{session.workspace_id}/members"))
        # A token acts as an admin at most: it can never make or unmake an owner.
        refused(await app_client.patch(
            f"/api/workspaces/{session.workspace_id}/members/{session.user_id}",
            json={"role": "viewer"}), 403, "forbidden")
        await ok(await app_client.delete(f"/api/tokens/{child['id']}"), 204)
        grandchild = await make_token(app_client, ["schema:read"])
    # Revoking a token revokes what it minted.
    await ok(await api.delete(f"/api/tokens/{admin['id']}"), 204)
    async with client(app, {"apikey": grandchild["token"]}) as app_client:
        refused(await app_client.get("/api/objects"), 401, "unauthenticated")


async def test_malformed_credentials_are_401(app):
    for headers in ({"Authorization": "Bearer oby_short"}, {"apikey": "oby_x_y"},
                    {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer"},
                    {"apikey": "garbage"}, {"Authorization": "Bearer a.b.c"}):
        async with client(app, headers) as caller:
            refused(await caller.get("/api/objects"), 401, "unauthenticated")


async def test_a_token_revoked_by_another_process_is_refused_once_notified(app, api, owner_db,
                                                                        session):
    """Verified tokens are cached per process; a revocation anywhere (the CLI, another worker)
    reaches every process through the api_tokens trigger's NOTIFY."""
    token = await make_token(api, ["schema:read"])
    async with client(app, {"apikey": token["token"]}) as app_client:
        await ok(await app_client.get("/api/objects"))  # now cached in this process
        await owner_db.execute("UPDATE api_tokens SET revoked_at = now()"
                               " WHERE tenant_id = $1 AND id = $2", session.workspace_id,
                               token["id"])
        await forgotten(app, token)
        refused(await app_client.get("/api/objects"), 401, "unauthenticated")
