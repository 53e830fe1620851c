"""Three `objectry serve` processes ("hosts" A, B, C) over one fresh database, sharing nothing
but PostgreSQL and the secret key (issue 19, item 1).

- A schema change, a role change and a token revocation made on A are in force on B and C
  within 1 s at the 95th percentile. Each is measured ROUNDS times: after A acknowledges the
  change, B and C are polled every 10 ms (tests/support/hosts.py) until they answer the new
  way; the time is from A's answer to the first answer of B (or C) that shows the change (so it
  includes one request).
  The figures are printed (`-s`) and written in docs/SCALING.md.
- A realtime subscriber on C receives the inserts made on A.
- Webhooks: writes spread over A, B and C are each delivered once while every host stays up;
  with B killed (`kill -9`) mid-stream, every acknowledged write is stored and every committed
  event is delivered, a duplicate only for a delivery B had claimed when it died (counted).

Each host's pool is small (OBJECTRY_POOL_MAX): the database is the suite's shared server."""

from __future__ import annotations

import asyncio
import json
import math
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass

import asyncpg
import httpx
import pytest

from tests.support.databases import fresh_database
from tests.support.hosts import Call, Probe, answers, hosts, in_force, status_is
from tests.support.phoenix import connected
from tests.support.receiver import Receiver, receiving
from tests.support.servers import PASSWORD, Server, server_env, sign_up

ROUNDS = 15  # per kind of change
BOUND = 1.0  # the requirement, on the 95th percentile
WEBHOOK_ENV = {"OBJECTRY_WEBHOOK_ALLOW_PRIVATE": "true",
               "OBJECTRY_WEBHOOK_RETRY_SCHEDULE": "0.2,0.5,1,1,1,1,1,1",
               "OBJECTRY_WEBHOOK_LEASE_SECONDS": "3", "OBJECTRY_WEBHOOK_POLL_SECONDS": "0.5"}
HOST_ENV = {**WEBHOOK_ENV, "OBJECTRY_POOL_MIN": "1", "OBJECTRY_POOL_MAX": "4"}

@dataclass
class Trio:
    database_url: str
    servers: dict[str, Server]

    def api(self, name: str, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.servers[name].url, headers=headers or {},
                                 timeout=30)


@pytest.fixture(scope="module")
async def trio(server_url: str, tmp_path_factory: pytest.TempPathFactory
               ) -> AsyncIterator[Trio]:
    async with fresh_database(server_url, "objectry_multi_host") as url:
        with hosts(tmp_path_factory.mktemp("hosts"), url, server_env(**HOST_ENV)) as servers:
            yield Trio(url, servers)


