"""Reads from a real streaming replica (DATABASE_READ_URL), with read-your-writes (issue 19,
item 2). A private primary and a hot standby made from it with pg_basebackup
(tests/support/replica.py); three `objectry serve` processes over them:

- A and A2 read from the replica and tolerate a minute of lag: what they serve a client
  without a claim on a write is whatever the replica has replayed;
- B reads from the replica too but tolerates 300 ms of lag.

Lag is injected by pausing replay on the replica (pg_wal_replay_pause): the replica then
answers with what it had, which is how these tests see which server a read came from."""

from __future__ import annotations

import asyncio
import csv
import io
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from objectry.db.replica import Needs, Replica, request_needs
from objectry.settings import Settings
from tests.support.databases import runtime_pool
from tests.support.pgbouncer import pgbouncer
from tests.support.replica import Pair, streaming_pair
from tests.support.servers import Server, server_env, sign_up

LSN, MIN_LSN = "X-Objectry-LSN", "X-Objectry-Min-LSN"


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    with streaming_pair() as started:
        yield started


SECRET = secrets.token_hex(32)  # the hosts sign and check one another's session tokens


def _serve(directory: Path, pair: Pair, read_url: str | None = None, **env: str) -> Server:
    directory.mkdir()
    return Server(directory / "data", pair.primary.url, server_env(
        DATABASE_READ_URL=read_url or pair.replica.url, OBJECTRY_POOL_MAX="4",
        OBJECTRY_SECRET_KEY=SECRET, OBJECTRY_WEBHOOK_WORKER="0", **env)).start()


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory, pair: Pair) -> Iterator[dict[str, Server]]:
    root = tmp_path_factory.mktemp("replica-hosts")
    patient = {"OBJECTRY_REPLICA_MAX_LAG_MS": "60000", "OBJECTRY_REPLICA_RETRY_SECONDS": "1"}
    started = {"A": _serve(root / "a", pair, **patient)}
    try:
        started["A"].wait_ready()  # migrations first, once
        started["A2"] = _serve(root / "a2", pair, **patient)
        started["B"] = _serve(root / "b", pair, OBJECTRY_REPLICA_MAX_LAG_MS="300")
        for server in started.values():
            server.wait_ready()
        yield started
    finally:
        for server in started.values():
            if server.alive():
                server.stop(30)


@pytest.fixture(scope="module")
def world(hosts: dict[str, Server], pair: Pair) -> dict[str, dict[str, str]]:
    """An account with an object `note` (a `title` field), one record, and a read token of the
    same workspace; an account of another workspace. All replayed on the replica."""
    owner = sign_up(hosts["B"])
    with httpx.Client(base_url=hosts["B"].url, headers=owner, timeout=30) as api:
        assert api.post("/api/objects", json={"name": "note", "label": "Note"}
                        ).status_code == 201
        assert api.post("/api/objects/note/fields", json={
            "name": "title", "label": "Title", "type": "text", "config": {}}).status_code == 201
        token = api.post("/api/tokens", json={"name": "reader", "scopes": ["records:read"]})
        assert token.status_code == 201, token.text
    _create(hosts["B"], owner, "first")
    pair.caught_up()
    return {"owner": owner, "reader": {"Authorization": f"Bearer {token.json()['token']}"},
            "stranger": sign_up(hosts["B"])}


def _create(server: Server, headers: dict[str, str], title: str) -> httpx.Response:
    created = httpx.post(f"{server.url}/api/records", headers=headers, timeout=30,
                         json={"object": "note", "data": {"title": title}})
    assert created.status_code == 201, created.text
    return created


def _titles(server: Server, headers: dict[str, str]) -> dict[str, set[str]]:
    """What each read door of `server` shows of `note`: list, /rest/v1 GET, export."""
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as api:
        listed = api.get("/api/records", params={"object": "note", "limit": "1000"})
        rest = api.get("/rest/v1/note", params={"select": "title"})
        export = api.get("/api/objects/note/export", params={"format": "csv",
                                                               "header": "names"})
    assert (listed.status_code, rest.status_code, export.status_code) == (200, 200, 200), (
        listed.text, rest.text, export.text)
    return {"list": {r["data"]["title"] for r in listed.json()["items"]},
            "rest": {r["title"] for r in rest.json()},
            "export": {r["title"] for r in csv.DictReader(io.StringIO(export.text))}}


def _everywhere(titles: set[str]) -> dict[str, set[str]]:
    return {"list": titles, "rest": titles, "export": titles}


