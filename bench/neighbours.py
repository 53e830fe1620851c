"""`python -m bench.neighbours`: noisy neighbours (issue 18, item 4), measured.

One `objectry serve --workers 2` on a fresh embedded database holds `--workspaces` workspaces:
one big one (`--big-records` records of an object with `--indexed` indexed fields, flagged
through the API so the real index DDL runs), one small measured one (made through the API, as
a user would), and the rest small ones seeded straight in SQL by the owner role (one object,
`--small-records` records each). The big workspace's records are inserted in SQL too, before
its fields are flagged: the API's bulk path is measured by `python -m bench`, not here.

The small workspace gets a fixed rate of get-by-id and list-50 requests from an open-loop
client (bench/openloop.py) in three settings, p50/p99 each:
  (a) the machine otherwise idle;
  (b) while the big workspace runs a heavy mix from another process (unindexed filters over
      all its rows, indexed lists, bulk inserts of 10,000, CSV exports);
  (c) the same as (b) on a server restarted with a short statement timeout
      (OBJECTRY_STATEMENT_TIMEOUT_MS, `--limited-timeout-ms`), with its own idle baseline.
The server's per-workspace admission control (OBJECTRY_WORKSPACE_CONCURRENCY, default half
the pool per process) applies as set in this process's environment: `=0` measures without it.
CPU seconds of the server's workers and of PostgreSQL during each phase say where the
machine's time went.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson

from bench import openloop, profile
from bench.__main__ import _stop_on_signals as stop_on_signals
from bench.api import Api, connect
from bench.ceiling_db import url_of_running
from bench.objectry_db import valid_field_indexes
from bench.runner import vacuum_analyze
from bench.seed_objectry import BATCH
from bench.servers import Server, clean_env, objectry_command

TYPES = ("number", "text", "date")
PRIMES = (31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113,
          127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181, 191, 193, 197, 199)
FIRST_DAY = dt.date(2020, 1, 1)
U_VALUES = 100_000  # the unindexed field's values: ~10 rows each at 1M, so a filter scans all
SMALL_USER = {"email": "small@example.com", "password": "bench-password-0123456789",
              "full_name": "Small Workspace"}


@dataclass
class Options:
    big_records: int = 1_000_000
    workspaces: int = 1000
    small_records: int = 100
    indexed: int = 30
    rate: float = 50.0  # small workspace requests per second (half get, half list)
    seconds: float = 30.0  # per measured phase
    heavy_warmup: float = 10.0  # the heavy mix runs this long before the small one is measured
    limited_timeout_ms: int = 1000
    workers: int = 2
    unindexed_loops: int = 2
    indexed_loops: int = 2
    bulk_loops: int = 1
    export_loops: int = 1
    attribute: bool = False  # after (b), one heavy phase per kind alone
    profile_seconds: float = 0.0  # py-spy on the workers during each heavy phase
    keep: bool = False
    smoke: bool = False
    json_out: Path | None = None


SMOKE = {"big_records": 20_000, "workspaces": 50, "indexed": 3, "rate": 20.0, "seconds": 2.0,
         "heavy_warmup": 1.0}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- the big workspace's fields and values (the same in SQL and in Python) ---

def big_fields(indexed: int) -> list[dict[str, Any]]:
    """name (primary), u (number, never indexed), then f00… (indexed after the seeding)."""
    specs: list[dict[str, Any]] = [
        {"name": "name", "label": "Name", "type": "text", "is_required": True},
        {"name": "u", "label": "Unindexed", "type": "number", "config": {"integer": True}}]
    for j in range(indexed):
        spec: dict[str, Any] = {"name": f"f{j:02d}", "label": f"F{j:02d}", "type": TYPES[j % 3]}
        if spec["type"] == "number":
            spec["config"] = {"integer": True}
        specs.append(spec)
    return specs


def value_sql(type_name: str, j: int) -> str:
    """Field j's value for row g, as SQL over the integer column g."""
    k = f"(g * {PRIMES[j % len(PRIMES)]} + {j})"
    if type_name == "number":
        return f"({k} % 1000)"
    if type_name == "text":
        return f"('v' || ({k} % 500))"
    return f"to_char(date '{FIRST_DAY.isoformat()}' + ({k} % 1000)::int, 'YYYY-MM-DD')"


