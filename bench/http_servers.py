"""uvicorn (httptools, uvloop) against granian for `objectry serve`, each with the ceiling app
(bench/ceiling_app.py) on the same server, so the Objectry/ceiling ratio stays honest.

`DATABASE_URL=… python -m bench.http_servers` (needs `wrk` and `pip install granian`): a fresh
database on that server, Objectry's schema and `--records` contacts made through its API; the
ceiling reads the same `records` rows (as the database owner). Four servers of one worker each
(Objectry and the ceiling, under uvicorn and under granian) answer GET by id and create, driven
by `wrk -c16` for `--seconds` a run, the four interleaved, `--rounds` rounds. Prints req/s per
round and the medians."""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson

from bench import workload as w
from bench.api import connect
from bench.inprocess import in_fresh_database
from bench.seed_objectry import define_schema
from bench.servers import free_port

LUA_CREATE = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, string.format(BODY, TAG .. "-" .. counter))
end
"""


def command(server: str, app: str, port: int) -> list[str]:
    bin_dir = Path(sys.executable).parent
    if server == "uvicorn":
        return [str(bin_dir / "uvicorn"), app, "--factory", "--port", str(port), "--workers",
                "1", "--log-level", "warning", "--no-proxy-headers", "--no-access-log",
                "--loop", "uvloop", "--http", "httptools"]
    return [str(bin_dir / "granian"), "--interface", "asgi", "--factory", "--port", str(port),
            "--workers", "1", "--loop", "uvloop", "--log-level", "warning", app]


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=out)


def wait_ready(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} not ready")


def wrk(url: str, seconds: float, headers: dict[str, str], script: Path | None) -> float:
    args = ["wrk", "-t1", "-c16", f"-d{seconds:g}s", "--timeout", "10s"]
    for key, value in headers.items():
        args += ["-H", f"{key}: {value}"]
    if script is not None:
        args += ["-s", str(script)]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if match is None or errors is not None:
        raise RuntimeError(out)
    return float(match[1])


async def measure(url: str, args: argparse.Namespace) -> dict[str, list[float]]:
    tmp = Path(tempfile.mkdtemp(prefix="objectry-servers-"))
    env = {**os.environ, "DATABASE_URL": url, "OBJECTRY_DATA_DIR": str(tmp)}
    procs: list[subprocess.Popen[bytes]] = []
    ports: dict[str, int] = {}
    try:
        for server in ("uvicorn", "granian"):  # one after the other: migrations run once
            ports[f"objectry {server}"] = port = free_port()
            procs.append(start(command(server, "objectry.main:create_app", port), env,
                               tmp / f"objectry-{server}.log"))
            wait_ready(f"http://127.0.0.1:{port}/health/ready")
        api = await connect(f"http://127.0.0.1:{ports['objectry uvicorn']}")
        seeded = await define_schema(api)
        made = await api.call("POST", "/api/records/bulk", {
            "object": "contact", "records": [{"data": r} for r in w.contacts(args.records)]})
        record_id = made["items"][0]["id"]
        owner = await asyncpg.connect(url)
        tenant = await owner.fetchval("SELECT tenant_id FROM records WHERE id = $1", record_id)
        await owner.close()
        await api.aclose()
        ceiling_env = {**env, "CEILING_DATABASE_URL": url, "CEILING_TENANT": tenant,
                       "CEILING_CONTACT_OBJECT": seeded.contact_object_id,
                       "CEILING_RELATIONSHIP": seeded.relationship_id,
                       "CEILING_FIELDS": orjson.dumps(seeded.field_ids).decode()}
        for server in ("uvicorn", "granian"):
            ports[f"ceiling {server}"] = port = free_port()
            procs.append(start(command(server, "bench.ceiling_app:create_app", port),
                               ceiling_env, tmp / f"ceiling-{server}.log"))
            wait_ready(f"http://127.0.0.1:{port}/health")
        data = {**w.contact(0, random.Random(1)), "email": "s%s@example.com"}
        create_body = orjson.dumps({"object": "contact", "data": data}).decode()
        ceiling_body = orjson.dumps({"data": data}).decode()
        bodies = {"objectry": create_body, "ceiling": ceiling_body}
        results: dict[str, list[float]] = {}
        for round_ in range(args.rounds):
            for name, port in ports.items():
                app = name.split()[0]
                base = f"http://127.0.0.1:{port}"
                auth = api.headers if app == "objectry" else {}
                get_path = (f"/api/records/{record_id}" if app == "objectry"
                            else f"/records/{record_id}")
                create_path = "/api/records" if app == "objectry" else "/records"
                results.setdefault(f"{name} get", []).append(
                    wrk(base + get_path, args.seconds, auth, None))
                script = tmp / f"create-{name.replace(' ', '-')}-{round_}.lua"  # unique e-mails
                script.write_text(f"BODY = {lua_string(bodies[app])}\n"
                                  f"TAG = {lua_string(script.stem)}\n" + LUA_CREATE)
                results.setdefault(f"{name} create", []).append(
                    wrk(base + create_path, args.seconds, auth, script))
        return results
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def report(results: dict[str, list[float]]) -> str:
    lines = ["| server | operation | Objectry req/s (runs) | ceiling req/s (runs) |"
             " Objectry/ceiling (median) |", "|---|---|---|---|---|"]
    for server in ("uvicorn", "granian"):
        for op in ("get", "create"):
            ours, theirs = results[f"objectry {server} {op}"], results[f"ceiling {server} {op}"]
            ratio = statistics.median(a / b for a, b in zip(ours, theirs, strict=True))
            lines.append(f"| {server} | {op} | {fmt(ours)} | {fmt(theirs)} | {ratio:.2f} |")
    return "\n".join(lines)


def fmt(values: list[float]) -> str:
    return f"{statistics.median(values):,.0f} ({', '.join(f'{v:,.0f}' for v in values)})"


async def main(args: argparse.Namespace) -> None:
    results: Any = await in_fresh_database("objectry_servers_",
                                           lambda url: measure(url, args))
    print(report(results))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.http_servers", description=__doc__)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4)
    asyncio.run(main(parser.parse_args()))
