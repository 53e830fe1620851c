"""GET /api/audit: every change to the schema, members, invitations and tokens leaves one entry,
in the transaction of the change, naming who did it with which credential; admins only, one
workspace only; newest first, filtered, in keyset pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import orjson
import pytest

from objectry.audit import repo as audit_repo
from objectry.db import tenancy
from objectry.web import pagination
from tests.api.builders import make_object, make_record, ok
from tests.api.conftest import Account, client, invite, join, new_email, refused, sign_up
from tests.conftest import running_app, settings_for

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
# Mutating /api routes that write no audit entry, and why.
NOT_AUDITED = {
    "/api/records": "record changes have their own history (GET /api/records/{id}/history)",
    "/api/auth/": "a person's own session (sign-up, sign-in, refresh, logout) is no admin change",
    "/api/webhooks/{webhook_id}/test": "sends a ping: the delivery log shows it, nothing changes",
    "/api/webhooks/{webhook_id}/deliveries/": "a retry is an attempt, in the delivery log",
    "/api/objects/{ref}/formula/check": "checks a draft expression: nothing is written",
    # A diff changes nothing; an apply (and a template's) writes one entry per change it makes,
    # through the same services (tests/api/test_schema_as_code.py), not one of its own.
    "/api/schema/": "a diff changes nothing; an apply's changes are audited one by one",
    "/api/templates/": "a schema apply: its changes are audited one by one",
    "/api/objects/{object_id}/import": "writes records (their own history) and its job row",
}


async def entries(api: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    return (await ok(await api.get("/api/audit", params={"limit": 1000, **params})))["items"]


# --- every mutating route writes its entries --------------------------------------------------

@dataclass
class Walk:
    """State the steps of the route walk hand to each other."""

    app: Any
    owner: Account
    api: httpx.AsyncClient
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def members(self) -> str:
        return f"/api/workspaces/{self.owner.workspace_id}"


Step = Callable[[Walk], Awaitable[httpx.Response]]


async def _outsider_accepts(walk: Walk) -> httpx.Response:
    outsider = await sign_up(walk.app)  # an account of its own workspace, then invited here
    invitation = await invite(walk.app, walk.owner, outsider.email, "editor")
    walk.ids["joined"] = outsider.user_id
    async with client(walk.app, outsider.headers) as theirs:
        return await theirs.post("/api/invitations/accept", json={"token": invitation["token"]})


async def _records_for_link(walk: Walk) -> httpx.Response:
    walk.ids["deal_rec"] = (await make_record(walk.api, "deal"))["id"]
    walk.ids["org_rec"] = (await make_record(walk.api, "org"))["id"]
    return await walk.api.post("/api/relationship-records", json={
        "relationship_id": walk.ids["rel"], "from_record_id": walk.ids["org_rec"],
        "to_record_id": walk.ids["deal_rec"]})


def _keep(key: str, step: Step) -> Step:
    """A step whose answer's id later steps use."""
    async def run(walk: Walk) -> httpx.Response:
        response = await step(walk)
        if response.status_code == 201:
            body = response.json()
            walk.ids[key] = body.get("invitation", body)["id"]
        return response
    return run