def value_py(type_name: str, j: int, g: int) -> Any:
    """The same as value_sql, in Python (rows for the heavy mix's bulk inserts)."""
    k = g * PRIMES[j % len(PRIMES)] + j
    if type_name == "number":
        return k % 1000
    if type_name == "text":
        return f"v{k % 500}"
    return (FIRST_DAY + dt.timedelta(days=k % 1000)).isoformat()


def big_row(g: int, indexed: int) -> dict[str, Any]:
    row: dict[str, Any] = {"name": f"Item {g}", "u": (g * 7919) % U_VALUES}
    for j in range(indexed):
        row[f"f{j:02d}"] = value_py(TYPES[j % 3], j, g)
    return row


def insert_big_sql(field_ids: dict[str, str], indexed: int) -> str:
    """$1 tenant, $2 object, $3/$4 first/last g, $5 total; field ids as later parameters."""
    params: list[str] = []
    pairs = []

    def key(name: str) -> str:
        params.append(field_ids[name])
        return f"${5 + len(params)}::text"

    pairs.append(f"{key('name')}, 'Item ' || g")
    pairs.append(f"{key('u')}, (g * 7919) % {U_VALUES}")
    for j in range(indexed):
        pairs.append(f"{key(f'f{j:02d}')}, {value_sql(TYPES[j % 3], j)}")
    created = "now() - make_interval(secs => ($5 - g) / 1000.0)"
    return ("INSERT INTO records (tenant_id, id, object_id, data, primary_value, created_at, "
            "updated_at) SELECT $1, 'rec_' || substr(md5($1 || '-' || g), 1, 16), $2, "
            f"jsonb_build_object({', '.join(pairs)}), 'Item ' || g, {created}, {created} "
            "FROM generate_series($3::bigint, $4::bigint) g")


def big_params(field_ids: dict[str, str], indexed: int) -> list[str]:
    return [field_ids["name"], field_ids["u"]] + [field_ids[f"f{j:02d}"] for j in range(indexed)]


# --- the small workspaces seeded in SQL ---

NEIGHBOURS = [
    "CREATE TEMP TABLE nb AS SELECT 'wsp_' || substr(md5('nb-' || g), 1, 16) AS w, g "
    "FROM generate_series(1, $1::int) g",
]
NEIGHBOUR_ROWS = [
    "INSERT INTO workspaces (id, name) SELECT w, 'Neighbour ' || g FROM nb",
    "INSERT INTO fields (tenant_id, id, name, label, type) "
    "SELECT w, 'fld_' || substr(md5(w || 'name'), 1, 16), 'name', 'Name', 'text' FROM nb "
    "UNION ALL SELECT w, 'fld_' || substr(md5(w || 'n'), 1, 16), 'n', 'N', 'number' FROM nb",
    "INSERT INTO objects (tenant_id, id, name, label, plural_name, primary_field_id) "
    "SELECT w, 'obj_' || substr(md5(w || 'item'), 1, 16), 'item', 'Item', 'items', "
    "'fld_' || substr(md5(w || 'name'), 1, 16) FROM nb",
    "INSERT INTO object_fields (tenant_id, id, object_id, field_id, display_order, is_required) "
    "SELECT w, 'ofd_' || substr(md5(w || f), 1, 16), 'obj_' || substr(md5(w || 'item'), 1, 16), "
    "'fld_' || substr(md5(w || f), 1, 16), o, f = 'name' "
    "FROM nb, (VALUES ('name', 0), ('n', 1)) AS x(f, o)",
]
NEIGHBOUR_RECORDS = (
    "INSERT INTO records (tenant_id, id, object_id, data, primary_value, created_at, "
    "updated_at) SELECT w, 'rec_' || substr(md5(w || '-' || r), 1, 16), "
    "'obj_' || substr(md5(w || 'item'), 1, 16), "
    "jsonb_build_object('fld_' || substr(md5(w || 'name'), 1, 16), 'Item ' || r, "
    "'fld_' || substr(md5(w || 'n'), 1, 16), r), 'Item ' || r, "
    "now() - make_interval(secs => r), now() - make_interval(secs => r) "
    "FROM nb, generate_series(1, $1::int) r")


