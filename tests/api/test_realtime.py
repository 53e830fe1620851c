"""/realtime/v1 over real WebSockets: two `objectry serve` processes on one database, clients
speaking Supabase Realtime's Phoenix protocol in both serializers (tests/support/phoenix.py).

"Nothing arrives" is shown without waiting on a clock: after the write that must send nothing,
a write that must be seen follows, and it is the next message."""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest

from tests.api.builders import add_field, make_object, ok
from tests.support.databases import fresh_database
from tests.support.phoenix import Phx, connected, url
from tests.support.servers import PASSWORD, Server, server_env

VSNS = ["1.0.0", "2.0.0"]
ALL_DEALS = [{"event": "*", "schema": "public", "table": "deals"}]
READ = {"Prefer": "return=representation"}
BURSTS = 4  # bulks of 5,000 changes: more than a socket's outbox and the TCP buffers hold


@dataclass
class Workspace:
    http: httpx.AsyncClient  # the owner, on server A
    token: str  # an API token with records:read (the subscribers' apikey)
    owner: str  # the owner's session JWT


@dataclass
class Cluster:
    a: Server
    b: Server
    database_url: str


@pytest.fixture(scope="module")
async def cluster(server_url: str, tmp_path_factory) -> AsyncIterator[Cluster]:
    async with fresh_database(server_url, "objectry_realtime") as url:
        env = server_env(OBJECTRY_REALTIME_RECHECK_SECONDS="1")
        servers = [Server(tmp_path_factory.mktemp(name) / "data", url, env).start()
                   for name in ("a", "b")]
        try:
            for server in servers:
                server.wait_ready()
            yield Cluster(*servers, url)
        finally:
            for server in servers:
                server.stop()


async def workspace(cluster: Cluster) -> Workspace:
    """A new account owning a new workspace with a `deal` object (plural `deals`)."""
    http = httpx.AsyncClient(base_url=cluster.a.url, timeout=30)
    email = f"rt-{secrets.token_hex(6)}@example.com"
    await ok(await http.post("/api/auth/register", json={
        "email": email, "password": PASSWORD, "full_name": "Realtime"}), 201)
    login = await ok(await http.post("/api/auth/login",
                                     json={"email": email, "password": PASSWORD}))
    http.headers["Authorization"] = f"Bearer {login['access_token']}"
    await make_object(http, "deal", plural_name="deals")
    await add_field(http, "deal", "title")
    await add_field(http, "deal", "amount", "number")
    await add_field(http, "deal", "won", "boolean")
    token = await ok(await http.post("/api/tokens", json={
        "name": "realtime", "scopes": ["records:read"]}), 201)
    return Workspace(http, token["token"], login["access_token"])


@pytest.fixture
async def ws_a(cluster) -> AsyncIterator[Workspace]:
    space = await workspace(cluster)
    yield space
    await space.http.aclose()


@pytest.fixture
async def ws_b(cluster) -> AsyncIterator[Workspace]:
    space = await workspace(cluster)
    yield space
    await space.http.aclose()


async def insert(space: Workspace, *rows: dict[str, Any]) -> list[dict[str, Any]]:
    body = rows[0] if len(rows) == 1 else list(rows)
    return await ok(await space.http.post("/rest/v1/deals", json=body, headers=READ), 201)


async def subscribed(phx: Phx, topic: str, changes: list[dict[str, Any]]) -> list[int]:
    """Join with `changes`; check the reply and the system message; the bindings' ids."""
    reply = await phx.join(topic, changes)
    assert reply["payload"]["status"] == "ok"
    bound = reply["payload"]["response"]["postgres_changes"]
    assert [{k: v for k, v in b.items() if k != "id"} for b in bound] == changes
    assert all(isinstance(b["id"], int) for b in bound)
    system = await phx.receive()
    assert system == {"join_ref": reply["ref"], "ref": None, "topic": topic, "event": "system",
                      "payload": {"extension": "postgres_changes", "status": "ok",
                                  "message": "Subscribed to PostgreSQL",
                                  "channel": topic.removeprefix("realtime:")}}
    return [b["id"] for b in bound]