# (method, route path, step, the (kind, action) of each entry it writes, oldest first)
STEPS: list[tuple[str, str, Step, list[tuple[str, str]]]] = [
    ("POST", "/api/objects", lambda w: w.api.post("/api/objects", json={
        "name": "deal", "label": "Deal"}), [("object", "created")]),
    ("PATCH", "/api/objects/{ref}", lambda w: w.api.patch("/api/objects/deal", json={
        "label": "Deals"}), [("object", "updated")]),
    ("POST", "/api/fields", _keep("fld", lambda w: w.api.post("/api/fields", json={
        "name": "amount", "label": "Amount", "type": "number"})), [("field", "created")]),
    ("PATCH", "/api/fields/{ref}", lambda w: w.api.patch("/api/fields/amount", json={
        "label": "Sum"}), [("field", "updated")]),
    ("POST", "/api/object-fields", _keep("ofd", lambda w: w.api.post("/api/object-fields", json={
        "object_id": "deal", "field_id": w.ids["fld"]})), [("object_field", "attached")]),
    ("PATCH", "/api/object-fields/{ofd_id}", lambda w: w.api.patch(
        f"/api/object-fields/{w.ids['ofd']}", json={"is_required": True}),
     [("object_field", "updated")]),
    ("POST", "/api/objects/{ref}/fields", lambda w: w.api.post("/api/objects/deal/fields", json={
        "name": "title", "label": "Title", "type": "text"}),
     [("field", "created"), ("object_field", "attached")]),
    ("DELETE", "/api/object-fields/{ofd_id}", lambda w: w.api.delete(
        f"/api/object-fields/{w.ids['ofd']}"), [("object_field", "detached")]),
    ("DELETE", "/api/fields/{ref}", lambda w: w.api.delete("/api/fields/amount"),
     [("field", "deleted")]),
    ("POST", "/api/objects", lambda w: w.api.post("/api/objects", json={
        "name": "org", "label": "Org"}), [("object", "created")]),
    ("POST", "/api/relationships", _keep("rel", lambda w: w.api.post("/api/relationships", json={
        "name": "org_deals", "from_object_id": "org", "to_object_id": "deal", "type": "1:N",
        "from_label": "Deals", "to_label": "Org"})), [("relationship", "created")]),
    ("PATCH", "/api/relationships/{ref}", lambda w: w.api.patch(
        f"/api/relationships/{w.ids['rel']}", json={"to_label": "Company"}),
     [("relationship", "updated")]),
    ("POST", "/api/relationship-records", _keep("link", _records_for_link),
     [("link", "created")]),
    ("DELETE", "/api/relationship-records/{link_id}", lambda w: w.api.delete(
        f"/api/relationship-records/{w.ids['link']}"), [("link", "deleted")]),
    ("DELETE", "/api/relationships/{ref}", lambda w: w.api.delete(
        f"/api/relationships/{w.ids['rel']}"), [("relationship", "deleted")]),
    ("POST", "/api/applications", _keep("app", lambda w: w.api.post("/api/applications", json={
        "name": "sales", "label": "Sales", "config": {"objects": ["deal"]}})),
     [("application", "created")]),
    ("PATCH", "/api/applications/{app_id}", lambda w: w.api.patch(
        f"/api/applications/{w.ids['app']}", json={"label": "Selling"}),
     [("application", "updated")]),
    ("POST", "/api/applications/{app_id}/publish", lambda w: w.api.post(
        f"/api/applications/{w.ids['app']}/publish"), [("application", "published")]),
    ("DELETE", "/api/applications/{app_id}", lambda w: w.api.delete(
        f"/api/applications/{w.ids['app']}"), [("application", "deleted")]),
    ("POST", "/api/views", _keep("vw", lambda w: w.api.post("/api/views", json={
        "object": "deal", "name": "Big ones", "type": "grid", "order": "created_at.desc",
        "shared": True})), [("view", "created")]),
    ("PATCH", "/api/views/{view_id}", lambda w: w.api.patch(
        f"/api/views/{w.ids['vw']}", json={"name": "Biggest"}), [("view", "updated")]),
    ("DELETE", "/api/views/{view_id}", lambda w: w.api.delete(f"/api/views/{w.ids['vw']}"),
     [("view", "deleted")]),
    ("DELETE", "/api/objects/{ref}", lambda w: w.api.delete("/api/objects/org"),
     [("object", "deleted")]),
    ("POST", "/api/workspaces/{workspace_id}/members", _keep("inv", lambda w: w.api.post(
        w.members + "/members", json={"email": new_email(), "role": "viewer"})),
     [("invitation", "created")]),
    ("DELETE", "/api/workspaces/{workspace_id}/invitations/{invitation_id}", lambda w: w.api.delete(
        f"{w.members}/invitations/{w.ids['inv']}"), [("invitation", "revoked")]),
    ("POST", "/api/invitations/accept", _outsider_accepts,
     [("invitation", "created"), ("invitation", "accepted")]),
    ("PATCH", "/api/workspaces/{workspace_id}/members/{user_id}", lambda w: w.api.patch(
        f"{w.members}/members/{w.ids['joined']}", json={"role": "viewer"}),
     [("member", "updated")]),
    ("DELETE", "/api/workspaces/{workspace_id}/members/{user_id}", lambda w: w.api.delete(
        f"{w.members}/members/{w.ids['joined']}"), [("member", "removed")]),
    ("POST", "/api/webhooks", _keep("wh", lambda w: w.api.post("/api/webhooks", json={
        "name": "crm", "url": "https://93.184.215.14/hook", "events": ["record.created"]})),
     [("webhook", "created")]),
    ("PATCH", "/api/webhooks/{webhook_id}", lambda w: w.api.patch(
        f"/api/webhooks/{w.ids['wh']}", json={"active": False, "rotate_secret": True}),
     [("webhook", "updated")]),
    ("DELETE", "/api/webhooks/{webhook_id}", lambda w: w.api.delete(
        f"/api/webhooks/{w.ids['wh']}"), [("webhook", "deleted")]),
    ("POST", "/api/tokens", _keep("tok", lambda w: w.api.post("/api/tokens", json={
        "name": "ci", "scopes": ["records:read"]})), [("token", "created")]),
    ("DELETE", "/api/tokens/{token_id}", lambda w: w.api.delete(f"/api/tokens/{w.ids['tok']}"),
     [("token", "revoked")]),
]