def percentile(values: list[float], p: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def report(label: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    line = (f"[multi-host] {label}: n={len(ms)} p50 {percentile(ms, 50):.0f} ms, "
            f"p95 {percentile(ms, 95):.0f} ms, max {max(ms):.0f} ms")
    print(line)
    return line


async def timed(change: Awaitable[httpx.Response], status: int, probe: Probe,
                *apis: httpx.AsyncClient) -> tuple[str | None, list[float]]:
    """Make the change on A (it answers `status`); then the seconds until `probe` holds on each
    of `apis`. Also the id the change answered with, if any."""
    response = await change
    assert response.status_code == status, response.text
    seconds = await in_force(time.monotonic(), probe, *apis)
    return (response.json().get("id") if response.content else None), seconds


def summarise(*measured: tuple[str, list[float]]) -> None:
    """Print each measure; the 95th percentile of them all is under the bound."""
    for label, seconds in measured:
        report(label, seconds)
    assert percentile([s for _, seconds in measured for s in seconds], 95) < BOUND


async def workspace(trio: Trio, on: str = "a") -> tuple[dict[str, str], str]:
    """A new workspace (its owner's headers and id) with a `deal` object and a `title` field."""
    headers = sign_up(trio.servers[on])
    async with trio.api(on, headers) as api:
        assert (await api.post("/api/objects", json={
            "name": "deal", "label": "Deal", "plural_name": "deals"})).status_code == 201
        assert (await api.post("/api/objects/deal/fields", json={
            "name": "title", "label": "Title", "type": "text", "config": {}})).status_code == 201
        return headers, str((await api.get("/api/auth/me")).json()["workspace_id"])


async def test_a_schema_change_on_a_is_in_force_on_b_and_c_within_a_second(trio: Trio) -> None:
    owner, _ = await workspace(trio)
    attached: list[float] = []
    detached: list[float] = []
    async with trio.api("a", owner) as a, trio.api("b", owner) as b, trio.api("c", owner) as c:
        deal = (await a.get("/api/objects/deal")).json()["id"]
        for n in range(ROUNDS):
            made = await a.post("/api/fields", json={"name": f"extra_{n}", "label": f"Extra {n}",
                                                     "type": "text", "config": {}})
            assert made.status_code == 201, made.text
            write = Call("POST", "/api/records",
                         {"object": "deal", "data": {"title": "t", f"extra_{n}": "x"}})
            # B and C know the object as it is now (their snapshots are loaded): refused.
            await answers(422, write, b, c)
            link = a.post("/api/object-fields", json={"object_id": deal,
                                                      "field_id": made.json()["id"]})
            link_id, seconds = await timed(link, 201, status_is(201, write), b, c)
            attached += seconds
            gone = a.delete(f"/api/object-fields/{link_id}")
            detached += (await timed(gone, 204, status_is(422, write), b, c))[1]
    summarise(("field attached on A -> writes with it accepted on B, C", attached),
              ("field detached on A -> writes with it refused on B, C", detached))


async def test_a_role_change_on_a_is_in_force_on_b_and_c_within_a_second(trio: Trio) -> None:
    owner, workspace_id = await workspace(trio)
    email = f"editor-{secrets.token_hex(4)}@example.com"
    async with trio.api("a", owner) as a:
        invited = await a.post(f"/api/workspaces/{workspace_id}/members",
                               json={"email": email, "role": "editor"})
        assert invited.status_code == 201, invited.text
        async with trio.api("c") as anonymous:  # joins and signs in on C, used on B and C
            joined = await anonymous.post("/api/auth/register", json={
                "email": email, "password": PASSWORD, "full_name": "Ed",
                "invitation_token": invited.json()["invitation"]["token"]})
            assert joined.status_code == 201, joined.text
            login = await anonymous.post("/api/auth/login", json={
                "email": email, "password": PASSWORD, "workspace_id": workspace_id})
            assert login.status_code == 200, login.text
        members = (await a.get(f"/api/workspaces/{workspace_id}/members")).json()["items"]
        user_id = next(m["user_id"] for m in members if m["email"] == email)
        editor = {"Authorization": f"Bearer {login.json()['access_token']}"}
        write = Call("POST", "/api/records", {"object": "deal", "data": {"title": "by the editor"}})
        member = f"/api/workspaces/{workspace_id}/members/{user_id}"
        demoted: list[float] = []
        promoted: list[float] = []
        async with trio.api("b", editor) as b, trio.api("c", editor) as c:
            await answers(201, write, b, c)
            for _ in range(ROUNDS):
                demoted += (await timed(a.patch(member, json={"role": "viewer"}), 200,
                                        status_is(403, write), b, c))[1]
                promoted += (await timed(a.patch(member, json={"role": "editor"}), 200,
                                         status_is(201, write), b, c))[1]
    summarise(("editor demoted to viewer on A -> writes refused on B, C", demoted),
              ("viewer promoted to editor on A -> writes accepted on B, C", promoted))


async def test_a_token_revoked_on_a_is_refused_on_b_and_c_within_a_second(trio: Trio) -> None:
    owner, _ = await workspace(trio)
    revoked: list[float] = []
    read = Call("GET", "/api/records", params={"object": "deal", "limit": 1})
    async with trio.api("a", owner) as a:
        for n in range(ROUNDS):
            made = await a.post("/api/tokens", json={"name": f"t{n}", "scopes": ["records:read"]})
            assert made.status_code == 201, made.text
            bearer = {"Authorization": f"Bearer {made.json()['token']}"}
            async with trio.api("b", bearer) as b, trio.api("c", bearer) as c:
                # B and C have verified the token (and remember it: tokens/cache.py).
                await answers(200, read, b, c)
                gone = a.delete(f"/api/tokens/{made.json()['id']}")
                revoked += (await timed(gone, 204, status_is(401, read), b, c))[1]
    summarise(("API token revoked on A -> 401 on B, C", revoked))


async def test_a_subscriber_on_c_receives_the_inserts_made_on_a(trio: Trio) -> None:
    owner, _ = await workspace(trio)
    async with trio.api("a", owner) as a:
        token = await a.post("/api/tokens", json={"name": "feed", "scopes": ["records:read"]})
        assert token.status_code == 201, token.text
        async with connected(trio.servers["c"].url, token.json()["token"]) as phx:
            reply = await phx.join("realtime:deals", [
                {"event": "INSERT", "schema": "public", "table": "deals"}])
            assert reply["payload"]["status"] == "ok", reply
            system = await phx.receive()
            assert system["event"] == "system" and system["payload"]["status"] == "ok", system
            seconds: list[float] = []
            for n in range(10):
                sent = time.monotonic()
                made = await a.post("/rest/v1/deals", json={"title": f"deal {n}"},
                                    headers={"Prefer": "return=representation"})
                assert made.status_code == 201, made.text
                message = await phx.receive()
                seconds.append(time.monotonic() - sent)
                assert message["event"] == "postgres_changes", message
                data = message["payload"]["data"]
                assert (data["type"], data["table"]) == ("INSERT", "deals"), data
                assert data["record"] == made.json()[0]
    report("insert on A -> postgres_changes on C (from the write's start)", seconds)


# --- webhooks --------------------------------------------------------------------------------
HOSTS = "abc"


@dataclass
class Stream:
    acked: list[tuple[str, int]]  # (record id, version) of every acknowledged write
    dead: set[str]  # hosts that stopped answering


async def writer(trio: Trio, headers: dict[str, str], first: int, stream: Stream,
                 total: int) -> None:
    """Create a record on one host and update it on the next two (round the hosts), again,
    until `total` writes are acknowledged; a host that stops answering is left alone."""
    apis = {name: trio.api(name, headers) for name in HOSTS}
    turn = first
    try:
        while len(stream.acked) < total:
            live = [name for name in HOSTS if name not in stream.dead]
            chain = [live[(turn + k) % len(live)] for k in range(3)]
            turn += 1
            try:
                created = await apis[chain[0]].post("/api/records", json={
                    "object": "deal", "data": {"title": "v1"}})
                assert created.status_code == 201, created.text
                record = created.json()
                stream.acked.append((record["id"], record["version"]))
                for n, name in enumerate(chain[1:], start=2):
                    changed = await apis[name].patch(f"/api/records/{record['id']}",
                                                     json={"data": {"title": f"v{n}"}})
                    assert changed.status_code == 200, changed.text
                    stream.acked.append((record["id"], changed.json()["version"]))
            except httpx.TransportError:
                stream.dead.update(n for n in HOSTS if not trio.servers[n].alive())
    finally:
        for api in apis.values():
            await api.aclose()


async def hooked(trio: Trio, receiver: Receiver) -> tuple[dict[str, str], str, str]:
    headers, workspace_id = await workspace(trio, "b")
    async with trio.api("b", headers) as b:
        hook = await b.post("/api/webhooks", json={
            "name": "sink", "url": receiver.url, "events": ["record.created", "record.updated"]})
        assert hook.status_code == 201, hook.text
    return headers, workspace_id, str(hook.json()["id"])


async def deliveries(url: str, workspace_id: str, hook: str) -> tuple[list[asyncpg.Record], int]:
    """The hook's deliveries (each committed event's webhook-id, its status, and whether it is
    claimed — leased — now), and how many of the workspace's events are not fanned out yet."""
    conn = await asyncpg.connect(url)
    try:
        rows = list(await conn.fetch(
            "SELECT e.event_id, d.status, d.leased_until > now() AS leased"
            " FROM webhook_deliveries d JOIN webhook_events e"
            " ON e.tenant_id = d.tenant_id AND e.seq = d.event_seq"
            " WHERE d.tenant_id = $1 AND d.webhook_id = $2", workspace_id, hook))
        waiting = await conn.fetchval("SELECT count(*) FROM webhook_events"
                                      " WHERE tenant_id = $1 AND event_id IS NULL", workspace_id)
    finally:
        await conn.close()
    return rows, int(waiting)


async def all_delivered(trio: Trio, receiver: Receiver, workspace_id: str, hook: str
                        ) -> set[str]:
    """Wait until every event is fanned out, no delivery is pending and every committed event
    has reached the receiver; the committed events."""
    deadline = time.monotonic() + 120
    while True:
        rows, waiting = await deliveries(trio.database_url, workspace_id, hook)
        events = {r["event_id"] for r in rows}
        pending = waiting + sum(r["status"] == "pending" for r in rows)
        with receiver.lock:
            seen = {r.headers["webhook-id"] for r in receiver.received}
        if not pending and events <= seen:
            return events
        assert time.monotonic() < deadline, (len(events), pending, len(seen))
        await asyncio.sleep(0.1)


def received(receiver: Receiver) -> tuple[Counter[str], dict[str, dict[str, object]]]:
    """Deliveries per webhook-id, and each event's record (its first delivery)."""
    with receiver.lock:
        bodies = [(r.headers["webhook-id"], json.loads(r.body)) for r in receiver.received]
    first: dict[str, dict[str, object]] = {}
    for event_id, body in bodies:
        first.setdefault(event_id, body["data"]["record"])
    return Counter(event_id for event_id, _ in bodies), first


async def stored(url: str, workspace_id: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT id, version FROM records WHERE tenant_id = $1",
                                workspace_id)
    finally:
        await conn.close()
    return {r["id"]: r["version"] for r in rows}


async def test_webhook_events_of_writes_on_three_hosts_are_each_delivered_once(
        trio: Trio) -> None:
    with receiving() as receiver:
        headers, workspace_id, hook = await hooked(trio, receiver)
        stream = Stream([], set())
        await asyncio.gather(*(writer(trio, headers, n, stream, 90) for n in range(3)))
        events = await all_delivered(trio, receiver, workspace_id, hook)
        counts, first = received(receiver)
    assert len(stream.acked) >= 90 and not stream.dead
    assert set(counts) == events  # nothing lost, nothing made up
    assert [e for e, n in counts.items() if n > 1] == []  # each exactly once
    assert {(str(r["id"]), int(str(r["version"]))) for r in first.values()} == set(stream.acked)
    print(f"[multi-host] webhooks, all hosts up: {len(stream.acked)} writes over A, B, C, "
          f"{len(events)} events, each delivered once")


async def test_kill_9_of_b_mid_stream_loses_no_write_and_no_webhook_event(
        trio: Trio) -> None:
    """Last in this module: B is killed (and restarted at the end)."""
    b = trio.servers["b"]
    with receiving() as receiver:
        receiver.delay = 0.02  # deliveries in flight when B dies
        headers, workspace_id, hook = await hooked(trio, receiver)
        stream = Stream([], set())
        writers = [asyncio.create_task(writer(trio, headers, n, stream, 240)) for n in range(6)]
        try:
            deadline = time.monotonic() + 120
            while len(stream.acked) < 90:
                assert time.monotonic() < deadline and b.alive(), b.log()
                await asyncio.sleep(0.01)
            b.kill()
            # B's claims stay leased until their lease runs out: a duplicate may come of them.
            in_flight = {r["event_id"] for r in (await deliveries(
                trio.database_url, workspace_id, hook))[0] if r["leased"]}
            await asyncio.gather(*writers)
            events = await all_delivered(trio, receiver, workspace_id, hook)
            counts, first = received(receiver)
        finally:
            for task in writers:
                task.cancel()
            if not b.alive():
                b.start()
                b.wait_ready()
    assert stream.dead == {"b"}
    versions = await stored(trio.database_url, workspace_id)
    assert all(versions.get(record, 0) >= version for record, version in stream.acked)
    assert set(counts) == events  # every committed event delivered, none made up
    duplicates = {e: n - 1 for e, n in counts.items() if n > 1}
    assert set(duplicates) <= in_flight  # only what B had claimed when it died
    assert {(str(r["id"]), int(str(r["version"]))) for r in first.values()} >= set(stream.acked)
    print(f"[multi-host] webhooks, B killed mid-stream: {len(stream.acked)} writes acknowledged,"
          f" {len(events)} events committed and delivered, {len(in_flight)} deliveries leased "
          f"at the kill, {sum(duplicates.values())} duplicate(s)")