async def seed_neighbours(pg: str, count: int, records: int) -> None:
    conn = await asyncpg.connect(pg)
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL statement_timeout = 0")
            await conn.execute(NEIGHBOURS[0].replace("$1::int", str(int(count))))
            for sql in NEIGHBOUR_ROWS:
                await conn.execute(sql)
            await conn.execute(NEIGHBOUR_RECORDS, records)
    finally:
        await conn.close()


# --- seeding through the API, and the big workspace's rows ---

@dataclass
class Seeded:
    big_object: str
    big_tenant: str
    big_auth: dict[str, str]
    small_auth: dict[str, str]
    small_ids: list[str]


async def make_object(api: Api, fields: list[dict[str, Any]]) -> tuple[str, dict[str, str],
                                                                       dict[str, str]]:
    """The object `item` with these fields: its id, field ids and object-field ids by name."""
    obj = await api.call("POST", "/api/objects", {"name": "item", "label": "Item",
                                                  "plural_name": "items"})
    field_ids = {}
    for spec in fields:
        field_ids[spec["name"]] = (await api.call("POST", "/api/objects/item/fields", spec))["id"]
    attached = await api.call("GET", "/api/object-fields", object_id=obj["id"])
    rows = attached["items"] if isinstance(attached, dict) else attached
    by_field = {r["field_id"]: r["id"] for r in rows}
    return obj["id"], field_ids, {n: by_field[f] for n, f in field_ids.items()}


async def seed(opts: Options, url: str, pg: str) -> Seeded:
    big = await connect(url)
    small = await connect(url, user=SMALL_USER)
    try:
        log("small measured workspace through the API")
        await make_object(small, [{"name": "name", "label": "Name", "type": "text",
                                   "is_required": True},
                                  {"name": "n", "label": "N", "type": "number"}])
        made = await small.call("POST", "/api/records/bulk", {
            "object": "item", "mode": "insert",
            "records": [{"data": {"name": f"Item {i}", "n": i}}
                        for i in range(opts.small_records)]})
        small_ids = [item["id"] for item in made["items"]]
        others = max(0, opts.workspaces - 2)
        log(f"{others:,} more small workspaces in SQL, {opts.small_records} records each")
        started = time.perf_counter()
        await seed_neighbours(pg, others, opts.small_records)
        log(f"  {time.perf_counter() - started:.1f} s")
        log(f"big workspace: {len(big_fields(opts.indexed))} fields through the API")
        big_object, field_ids, ofd_ids = await make_object(big, big_fields(opts.indexed))
        conn = await asyncpg.connect(pg)
        try:
            tenant = await conn.fetchval("SELECT tenant_id FROM objects WHERE id = $1",
                                         big_object)
            sql = insert_big_sql(field_ids, opts.indexed)
            params = big_params(field_ids, opts.indexed)
            started = time.perf_counter()
            step = 100_000
            for first in range(1, opts.big_records + 1, step):
                last = min(opts.big_records, first + step - 1)
                await conn.execute(sql, tenant, big_object, first, last, opts.big_records,
                                   *params, timeout=None)
                log(f"  {last:,} records in SQL ({time.perf_counter() - started:.0f} s)")
        finally:
            await conn.close()
        await vacuum_analyze(pg)
        log(f"flagging {opts.indexed} fields is_indexed through the API (the real index DDL)")
        started = time.perf_counter()
        for j in range(opts.indexed):
            await big.call("PATCH", f"/api/object-fields/{ofd_ids[f'f{j:02d}']}",
                           {"is_indexed": True})
        await wait_indexes(pg, opts.indexed)
        log(f"  {opts.indexed} valid indexes in {time.perf_counter() - started:.0f} s")
        return Seeded(big_object, tenant, big.headers, small.headers, small_ids)
    finally:
        await big.aclose()
        await small.aclose()