def mutating_routes(app: Any) -> set[tuple[str, str]]:
    return {(method, route.path) for route in app.routes
            for method in getattr(route, "methods", None) or ()
            if method in MUTATING and route.path.startswith("/api/")}


def test_every_mutating_api_route_is_walked_or_said_not_audited(app):
    walked = {(method, path) for method, path, _, _ in STEPS}
    unaudited = {(m, p) for m, p in mutating_routes(app)
                 if any(p.startswith(prefix) for prefix in NOT_AUDITED)}
    assert mutating_routes(app) - unaudited == walked


async def test_each_mutating_route_writes_its_entries(app, session, api, owner_db):
    walk = Walk(app, session, api)
    for method, path, step, expected in STEPS:
        before = await owner_db.fetchval("SELECT count(*) FROM audit_log WHERE tenant_id = $1",
                                         session.workspace_id)
        response = await step(walk)
        assert response.status_code < 300, (method, path, response.text)
        written = await owner_db.fetch(
            "SELECT kind, action FROM audit_log WHERE tenant_id = $1 ORDER BY at, id"
            f" OFFSET {before}", session.workspace_id)
        assert [tuple(r) for r in written] == expected, (method, path)


# --- what an entry says ----------------------------------------------------------------------

async def test_an_entry_names_the_actor_credential_target_and_changes(app, session, api):
    created = await make_object(api, "deal")
    await ok(await api.patch("/api/objects/deal", json={"label": "Big deal", "icon": "star"}))
    updated, made = await entries(api)
    assert made == {
        "id": made["id"], "at": made["at"], "kind": "object", "action": "created",
        "target": {"id": created["id"], "name": "deal"},
        "actor": {"user_id": session.user_id, "email": session.email},
        "credential": {"type": "session", "id": made["credential"]["id"], "name": None},
        "changes": None}
    assert made["id"].startswith("aud_") and made["credential"]["id"]
    assert datetime.fromisoformat(made["at"]) <= datetime.fromisoformat(updated["at"])
    assert updated["changes"] == {"label": ["Deal", "Big deal"], "icon": [None, "star"]}


async def test_a_token_is_named_and_no_secret_is_ever_shown(app, session, api):
    token = await ok(await api.post("/api/tokens", json={"name": "Deploy bot",
                                                         "scopes": ["admin", "schema:write"]}),
                     201)
    async with client(app, {"Authorization": f"Bearer {token['token']}"}) as bot:
        await make_object(bot, "lead")
        invited = await ok(await bot.post(f"/api/workspaces/{session.workspace_id}/members",
                                          json={"email": new_email(), "role": "editor"}), 201)
        listed = await ok(await bot.get("/api/audit"))
    assert [(e["kind"], e["action"]) for e in listed["items"]] == [
        ("invitation", "created"), ("object", "created"), ("token", "created")]
    by_bot = listed["items"][1]
    assert by_bot["actor"] == {"user_id": None, "email": None}
    assert by_bot["credential"] == {"type": "token", "id": token["id"], "name": "Deploy bot"}
    assert listed["items"][2]["changes"] == {"scopes": [None, ["admin", "schema:write"]]}
    text = orjson.dumps(listed).decode()
    assert token["token"] not in text and invited["invitation"]["token"] not in text