async def change(phx: Phx) -> dict[str, Any]:
    message = await phx.receive()
    assert message["event"] == "postgres_changes", message
    assert message["ref"] is None
    return message["payload"]


def row(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record[k] for k in ("title", "amount", "won")}


@pytest.mark.parametrize("vsn", VSNS)
async def test_insert_update_trash_restore_arrive_as_supabase_sends_them(cluster, ws_a, vsn):
    async with connected(cluster.a.url, ws_a.token, vsn) as phx:
        [binding] = await subscribed(phx, "realtime:any", ALL_DEALS)
        [created] = await insert(ws_a, {"title": "Acme", "amount": 10, "won": False})

        got = await change(phx)
        assert got["ids"] == [binding]
        data = got["data"]
        assert data["schema"] == "public" and data["table"] == "deals"
        assert data["type"] == "INSERT" and data["errors"] is None
        assert data["record"] == created  # the /rest/v1 row, every column
        assert "old_record" not in data
        assert isinstance(data["commit_timestamp"], str)
        assert [c["name"] for c in data["columns"]] == list(created)

        patched = await ok(await ws_a.http.patch(f"/rest/v1/deals?id=eq.{created['id']}",
                                                 json={"amount": 20}, headers=READ))
        data = (await change(phx))["data"]
        assert (data["type"], data["record"], data["old_record"]) == (
            "UPDATE", patched[0], {"id": created["id"]})

        await ok(await ws_a.http.delete(f"/rest/v1/deals?id=eq.{created['id']}"), 204)
        data = (await change(phx))["data"]
        assert (data["type"], data["old_record"], "record" in data) == (
            "DELETE", {"id": created["id"]}, False)

        await ok(await ws_a.http.post(f"/api/records/{created['id']}/restore"))
        data = (await change(phx))["data"]
        assert data["type"] == "INSERT"
        assert row(data["record"]) == {"title": "Acme", "amount": 20, "won": False}


@pytest.mark.parametrize("vsn", VSNS)
async def test_heartbeat_presence_broadcast_ack_and_leave(cluster, ws_a, vsn):
    async with connected(cluster.a.url, ws_a.token, vsn) as phx:
        ref = await phx.push("phoenix", "heartbeat", {})
        assert await phx.receive() == {"join_ref": None, "ref": ref, "topic": "phoenix",
                                       "event": "phx_reply",
                                       "payload": {"status": "ok", "response": {}}}
        reply = await phx.join("realtime:room", presence={"key": "", "enabled": True},
                               broadcast={"ack": True, "self": True})
        assert reply["payload"] == {"status": "ok", "response": {"postgres_changes": []}}
        join_ref = reply["ref"]
        assert await phx.receive() == {"join_ref": join_ref, "ref": None,
                                       "topic": "realtime:room", "event": "presence_state",
                                       "payload": {}}
        sent = {"type": "broadcast", "event": "hello", "payload": {"n": 1}}
        ref = await phx.push("realtime:room", "broadcast", sent, join_ref)
        # The echo (self: true) travels through PostgreSQL and may overtake the ack.
        ack, echoed = sorted([await phx.receive(), await phx.receive()],
                             key=lambda m: m["event"] != "phx_reply")
        assert ack == {"join_ref": join_ref, "ref": ref, "topic": "realtime:room",
                       "event": "phx_reply", "payload": {"status": "ok", "response": {}}}
        assert echoed == {"join_ref": join_ref, "ref": None, "topic": "realtime:room",
                          "event": "broadcast", "payload": sent}
        ref = await phx.push("realtime:room", "presence",
                             {"type": "presence", "event": "track", "payload": {"me": 1}},
                             join_ref)
        assert (await phx.receive())["payload"] == {"status": "ok", "response": {}}
        ref = await phx.push("realtime:room", "phx_leave", {}, join_ref)
        assert await phx.receive() == {"join_ref": join_ref, "ref": ref,
                                       "topic": "realtime:room", "event": "phx_reply",
                                       "payload": {"status": "ok", "response": {}}}
        assert await phx.receive() == {"join_ref": join_ref, "ref": join_ref,
                                       "topic": "realtime:room", "event": "phx_close",
                                       "payload": {}}
        ref = await phx.push("realtime:room", "broadcast", sent, join_ref)
        assert (await phx.receive())["payload"] == {"status": "error",
                                                    "response": {"reason": "unmatched topic"}}


