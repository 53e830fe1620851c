"""Many hosts (issue 19, item 3): three `objectry serve` hosts over one PostgreSQL, through ONE
PgBouncer in transaction mode (20 server connections) versus straight to PostgreSQL, with the
same 200 client connections (the hosts' pools: 67 + 67 + 66, opened at start).

    python -m bench.hosts [--records 10000] [--seconds 10] [--concurrency 70]

Everything runs on loopback and is bounded: a PostgreSQL cluster of its own (initdb into a
temporary directory, max_connections 260: tests/support/cluster.py), PgBouncer in front of it
(tests/support/pgbouncer.py), and two trios of hosts on that one database (tests/support/
hosts.py, one worker each): three through PgBouncer (200 client connections on 20 server
connections) and three straight to PostgreSQL (200 server connections). The contacts of the
main benchmark (bench/workload.py) are seeded through the API; then, for get by id, list 50
(indexed filter + order) and create, one wrk per host of a trio runs at once (`--concurrency`
connections each, `--seconds`, a 2 s warm-up first), the trios in turn (`--runs`, the order
alternating, medians reported). A run's figure is the sum of the hosts' req/s, the median of
their p50 and the worst of their p99.
The machine's load average is printed with each figure: on a shared machine it matters.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
from tests.support.cluster import private_cluster
from tests.support.hosts import hosts
from tests.support.pgbouncer import pgbouncer, pools
from tests.support.servers import Server, server_env

from bench import objectry_db
from bench.api import Api, connect
from bench.loadgen import Loadgen, Op, Result
from bench.measure import write_ids
from bench.ops import LABELS, objectry_ops
from bench.runner import vacuum_analyze
from bench.seed_objectry import seed
from objectry.settings import DIRECT, TRANSACTION

POOLS = {"a": 67, "b": 67, "c": 66}  # the hosts' pools: 200 client connections in all
SERVER_CONNECTIONS = 20  # PgBouncer's default_pool_size
OPS = ("get", "list_indexed", "create")
WARMUP = 2.0


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.hosts", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--records", type=int, default=10_000, help="seeded contacts")
    p.add_argument("--seconds", type=float, default=10.0, help="per operation and mode")
    p.add_argument("--concurrency", type=int, default=70, help="wrk connections per host")
    p.add_argument("--runs", type=int, default=2, help="per operation and mode (median)")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    return p.parse_args(argv)


def spread(loadgen: Loadgen, servers: dict[str, Server], mode: str, op: Op, seconds: float,
           ids: Path, pool: Path) -> list[Result]:
    """One wrk per host, all at once."""
    with ThreadPoolExecutor(len(servers)) as threads:
        runs = [threads.submit(loadgen.run, f"{mode}-{name}", server.url, op, seconds, ids=ids,
                               pool=pool, tag=f"{mode}-{name}-{op.name}-{seconds:g}")
                for name, server in servers.items()]
        return [run.result() for run in runs]


def combined(results: list[Result]) -> dict[str, float]:
    return {"rps": sum(r.rps for r in results),
            "p50_ms": statistics.median(r.p50_ms for r in results),
            "p99_ms": max(r.p99_ms for r in results),
            "errors": sum(r.errors for r in results),
            "load": os.getloadavg()[0]}


async def sessions(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
            " AND pid <> pg_backend_pid()"))
    finally:
        await conn.close()


def pooler_counts(pooled_url: str) -> str:
    row = next(r for r in pools(pooled_url) if r["database"] == "postgres")
    servers = sum(int(row[k]) for k in ("sv_active", "sv_idle", "sv_used", "sv_tested",
                                        "sv_login"))
    clients = int(row["cl_active"]) + int(row["cl_waiting"])
    return (f"PgBouncer: {clients} clients ({row['cl_waiting']} waiting) on {servers} server "
            "connections")


async def measure(opts: argparse.Namespace, workdir: Path,
                  trios: dict[str, dict[str, Server]], api: Api, ids: Path, pool: Path,
                  direct_url: str, pooled_url: str) -> dict[str, dict[str, dict[str, float]]]:
    """Each operation on each trio in turn (pgbouncer, direct, direct, pgbouncer, …), so that
    the machine's drift falls on both alike; the median of the runs."""
    loadgen = Loadgen(workdir, opts.concurrency)
    runs: dict[str, dict[str, list[dict[str, float]]]] = {m: {n: [] for n in OPS} for m in trios}
    for name in OPS:
        for run in range(opts.runs):
            for mode in (list(trios) if run % 2 == 0 else list(reversed(trios))):
                op = objectry_ops(mode, api.headers)[name]
                if run == 0:
                    spread(loadgen, trios[mode], f"{mode}-warm", op, WARMUP, ids, pool)
                got = combined(spread(loadgen, trios[mode], f"{mode}{run}", op, opts.seconds,
                                      ids, pool))
                runs[mode][name].append(got)
                where = pooler_counts(pooled_url) if mode == "pgbouncer" else ""
                print(f"  {mode:9} {LABELS[name]:32} {got['rps']:7.0f} req/s  "
                      f"p50 {got['p50_ms']:6.1f} ms  p99 {got['p99_ms']:7.1f} ms  "
                      f"errors {got['errors']:.0f}  load {got['load']:.1f}  "
                      f"PostgreSQL sessions {await sessions(direct_url)}  {where}", flush=True)
    return {mode: {name: {k: statistics.median(r[k] for r in rs) for k in rs[0]}
                   for name, rs in by_op.items()} for mode, by_op in runs.items()}


