"""`Idempotency-Key` on POST /api/records, /api/records/bulk and /rest/v1/{object}: a retry
answers the first response again without writing; another request under the key is a 422;
a key whose first request still runs is a 409; keys are per workspace and live 24 hours."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from tests.api.builders import add_field, make_object, ok
from tests.api.conftest import client, join, refused, sign_up
from tests.api.rest_seed import schema

KEY = "3f1c2a9e-retry-me"
REPRESENT = {"Prefer": "return=representation"}


def keyed(key: str = KEY, **headers: str) -> dict[str, str]:
    return {"Idempotency-Key": key, **headers}


async def contact_object(api: httpx.AsyncClient) -> None:
    await make_object(api, "contact")
    await add_field(api, "contact", "name")


async def count(owner_db: Any, table: str, workspace_id: str) -> int:
    return await owner_db.fetchval(f"SELECT count(*) FROM {table} WHERE tenant_id = $1",
                                   workspace_id)


def assert_replay_of(first: httpx.Response, again: httpx.Response) -> None:
    """Same status, body bytes and meaningful headers, marked as a replay."""
    assert "idempotent-replayed" not in first.headers
    assert again.headers["idempotent-replayed"] == "true"
    assert (again.status_code, again.content) == (first.status_code, first.content)
    for name in ("content-type", "content-length", "etag", "location", "content-range",
                 "preference-applied"):
        assert again.headers.get(name) == first.headers.get(name), name


async def test_create_retried_answers_the_first_response_and_writes_once(api, owner_db,
                                                                         workspace_id):
    await contact_object(api)
    body = {"object": "contact", "data": {"name": "Ada"}}
    first = await api.post("/api/records", json=body, headers=keyed())
    assert first.status_code == 201
    again = await api.post("/api/records", json=body, headers=keyed())
    assert_replay_of(first, again)
    assert await count(owner_db, "records", workspace_id) == 1
    assert await count(owner_db, "record_events", workspace_id) == 1
    assert await count(owner_db, "idempotency_keys", workspace_id) == 1


async def test_another_request_under_the_key_is_422_and_writes_nothing(api, owner_db,
                                                                       workspace_id):
    await contact_object(api)
    await ok(await api.post("/api/records", json={"object": "contact", "data": {"name": "Ada"}},
                            headers=keyed()), 201)
    other = await api.post("/api/records", json={"object": "contact", "data": {"name": "Bob"}},
                           headers=keyed())
    error = refused(other, 422, "idempotency_key_reused")
    assert error["details"] == [{"field": "Idempotency-Key", "code": "reused",
                                 "message": "names another request"}]
    query = await api.post("/api/records?x=1", json={"object": "contact",
                                                    "data": {"name": "Ada"}}, headers=keyed())
    refused(query, 422, "idempotency_key_reused")  # the query string is part of the request
    assert await count(owner_db, "records", workspace_id) == 1


async def test_without_the_header_nothing_is_stored(api, owner_db, workspace_id):
    await contact_object(api)
    body = {"object": "contact", "data": {"name": "Ada"}}
    for _ in range(2):
        response = await api.post("/api/records", json=body)
        assert response.status_code == 201 and "idempotent-replayed" not in response.headers
    assert await count(owner_db, "records", workspace_id) == 2
    assert await count(owner_db, "idempotency_keys", workspace_id) == 0


@pytest.mark.parametrize("key", ["", "k" * 256, "caf\u00e9", "tab\there"])
async def test_a_key_that_is_not_1_to_255_visible_characters_is_400(api, owner_db,
                                                                    workspace_id, key):
    await contact_object(api)
    body = {"object": "contact", "data": {"name": "Ada"}}
    headers = {"Idempotency-Key": key.encode()}  # bytes: UTF-8 as sent by clients
    error = refused(await api.post("/api/records", json=body, headers=headers), 400,
                    "bad_request")
    assert [d["field"] for d in error["details"]] == ["Idempotency-Key"]
    rest = await api.post("/rest/v1/contact", json={"name": "Ada"}, headers=headers)
    assert (rest.status_code, rest.json()["code"]) == (400, "PGRST100")
    assert await count(owner_db, "records", workspace_id) == 0
    await ok(await api.post("/api/records", json=body, headers=keyed("k" * 255)), 201)


async def test_bulk_retried_replays_and_a_refused_batch_stores_nothing(api, owner_db,
                                                                       workspace_id):
    await contact_object(api)
    await add_field(api, "contact", "email", "email")
    records = [{"data": {"name": f"C{i}", "email": f"c{i}@x.io"}} for i in range(3)]
    records[2]["data"]["email"] = "broken"
    bad = await api.post("/api/records/bulk", json={"object": "contact", "records": records},
                         headers=keyed())
    refused(bad, 422, "validation_failed")  # all or nothing: no record, and no key kept
    assert await count(owner_db, "records", workspace_id) == 0
    assert await count(owner_db, "idempotency_keys", workspace_id) == 0
    records[2]["data"]["email"] = "c2@x.io"
    body = {"object": "contact", "records": records}
    first = await api.post("/api/records/bulk", json=body, headers=keyed())
    assert first.status_code == 201 and first.json()["created"] == 3
    assert_replay_of(first, await api.post("/api/records/bulk", json=body, headers=keyed()))
    refused(await api.post("/api/records/bulk", json={**body, "records": records[:1]},
                           headers=keyed()), 422, "idempotency_key_reused")
    assert await count(owner_db, "records", workspace_id) == 3


async def test_rest_insert_replays_its_representation_and_headers(api, owner_db,
                                                                  workspace_id):
    await schema(api)
    body = [{"full_name": "Ada", "email": "ada@x.io"}, {"full_name": "Bob"}]
    params = {"select": "full_name,email"}
    headers = keyed(Prefer="return=representation,count=exact")
    first = await api.post("/rest/v1/people", json=body, params=params, headers=headers)
    assert first.status_code == 201
    assert first.json() == [{"full_name": "Ada", "email": "ada@x.io"},
                            {"full_name": "Bob", "email": None}]
    assert first.headers["preference-applied"] == "return=representation, count=exact"
    again = await api.post("/rest/v1/people", json=body, params=params, headers=headers)
    assert_replay_of(first, again)
    minimal = await api.post("/rest/v1/people", json={"full_name": "Cy"},
                             headers=keyed("minimal"))
    assert (minimal.status_code, minimal.content) == (201, b"")
    assert_replay_of(minimal, await api.post("/rest/v1/people", json={"full_name": "Cy"},
                                             headers=keyed("minimal")))
    other = await api.post("/rest/v1/people", json=body[:1], params=params, headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert other.headers["proxy-status"] == "PostgREST; error=idempotency_key_reused"
    assert await count(owner_db, "records", workspace_id) == 3


async def test_keys_are_per_workspace_and_never_replay_across(app, api, session, owner_db):
    await contact_object(api)
    body = {"object": "contact", "data": {"name": "Ada"}}
    mine = await api.post("/api/records", json=body, headers=keyed())
    intruder = await sign_up(app)
    async with client(app, intruder.headers) as theirs:
        await contact_object(theirs)
        their_first = await theirs.post("/api/records", json=body, headers=keyed())
        assert their_first.status_code == 201
        assert "idempotent-replayed" not in their_first.headers
        assert their_first.json()["id"] != mine.json()["id"]
        assert_replay_of(their_first, await theirs.post("/api/records", json=body,
                                                        headers=keyed()))
        other_body = await theirs.post("/api/records", json={**body, "data": {"name": "Z"}},
                                       headers=keyed())
        refused(other_body, 422, "idempotency_key_reused")
    assert_replay_of(mine, await api.post("/api/records", json=body, headers=keyed()))
    for account in (session, intruder):
        assert await count(owner_db, "records", account.workspace_id) == 1
        assert await count(owner_db, "idempotency_keys", account.workspace_id) == 1


async def test_a_replay_goes_only_to_its_caller_while_it_may_still_write(app, api, session,
                                                                        owner_db):
    await contact_object(api)
    editor = await join(app, session, "editor")
    body = {"object": "contact", "data": {"name": "Ada"}}
    async with client(app, editor.headers) as as_editor:
        first = await as_editor.post("/api/records", json=body, headers=keyed())
        assert first.status_code == 201
        # Another caller of the same workspace: the key names the editor's request.
        refused(await api.post("/api/records", json=body, headers=keyed()), 422,
                "idempotency_key_reused")
        await ok(await api.patch(f"/api/workspaces/{session.workspace_id}/members/"
                                 f"{editor.user_id}", json={"role": "viewer"}))
        refused(await as_editor.post("/api/records", json=body, headers=keyed()), 403,
                "forbidden")
    assert await count(owner_db, "records", session.workspace_id) == 1


async def test_an_expired_key_is_a_new_key_and_old_ones_are_purged(api, owner_db,
                                                                   workspace_id):
    await contact_object(api)
    body = {"object": "contact", "data": {"name": "Ada"}}
    first = await api.post("/api/records", json=body, headers=keyed())
    await ok(await api.post("/api/records", json=body, headers=keyed("other")), 201)
    await owner_db.execute("UPDATE idempotency_keys SET created_at = now() - interval '25 hours'"
                           " WHERE tenant_id = $1", workspace_id)
    fresh = await api.post("/api/records", json=body, headers=keyed())
    assert fresh.status_code == 201 and "idempotent-replayed" not in fresh.headers
    assert fresh.json()["id"] != first.json()["id"]
    assert_replay_of(fresh, await api.post("/api/records", json=body, headers=keyed()))
    assert await count(owner_db, "records", workspace_id) == 3
    keys = await owner_db.fetch("SELECT key FROM idempotency_keys WHERE tenant_id = $1",
                                workspace_id)
    assert [k["key"] for k in keys] == [KEY]  # storing it purged the expired "other"


async def lock_id(owner_db: Any, workspace_id: str, key: str) -> int:
    return await owner_db.fetchval("SELECT hashtextextended($1, 0)",
                                   f"idempotency:{workspace_id}:{key}")


async def test_a_key_held_by_a_running_request_is_409_at_once(api, owner_db, workspace_id):
    await contact_object(api)
    body = {"object": "contact", "data": {"name": "Ada"}}
    lock = await lock_id(owner_db, workspace_id, KEY)
    await owner_db.execute("SELECT pg_advisory_lock($1)", lock)  # as a first request would
    try:
        busy = await api.post("/api/records", json=body, headers=keyed())
        error = refused(busy, 409, "idempotency_key_in_flight")
        assert busy.headers["retry-after"] == "1"
        assert error["details"][0]["field"] == "Idempotency-Key"
        rest = await api.post("/rest/v1/contact", json={"name": "Ada"}, headers=keyed())
        assert (rest.status_code, rest.json()["code"]) == (409, "idempotency_key_in_flight")
    finally:
        await owner_db.execute("SELECT pg_advisory_unlock($1)", lock)
    assert await count(owner_db, "records", workspace_id) == 0
    await ok(await api.post("/api/records", json=body, headers=keyed()), 201)


async def waiting_for_records_lock(owner_db: Any) -> None:
    """Until one backend waits for the records table (a polled condition, not a duration)."""
    deadline = time.monotonic() + 30
    while not await owner_db.fetchval("SELECT count(*) FROM pg_locks WHERE NOT granted"
                                      " AND relation = 'records'::regclass"):
        assert time.monotonic() < deadline, "the first request never reached its insert"
        await asyncio.sleep(0.01)


async def test_concurrent_duplicates_write_once(app, session, owner_db):
    """The first request is held inside its insert (the table is locked by the test), so the
    others are certainly concurrent with it: all 409 at once; then a retry is the replay."""
    async with client(app, session.headers) as api:
        await contact_object(api)
        body = {"object": "contact", "data": {"name": "Ada"}}
        blocker = owner_db.transaction()
        await blocker.start()
        try:
            await owner_db.execute("LOCK TABLE records IN SHARE MODE")
            first = asyncio.create_task(api.post("/api/records", json=body, headers=keyed()))
            await waiting_for_records_lock(owner_db)
            duplicates = await asyncio.gather(*(
                api.post("/api/records", json=body, headers=keyed()) for _ in range(9)))
        finally:
            await blocker.rollback()
        assert [r.status_code for r in duplicates] == [409] * 9
        written = await first
        assert written.status_code == 201
        racing = await asyncio.gather(*(
            api.post("/api/records", json=body, headers=keyed()) for _ in range(10)))
        for again in racing:
            assert_replay_of(written, again)
    assert await count(owner_db, "records", session.workspace_id) == 1


async def test_concurrent_new_duplicates_write_exactly_once(app, session, owner_db):
    """Ten at once with a fresh key, unsynchronised: one writes, each other one is a 409 or
    the replay of that one."""
    async with client(app, session.headers) as api:
        await contact_object(api)
        body = {"object": "contact", "data": {"name": "Ada"}}
        answers = await asyncio.gather(*(
            api.post("/api/records", json=body, headers=keyed("fresh")) for _ in range(10)))
    firsts = [a for a in answers if a.status_code == 201
              and "idempotent-replayed" not in a.headers]
    assert len(firsts) == 1
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json()["error"]["code"] == "idempotency_key_in_flight"
        elif answer is not firsts[0]:
            assert_replay_of(firsts[0], answer)
    assert await count(owner_db, "records", session.workspace_id) == 1
