"""Webhook figures: deliveries per second to a local receiver, and what active webhooks add
to a write's latency.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m bench.webhooks

Starts `objectry serve` (one worker, OBJECTRY_WEBHOOK_ALLOW_PRIVATE) on a fresh database of
that server and a minimal HTTP/1.1 receiver on 127.0.0.1 (keep-alive, answers 204), then:
1. write latency: creates through POST /api/records, one at a time, with 0 and then 5 active
   webhooks (each subscribed to every record event, so each create is 5 deliveries being sent
   meanwhile): p50/p95/max;
2. throughput: bulk creates (`--records`, in batches of 500) with the 5 webhooks; deliveries
   per second from the first batch sent to the last delivery received.
Prints a Markdown table. `--no-worker`: the same latencies with a server that sends nothing, so
the outbox's own cost shows apart from the sending's share of the process and the database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bench.servers import free_port, fresh_database, sign_in, start_objectry

PASSWORD = "correct horse battery staple"
EVENTS = ["record.created", "record.updated", "record.deleted", "record.restored"]


class Sink:
    """An HTTP/1.1 receiver that counts requests: headers, Content-Length body, 204."""

    def __init__(self) -> None:
        self.count = 0
        self.last = 0.0
        self.port = free_port()

    async def start(self) -> asyncio.Server:
        return await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                self.count += 1
                self.last = time.monotonic()
                writer.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
        except asyncio.CancelledError:  # the bench is over: kept-alive connections end here
            writer.close()


async def _workspace(http: httpx.AsyncClient) -> None:
    await sign_in(http, PASSWORD)
    await http.post("/api/objects", json={"name": "deal", "label": "Deal"})
    await http.post("/api/objects/deal/fields", json={
        "name": "title", "label": "Title", "type": "text", "config": {}})


async def _create_latencies(http: httpx.AsyncClient, count: int) -> list[float]:
    latencies = []
    for n in range(count):
        started = time.perf_counter()
        response = await http.post("/api/records", json={"object": "deal",
                                                          "data": {"title": f"t{n}"}})
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 201, response.text
    return latencies


def _row(label: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return (f"| {label} | {len(values)} | {statistics.median(values):.2f} | {p95:.2f} |"
            f" {ordered[-1]:.2f} |")


async def _drain(sink: Sink, expected: int, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while sink.count < expected:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {sink.count} of {expected} deliveries arrived")
        await asyncio.sleep(0.05)


async def run(server_url: str, creates: int, records: int, worker: bool) -> None:
    sink = Sink()
    listening = await sink.start()
    url = await fresh_database(server_url, "wh")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        process = start_objectry(
            url, port, Path(tmp), OBJECTRY_WEBHOOK_WORKER="true" if worker else "false",
            OBJECTRY_POOL_MAX="10", OBJECTRY_WEBHOOK_ALLOW_PRIVATE="true",
            OBJECTRY_WEBHOOK_CONCURRENCY_PER_URL="8")
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}",
                                         timeout=60) as http:
                await _workspace(http)
                await _create_latencies(http, 50)  # warm-up
                without = await _create_latencies(http, creates)
                for n in range(5):
                    created = await http.post("/api/webhooks", json={
                        "name": f"hook {n}", "url": f"http://127.0.0.1:{sink.port}/h{n}",
                        "events": EVENTS})
                    assert created.status_code == 201, created.text
                with_hooks = await _create_latencies(http, creates)
                if not worker:  # the outbox's cost alone: nothing is sent
                    print_rows(without, with_hooks)
                    return
                await _drain(sink, creates * 5)
                before = sink.count
                started = time.monotonic()
                for start in range(0, records, 500):
                    batch = [{"data": {"title": f"b{n}"}}
                             for n in range(start, min(records, start + 500))]
                    response = await http.post("/api/records/bulk",
                                               json={"object": "deal", "records": batch})
                    assert response.status_code == 201, response.text
                written = time.monotonic() - started
                await _drain(sink, before + records * 5)
                elapsed = sink.last - started
        finally:
            process.terminate()
            process.wait(timeout=30)
            listening.close()
    print_rows(without, with_hooks)
    print(f"\n{records} records by bulk ({written:.2f} s to write) × 5 webhooks = "
          f"{records * 5} deliveries in {elapsed:.2f} s: {records * 5 / elapsed:.0f} deliveries/s")


def print_rows(without: list[float], with_hooks: list[float]) -> None:
    print("| creates through /api/records | n | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|---|")
    print(_row("0 webhooks", without))
    print(_row("5 active webhooks", with_hooks))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--creates", type=int, default=300)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--no-worker", action="store_true",
                        help="the server sends nothing (OBJECTRY_WEBHOOK_WORKER=false): what the"
                             " outbox alone adds to a write")
    args = parser.parse_args()
    server_url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    asyncio.run(run(server_url, args.creates, args.records, not args.no_worker))


if __name__ == "__main__":
    main()
