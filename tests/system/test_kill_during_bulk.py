"""`kill -9` of the server in the middle of bulk imports (several clients, batches of 500
records): after a restart, each batch is all or nothing, and every batch the server
acknowledged (201) is there in full."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import httpx

from tests.support.load import client, request
from tests.support.servers import Server, batch_counts, server_env, settled, sign_up

BATCH = 500
IMPORTERS = 3
ACKED_BEFORE_KILL = 4  # batches; then the kill lands while others are in flight


async def _import(api: httpx.AsyncClient, importer: int, sent: list[str],
                  acked: dict[str, set[str]]) -> None:
    """Bulk after bulk until the server is gone; each batch tagged in its primary field."""
    for k in range(1, 10_000):
        tag = f"c{importer}-{k}"
        sent.append(tag)
        records = [{"data": {"batch": tag, "n": n}} for n in range(BATCH)]
        outcome = await request(api, "bulk", "POST", "/api/records/bulk",
                                json={"object": "item", "records": records})
        if outcome.status is None:
            return  # killed: this batch's fate is unknown to the client
        assert outcome.status == 201, outcome
        acked[tag] = {item["id"] for item in outcome.body["items"]}


async def test_kill_9_during_bulk_imports(tmp_path, new_database):
    url = await new_database("objectry_kill")
    env = server_env()
    server = Server(tmp_path / "data", url, env).start()
    server.wait_ready()
    headers = sign_up(server)
    async with client(server.url, headers) as api:
        assert (await api.post("/api/objects", json={"name": "item", "label": "Item"})
                ).status_code == 201
        for name, type_ in (("batch", "text"), ("n", "number")):
            assert (await api.post("/api/objects/item/fields", json={
                "name": name, "label": name.title(), "type": type_, "config": {}})
                    ).status_code == 201

    sent: list[str] = []
    acked: dict[str, set[str]] = {}
    clients = [client(server.url, headers) for _ in range(IMPORTERS)]
    tasks = [asyncio.create_task(_import(api, i, sent, acked)) for i, api in enumerate(clients)]
    deadline = time.monotonic() + 120
    while len(acked) < ACKED_BEFORE_KILL:
        assert time.monotonic() < deadline and server.alive(), server.log()
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.15)  # into the next round of batches
    server.kill()
    await asyncio.gather(*tasks)
    for api in clients:
        await api.aclose()

    restarted = Server(tmp_path / "data", url, env).start()
    try:
        restarted.wait_ready()
        await settled(url)
        counts = await batch_counts(url)
        stored_ids = await _ids(url)
    finally:
        restarted.stop()

    unknown = [tag for tag in sent if tag not in acked]
    assert {counts.get(tag, 0) for tag in sent} <= {0, BATCH}, counts  # all or nothing
    assert all(counts.get(tag) == BATCH for tag in acked), counts  # acknowledged: all there
    assert set().union(*acked.values()) <= stored_ids
    assert set(counts) <= set(sent)
    committed_unacked = [tag for tag in unknown if counts.get(tag) == BATCH]
    print(f"\n[kill -9 during bulk] {len(sent)} batches of {BATCH} sent by {IMPORTERS} clients, "
          f"{len(acked)} acknowledged (all {len(acked) * BATCH} records present), "
          f"{len(unknown)} in flight at the kill: {len(committed_unacked)} committed whole, "
          f"{len(unknown) - len(committed_unacked)} not at all; no partial batch")


async def _ids(url: str) -> set[str]:
    conn = await asyncpg.connect(url)
    try:
        return {row["id"] for row in await conn.fetch("SELECT id FROM records")}
    finally:
        await conn.close()
