"""CPU per request of the records hot path, in-process: a guard for refactors, not a benchmark.

`python -m bench.inprocess` (DATABASE_URL: a PostgreSQL server; a fresh database is made on
it and dropped) seeds contacts through the API, then calls the ASGI app directly — no HTTP
client, no sockets — for each operation of bench/ops.py that the hot path serves, and reports
the median over runs of this process's CPU time per request (PostgreSQL's own work runs in
other processes and is not counted). On a busy shared machine CPU time still moves by 10-20%
from run to run, so it also counts the Python bytecode instructions a request executes (traced
with `sys.settrace`: slow, but the same count whatever the load), which tells two commits'
Python work apart to the instruction; C code (asyncpg, orjson, pydantic-core) is not in it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
import httpx
import orjson

from bench import workload as w
from bench.api import Api, connect, session_jwt
from bench.seed_objectry import define_schema
from objectry.main import create_app
from objectry.settings import Settings

T = TypeVar("T")
Request = tuple[str, str, bytes, dict[str, str]]  # method, path?query, body, extra headers
LIST = "order=created_at.desc&limit=50"


class Direct:
    """The ASGI app called as a server would, one request at a time."""

    def __init__(self, app: Any, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    async def __call__(self, method: str, target: str, body: bytes = b"",
                       headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        path, _, query = target.partition("?")
        extra = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
        if body:
            extra += [(b"content-type", b"application/json"),
                      (b"content-length", str(len(body)).encode())]
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
                 "query_string": query.encode(), "root_path": "",
                 "headers": [(b"host", b"bench"), *self.headers, *extra],
                 "client": ("127.0.0.1", 50000), "server": ("bench", 80)}
        sent = {"body": b"", "status": 0}
        chunks = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive() -> dict[str, Any]:
            return chunks.pop() if chunks else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                sent["status"] = message["status"]
            elif message["type"] == "http.response.body":
                sent["body"] += message.get("body", b"")

        await self.app(scope, receive, send)
        return int(sent["status"]), bytes(sent["body"])


def operations(ids: list[str], versions: dict[str, int]) -> dict[str, Callable[[int], Request]]:
    """Each operation as a request for its i-th call (fresh values, as bench/lua/op.lua)."""
    rng = random.Random(11)
    tag = secrets.token_hex(3)

    def create(i: int) -> Request:
        data = {**w.contact(i, rng), "email": f"inproc-{tag}-{i}@example.com"}
        return "POST", "/api/records", orjson.dumps({"object": "contact", "data": data}), {}

    def rest_create(i: int, shown: bool = True) -> Request:
        data = {**w.contact(i, rng), "email": f"inproc-rest{int(shown)}-{tag}-{i}@example.com"}
        return ("POST", "/rest/v1/contact", orjson.dumps(data),
                {"prefer": "return=representation"} if shown else {})

    def patch(i: int) -> Request:
        record_id = ids[i % len(ids)]
        versions[record_id] += 1
        return ("PATCH", f"/api/records/{record_id}",
                orjson.dumps({"data": {"lifetime_value": 99.5 + i}}),
                {"if-match": f'"{versions[record_id] - 1}"'})

    def rest_patch(i: int) -> Request:
        record_id = ids[-1 - i % len(ids)]
        versions[record_id] += 1  # the If-Match of a later PATCH of it
        return ("PATCH", f"/rest/v1/contact?id=eq.{record_id}",
                orjson.dumps({"vip": i % 2 == 0}), {})

    return {
        "create": create,
        "rest_create": rest_create,
        "rest_create_minimal": lambda i: rest_create(i, shown=False),
        "get": lambda i: ("GET", f"/api/records/{ids[i % len(ids)]}", b"", {}),
        "get_signed_in": lambda i: ("GET", f"/api/records/{ids[i % len(ids)]}", b"", {}),
        "list_indexed": lambda i: ("GET", f"/api/records?object=contact&age=eq.{18 + i % 62}"
                                   f"&{LIST}", b"", {}),
        "patch": patch,
        "rest_list": lambda i: ("GET", f"/rest/v1/contact?select=*&age=eq.{18 + i % 62}&{LIST}",
                                b"", {}),
        "rest_patch": rest_patch,
    }


async def cpu_per_request(call: Direct, make: Callable[[int], Request], start: int, n: int
                          ) -> float:
    """µs of this process's CPU per request over n sequential requests."""
    began = time.process_time_ns()
    for i in range(start, start + n):
        method, target, body, headers = make(i)
        status, answer = await call(method, target, body, headers)
        if status >= 300:
            raise RuntimeError(f"{method} {target} → {status}: {answer[:300]!r}")
    return (time.process_time_ns() - began) / n / 1000