def _get(server: Server, headers: dict[str, str], record_id: str) -> httpx.Response:
    return httpx.get(f"{server.url}/api/records/{record_id}", headers=headers, timeout=30)


def test_reads_are_served_by_the_replica(hosts: dict[str, Server], pair: Pair,
                                          world: dict[str, dict[str, str]]) -> None:
    a, owner = hosts["A"], world["owner"]
    assert _titles(a, owner) == _everywhere({"first"})
    with pair.replay_paused():
        second = _create(hosts["B"], owner, "second").json()["id"]  # A has no claim on it
        assert _titles(a, owner) == _everywhere({"first"})  # the replica's (stale) answer
        assert _get(a, owner, second).status_code == 404
        head = httpx.head(f"{a.url}/rest/v1/note", headers={**owner, "Prefer": "count=exact"})
        assert (head.status_code, head.headers["Content-Range"]) == (200, "0-0/1")
        # The primary has it all along.
        assert pair.sql(pair.primary, "SELECT count(*) FROM records") == "2"
    pair.caught_up()
    assert _titles(a, owner) == _everywhere({"first", "second"})
    assert _get(a, owner, second).json()["data"] == {"title": "second"}


def test_the_replica_keeps_workspaces_apart(hosts: dict[str, Server],
                                            world: dict[str, dict[str, str]]) -> None:
    a = hosts["A"]
    mine = httpx.get(f"{a.url}/api/records", params={"object": "note"}, headers=world["owner"])
    record_id = mine.json()["items"][0]["id"]
    assert _get(a, world["stranger"], record_id).status_code == 404
    theirs = httpx.get(f"{a.url}/api/records", params={"object": "note"},
                       headers=world["stranger"])
    assert theirs.status_code == 404, theirs.text
    rest = httpx.get(f"{a.url}/rest/v1/note", headers=world["stranger"])
    assert (rest.status_code, rest.json()["code"]) == (404, "PGRST205")


def test_the_writer_reads_its_write_at_once_on_the_same_host(
        hosts: dict[str, Server], pair: Pair, world: dict[str, dict[str, str]]) -> None:
    a, owner, reader = hosts["A"], world["owner"], world["reader"]
    before = _titles(a, reader)["list"]
    with pair.replay_paused():
        created = _create(a, owner, f"mine-{secrets.token_hex(3)}")
        assert created.headers[LSN].count("/") == 1
        title = created.json()["data"]["title"]
        assert _get(a, owner, created.json()["id"]).status_code == 200
        assert _titles(a, owner) == _everywhere(before | {title})
        # Another principal of the same workspace, with no claim: the replica's answer.
        assert _titles(a, reader) == _everywhere(before)
        # An update, read back by its writer.
        patched = httpx.patch(f"{a.url}/api/records/{created.json()['id']}", headers=owner,
                              json={"data": {"title": title + "!"}})
        assert patched.status_code == 200, patched.text
        assert _get(a, owner, created.json()["id"]).json()["data"]["title"] == title + "!"
    pair.caught_up()


def test_the_lsn_header_carries_a_write_to_another_host(
        hosts: dict[str, Server], pair: Pair, world: dict[str, dict[str, str]]) -> None:
    a, a2, owner = hosts["A"], hosts["A2"], world["owner"]
    with pair.replay_paused():
        created = _create(a, owner, "carried")
        record_id, lsn = created.json()["id"], created.headers[LSN]
        assert _get(a2, owner, record_id).status_code == 404  # A2 knows nothing of it
        claimed = _get(a2, {**owner, MIN_LSN: lsn}, record_id)
        assert (claimed.status_code, claimed.json()["data"]) == (200, {"title": "carried"})
        rest = httpx.get(f"{a2.url}/rest/v1/note", params={"id": f"eq.{record_id}"},
                         headers={**owner, MIN_LSN: lsn})
        assert [row["title"] for row in rest.json()] == ["carried"]
    pair.caught_up()


def test_a_malformed_min_lsn_is_refused(hosts: dict[str, Server],
                                        world: dict[str, dict[str, str]]) -> None:
    answer = httpx.get(f"{hosts['A'].url}/api/records", params={"object": "note"},
                       headers={**world["owner"], MIN_LSN: "yesterday"})
    assert answer.status_code == 400
    assert answer.json()["error"]["details"] == [
        {"field": MIN_LSN, "code": "format", "message": "is not a WAL position"}]


