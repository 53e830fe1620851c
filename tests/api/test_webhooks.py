"""/api/webhooks against a local receiver: CRUD, signatures checked by the `standardwebhooks`
verifier, bodies, event/object/filter matching, retries and deactivation, test ping, manual
retry, secret rotation, and two workspaces."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from tests.api.builders import add_field, make_object, make_record, ok
from tests.api.conftest import client, join, refused, sign_up
from tests.api.webhook_support import (
    ALL_EVENTS,
    FAST,
    deliveries,
    make_webhook,
    settled,
    verified,
    wait_received,
)
from tests.conftest import running_app, settings_for
from tests.support.receiver import Receiver, receiving


@pytest.fixture(scope="module")
async def app(database_url: str) -> AsyncIterator[Any]:
    settings = settings_for(database_url, pool_max_size=5, open_signup=True, **FAST)
    async with running_app(settings) as application:
        yield application


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as running:
        yield running


async def deal_object(api: Any) -> None:
    await make_object(api, "deal")
    await add_field(api, "deal", "title")
    await add_field(api, "deal", "stage")


async def test_crud_shows_the_secret_on_create_and_rotation_only(api, receiver, owner_db,
                                                                  workspace_id):
    await deal_object(api)
    created = await make_webhook(api, receiver.url, name="CRM sync", objects=["deal"],
                                 filter="stage=eq.won", events=["record.updated"])
    assert created["secret"].startswith("whsec_") and created["id"].startswith("whk_")
    expected = {"id": created["id"], "name": "CRM sync", "url": receiver.url,
                "events": ["record.updated"], "objects": ["deal"], "filter": "stage=eq.won",
                "active": True, "disabled_reason": None, "failing_since": None}
    assert {k: created[k] for k in expected} == expected
    shown = await ok(await api.get(f"/api/webhooks/{created['id']}"))
    assert "secret" not in shown and {k: shown[k] for k in expected} == expected
    listed = await ok(await api.get("/api/webhooks"))
    assert [w["id"] for w in listed["items"]] == [created["id"]]
    assert "secret" not in listed["items"][0] and listed["next_cursor"] is None
    changed = await ok(await api.patch(f"/api/webhooks/{created['id']}",
                                       json={"name": "Renamed", "filter": None, "objects": []}))
    assert (changed["name"], changed["filter"], changed["objects"]) == ("Renamed", None, [])
    assert "secret" not in changed
    rotated = await ok(await api.patch(f"/api/webhooks/{created['id']}",
                                       json={"rotate_secret": True}))
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    stored = await owner_db.fetchval("SELECT secret FROM webhooks WHERE tenant_id = $1",
                                     workspace_id)
    assert stored == rotated["secret"]
    await ok(await api.delete(f"/api/webhooks/{created['id']}"), 204)
    refused(await api.get(f"/api/webhooks/{created['id']}"), 404, "not_found")
    refused(await api.delete(f"/api/webhooks/{created['id']}"), 404, "not_found")


async def test_every_problem_is_a_422_at_once(api, receiver):
    await deal_object(api)
    await make_object(api, "lead")
    body = {"name": "x", "url": receiver.url, "events": ["record.created"],
            "objects": ["deal", "nope"], "filter": "stage=eq.won"}
    error = refused(await api.post("/api/webhooks", json=body), 422, "validation_failed")
    assert [(d["field"], d["code"]) for d in error["details"]] == [("objects.1", "not_found")]
    body["objects"] = ["deal", "lead"]  # lead has no stage
    error = refused(await api.post("/api/webhooks", json=body), 422, "validation_failed")
    assert [(d["field"], d["code"]) for d in error["details"]] == [("filter", "invalid")]
    assert "stage" in error["details"][0]["message"]
    body.update(objects=["deal"], filter="nothere=eq.1")
    error = refused(await api.post("/api/webhooks", json=body), 422, "validation_failed")
    assert [(d["field"], d["code"]) for d in error["details"]] == [("filter", "invalid")]
    body.update(filter="stage=eq.won&order=stage")
    refused(await api.post("/api/webhooks", json=body), 422, "validation_failed")
    bad = {"name": "", "url": "ftp://example.com/x", "events": ["record.exploded"],
           "colour": "red"}
    error = refused(await api.post("/api/webhooks", json=bad), 422, "validation_failed")
    assert {d["field"] for d in error["details"]} >= {"name", "events.0", "colour"}
    body = {"name": "x", "url": "ftp://example.com/x", "events": ["record.created"]}
    error = refused(await api.post("/api/webhooks", json=body), 422, "validation_failed")
    assert [(d["field"], d["code"]) for d in error["details"]] == [("url", "not_allowed")]


async def test_record_events_are_delivered_signed_with_the_record_as_the_api_shows_it(
        api, receiver):
    await deal_object(api)
    hook = await make_webhook(api, receiver.url)
    record = await make_record(api, "deal", title="Big", stage="new")
    updated = await ok(await api.patch(f"/api/records/{record['id']}",
                                       json={"data": {"stage": "won"}}))
    await ok(await api.delete(f"/api/records/{record['id']}"), 204)
    restored = await ok(await api.post(f"/api/records/{record['id']}/restore"))
    received = await wait_received(receiver, 4)
    bodies = [verified(hook["secret"], r) for r in received]
    assert [b["type"] for b in bodies] == ALL_EVENTS
    created, changed, deleted, back = bodies
    assert created["data"]["object"] == "deal"
    assert created["data"]["record"]["data"] == {"title": "Big", "stage": "new"}
    assert created["data"]["record"]["id"] == record["id"]
    assert created["data"]["record"] == record  # exactly as /api/records answered
    assert "previous" not in created["data"]
    assert changed["data"]["record"]["data"] == updated["data"]
    assert changed["data"]["record"]["version"] == updated["version"]
    assert changed["data"]["previous"]["data"] == {"title": "Big", "stage": "new"}
    assert changed["data"]["changes"] == {"stage": ["new", "won"]}
    assert deleted["data"]["record"]["id"] == record["id"]
    assert back["data"]["record"] == restored
    ids = [r.headers["webhook-id"] for r in received]
    assert len(set(ids)) == 4 and all(i.startswith("evt_") for i in ids)
    log = await settled(api, hook["id"], 4)
    assert [d["type"] for d in log] == list(reversed(ALL_EVENTS))  # newest first
    first = log[-1]
    assert first["status"] == "succeeded" and first["attempts"] == 1
    assert first["last_status_code"] == 200 and first["last_error"] is None
    assert first["event_id"] == ids[0] and first["id"].startswith("dlv_")
    assert first["next_attempt_at"] is None and isinstance(first["duration_ms"], int)


async def test_events_objects_and_filter_decide_what_is_sent(api, receiver):
    await deal_object(api)
    await make_object(api, "lead")
    await add_field(api, "lead", "label_text")
    await make_webhook(api, receiver.url, events=["record.updated"], objects=["deal"],
                       filter="stage=eq.won")
    lead = await make_record(api, "lead", label_text="not a deal")
    await ok(await api.patch(f"/api/records/{lead['id']}", json={"data": {"label_text": "x"}}))
    deal = await make_record(api, "deal", title="A", stage="new")  # created: not subscribed
    await ok(await api.patch(f"/api/records/{deal['id']}", json={"data": {"title": "B"}}))
    await ok(await api.patch(f"/api/records/{deal['id']}", json={"data": {"stage": "won"}}))
    await ok(await api.patch(f"/api/records/{deal['id']}", json={"data": {"stage": "lost"}}))
    received = await wait_received(receiver, 1)
    await asyncio.sleep(0.5)  # anything wrongly matched would have arrived by now
    assert len(receiver.received) == 1
    body = received[0].json
    assert (body["type"], body["data"]["record"]["data"]["stage"]) == ("record.updated", "won")


async def test_a_filter_without_objects_applies_to_every_object_that_has_its_columns(
        api, receiver):
    await deal_object(api)
    await make_object(api, "lead")
    await add_field(api, "lead", "label_text")
    await make_webhook(api, receiver.url, events=["record.created"], filter="stage=eq.won")
    await make_record(api, "lead", label_text="no stage here")
    await make_record(api, "deal", title="lost one", stage="lost")
    await make_record(api, "deal", title="won one", stage="won")
    [received] = await wait_received(receiver, 1)
    await asyncio.sleep(0.5)  # anything wrongly matched would have arrived by now
    assert len(receiver.received) == 1
    assert received.json["data"]["record"]["data"]["title"] == "won one"


async def test_failures_are_retried_then_failed_and_a_manual_retry_succeeds(api, receiver):
    await deal_object(api)
    hook = await make_webhook(api, receiver.url)
    receiver.status = 500
    await make_record(api, "deal", title="A")
    [failed] = await settled(api, hook["id"], 1)
    assert failed["status"] == "failed" and failed["attempts"] == 3  # schedule 0.2,0.4
    assert failed["last_status_code"] == 500 and failed["last_error"] == "HTTP 500"
    assert receiver.hits == 3
    receiver.status = 200
    again = await ok(await api.post(
        f"/api/webhooks/{hook['id']}/deliveries/{failed['id']}/retry"))
    assert (again["status"], again["attempts"], again["last_status_code"]) == (
        "succeeded", 4, 200)
    assert receiver.received[0].headers["webhook-id"] == failed["event_id"]
    refused(await api.post(f"/api/webhooks/{hook['id']}/deliveries/dlv_0000000000000000/retry"),
            404, "not_found")


async def test_a_receiver_down_then_up_gets_everything_in_order_per_record(app, api, receiver):
    await deal_object(api)
    hook = await make_webhook(api, receiver.url, events=["record.created", "record.updated"])
    worker = app.state.objectry.webhooks
    settings = worker.settings
    worker.settings = replace(settings, webhook_retry_schedule=(0.3,) * 100)  # down a while
    receiver.status = 503
    try:
        records = [await make_record(api, "deal", title="v0", stage=str(n)) for n in range(3)]
        for version in range(1, 4):
            for record in records:
                await ok(await api.patch(f"/api/records/{record['id']}",
                                         json={"data": {"title": f"v{version}"}}))
        while len(log := await deliveries(api, hook["id"])) < 12:  # all fanned out
            await asyncio.sleep(0.05)
        waiting = [d for d in log if d["status"] == "pending" and d["next_attempt_at"] is None]
        assert len(waiting) == 9  # each record's updates wait for its create
        refused(await api.post(
            f"/api/webhooks/{hook['id']}/deliveries/{waiting[0]['id']}/retry"), 409, "conflict")
        await asyncio.sleep(1)
        receiver.status = 200
        received = await wait_received(receiver, 12)
    finally:
        worker.settings = settings
    for record in records:
        titles = [b["data"]["record"]["data"]["title"] for b in (r.json for r in received)
                  if b["data"]["record"]["id"] == record["id"]]
        assert titles == ["v0", "v1", "v2", "v3"]
    log = await settled(api, hook["id"], 12)
    assert all(d["status"] == "succeeded" for d in log)


async def test_test_ping_is_signed_and_answers_with_its_delivery(api, receiver):
    hook = await make_webhook(api, receiver.url)
    delivery = await ok(await api.post(f"/api/webhooks/{hook['id']}/test"), 201)
    assert (delivery["type"], delivery["status"], delivery["attempts"]) == (
        "webhook.test", "succeeded", 1)
    [received] = receiver.received
    body = verified(hook["secret"], received)
    assert body["type"] == "webhook.test"
    assert received.headers["webhook-id"] == delivery["event_id"]
    receiver.status = 404
    failed = await ok(await api.post(f"/api/webhooks/{hook['id']}/test"), 201)
    assert (failed["status"], failed["attempts"], failed["last_status_code"]) == (
        "failed", 1, 404)
    shown = await ok(await api.get(f"/api/webhooks/{hook['id']}"))
    assert shown["active"] and shown["failing_since"] is None  # a ping does not count


async def test_rotation_signs_with_the_new_secret_only(api, receiver):
    hook = await make_webhook(api, receiver.url)
    rotated = await ok(await api.patch(f"/api/webhooks/{hook['id']}",
                                       json={"rotate_secret": True}))
    await ok(await api.post(f"/api/webhooks/{hook['id']}/test"), 201)
    [received] = receiver.received
    assert verified(rotated["secret"], received)["type"] == "webhook.test"
    with pytest.raises(WebhookVerificationError):
        Webhook(hook["secret"]).verify(received.body, received.headers)


async def test_a_webhook_failing_for_the_span_is_deactivated(app, api, receiver):
    await deal_object(api)
    hook = await make_webhook(api, receiver.url)
    receiver.status = 500
    worker = app.state.objectry.webhooks
    settings = worker.settings
    worker.settings = replace(settings, webhook_disable_after_seconds=0)
    try:
        await make_record(api, "deal", title="A")
        for _ in range(200):
            shown = await ok(await api.get(f"/api/webhooks/{hook['id']}"))
            if not shown["active"]:
                break
            await asyncio.sleep(0.05)
    finally:
        worker.settings = settings
    assert shown["active"] is False and shown["disabled_reason"].startswith("deactivated")
    assert shown["failing_since"] is not None
    receiver.status = 200
    await make_record(api, "deal", title="B")  # not sent while deactivated
    again = await ok(await api.patch(f"/api/webhooks/{hook['id']}", json={"active": True}))
    assert again["active"] and again["disabled_reason"] is None
    assert again["failing_since"] is None
    received = await wait_received(receiver, 1)
    assert received[0].json["data"]["record"]["data"] == {"title": "A"}
    await asyncio.sleep(0.3)
    assert len(receiver.received) == 1


async def test_only_admins_manage_webhooks(app, session, receiver):
    editor = await join(app, session, "editor")
    async with client(app, editor.headers) as api:
        refused(await api.get("/api/webhooks"), 403, "forbidden")
        refused(await api.post("/api/webhooks", json={"name": "x", "url": receiver.url,
                                                      "events": ["record.created"]}),
                403, "forbidden")


async def test_another_workspace_sees_nothing_and_gets_nothing(app, api, receiver):
    await deal_object(api)
    hook = await make_webhook(api, receiver.url)
    await make_record(api, "deal", title="mine")
    [delivery] = await settled(api, hook["id"], 1)
    other = await sign_up(app)
    async with client(app, other.headers) as theirs:
        assert (await ok(await theirs.get("/api/webhooks")))["items"] == []
        base = f"/api/webhooks/{hook['id']}"
        for response in (await theirs.get(base), await theirs.patch(base, json={"name": "x"}),
                         await theirs.delete(base), await theirs.post(f"{base}/test"),
                         await theirs.get(f"{base}/deliveries"),
                         await theirs.post(f"{base}/deliveries/{delivery['id']}/retry")):
            refused(response, 404, "not_found")
        await deal_object(theirs)
        await make_record(theirs, "deal", title="theirs")
    await asyncio.sleep(0.5)
    assert [r.json["data"]["record"]["data"]["title"] for r in receiver.received] == ["mine"]
    assert len(await deliveries(api, hook["id"])) == 1


async def test_deliveries_page_newest_first(api, receiver):
    await deal_object(api)
    hook = await make_webhook(api, receiver.url, events=["record.created"])
    for n in range(5):
        await make_record(api, "deal", title=str(n))
    everything = await settled(api, hook["id"], 5)
    first = await ok(await api.get(f"/api/webhooks/{hook['id']}/deliveries",
                                   params={"limit": 2}))
    second = await ok(await api.get(f"/api/webhooks/{hook['id']}/deliveries",
                                    params={"limit": 10, "cursor": first["next_cursor"]}))
    assert [d["id"] for d in first["items"] + second["items"]] == [d["id"] for d in everything]
    assert second["next_cursor"] is None


async def test_deliveries_to_one_url_run_at_a_bounded_concurrency(app, api, receiver):
    await deal_object(api)
    await make_webhook(api, receiver.url, events=["record.created"])
    worker = app.state.objectry.webhooks
    settings = worker.settings
    worker.settings = replace(settings, webhook_concurrency_per_url=2)
    receiver.delay = 0.1
    try:
        for n in range(8):
            await make_record(api, "deal", title=str(n))
        await wait_received(receiver, 8)
    finally:
        worker.settings = settings
    assert receiver.peak == 2


async def test_the_address_is_checked_again_when_sending(app, api, receiver):
    hook = await make_webhook(api, receiver.url)
    worker = app.state.objectry.webhooks
    settings = worker.settings
    worker.settings = replace(settings, webhook_allow_private=False)
    try:
        delivery = await ok(await api.post(f"/api/webhooks/{hook['id']}/test"), 201)
    finally:
        worker.settings = settings
    assert (delivery["status"], delivery["last_status_code"]) == ("failed", None)
    assert delivery["last_error"].startswith("refused: the host '127.0.0.1' resolves to")
    assert receiver.hits == 0


async def test_events_past_the_retention_leave_the_log_once_final(app, api, receiver, owner_db,
                                                                  workspace_id):
    await deal_object(api)
    hook = await make_webhook(api, receiver.url, events=["record.created"])
    await make_record(api, "deal", title="old")
    [old] = await settled(api, hook["id"], 1)
    await owner_db.execute("UPDATE webhook_events SET at = at - interval '31 days'"
                           " WHERE tenant_id = $1", workspace_id)
    await make_record(api, "deal", title="new")  # its fan-out trims the log
    for _ in range(200):
        log = await deliveries(api, hook["id"])
        if old["id"] not in {d["id"] for d in log}:
            break
        await asyncio.sleep(0.05)
    assert [d["type"] for d in log] == ["record.created"] and log[0]["id"] != old["id"]
    assert await owner_db.fetchval("SELECT count(*) FROM webhook_events WHERE tenant_id = $1",
                                   workspace_id) == 1
