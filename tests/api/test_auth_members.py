"""Workspace members: list, add or invite, change roles, remove; owners stay in charge."""

from __future__ import annotations

from tests.api.builders import codes, make_object, ok
from tests.api.conftest import client, join, new_email, refused, sign_up


def members_path(account, user_id: str | None = None) -> str:
    base = f"/api/workspaces/{account.workspace_id}/members"
    return f"{base}/{user_id}" if user_id else base


async def test_the_owner_lists_members_and_adding_one_only_invites(app, api, session):
    listed = await ok(await api.get(members_path(session)))
    assert [(m["user_id"], m["email"], m["role"]) for m in listed["items"]] == [
        (session.user_id, session.email, "owner")]
    assert listed["next_cursor"] is None
    existing = await sign_up(app, full_name="Bea")
    invited = await ok(await api.post(members_path(session), json={
        "email": existing.email.upper(), "role": "editor"}), 201)
    assert (invited["status"], invited["invitation"]["email"]) == ("invited", existing.email)
    assert (await ok(await api.get(members_path(session))))["items"] == listed["items"]
    joined = await join(app, session, "viewer", "joined")
    roles = {m["email"]: m["role"] for m in (await ok(await api.get(members_path(session))))[
        "items"]}
    assert roles == {session.email: "owner", joined.email: "viewer"}


async def test_member_bodies_are_validated(api, session):
    bad = await api.post(members_path(session), json={"email": "nope", "role": "boss"})
    refused(bad, 422, "validation_failed")
    assert sorted(codes(bad)) == [("email", "format"), ("role", "literal_error")]
    assert codes(await api.patch(members_path(session, session.user_id), json={})) == [
        ("role", "missing")]


async def test_the_last_owner_cannot_be_demoted_or_removed(app, api, session):
    refused(await api.patch(members_path(session, session.user_id), json={"role": "admin"}),
            409, "conflict")
    refused(await api.delete(members_path(session, session.user_id)), 409, "conflict")
    second = await join(app, session, "owner", "second-owner")
    await ok(await api.patch(members_path(session, session.user_id), json={"role": "admin"}))
    async with client(app, second.headers) as api2:
        refused(await api2.delete(members_path(session, second.user_id)), 409, "conflict")
        await ok(await api2.patch(members_path(session, session.user_id),
                                  json={"role": "owner"}))


async def test_admins_manage_members_but_not_owners(app, session):
    admin = await join(app, session, "admin", "admin")
    editor = await join(app, session, "editor", "editor")
    async with client(app, admin.headers) as api:
        await ok(await api.patch(members_path(session, editor.user_id), json={"role": "viewer"}))
        refused(await api.patch(members_path(session, editor.user_id), json={"role": "owner"}),
                403, "forbidden")
        refused(await api.patch(members_path(session, session.user_id), json={"role": "admin"}),
                403, "forbidden")
        refused(await api.delete(members_path(session, session.user_id)), 403, "forbidden")
        refused(await api.post(members_path(session), json={"email": new_email(),
                                                            "role": "owner"}), 403, "forbidden")
        refused(await api.patch(members_path(session, admin.user_id), json={"role": "owner"}),
                403, "forbidden")
        await ok(await api.delete(members_path(session, editor.user_id)), 204)
        refused(await api.delete(members_path(session, editor.user_id)), 404, "not_found")
        refused(await api.patch(members_path(session, "usr_0000000000000000"),
                                json={"role": "viewer"}), 404, "not_found")


async def test_editors_and_viewers_read_members_and_may_leave(app, session):
    for role in ("editor", "viewer"):
        member = await join(app, session, role, role)
        async with client(app, member.headers) as api:
            await ok(await api.get(members_path(session)))
            refused(await api.post(members_path(session), json={"email": new_email(),
                                                                "role": "viewer"}),
                    403, "forbidden")
            refused(await api.patch(members_path(session, session.user_id),
                                    json={"role": "viewer"}), 403, "forbidden")
            refused(await api.delete(members_path(session, session.user_id)), 403, "forbidden")
            await ok(await api.delete(members_path(session, member.user_id)), 204)
            refused(await api.get(members_path(session)), 401, "unauthenticated")


async def test_a_role_change_applies_to_the_very_next_request(app, api, session):
    await make_object(api, "lead")
    editor = await join(app, session, "editor", "editor")
    async with client(app, editor.headers) as as_editor:
        await ok(await as_editor.post("/api/records", json={"object": "lead", "data": {}}), 201)
        await ok(await api.patch(members_path(session, editor.user_id), json={"role": "viewer"}))
        refused(await as_editor.post("/api/records", json={"object": "lead", "data": {}}),
                403, "forbidden")
        assert (await ok(await as_editor.get("/api/auth/me")))["role"] == "viewer"
        await ok(await api.delete(members_path(session, editor.user_id)), 204)
        refused(await as_editor.get("/api/objects"), 401, "unauthenticated")


async def test_tokens_do_not_outlive_their_makers_rights(app, api, session):
    admin = await join(app, session, "admin", "admin")
    async with client(app, admin.headers) as as_admin:
        made = await ok(await as_admin.post("/api/tokens", json={
            "name": "a", "scopes": ["admin"]}), 201)
    async with client(app, {"apikey": made["token"]}) as as_token:
        minted = await ok(await as_token.post("/api/tokens", json={
            "name": "b", "scopes": ["schema:read"]}), 201)
    owners_token = await ok(await api.post("/api/tokens", json={
        "name": "c", "scopes": ["schema:read"]}), 201)
    await ok(await api.patch(members_path(session, admin.user_id), json={"role": "editor"}))
    for token, status in ((made, 401), (minted, 401), (owners_token, 200)):
        async with client(app, {"apikey": token["token"]}) as app_client:
            assert (await app_client.get("/api/objects")).status_code == status, token["name"]


async def test_another_workspaces_members_answer_404(app, session):
    other = await sign_up(app)
    async with client(app, other.headers) as intruder:
        refused(await intruder.get(members_path(session)), 404, "not_found")
        refused(await intruder.post(members_path(session), json={"email": other.email,
                                                                "role": "owner"}),
                404, "not_found")
        refused(await intruder.patch(members_path(session, session.user_id),
                                     json={"role": "viewer"}), 404, "not_found")
        refused(await intruder.delete(members_path(session, session.user_id)), 404, "not_found")
        # The victim's user id through the intruder's own workspace: not a member there.
        refused(await intruder.patch(members_path(other, session.user_id),
                                     json={"role": "viewer"}), 404, "not_found")
        refused(await intruder.delete(members_path(other, session.user_id)), 404, "not_found")