def test_a_replica_lagging_past_the_bound_is_not_read(
        hosts: dict[str, Server], pair: Pair, world: dict[str, dict[str, str]]) -> None:
    reader = world["reader"]
    with pair.replay_paused():
        title = _create(hosts["A"], world["owner"], "lagging").json()["data"]["title"]
        time.sleep(1.5)  # B tolerates 300 ms of lag; its watcher looks every 75 ms
        assert title in _titles(hosts["B"], reader)["list"]  # from the primary
        assert title not in _titles(hosts["A2"], reader)["list"]  # A2 tolerates a minute
    pair.caught_up()


def test_a_replica_behind_a_transaction_pooler(
        tmp_path: Path, pair: Pair, hosts: dict[str, Server],
        world: dict[str, dict[str, str]]) -> None:
    """DATABASE_READ_URL through PgBouncer in transaction mode (`?pgbouncer=true`): the scope
    rides in each transaction's BEGIN there too."""
    asyncio.run(_through_pgbouncer(tmp_path, pair, hosts["B"], world))


async def _through_pgbouncer(tmp_path: Path, pair: Pair, writer: Server,
                             world: dict[str, dict[str, str]]) -> None:
    (tmp_path / "bouncer").mkdir()
    async with pgbouncer(pair.replica.url, tmp_path / "bouncer", pool_size=2) as pooled:
        c = _serve(tmp_path / "c", pair, f"{pooled}?pgbouncer=true",
                   OBJECTRY_REPLICA_MAX_LAG_MS="60000")
        try:
            c.wait_ready()
            before = _titles(c, world["reader"])
            with pair.replay_paused():
                title = _create(writer, world["owner"], "pooled").json()["data"]["title"]
                assert _titles(c, world["reader"]) == before  # the replica's answer
                mine = _create(c, world["owner"], "pooled-mine").json()
                assert _get(c, world["owner"], mine["id"]).status_code == 200
                assert _get(c, world["stranger"], mine["id"]).status_code == 404
            pair.caught_up()
            assert title in _titles(c, world["reader"])["list"]
        finally:
            c.stop(30)


def test_a_read_cancelled_while_it_waits_for_the_replica_gives_its_connection_back(
        hosts: dict[str, Server], pair: Pair) -> None:
    """A client gone while its read waits for the replica to replay its write (hosts: the
    schema and its runtime role are there)."""
    asyncio.run(_cancelled_while_waiting(pair))


async def _cancelled_while_waiting(pair: Pair) -> None:
    replica_pool = await runtime_pool(pair.replica.url, acquire_timeout_ms=1_000)
    primary_pool = await runtime_pool(pair.primary.url, acquire_timeout_ms=1_000)
    replica = Replica(replica_pool, primary_pool, Settings(replica_wait_ms=10_000))
    try:
        with pair.replay_paused():
            pair.sql(pair.primary, f"CREATE TABLE cancelled_{secrets.token_hex(4)} ()")
            written = await replica.committed(None)
            assert written is not None
            needs = request_needs.set(Needs(given=written))
            try:
                entered: list[bool] = []

                async def read() -> None:
                    async with replica.acquire() as conn:
                        entered.append(conn is not None)

                waiting = asyncio.create_task(read())
                await asyncio.sleep(0.5)  # polling the paused replica for the write
                assert not waiting.done() and entered == []
                waiting.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await waiting
            finally:
                request_needs.reset(needs)
            # The pool's one connection is free again (before, the wait kept it for good).
            async with asyncio.timeout(5), replica_pool.acquire() as conn:
                assert await conn.fetchval("SELECT 1") == 1
    finally:
        replica_pool.terminate()  # close() would wait for a connection never given back
        primary_pool.terminate()
    pair.caught_up()


def test_a_stopped_replica_sends_reads_to_the_primary(
        hosts: dict[str, Server], pair: Pair, world: dict[str, dict[str, str]]) -> None:
    a, owner, reader = hosts["A"], world["owner"], world["reader"]
    everything = _titles(a, reader)
    pair.replica.stop("fast")
    started = time.monotonic()
    for _ in range(3):  # the first finds the replica gone, the next ones skip it
        assert _titles(a, reader) == everything
    created = _create(a, owner, "while-down")
    assert _get(a, reader, created.json()["id"]).status_code == 200
    assert time.monotonic() - started < 20  # a guard against hanging, not a target
    # Back again (A retries after 1 s): the replica serves reads once more, stale ones too.
    pair.replica.start()
    pair.caught_up()
    with pair.replay_paused():
        title = _create(hosts["B"], owner, "after").json()["data"]["title"]
        deadline = time.monotonic() + 20
        while title in _titles(a, reader)["list"]:
            assert time.monotonic() < deadline, "A never read from the replica again"
            time.sleep(0.3)
