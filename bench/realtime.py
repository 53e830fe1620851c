"""/realtime/v1 figures: change-to-callback latency and what idle subscribers cost.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m bench.realtime

Starts `objectry serve` (one worker) on a fresh database of that server, then:
1. latency: one subscriber; inserts sent one at a time through POST /rest/v1; the time from
   sending the request to the change message arriving at the client (p50/p95/max);
2. idle subscribers: N more sockets, each joined to a channel bound to another table (so they
   are in the workspace's fan-out but receive nothing), the server's RSS before and after
   (memory per socket), then the latency again with them there.
Prints a Markdown table (paste into bench/RESULTS.md notes or a report).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import psutil
import websockets

from bench.servers import free_port, fresh_database, sign_in, start_objectry

PASSWORD = "correct horse battery staple"


async def _workspace(http: httpx.AsyncClient) -> str:
    await sign_in(http, PASSWORD)
    for name, plural in (("deal", "deals"), ("note", "notes")):
        await http.post("/api/objects", json={"name": name, "label": name, "plural_name": plural})
    await http.post("/api/objects/deal/fields", json={
        "name": "title", "label": "Title", "type": "text", "config": {}})
    token = await http.post("/api/tokens", json={"name": "b", "scopes": ["records:read"]})
    return str(token.json()["token"])


async def _subscriber(base: str, token: str, table: str) -> websockets.ClientConnection:
    ws = await websockets.connect(
        f"{base.replace('http', 'ws')}/realtime/v1/websocket?apikey={token}&vsn=1.0.0")
    await ws.send(json.dumps({"topic": f"realtime:{table}", "event": "phx_join", "ref": "1",
                              "join_ref": "1", "payload": {"config": {"postgres_changes": [
                                  {"event": "*", "schema": "public", "table": table}]}}}))
    await ws.recv()  # the reply
    await ws.recv()  # "Subscribed to PostgreSQL"
    return ws


async def _latencies(http: httpx.AsyncClient, ws: websockets.ClientConnection,
                     inserts: int) -> list[float]:
    out = []
    for n in range(inserts):
        start = time.perf_counter()
        response = await http.post("/rest/v1/deals", json={"title": f"d{n}"})
        assert response.status_code == 201, response.text
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert message["event"] == "postgres_changes", message
        out.append((time.perf_counter() - start) * 1000)
    return out


def _summary(label: str, ms: list[float]) -> str:
    ms = sorted(ms)
    p95 = ms[int(len(ms) * 0.95) - 1]
    return (f"| {label} | {len(ms)} | {statistics.median(ms):.1f} | {p95:.1f} |"
            f" {ms[-1]:.1f} |")


async def run(server_url: str, idle: list[int], inserts: int) -> None:
    database_url = await fresh_database(server_url, "rt")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        process = start_objectry(database_url, port, Path(tmp), OBJECTRY_POOL_MAX="10")
        try:
            worker = psutil.Process(process.pid)
            async with httpx.AsyncClient(base_url=base, timeout=30) as http:
                token = await _workspace(http)
                ws = await _subscriber(base, token, "deals")
                rows = [_summary("no idle subscribers", await _latencies(http, ws, inserts))]
                sockets: list[websockets.ClientConnection] = []
                for total in idle:
                    before, added = worker.memory_info().rss, total - len(sockets)
                    while len(sockets) < total:
                        sockets.append(await _subscriber(base, token, "notes"))
                    per = (worker.memory_info().rss - before) / added
                    rows.append(_summary(f"{total} idle subscribers (RSS +{per / 1024:.0f} KiB"
                                         f" per socket added)",
                                         await _latencies(http, ws, inserts)))
                for s in [ws, *sockets]:
                    await s.close()
        finally:
            process.terminate()
            process.wait(60)
    print("| change → callback | n | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|")
    print("\n".join(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--idle", default="1000,2000", help="idle subscriber counts")
    parser.add_argument("--inserts", type=int, default=200)
    args = parser.parse_args()
    server_url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    asyncio.run(run(server_url, [int(n) for n in args.idle.split(",")], args.inserts))


if __name__ == "__main__":
    main()
