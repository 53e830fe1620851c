"""With DATABASE_READ_URL, which server each request uses, counted at the protocol: the read
URL here is a counting relay to the test database itself (not in recovery, so it has always
"replayed" everything), the primary another relay. Reads a replica may serve go to the read
URL at one round trip each and touch the primary not at all; writes, history and metadata stay
on the primary; writes answer with X-Objectry-LSN; X-Objectry-Min-LSN is checked. Lag, waits
and failures on a real standby: tests/system/test_read_replica.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from objectry.db.replica import parse_lsn
from tests.api.builders import add_field, make_object, make_record, ok
from tests.api.conftest import Account, client, sign_up
from tests.conftest import running_app, settings_for
from tests.support.round_trips import Counter, counting_relay

LSN, MIN_LSN = "X-Objectry-LSN", "X-Objectry-Min-LSN"


async def _note(app: Any) -> tuple[Account, dict[str, Any]]:
    account = await sign_up(app)
    async with client(app, account.headers) as api:
        await make_object(api, "note")
        await add_field(api, "note", "title")
        record = await make_record(api, "note", title="first")
    return account, record


@pytest.fixture
async def relayed(database_url: str) -> AsyncIterator[tuple[Any, Counter, Counter]]:
    """The app (primary and read URL each behind a counting relay), its watcher stopped so that
    only requests count; the primary's and the read URL's counters."""
    async with counting_relay(database_url) as (primary_url, primary), \
            counting_relay(database_url) as (read_url, reads):
        settings = settings_for(primary_url, database_read_url=read_url,
                                direct_database_url=database_url, open_signup=True)
        async with running_app(settings) as app:
            await app.state.objectry.replica.stop()
            yield app, primary, reads


async def test_reads_go_to_the_read_url_and_nothing_else_does(
        relayed: tuple[Any, Counter, Counter]) -> None:
    app, primary, reads = relayed
    account, record = await _note(app)
    async with client(app, account.headers) as api:
        token = await ok(await api.post("/api/tokens", json={
            "name": "reader", "scopes": ["records:read"]}), 201)
    async with client(app, {"Authorization": f"Bearer {token['token']}"}) as api:
        for path, params in ((f"/api/records/{record['id']}", {}),
                             (f"/api/records/{record['id']}", {"expand": ""}),
                             ("/api/records", {"object": "note"}),
                             ("/api/records", {"object": "note", "count": "exact"}),
                             ("/rest/v1/note", {"id": f"eq.{record['id']}"}),
                             ("/api/objects/note/export", {"format": "jsonl"})):
            await ok(await api.get(path, params=params))  # the token is cached now
            before = primary.round_trips, reads.round_trips
            await ok(await api.get(path, params=params))
            assert primary.round_trips == before[0], path
            assert reads.round_trips > before[1], path
        before = primary.round_trips, reads.round_trips
        for _ in range(5):
            await ok(await api.get(f"/api/records/{record['id']}"))
        assert (primary.round_trips, reads.round_trips) == (before[0], before[1] + 5)
    async with client(app, account.headers) as api:
        before_reads = reads.round_trips
        created = await api.post("/api/records", json={"object": "note",
                                                       "data": {"title": "second"}})
        assert created.status_code == 201, created.text
        patched = await api.patch(f"/api/records/{record['id']}",
                                  json={"data": {"title": "first!"}})
        assert patched.status_code == 200, patched.text
        await ok(await api.get(f"/api/records/{record['id']}/history"))
        await ok(await api.get("/api/objects"))
        assert reads.round_trips == before_reads  # writes, history, metadata: the primary
        first, then = (parse_lsn(answer.headers[LSN]) for answer in (created, patched))
        assert first is not None and then is not None and then >= first
        # Its own write, read back at once (this read URL has always replayed it).
        got = await ok(await api.get(f"/api/records/{record['id']}"))
        assert got["data"]["title"] == "first!"
        assert reads.round_trips == before_reads + 1


async def test_reads_answer_no_lsn_and_a_failed_write_none_either(
        relayed: tuple[Any, Counter, Counter]) -> None:
    app, _, _ = relayed
    account, record = await _note(app)
    async with client(app, account.headers) as api:
        read = await api.get(f"/api/records/{record['id']}")
        refused = await api.post("/api/records", json={"object": "note", "data": "nope"})
    assert read.status_code == 200 and LSN not in read.headers
    assert refused.status_code == 422 and LSN not in refused.headers


async def test_a_malformed_min_lsn_is_a_400_in_both_dialects(
        relayed: tuple[Any, Counter, Counter]) -> None:
    app, _, _ = relayed
    account, record = await _note(app)
    async with client(app, {**account.headers, MIN_LSN: "0/ZZ"}) as api:
        answer = await api.get(f"/api/records/{record['id']}")
        rest = await api.get("/rest/v1/note")
    assert answer.status_code == 400
    assert answer.json()["error"]["details"] == [
        {"field": MIN_LSN, "code": "format", "message": "is not a WAL position"}]
    assert (rest.status_code, rest.json()["code"]) == (400, "PGRST100")
    async with client(app, {**account.headers, MIN_LSN: "0/1"}) as api:
        assert (await api.get(f"/api/records/{record['id']}")).status_code == 200


async def test_without_a_read_url_there_is_no_lsn_and_the_claim_is_not_read(
        database_url: str) -> None:
    async with running_app(settings_for(database_url, open_signup=True)) as app:
        assert app.state.objectry.replica is None
        account, record = await _note(app)
        async with client(app, {**account.headers, MIN_LSN: "yesterday"}) as api:
            read = await api.get(f"/api/records/{record['id']}")
            created = await api.post("/api/records", json={"object": "note",
                                                           "data": {"title": "x"}})
    assert read.status_code == 200
    assert created.status_code == 201 and LSN not in created.headers


async def test_another_workspace_reads_nothing_through_the_read_url(
        relayed: tuple[Any, Counter, Counter]) -> None:
    app, _, _ = relayed
    _, record = await _note(app)
    stranger, _ = await _note(app)  # a workspace with its own `note`
    async with client(app, stranger.headers) as api:
        assert (await api.get(f"/api/records/{record['id']}")).status_code == 404
        listed = await ok(await api.get("/api/records", params={"object": "note"}))
        assert [item["id"] for item in listed["items"]] != [record["id"]]
        assert record["id"] not in {row["id"] for row in await ok(
            await api.get("/rest/v1/note", params={"select": "id"}))}