async def opcodes_per_request(call: Direct, make: Callable[[int], Request], start: int, n: int
                              ) -> float:
    """Python bytecode instructions executed on this thread per request (what DB I/O, C code
    and other processes cannot blur)."""
    count = 0

    def local(frame: Any, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "opcode":
            count += 1
        return local

    def new_frame(frame: Any, event: str, arg: Any) -> Any:
        frame.f_trace_opcodes = True
        return local

    sys.settrace(new_frame)
    try:
        await cpu_per_request(call, make, start, n)
    finally:
        sys.settrace(None)
    return count / n


async def seed(api: Api, count: int) -> tuple[list[str], dict[str, int]]:
    await define_schema(api)
    rows = list(w.contacts(count))
    made = await api.call("POST", "/api/records/bulk", {
        "object": "contact", "records": [{"data": r} for r in rows]})
    ids = [item["id"] for item in made["items"]]
    return ids, dict.fromkeys(ids, 1)


async def measure(url: str, args: argparse.Namespace) -> dict[str, list[float]]:
    settings = Settings(database_url=url, pool_min_size=2, pool_max_size=4,
                        stop_embedded_on_exit=False, secret_key=secrets.token_hex(32))
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        api = await connect("http://bench", httpx.ASGITransport(app=app))
        ids, versions = await seed(api, args.records)
        call = Direct(app, api.headers)
        # A signed-in app's requests carry a session JWT instead (supabase-js after sign-in).
        signed_in = Direct(app, {"authorization": f"Bearer {await session_jwt(api)}"})
        ops = {name: make for name, make in operations(ids, versions).items()
               if not args.ops or name in args.ops.split(",")}
        caller = {name: signed_in if name.endswith("_signed_in") else call for name in ops}
        for name, make in ops.items():  # warm-up: plans memoised, caches filled
            await cpu_per_request(caller[name], make, 0, args.warmup)
        results: dict[str, list[float]] = {name: [] for name in ops}
        for run in range(args.runs):  # operations interleaved, so drift touches them alike
            for name, make in ops.items():
                start = args.warmup + run * args.requests
                results[name].append(await cpu_per_request(caller[name], make, start,
                                                           args.requests))
        start = args.warmup + args.runs * args.requests
        for name, make in ops.items():
            results[name].append(await opcodes_per_request(caller[name], make, start,
                                                           args.opcodes))
        await api.aclose()
    return results


async def in_fresh_database(prefix: str, run: Callable[[str], Awaitable[T]]) -> T:
    """`run(url)` on a new database of DATABASE_URL's server, dropped afterwards."""
    server = os.environ["DATABASE_URL"]
    name = prefix + secrets.token_hex(4)
    admin = await asyncpg.connect(server)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        return await run(server.rsplit("/", 1)[0] + "/" + name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def main(args: argparse.Namespace) -> None:
    results = await in_fresh_database("objectry_inproc_", lambda url: measure(url, args))
    print(f"| operation | CPU µs/request (median of {args.runs} × {args.requests}) | min | max"
          f" | Python opcodes/request (mean of {args.opcodes}) |")
    print("|---|---|---|---|---|")
    for op, values in results.items():
        cpu, opcodes = values[:-1], values[-1]
        print(f"| {op} | {statistics.median(cpu):.0f} | {min(cpu):.0f} | {max(cpu):.0f} | "
              f"{opcodes:,.0f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__)
    parser.add_argument("--records", type=int, default=2000, help="seeded contacts")
    parser.add_argument("--requests", type=int, default=300, help="requests per run")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=100, help="requests per op before")
    parser.add_argument("--opcodes", type=int, default=50, help="traced requests per op")
    parser.add_argument("--ops", help="comma-separated operations to measure (default: all)")
    try:
        from uvloop import run  # the server's loop
    except ImportError:
        run = asyncio.run
    run(main(parser.parse_args()))
