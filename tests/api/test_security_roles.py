"""The role matrix: what viewers, editors, admins and owners may do (exact 403s), and objects'
`permissions` narrowing record rights per role."""

from __future__ import annotations

import secrets

import pytest

from tests.api.builders import add_field, make_object, make_record, ok
from tests.api.conftest import client, join, new_email, refused

ROLES = ("viewer", "editor", "admin", "owner")


def unique(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(3)}"


# operation -> (request builder, the roles allowed, the status they get)
OPERATIONS = {
    "read records": (lambda ws, rec: ("GET", f"/api/records/{rec}", None), ROLES, 200),
    "write records": (lambda ws, rec: ("POST", "/api/records", {
        "object": "deal", "data": {"title": "New"}}), ("editor", "admin", "owner"), 201),
    "read schema": (lambda ws, rec: ("GET", "/api/objects/deal", None), ROLES, 200),
    "write schema": (lambda ws, rec: ("POST", "/api/objects", {
        "name": unique("o"), "label": "O"}), ("admin", "owner"), 201),
    "list tokens": (lambda ws, rec: ("GET", "/api/tokens", None), ("admin", "owner"), 200),
    "create tokens": (lambda ws, rec: ("POST", "/api/tokens", {
        "name": "t", "scopes": ["records:read"]}), ("admin", "owner"), 201),
    "read members": (lambda ws, rec: ("GET", f"/api/workspaces/{ws}/members", None), ROLES,
                     200),
    "invite members": (lambda ws, rec: ("POST", f"/api/workspaces/{ws}/members", {
        "email": new_email(), "role": "viewer"}), ("admin", "owner"), 201),
    "invite owners": (lambda ws, rec: ("POST", f"/api/workspaces/{ws}/members", {
        "email": new_email(), "role": "owner"}), ("owner",), 201),
}


@pytest.fixture
async def team(app, session, api):
    await make_object(api, "deal")
    await add_field(api, "deal", "title")
    record = await make_record(api, "deal", title="Big one")
    people = {"owner": session}
    for role in ("viewer", "editor", "admin"):
        people[role] = await join(app, session, role, role)
    return people, record["id"]


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
async def test_role_matrix(app, team, session, operation):
    people, record_id = team
    build, allowed, status = OPERATIONS[operation]
    for role in ROLES:
        method, path, body = build(session.workspace_id, record_id)
        async with client(app, people[role].headers) as caller:
            response = await caller.request(method, path, json=body)
        if role in allowed:
            assert response.status_code == status, (role, operation, response.text)
        else:
            error = refused(response, 403, "forbidden")
            assert error["details"] == [], (role, operation)


async def test_object_permissions_narrow_record_rights(app, team, api):
    people, _ = team
    await make_object(api, "salary", permissions={"editor": ["read"], "viewer": []})
    await add_field(api, "salary", "amount", "number")
    record = await make_record(api, "salary", amount=10)
    expected = {"viewer": (403, 403), "editor": (200, 403), "admin": (200, 201),
                "owner": (200, 201)}
    for role, (read, write) in expected.items():
        async with client(app, people[role].headers) as caller:
            got = await caller.get(f"/api/records/{record['id']}")
            made = await caller.post("/api/records", json={"object": "salary",
                                                           "data": {"amount": 1}})
        assert (got.status_code, made.status_code) == (read, write), role
        for response in (got, made):
            if response.status_code == 403:
                assert response.json()["error"]["code"] == "forbidden"
    # Deleting is narrowed too, on both APIs (by id, each is one statement when allowed).
    for role in ("viewer", "editor"):
        async with client(app, people[role].headers) as caller:
            refused(await caller.delete(f"/api/records/{record['id']}"), 403, "forbidden")
            rest = await caller.delete("/rest/v1/salary", params={"id": f"eq.{record['id']}"})
            assert rest.status_code == 403, (role, rest.text)
    await ok(await api.get(f"/api/records/{record['id']}"))  # still there
    async with client(app, people["admin"].headers) as admin:
        await ok(await admin.delete(f"/api/records/{record['id']}"), 204)
    refused(await api.get(f"/api/records/{record['id']}"), 404, "not_found")


async def test_only_owners_change_owners(app, team, session):
    people, _ = team
    path = f"/api/workspaces/{session.workspace_id}/members/{people['editor'].user_id}"
    async with client(app, people["admin"].headers) as admin:
        refused(await admin.patch(path, json={"role": "owner"}), 403, "forbidden")
    async with client(app, people["owner"].headers) as owner:
        assert (await ok(await owner.patch(path, json={"role": "owner"})))["role"] == "owner"
