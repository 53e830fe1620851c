"""`kill -9` of the server during a stream of writes to a workspace with a webhook (a slow
receiver, so deliveries are in flight): after a restart every committed change reaches the
receiver — at least once, the duplicates counted — in order per record, none lost."""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict

import asyncpg
import httpx

from tests.support.load import client, request
from tests.support.receiver import receiving
from tests.support.servers import Server, server_env, sign_up

WRITERS = 4
ACKED_BEFORE_KILL = 120  # writes; then the kill lands while others are in flight
WEBHOOK_ENV = {"OBJECTRY_WEBHOOK_ALLOW_PRIVATE": "true",
               "OBJECTRY_WEBHOOK_RETRY_SCHEDULE": "0.2,0.5,1,1,1,1,1,1",
               "OBJECTRY_WEBHOOK_LEASE_SECONDS": "3", "OBJECTRY_WEBHOOK_POLL_SECONDS": "0.5"}


async def _write(api: httpx.AsyncClient, acked: list[tuple[str, int]]) -> None:
    """Create a record, update it twice, again, until the server is gone; every acknowledged
    write is kept as (record id, version)."""
    while True:
        created = await request(api, "create", "POST", "/api/records",
                                json={"object": "deal", "data": {"title": "v1"}})
        if created.status is None:
            return
        assert created.status == 201, created
        acked.append((created.body["id"], created.body["version"]))
        for n in (2, 3):
            changed = await request(api, "update", "PATCH", f"/api/records/{created.body['id']}",
                                    json={"data": {"title": f"v{n}"}})
            if changed.status is None:
                return
            assert changed.status == 200, changed
            acked.append((changed.body["id"], changed.body["version"]))


async def _committed(url: str, workspace: str) -> dict[str, int]:
    """Events per record, as committed (the history the outbox was written beside)."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT record_id, count(*) AS n FROM record_events"
                                " WHERE tenant_id = $1 GROUP BY 1", workspace)
    finally:
        await conn.close()
    return {r["record_id"]: r["n"] for r in rows}


async def test_kill_9_during_writes_loses_no_webhook_event(tmp_path, new_database):
    url = await new_database("objectry_webhook_kill")
    env = server_env(**WEBHOOK_ENV)
    with receiving() as receiver:
        receiver.delay = 0.02
        server = Server(tmp_path / "data", url, env).start()
        server.wait_ready()
        headers = sign_up(server)
        async with client(server.url, headers) as api:
            assert (await api.post("/api/objects", json={"name": "deal", "label": "Deal"})
                    ).status_code == 201
            assert (await api.post("/api/objects/deal/fields", json={
                "name": "title", "label": "Title", "type": "text", "config": {}})
                    ).status_code == 201
            hook = await api.post("/api/webhooks", json={
                "name": "sink", "url": receiver.url,
                "events": ["record.created", "record.updated"]})
            assert hook.status_code == 201, hook.text
            workspace = (await api.get("/api/auth/me")).json()["workspace_id"]

        acked: list[tuple[str, int]] = []
        clients = [client(server.url, headers) for _ in range(WRITERS)]
        tasks = [asyncio.create_task(_write(api, acked)) for api in clients]
        deadline = time.monotonic() + 120
        while len(acked) < ACKED_BEFORE_KILL:
            assert time.monotonic() < deadline and server.alive(), server.log()
            await asyncio.sleep(0.01)
        server.kill()
        await asyncio.gather(*tasks)
        for api in clients:
            await api.aclose()
        received_at_kill = len(receiver.received)

        restarted = Server(tmp_path / "data", url, env).start()
        try:
            restarted.wait_ready()
            committed = await _committed(url, workspace)
            expected = sum(committed.values())
            deadline = time.monotonic() + 120
            while len({r.headers["webhook-id"] for r in receiver.received}) < expected:
                assert time.monotonic() < deadline, (len(receiver.received), expected)
                await asyncio.sleep(0.1)
        finally:
            restarted.stop()

    bodies = [(r.headers["webhook-id"], json.loads(r.body)) for r in receiver.received]
    first: dict[str, dict[str, object]] = {}
    for event_id, body in bodies:
        first.setdefault(event_id, body["data"]["record"])
    versions: dict[str, list[int]] = defaultdict(list)
    for record in first.values():
        versions[str(record["id"])].append(int(str(record["version"])))
    assert {record: len(v) for record, v in versions.items()} == committed  # none lost
    assert all(v == sorted(v) for v in versions.values())  # in order per record
    delivered = {(record, v) for record, vs in versions.items() for v in vs}
    assert set(acked) <= delivered
    duplicates = len(bodies) - len(first)
    print(f"\n[webhooks kill -9] {len(acked)} writes acknowledged, {expected} committed, "
          f"{received_at_kill} delivered before the kill, {len(first)} distinct events "
          f"delivered after the restart, {duplicates} duplicates")