async def wait_indexes(pg: str, n: int, timeout: float = 3600.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await valid_field_indexes(pg) >= n:
            return
        await asyncio.sleep(1.0)
    raise RuntimeError(f"fewer than {n} valid field indexes after {timeout:.0f} s")


# --- the heavy mix (its own process, so its client does not share the measured event loop) --

async def heavy(cfg: dict[str, Any]) -> dict[str, Any]:
    """Loops of heavy requests on the big workspace until cfg["seconds"] have passed; the
    statuses and durations of each kind."""
    deadline = time.monotonic() + cfg["seconds"]
    numbers = [f"f{j:02d}" for j in range(cfg["indexed"]) if TYPES[j % 3] == "number"]
    stats: dict[str, dict[str, Any]] = {}
    rows = [big_row(cfg["first_g"] + i, cfg["indexed"]) for i in range(BATCH)]
    bulk_body = orjson.dumps({"object": "item", "mode": "insert",
                              "records": [{"data": r} for r in rows]})
    page = "order=created_at.desc&limit=50"

    async def unindexed(client: httpx.AsyncClient, rng: random.Random) -> int:
        r = await client.get(f"/api/records?object=item&u=eq.{rng.randrange(U_VALUES)}&{page}")
        return r.status_code

    async def indexed(client: httpx.AsyncClient, rng: random.Random) -> int:
        name = rng.choice(numbers)
        r = await client.get(f"/api/records?object=item&{name}=eq.{rng.randrange(1000)}&{page}")
        return r.status_code

    async def bulk(client: httpx.AsyncClient, rng: random.Random) -> int:
        r = await client.post("/api/records/bulk", content=bulk_body,
                              headers={"content-type": "application/json"})
        return r.status_code

    async def export(client: httpx.AsyncClient, rng: random.Random) -> int:
        async with client.stream("GET", f"/api/objects/{cfg['object']}/export?format=csv") as r:
            async for _ in r.aiter_raw():
                if time.monotonic() > deadline:
                    break
            return r.status_code

    kinds = {"unindexed": unindexed, "indexed": indexed, "bulk": bulk, "export": export}

    async def loop(kind: str, k: int, client: httpx.AsyncClient) -> None:
        rng = random.Random(k)
        entry = stats.setdefault(kind, {"statuses": Counter(), "seconds": []})
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                status = await kinds[kind](client, rng)
            except httpx.HTTPError:
                status = 0
            entry["statuses"][str(status)] += 1
            entry["seconds"].append(time.monotonic() - started)

    async with httpx.AsyncClient(base_url=cfg["url"], headers=cfg["auth"],
                                 timeout=httpx.Timeout(300.0),
                                 limits=httpx.Limits(max_connections=32)) as client:
        tasks = [asyncio.create_task(loop(kind, k, client))
                 for kind in kinds for k in range(cfg["loops"].get(kind, 0))]
        _, pending = await asyncio.wait(tasks, timeout=cfg["seconds"] + 1)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    return {kind: {"requests": len(e["seconds"]), "statuses": dict(e["statuses"]),
                   "median_s": openloop.percentile(e["seconds"], 50),
                   "max_s": max(e["seconds"], default=0.0)} for kind, e in stats.items()}


def start_heavy(opts: Options, url: str, seeded: Seeded, seconds: float, workdir: Path,
                first_g: int) -> tuple[subprocess.Popen[bytes], Path]:
    out = workdir / f"heavy-{first_g}.json"
    cfg = {"url": url, "auth": seeded.big_auth, "object": seeded.big_object,
           "indexed": opts.indexed, "seconds": seconds, "first_g": first_g, "out": str(out),
           "loops": {"unindexed": opts.unindexed_loops, "indexed": opts.indexed_loops,
                     "bulk": opts.bulk_loops, "export": opts.export_loops}}
    path = workdir / f"heavy-{first_g}.cfg.json"
    path.write_text(json.dumps(cfg))
    process = subprocess.Popen([sys.executable, "-m", "bench.neighbours", "--heavy", str(path)],
                               cwd=Path(__file__).resolve().parents[1])
    return process, out


# --- CPU accounting: where the machine's time went during a phase ---

def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _postgres_pids(pgdata: Path) -> list[int]:
    try:
        postmaster = int((pgdata / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError):
        return []
    out = [postmaster]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == postmaster:
                out.append(int(entry.name))
    return out


def _machine_busy() -> float:
    """Seconds of CPU time spent (not idle) by the whole machine since boot."""
    parts = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(parts) - parts[3] - parts[4]) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(server: Server, pgdata: Path) -> dict[str, float]:
    return {"objectry": sum(_cpu_seconds(p) for p in server.worker_pids()),
            "postgres": sum(_cpu_seconds(p) for p in _postgres_pids(pgdata)),
            "machine": _machine_busy()}


# --- the phases ---

async def small_load(opts: Options, url: str, seeded: Seeded) -> dict[str, Any]:
    ids = seeded.small_ids
    lists = "/api/records?object=item&order=created_at.desc&limit=50"
    async with httpx.AsyncClient(base_url=url, headers=seeded.small_auth, timeout=60.0,
                                 limits=httpx.Limits(max_connections=256)) as client:
        for i in range(10):  # open the connections and warm the caches; not measured
            await client.get(f"/api/records/{ids[i % len(ids)]}")
            await client.get(lists)

        async def send(kind: str, i: int) -> int:
            path = f"/api/records/{ids[(i * 7) % len(ids)]}" if kind == "get" else lists
            return (await client.get(path)).status_code

        slots = openloop.schedule(opts.rate, opts.seconds, ("get", "list"))
        samples, late = await openloop.run(slots, send)
    return {**openloop.summary(samples), "late_ms": late * 1000}


async def phase(name: str, opts: Options, server: Server, pgdata: Path, seeded: Seeded,
                workdir: Path, heavy_from: int | None) -> dict[str, Any]:
    process = out = None
    if heavy_from is not None:
        process, out = start_heavy(opts, server.url, seeded,
                                   opts.heavy_warmup + opts.seconds + 1, workdir, heavy_from)
        await asyncio.sleep(opts.heavy_warmup)
    recorders = []
    if heavy_from is not None and opts.profile_seconds > 0:
        recorders = profile.start(server.worker_pids(), min(opts.profile_seconds, opts.seconds),
                                  workdir, name.strip("() ").replace(" ", "-"))
    before, load_before = cpu_snapshot(server, pgdata), os.getloadavg()[0]
    started = time.perf_counter()
    result = await small_load(opts, server.url, seeded)
    wall = time.perf_counter() - started
    if recorders:
        result["profile"] = busy_workers(profile.finish(recorders), len(recorders),
                                         min(opts.profile_seconds, opts.seconds))
    after, load_after = cpu_snapshot(server, pgdata), os.getloadavg()[0]
    result["cpu_share"] = {k: (after[k] - before[k]) / wall for k in before}
    result["load"] = [load_before, load_after]
    if process is not None and out is not None:
        process.wait(timeout=opts.heavy_warmup + opts.seconds + 120)
        result["heavy"] = json.loads(out.read_text()) if out.exists() else {"error": "no output"}
    a = result["all"]
    log(f"{name:16} p50 {a['p50_ms']:7.2f} ms  p99 {a['p99_ms']:7.2f} ms  "
        f"errors {a['errors']}/{a['requests']}  late {result['late_ms']:.1f} ms  "
        f"cpu/s objectry {result['cpu_share']['objectry']:.2f} "
        f"postgres {result['cpu_share']['postgres']:.2f} "
        f"machine {result['cpu_share']['machine']:.2f}")
    if "profile" in result:
        busy = result["profile"]
        log(f"{'':16} workers busy {100 * busy['busy_share']:.0f}%: " + ", ".join(
            f"{k} {v:.0f}%" for k, v in busy["packages"][:6]))
    if "heavy" in result:
        log(f"{'':16} heavy: " + ", ".join(
            f"{k} {v['requests']} ({v['statuses']})" for k, v in result["heavy"].items()))
    return result


def busy_workers(lines: list[str], workers: int, seconds: float) -> dict[str, Any]:
    """py-spy samples only running threads: samples / (rate × seconds × workers) is how busy
    the workers' event loops were; the hot spots say with what."""
    spots = profile.hot_spots(lines, top=12)
    return {"busy_share": spots["samples"] / (250 * max(1, int(seconds)) * max(1, workers)),
            "packages": spots["packages"][:8], "self": spots["self"][:12]}


def ratios(idle: dict[str, Any], busy: dict[str, Any]) -> dict[str, float]:
    return {f"{kind}_{q}": busy[kind][q] / idle[kind][q]
            for kind in ("all", "get", "list") for q in ("p50_ms", "p99_ms")
            if kind in idle and kind in busy and idle[kind][q] > 0}


def start_server(opts: Options, tmp: Path, **env: str) -> Server:
    server = Server("objectry", [], clean_env(OBJECTRY_OPEN_SIGNUP="1", **env),
                    tmp / "objectry.log")
    server.command = objectry_command(server.port, tmp / "objectry", opts.workers)
    log(f"starting {' '.join(server.command)} {env or ''}")
    server.start("/health/ready", timeout=300)
    return server


async def run(opts: Options) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="objectry-neighbours-"))
    pgdata = tmp / "objectry" / "pgdata"
    result: dict[str, Any] = {"options": {k: str(v) if isinstance(v, Path) else v
                                          for k, v in asdict(opts).items()},
                              "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
                              "load_start": list(os.getloadavg())}
    server = start_server(opts, tmp)
    try:
        pg = url_of_running(pgdata)
        started = time.perf_counter()
        seeded = await seed(opts, server.url, pg)
        result["seed_seconds"] = time.perf_counter() - started
        g = opts.big_records + 1
        result["idle"] = await phase("(a) idle", opts, server, pgdata, seeded, tmp, None)
        result["heavy"] = await phase("(b) heavy", opts, server, pgdata, seeded, tmp, g)
        if opts.attribute:
            result["alone"] = {}
            for kind in ("unindexed", "indexed", "bulk", "export"):
                loops: dict[str, Any] = {f"{k}_loops": getattr(opts, f"{k}_loops")
                                         if k == kind else 0
                                         for k in ("unindexed", "indexed", "bulk", "export")}
                alone = replace(opts, **loops)
                g += 2 * BATCH
                result["alone"][kind] = await phase(f"(b) {kind} only", alone, server, pgdata,
                                                    seeded, tmp, g)
                result["alone"][kind]["ratio"] = ratios(result["idle"], result["alone"][kind])
        server.stop()
        server = start_server(opts, tmp,
                              OBJECTRY_STATEMENT_TIMEOUT_MS=str(opts.limited_timeout_ms))
        result["limited_idle"] = await phase("(c) idle", opts, server, pgdata, seeded, tmp,
                                             None)
        result["limited_heavy"] = await phase("(c) heavy", opts, server, pgdata, seeded, tmp,
                                              g + 2 * BATCH)
        result["ratio_heavy"] = ratios(result["idle"], result["heavy"])
        result["ratio_limited"] = ratios(result["limited_idle"], result["limited_heavy"])
        result["load_end"] = list(os.getloadavg())
        return result
    except BaseException:
        opts.keep = True
        log(f"server log: {tmp / 'objectry.log'}")
        raise
    finally:
        server.stop()
        if opts.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def table(result: dict[str, Any]) -> str:
    lines = ["| setting | kind | p50 ms | p99 ms | errors | ratio p50 | ratio p99 |",
             "|---|---|---|---|---|---|---|"]
    for key, label, ratio in (("idle", "(a) idle", None), ("heavy", "(b) heavy", "ratio_heavy"),
                              ("limited_idle", "(c) idle, short timeout", None),
                              ("limited_heavy", "(c) heavy, short timeout", "ratio_limited")):
        for kind in ("get", "list", "all"):
            r = result[key][kind]
            rp50 = f"{result[ratio][kind + '_p50_ms']:.2f}×" if ratio else ""
            rp99 = f"{result[ratio][kind + '_p99_ms']:.2f}×" if ratio else ""
            lines.append(f"| {label} | {kind} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
                         f"{r['errors']}/{r['requests']} | {rp50} | {rp99} |")
    return "\n".join(lines)