async def test_broadcast_reaches_the_workspace_on_every_process_and_no_other(
        cluster, ws_a, ws_b):
    async with (connected(cluster.a.url, ws_a.token) as sender,
                connected(cluster.b.url, ws_a.token, "2.0.0") as peer,
                connected(cluster.b.url, ws_b.token) as stranger,
                connected(cluster.a.url, ws_b.token) as strangers_peer):
        for phx in (sender, peer, stranger, strangers_peer):
            await phx.join("realtime:room")
        sent = {"type": "broadcast", "event": "cursor", "payload": {"x": 1}}
        await sender.push("realtime:room", "broadcast", sent)
        got = await peer.receive()
        assert (got["event"], got["payload"]) == ("broadcast", sent)
        answer = {**sent, "payload": {"x": 2}}
        await peer.push("realtime:room", "broadcast", answer)
        assert (await sender.receive())["payload"] == answer  # not its own (self: false)
        own = {**sent, "payload": {"x": "b"}}
        await strangers_peer.push("realtime:room", "broadcast", own)
        assert (await stranger.receive())["payload"] == own  # B's first: none of A's came


@pytest.mark.parametrize(("flt", "matching"), [
    ("amount=eq.2", ["two"]), ("amount=neq.2", ["one", "three"]), ("amount=lt.2", ["one"]),
    ("amount=lte.2", ["one", "two"]), ("amount=gt.2", ["three"]),
    ("amount=gte.2", ["two", "three"]), ("amount=in.(1,3)", ["one", "three"]),
    ("title=eq.two", ["two"]), ("title=in.(one,two)", ["one", "two"]),
    ("won=eq.true", ["two"]),
])
async def test_filters(cluster, ws_a, flt, matching):
    """Each change comes once, with the ids of the bindings it matches: the filtered one only
    for matching records (an unfiltered binding on the same channel sees them all)."""
    changes = [{"event": "INSERT", "schema": "public", "table": "deal", "filter": flt},
               {"event": "INSERT", "schema": "public", "table": "deal"}]
    async with connected(cluster.a.url, ws_a.token) as phx:
        filtered, everything = await subscribed(phx, "realtime:filtered", changes)
        await insert(ws_a, {"title": "one", "amount": 1, "won": False},
                     {"title": "two", "amount": 2, "won": True},
                     {"title": "three", "amount": 3})
        seen = [await change(phx) for _ in range(3)]
        assert all(everything in c["ids"] for c in seen)
        assert [c["data"]["record"]["title"] for c in seen if filtered in c["ids"]] == matching


async def test_unknown_table_or_column_is_a_system_error(cluster, ws_a):
    changes = [{"event": "*", "schema": "public", "table": "nope"}]
    async with connected(cluster.a.url, ws_a.token) as phx:
        reply = await phx.join("realtime:x", changes)
        assert reply["payload"]["status"] == "ok"
        system = await phx.receive()
        assert system["event"] == "system"
        assert system["payload"] == {
            "extension": "postgres_changes", "status": "error", "channel": "x",
            "message": "Unable to subscribe to changes with given parameters. Please check"
                       " Realtime is enabled for the given connect parameters: [event: *,"
                       " schema: public, table: nope, filters: []]"}


async def test_workspaces_never_see_each_others_changes(cluster, ws_a, ws_b):
    async with connected(cluster.a.url, ws_b.token, "2.0.0") as phx:
        await subscribed(phx, "realtime:deals", ALL_DEALS)  # same topic and table as A's
        await insert(ws_a, {"title": "A's secret"})
        [mine] = await insert(ws_b, {"title": "B's own"})
        data = (await change(phx))["data"]
        assert data["record"] == mine