async def prepare(url: str, records: int, direct_url: str, workdir: Path
                  ) -> tuple[Api, Path, Path]:
    """A signed-in client, the contacts seeded through it (statistics fresh), and the id files
    wrk draws from."""
    api = await connect(url)
    seeded = await seed(api, records, bulk_concurrency=2,
                        settle=objectry_db.settler(direct_url))
    await vacuum_analyze(direct_url)
    ids, pool, _ = write_ids(workdir / "ids", seeded.contact_ids, 6)
    print(f"seeded {len(seeded.contact_ids):,} contacts", flush=True)
    return api, ids, pool


async def main(opts: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="objectry-bench-hosts-"))
    try:
        await run(opts, workdir)
    finally:
        if not opts.keep:
            shutil.rmtree(workdir, ignore_errors=True)


async def run(opts: argparse.Namespace, workdir: Path) -> None:
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}, "
          f"{os.cpu_count()} CPUs", flush=True)
    sizes = {name: {"OBJECTRY_POOL_MIN": str(n), "OBJECTRY_POOL_MAX": str(n)}
             for name, n in POOLS.items()}
    env = server_env(OBJECTRY_WEBHOOK_WORKER="false")
    with private_cluster(max_connections=260) as cluster:
        async with pgbouncer(cluster.url, workdir, pool_size=SERVER_CONNECTIONS,
                             max_client_conn=300) as pooled_url:
            pooled_env = {"OBJECTRY_DATABASE_POOLER": TRANSACTION,
                          "OBJECTRY_DIRECT_DATABASE_URL": cluster.url}
            with (hosts(workdir / "pgbouncer", pooled_url, {**env, **pooled_env},
                        per_host=sizes) as via_pooler,
                  hosts(workdir / "direct", cluster.url,
                        {**env, "OBJECTRY_DATABASE_POOLER": DIRECT}, per_host=sizes) as direct):
                api, ids, pool = await prepare(via_pooler["a"].url, opts.records, cluster.url,
                                               workdir)
                try:
                    results = await measure(opts, workdir, {"pgbouncer": via_pooler,
                                                            "direct": direct},
                                            api, ids, pool, cluster.url, pooled_url)
                finally:
                    await api.aclose()
    print(table(results, opts))


def table(results: dict[str, dict[str, dict[str, Any]]], opts: argparse.Namespace) -> str:
    lines = [f"\n3 hosts × {opts.concurrency} wrk connections, {opts.seconds:g} s per op and "
             f"run, median of {opts.runs} runs, "
             f"{opts.records:,} contacts; pools 67+67+66 = 200 client connections\n",
             "| operation | via PgBouncer (20 server conns): req/s, p50, p99 "
             "| direct (200 server conns): req/s, p50, p99 |", "|---|---|---|"]
    for name in OPS:
        cells = [f"{r['rps']:,.0f} req/s, {r['p50_ms']:.1f} ms, {r['p99_ms']:.0f} ms "
                 f"(load {r['load']:.1f})" for r in (results[m][name] for m in results)]
        lines.append(f"| {LABELS[name]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    asyncio.run(main(parse()))