def parse(argv: list[str]) -> Options:
    d = Options()
    p = argparse.ArgumentParser(prog="python -m bench.neighbours", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--smoke", action="store_true", help="tiny sizes, < 60 s")
    p.add_argument("--big-records", type=int, help=f"default {d.big_records:,}")
    p.add_argument("--workspaces", type=int, help=f"default {d.workspaces:,}")
    p.add_argument("--small-records", type=int, help=f"default {d.small_records}")
    p.add_argument("--indexed", type=int, help=f"indexed fields in the big one ({d.indexed})")
    p.add_argument("--rate", type=float, help=f"small workspace req/s ({d.rate:g})")
    p.add_argument("--seconds", type=float, help=f"per phase ({d.seconds:g})")
    p.add_argument("--heavy-warmup", type=float, help=f"seconds ({d.heavy_warmup:g})")
    p.add_argument("--limited-timeout-ms", type=int,
                   help=f"statement timeout in (c) ({d.limited_timeout_ms})")
    p.add_argument("--workers", type=int)
    for kind in ("unindexed", "indexed", "bulk", "export"):
        p.add_argument(f"--{kind}-loops", type=int, help="heavy requests of this kind in flight")
    p.add_argument("--attribute", action="store_true",
                   help="after (b), one heavy phase per kind alone (which kind hurts)")
    p.add_argument("--profile-seconds", type=float,
                   help="py-spy on the workers during each heavy phase (0: off)")
    p.add_argument("--keep", action="store_true", help="keep the temporary data and logs")
    p.add_argument("--json", dest="json_out", type=Path, help="write the raw figures there")
    args = vars(p.parse_args(argv))
    given = {k: v for k, v in args.items() if v is not None and v is not False}
    return replace(d, **{**(SMOKE if args["smoke"] else {}), **given})


def main(argv: list[str]) -> int:
    if argv[:1] == ["--heavy"]:
        cfg = json.loads(Path(argv[1]).read_text())
        Path(cfg["out"]).write_text(json.dumps(asyncio.run(heavy(cfg))))
        return 0
    stop_on_signals()  # Ctrl-C and SIGTERM still stop the server and remove the data
    opts = parse(argv)
    result = asyncio.run(run(opts))
    print(table(result))
    print(f"load average: start {result['load_start'][0]:.2f}, end {result['load_end'][0]:.2f}")
    if opts.json_out is not None:
        opts.json_out.write_text(json.dumps(result, indent=1))
    if opts.smoke:
        bad = [k for k in ("idle", "heavy", "limited_idle", "limited_heavy")
               if result[k]["all"]["errors"] > 0]
        if bad or not result["heavy"].get("heavy"):
            print(f"smoke: small workspace errors in {bad}", file=sys.stderr)
            return 1
        print("smoke: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