async def test_changes_reach_subscribers_on_another_process(cluster, ws_a):
    async with (connected(cluster.b.url, ws_a.token, "2.0.0") as on_b,
                connected(cluster.a.url, ws_a.token) as on_a):
        await subscribed(on_b, "realtime:deals", ALL_DEALS)
        await subscribed(on_a, "realtime:deals", ALL_DEALS)
        [created] = await insert(ws_a, {"title": "everywhere"})
        assert (await change(on_b))["data"]["record"] == created
        assert (await change(on_a))["data"]["record"] == created


async def test_a_rolled_back_bulk_sends_nothing(cluster, ws_a):
    async with connected(cluster.a.url, ws_a.token) as phx:
        await subscribed(phx, "realtime:deals", ALL_DEALS)
        refused = await ws_a.http.post("/rest/v1/deals", json=[
            {"title": "fine", "amount": 1}, {"title": "bad", "amount": "not a number"}])
        assert refused.status_code == 400, refused.text
        [created] = await insert(ws_a, {"title": "after"})
        assert (await change(phx))["data"]["record"] == created


async def test_a_caller_who_may_not_read_gets_nothing(cluster, ws_a):
    await make_object(ws_a.http, "memo", plural_name="memos")
    await add_field(ws_a.http, "memo", "note")
    writer = await ok(await ws_a.http.post("/api/tokens", json={
        "name": "writer", "scopes": ["records:write"]}), 201)
    async with connected(cluster.a.url, writer["token"]) as blind, \
            connected(cluster.a.url, ws_a.token) as reader:
        memos = [{"event": "*", "schema": "public", "table": "memos"}]
        await subscribed(blind, "realtime:memos", memos)
        await subscribed(reader, "realtime:memos", memos)
        await ok(await ws_a.http.post("/rest/v1/memos", json={"note": "hidden"}), 201)
        assert (await change(reader))["data"]["record"]["note"] == "hidden"
        await blind.push("phoenix", "heartbeat", {})  # the next message is its reply
        assert (await blind.receive())["event"] == "phx_reply"


async def test_a_revoked_token_stops_delivery(cluster, ws_a):
    token = await ok(await ws_a.http.post("/api/tokens", json={
        "name": "short", "scopes": ["records:read"]}), 201)
    async with connected(cluster.b.url, token["token"]) as phx:
        await subscribed(phx, "realtime:deals", ALL_DEALS)
        await ok(await ws_a.http.delete(f"/api/tokens/{token['id']}"), 204)
        system = await phx.receive()
        assert (system["event"], system["payload"]["extension"],
                system["payload"]["status"]) == ("system", "system", "error")
        assert (await phx.receive())["event"] == "phx_close"
        await insert(ws_a, {"title": "unseen"})
        await phx.push("phoenix", "heartbeat", {})
        assert (await phx.receive())["event"] == "phx_reply"


async def test_an_invalid_access_token_message_closes_the_channel(cluster, ws_a):
    async with connected(cluster.a.url, ws_a.owner, "2.0.0") as phx:
        reply = await phx.join("realtime:deals", ALL_DEALS)
        await phx.receive()  # system ok
        await phx.push("realtime:deals", "access_token", {"access_token": "not-a-jwt"},
                       reply["ref"])
        system = await phx.receive()
        assert (system["event"], system["payload"]["status"]) == ("system", "error")
        assert (await phx.receive())["event"] == "phx_close"


async def test_a_bad_apikey_is_refused_at_the_upgrade(cluster):
    import websockets

    with pytest.raises(websockets.InvalidStatus) as refused:
        async with connected(cluster.a.url, "obj_not_a_token"):
            pass
    assert refused.value.response.status_code == 403