async def test_a_webhook_rotation_is_a_flag_and_its_secrets_never_show(api):
    made = await ok(await api.post("/api/webhooks", json={
        "name": "crm", "url": "https://93.184.215.14/hook", "events": ["record.created"]}), 201)
    rotated = await ok(await api.patch(f"/api/webhooks/{made['id']}", json={
        "rotate_secret": True, "active": False, "name": "crm-old"}))
    changed_entry, created = await entries(api, kind="webhook")
    assert (created["action"], created["target"]) == ("created", {"id": made["id"],
                                                                  "name": "crm"})
    assert changed_entry["target"]["name"] == "crm-old"
    assert changed_entry["changes"] == {"name": ["crm", "crm-old"], "active": [True, False],
                                        "secret_rotated": [False, True]}
    text = orjson.dumps(await entries(api)).decode()
    assert made["secret"] not in text and rotated["secret"] not in text


async def test_signing_up_with_an_invitation_is_an_accepted_invitation(app, session, api):
    member = await join(app, session, "editor")
    accepted, invited = await entries(api, kind="invitation")
    assert (invited["action"], accepted["action"]) == ("created", "accepted")
    assert accepted["target"] == invited["target"] == {"id": invited["target"]["id"],
                                                       "name": member.email}
    assert accepted["actor"] == {"user_id": member.user_id, "email": member.email}
    assert accepted["credential"] == {"type": "session", "id": None, "name": None}
    assert accepted["changes"] == {"role": [None, "editor"]}


async def test_a_person_who_leaves_is_named_by_their_own_entry(app, session, api):
    member = await join(app, session, "editor")
    async with client(app, member.headers) as theirs:
        await ok(await theirs.delete(f"/api/workspaces/{session.workspace_id}/members/"
                                     f"{member.user_id}"), 204)
    left = (await entries(api, kind="member"))[0]
    assert (left["action"], left["target"]["id"], left["actor"]["email"]) == (
        "left", member.user_id, member.email)


# --- the entry commits with the change -------------------------------------------------------

async def test_a_refused_change_leaves_no_entry(app, session, api, owner_db):
    """The entry is written before the statement that refuses the change (a taken name)."""
    await make_object(api, "deal")
    await make_object(api, "lead")
    refused(await api.post("/api/objects", json={"name": "deal", "label": "Again"}), 409,
            "conflict")
    refused(await api.patch("/api/objects/lead", json={"name": "deal"}), 409, "conflict")
    refused(await api.post("/api/fields", json={"name": "id", "label": "x", "type": "text"}),
            422, "validation_failed")
    stored = await owner_db.fetch("SELECT kind, action, target_name FROM audit_log"
                                  " WHERE tenant_id = $1 ORDER BY at", session.workspace_id)
    assert [tuple(r) for r in stored] == [("object", "created", "deal"),
                                          ("object", "created", "lead")]


# --- who may read it -------------------------------------------------------------------------

async def test_only_admins_of_the_workspace_see_its_entries(app, session, api):
    await make_object(api, "deal")
    other = await sign_up(app)
    async with client(app, other.headers) as theirs:
        await make_object(theirs, "deal")
        seen = await entries(theirs)
    assert [e["actor"]["user_id"] for e in seen] == [other.user_id]
    assert all(e["target"]["name"] == "deal" for e in seen) and len(seen) == 1
    for role in ("editor", "viewer"):
        member = await join(app, session, role)
        async with client(app, member.headers) as theirs:
            refused(await theirs.get("/api/audit"), 403, "forbidden")
    narrow = await ok(await api.post("/api/tokens", json={"name": "r", "scopes": ["schema:write"]}),
                      201)
    async with client(app, {"apikey": narrow["token"]}) as bot:
        refused(await bot.get("/api/audit"), 403, "forbidden")
    async with client(app) as anonymous:
        refused(await anonymous.get("/api/audit"), 401, "unauthenticated")


# --- filters and pages -----------------------------------------------------------------------

