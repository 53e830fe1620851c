"""SIGTERM to `objectry serve` on its embedded PostgreSQL, under a steady stream of writes:
requests in flight are drained (a 5,000-record bulk sent just before still answers 201), the
process exits cleanly within the grace period, the embedded server is stopped, and after a
restart every acknowledged write is there."""

from __future__ import annotations

import asyncio
import signal
import time

import httpx

from tests.support.load import Outcome, client, request
from tests.support.servers import CLEAN_EXIT, Server, embedded_sql, server_env, sign_up

GRACE_SECONDS = 10
WRITERS = 3
BIG_BULK = 5_000


async def _write(api: httpx.AsyncClient, outcomes: list[Outcome]) -> None:
    """One record after another until the server stops answering."""
    for n in range(1_000_000):
        outcome = await request(api, "create", "POST", "/api/records",
                                json={"object": "entry", "data": {"label": f"w{n}"}})
        outcomes.append(outcome)
        if outcome.status is None:
            return


async def test_sigterm_drains_writes_and_stops_postgres(tmp_path):
    data_dir = tmp_path / "data"
    env = server_env(OBJECTRY_SHUTDOWN_GRACE_SECONDS=str(GRACE_SECONDS))
    server = Server(data_dir, env=env).start()
    server.wait_ready()
    headers = sign_up(server)
    async with client(server.url, headers) as api:
        assert (await api.post("/api/objects", json={"name": "entry", "label": "Entry"})
                ).status_code == 201
        assert (await api.post("/api/objects/entry/fields", json={
            "name": "label", "label": "Label", "type": "text", "config": {}})).status_code == 201

    outcomes: list[Outcome] = []
    clients = [client(server.url, headers) for _ in range(WRITERS + 1)]
    writers = [asyncio.create_task(_write(api, outcomes)) for api in clients[:WRITERS]]
    await asyncio.sleep(1.0)
    bulk = asyncio.create_task(request(clients[-1], "bulk", "POST", "/api/records/bulk", json={
        "object": "entry", "records": [{"data": {"label": f"b{n}"}} for n in range(BIG_BULK)]}))
    await asyncio.sleep(0.2)  # the bulk is being read or written when the signal comes
    assert server.process is not None
    signalled = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    code = await asyncio.to_thread(server.process.wait, GRACE_SECONDS + 30)
    exited = time.monotonic() - signalled
    drained = await bulk
    await asyncio.gather(*writers)
    for api in clients:
        await api.aclose()

    assert code == 0, server.log()
    assert not (data_dir / "pgdata" / "postmaster.pid").exists(), "PostgreSQL left running"
    assert drained.status == 201, drained
    answered = [o for o in outcomes if o.status is not None]
    assert {o.status for o in answered} == {201}, {(o.status, o.code) for o in answered}
    acked = {o.body["id"] for o in answered} | {item["id"] for item in drained.body["items"]}

    restarted = Server(data_dir, env=env, port=server.port).start()
    try:
        restarted.wait_ready()
        present = await embedded_sql(data_dir / "pgdata",
                                     "SELECT count(*) FROM records WHERE id = any($1::text[])",
                                     list(acked))
    finally:
        assert restarted.stop() in CLEAN_EXIT
    assert present == len(acked)
    print(f"\n[graceful shutdown] {len(answered)} single writes and a {BIG_BULK}-record bulk "
          f"acknowledged ({len(acked)} records), {len(outcomes) - len(answered)} refused at the "
          f"door after SIGTERM; exited {code} in {exited:.2f}s (grace {GRACE_SECONDS}s); "
          f"embedded PostgreSQL stopped; all {present} present after restart")
