"""Faults one request at a time, against a real server (pool of 3 connections): concurrent
read-modify-write PATCHes with If-Match lose no update; clients that go away mid-request (half
a body, or a whole bulk they never wait for) leave the server healthy, the pool whole, and no
partial write."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest

from tests.support.databases import fresh_database
from tests.support.load import client
from tests.support.servers import Server, batch_counts, server_env, settled, sign_up

POOL_MAX = 3
WRITERS = 8
TRIES = 2_000  # PATCHes in all
BULK = 500
DROPS = 2 * POOL_MAX + 2  # each way of leaving: more than the pool could lose


@pytest.fixture(scope="module")
async def served(server_url: str, tmp_path_factory) -> AsyncIterator[tuple[Server, str, dict]]:
    async with fresh_database(server_url, "objectry_requests") as url:
        server = Server(tmp_path_factory.mktemp("requests") / "data", url,
                        server_env(OBJECTRY_POOL_MAX=str(POOL_MAX))).start()
        try:
            server.wait_ready()
            yield server, url, sign_up(server)
        finally:
            server.stop()


async def _object(api: httpx.AsyncClient, name: str, fields: dict[str, str]) -> None:
    assert (await api.post("/api/objects", json={"name": name, "label": name.title()})
            ).status_code == 201
    for field, type_ in fields.items():
        assert (await api.post(f"/api/objects/{name}/fields", json={
            "name": field, "label": field.title(), "type": type_, "config": {}})
                ).status_code == 201


async def test_concurrent_if_match_patches_lose_no_update(served):
    server, _, headers = served
    async with client(server.url, headers) as api:
        await _object(api, "counter", {"label": "text", "n": "number"})
        created = await api.post("/api/records", json={"object": "counter",
                                                       "data": {"label": "c", "n": 0}})
        record_id = created.json()["id"]
        tally = {"tries": 0, "ok": 0, "stale": 0}
        started = time.monotonic()
        await asyncio.gather(*(_increment(api, record_id, tally) for _ in range(WRITERS)))
        seconds = time.monotonic() - started
        final = (await api.get(f"/api/records/{record_id}")).json()
    assert tally["tries"] == TRIES and tally["ok"] + tally["stale"] == TRIES
    assert final["data"]["n"] == tally["ok"]  # every acknowledged increment, none lost
    assert final["version"] == 1 + tally["ok"]
    print(f"\n[if-match] {TRIES} PATCH tries by {WRITERS} writers in {seconds:.1f}s: "
          f"{tally['ok']} succeeded, {tally['stale']} answered 412; final n = {final['data']['n']}"
          f", version {final['version']}: 0 lost updates")


async def _increment(api: httpx.AsyncClient, record_id: str, tally: dict[str, int]) -> None:
    record = (await api.get(f"/api/records/{record_id}")).json()
    while tally["tries"] < TRIES:
        tally["tries"] += 1
        response = await api.patch(f"/api/records/{record_id}",
                                   json={"data": {"n": record["data"]["n"] + 1}},
                                   headers={"If-Match": str(record["version"])})
        if response.status_code == 200:
            tally["ok"] += 1
            record = response.json()
            continue
        assert response.status_code == 412, response.text
        assert response.json()["error"]["code"] == "version_mismatch"
        tally["stale"] += 1
        record = (await api.get(f"/api/records/{record_id}")).json()


def _bulk_request(server: Server, headers: dict[str, str], tag: str) -> tuple[bytes, bytes]:
    """A bulk of BULK records tagged `tag`: the request head, and its body."""
    body = orjson.dumps({"object": "dropped", "records": [
        {"data": {"tag": tag, "seq": n}} for n in range(BULK)]})
    head = (f"POST /api/records/bulk HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            f"Authorization: {headers['Authorization']}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    return head, body


def _send_and_leave(port: int, data: bytes, linger: float = 0.0) -> None:
    """Send `data`, wait `linger` seconds (the server is working on it by then), hang up."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        time.sleep(linger)


async def test_clients_that_leave_mid_request(served):
    server, url, headers = served
    async with client(server.url, headers) as api:
        await _object(api, "dropped", {"tag": "text", "seq": "number"})
    for i in range(DROPS):  # half a body, then gone
        head, body = _bulk_request(server, headers, f"half-{i}")
        _send_and_leave(server.port, head + body[: len(body) // 2])
    for i in range(DROPS):  # a whole bulk, gone before the answer: at once, or mid-insert
        head, body = _bulk_request(server, headers, f"whole-{i}")
        _send_and_leave(server.port, head + body, linger=0.05 * (i % 4))

    async with client(server.url, headers) as api:
        answers = [await api.get("/api/records", params={"object": "dropped", "limit": "1"})
                   for _ in range(3 * POOL_MAX)]
        ready = await api.get("/health/ready")
    await settled(url)
    counts = await batch_counts(url)
    assert [a.status_code for a in answers] == [200] * (3 * POOL_MAX)  # no connection leaked
    assert ready.status_code == 200
    assert not [tag for tag in counts if tag.startswith("half-")]  # no partial write
    whole = {tag: n for tag, n in counts.items() if tag.startswith("whole-")}
    assert set(whole.values()) <= {BULK}, whole  # all or nothing
    assert server.alive()
    _report(counts, whole)


def _report(counts: dict[str, Any], whole: dict[str, int]) -> None:
    print(f"\n[disconnects] {DROPS} clients left after half a bulk body: 0 records written; "
          f"{DROPS} left 0-150 ms after a whole bulk: {len(whole)} committed whole, "
          f"{DROPS - len(whole)} not at all; {3 * POOL_MAX} sequential requests after "
          f"(pool of {POOL_MAX}): all 200")