async def test_filters_by_actor_kind_action_and_time(app, session, api):
    colleague = await join(app, session, "admin", "colleague")
    await make_object(api, "deal")
    middle = datetime.now(UTC)
    async with client(app, colleague.headers) as theirs:
        await make_object(theirs, "lead")
        await ok(await theirs.patch("/api/objects/lead", json={"label": "Leads"}))

    async def names(**params: Any) -> list[tuple[str, str]]:
        return [(e["action"], e["target"]["name"]) for e in await entries(api, **params)]

    assert await names(actor=colleague.user_id) == [("updated", "lead"), ("created", "lead"),
                                                    ("accepted", colleague.email)]
    assert await names(actor=colleague.email.upper()) == await names(actor=colleague.user_id)
    assert await names(kind="object", action="created") == [("created", "lead"),
                                                            ("created", "deal")]
    assert ("created", colleague.email) in await names(kind="invitation,object")
    assert await names(kind="object", until=middle.isoformat()) == [("created", "deal")]
    assert await names(kind="object", since=middle.isoformat()) == [("updated", "lead"),
                                                                    ("created", "lead")]
    tomorrow = (middle + timedelta(days=1)).date().isoformat()
    assert await names(since=tomorrow) == []
    # The colleague's invitation, their sign-up with it, and the 3 object entries.
    assert len(await names(until=tomorrow)) == 5
    assert len(await names(actor="", kind="", action="", since="", until="")) == 5  # no bounds


@pytest.mark.parametrize("params", [{"kind": "objects"}, {"since": "yesterday"},
                                    {"until": "2026-13-01"}, {"actor": "someone"},
                                    {"since": "0001-01-01T00:00:00+05:00"},
                                    {"until": "9999-12-31T23:00:00-05:00"},
                                    {"cursor": "nope"}, {"limit": "0"}])
async def test_bad_filters_are_400(api, params):
    refused(await api.get("/api/audit", params=params), 400, "bad_request")


@pytest.mark.parametrize("path", ["/api/audit", "/api/objects", "/api/tokens"])
async def test_a_cursor_at_the_calendars_edge_is_a_400_and_a_naive_one_a_page(api, path):
    """Year 1 at +05:00 is year 0 in UTC: the shared cursor decoder refuses it (was a 500)."""
    for key in ("0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00"):
        cursor = pagination.encode(key, "aud_0000000000000000")
        refused(await api.get(path, params={"cursor": cursor}), 400, "bad_request")
    naive = pagination.encode("2026-12-05T10:00:00", "aud_0000000000000000")
    await ok(await api.get(path, params={"cursor": naive}))


async def test_pages_are_newest_first_and_limit_is_capped(app, session, api):
    for name in ("a", "b", "c", "d", "e"):
        await make_object(api, name)
    seen, cursor = [], None
    while True:
        got = await ok(await api.get("/api/audit", params={"limit": 2, **(
            {"cursor": cursor} if cursor else {})}))
        assert len(got["items"]) <= 2
        seen += [e["target"]["name"] for e in got["items"]]
        if (cursor := got["next_cursor"]) is None:
            break
    assert seen == ["e", "d", "c", "b", "a"]
    assert len((await ok(await api.get("/api/audit", params={"limit": 10**12})))["items"]) == 5


async def test_a_large_log_keeps_one_plan_for_its_pages(new_database):
    """The page's size is a literal (sqltext.limit): with `LIMIT $n` PostgreSQL's generic plan
    assumes a tenth of the matching entries are wanted, looks costlier than a 20-entry page's
    own once the log holds more than ten pages, and the prepared page is planned again on every
    request. As the service runs it: the runtime role, the log's repository function. A
    database of its own: with other workspaces' entries in the table, the plans also weigh how
    many of the rows a workspace holds (and the suite's order would decide that)."""
    async with running_app(settings_for(await new_database("objectry_audit"))) as app:
        account = await sign_up(app)
        conn = await asyncpg.connect(app.state.objectry.settings.database_url)
        try:
            await conn.execute(
                """INSERT INTO audit_log (tenant_id, id, at, kind, action, target_id,
                                          credential_type)
                   SELECT $1, 'aud_' || substr(md5(g::text), 1, 16),
                          now() - g * interval '1 minute', 'object', 'create', 'obj_' || g,
                          'session'
                   FROM generate_series(1, 2000) AS g""", account.workspace_id)
            await conn.execute("ANALYZE audit_log")
        finally:
            await conn.close()
        async with tenancy.transaction(app.state.objectry.pool, account.workspace_id) as conn:
            for _ in range(8):
                page = await audit_repo.page(conn, account.workspace_id,
                                             audit_repo.Filters(kinds=["object"]), None, 20)
                assert len(page) == 20
            plans = await conn.fetchrow(
                "SELECT custom_plans, generic_plans FROM pg_prepared_statements"
                " WHERE statement LIKE '%FROM audit_log WHERE%ORDER BY at DESC, id DESC LIMIT 20'")
    assert (plans["custom_plans"], plans["generic_plans"]) == (5, 3), dict(plans)