async def test_a_subscriber_that_reads_nothing_is_dropped_and_holds_no_one_back(cluster, ws_a):
    """A socket's outbox is bounded: one that stops reading is closed (1013) once its outbox
    overflows, while a subscriber that reads gets every change, the last one included."""
    import websockets

    bulk = [{"title": f"t{n}", "amount": n} for n in range(5_000)]
    async with (connected(cluster.a.url, ws_a.token) as fast,
                websockets.connect(url(cluster.a.url, ws_a.token, "1.0.0"), max_queue=1,
                                   compression=None, sock=_small_window(cluster.a.port)
                                   ) as raw):
        await subscribed(fast, "realtime:deals", ALL_DEALS)
        slow = Phx(raw, "1.0.0")
        await subscribed(slow, "realtime:deals", ALL_DEALS)
        raw.transport.pause_reading()  # it reads nothing now
        for _ in range(BURSTS):
            await ok(await ws_a.http.post("/rest/v1/deals", json=bulk), 201)
            for _ in bulk:
                await change(fast)
        [last] = await insert(ws_a, {"title": "last"})
        assert (await change(fast))["data"]["record"] == last
        raw.transport.resume_reading()
        received = 0
        with pytest.raises(websockets.ConnectionClosedError) as closed:
            while True:
                await slow.receive()
                received += 1
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
        assert received < BURSTS * len(bulk)


def _small_window(port: int) -> socket.socket:
    """A client socket with a small receive buffer, so that what it does not read backs up
    into the server soon (loopback's buffers would otherwise hold megabytes; and without
    compression, which would shrink these similar messages tenfold)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    return sock


async def test_a_bulk_is_one_notification_per_hundred_records_once_someone_listens(
        cluster, ws_a):
    """The trigger is per statement: 250 records in one bulk are 3 NOTIFYs of ids, not 250 —
    and none at all while no channel of the workspace is joined (a NOTIFY serialises commits)."""
    notes: list[dict[str, Any]] = []
    listener = await asyncpg.connect(cluster.database_url)
    try:
        await listener.add_listener("objectry_changes",
                                    lambda *args: notes.append(json.loads(args[-1])))
        [unwatched] = await insert(ws_a, {"title": "before anyone listens"})
        async with connected(cluster.a.url, ws_a.owner) as phx:
            await subscribed(phx, "realtime:deals", ALL_DEALS)
            rows = await insert(ws_a, *({"title": f"b{n}"} for n in range(250)))
            [last] = await insert(ws_a, {"title": "last"})

            async def last_arrived() -> None:
                while not notes or notes[-1]["ids"] != [last["id"]]:
                    await asyncio.sleep(0.01)

            await asyncio.wait_for(last_arrived(), 15)
    finally:
        await listener.close()
    ours = [n for n in notes if n["ids"] != [last["id"]]]
    assert [n["ids"] for n in ours] == [[r["id"] for r in rows[i:i + 100]]
                                        for i in (0, 100, 200)]
    assert unwatched["id"] not in {i for n in notes for i in n["ids"]}
    assert {n["op"] for n in ours} == {"create"}
    assert len({n["t"] for n in notes}) == 1


async def test_a_session_ended_by_logout_stops_delivery(cluster, ws_a):
    async with connected(cluster.b.url, ws_a.owner, "2.0.0") as phx:
        await subscribed(phx, "realtime:deals", ALL_DEALS)
        await ok(await ws_a.http.post("/api/auth/logout"), 204)
        system = await phx.receive()  # at the next check (OBJECTRY_REALTIME_RECHECK_SECONDS)
        assert (system["event"], system["payload"]["extension"],
                system["payload"]["status"]) == ("system", "system", "error")
        assert (await phx.receive())["event"] == "phx_close"


async def test_a_change_carries_the_records_computed_values(cluster, ws_a):
    await add_field(ws_a.http, "deal", "double", "formula",
                    {"expression": "{amount} * 2", "result_type": "number"})
    async with connected(cluster.a.url, ws_a.token, VSNS[0]) as phx:
        await subscribed(phx, "realtime:any", ALL_DEALS)
        [created] = await insert(ws_a, {"title": "Acme", "amount": 10})
        data = (await change(phx))["data"]
        assert data["record"] == created and created["double"] == 20
