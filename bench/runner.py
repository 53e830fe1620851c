"""One benchmark run, start to finish: servers, seeding, measurements, profile, metadata
scale, results. `python -m bench` parses options into `Options` and calls `run`."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import asyncpg

from bench import ceiling_db, cpu, machine, metascale, objectry_db, ops, profile, report, roundtrips
from bench.api import Api, connect, session_jwt
from bench.loadgen import Loadgen
from bench.measure import Target, measure, write_ids
from bench.seed_objectry import BATCH, Seeded, bulk_for, link_contacts, seed
from bench.servers import Server, ceiling_command, clean_env, objectry_command

# create last: the lists then see the seeded contacts (the newest of them linked) first
MEASURED = ("get", "get_signed_in", "list_indexed", "list_unindexed", "patch", "rest_patch",
            "rest_list", "rest_embed", "create", "rest_create")
META_OPS = ("create", "get", "list_indexed")
META_USER = {"email": "bench-meta@example.com", "password": "bench-password-0123456789",
             "full_name": "Bench Metadata Scale"}
PROFILED = ("create", "list_indexed")


@dataclass
class Options:
    records: int = 100_000
    duration: float = 8.0
    warmup: float = 2.0
    concurrency: int = 16
    runs: int = 3
    workers: int = 2
    threads: int = 1
    bulk_concurrency: int = 2
    links: int | None = None  # default: min(records, 10k), the newest contacts
    link_concurrency: int = 16
    meta_objects: int = 1000  # workspace size for the metadata-scale measurement
    meta_fields: int = 50
    meta_concurrency: int = 8
    profile_seconds: float = 8.0
    out: Path | None = None
    keep: bool = False
    smoke: bool = False
    command: str = "python -m bench"


def log(message: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {message}", flush=True)


async def vacuum_analyze(url: str, *, checkpoint: bool = False) -> str:
    """Both databases start measured with fresh statistics (as autovacuum would leave them);
    `checkpoint`: and with the writes before on disk, so that no flush of them falls into the
    measurement."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("VACUUM ANALYZE")
        if checkpoint:
            await conn.execute("CHECKPOINT")
        return await conn.fetchval("SHOW server_version")
    finally:
        await conn.close()


async def rest_exists(api: Api) -> bool:
    return 200 <= await api.status_of("GET", "/rest/v1/contact?select=id&limit=1") < 300


def run(opts: Options) -> dict[str, Any]:
    return asyncio.run(_run(opts))


async def _run(opts: Options) -> dict[str, Any]:
    started, clock = dt.datetime.now(dt.UTC), time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="objectry-bench-"))
    log(f"work directory {tmp}")
    servers: list[Server] = []
    pg_handles: list[Any] = []
    try:
        objectry, api = await _start_objectry(opts, tmp, servers)
        objectry_pg = ceiling_db.url_of_running(tmp / "objectry" / "pgdata")
        seeded = await _seed_objectry(opts, api, objectry_pg)
        ceiling, cdb, pg_version = await _start_ceiling(opts, tmp, servers, pg_handles, seeded)
        result = _header(opts, started, api, seeded, cdb, pg_version)
        result["indexes"] = await objectry_db.field_indexes(objectry_pg)
        targets = _targets(tmp, api, await session_jwt(api), objectry, ceiling, seeded, cdb)
        await _measure_all(opts, tmp, targets, objectry, result)
        await _profile_bulk(opts, api, objectry, tmp, result)
        sent = await _roundtrips(targets, result, {
            "objectry": (objectry_pg, tmp / "objectry" / "pgdata" / "log"),
            "ceiling": (cdb.admin_url, tmp / "ceiling-pg" / "log")})
        await _plans(result, sent, {"objectry": objectry_pg, "ceiling": cdb.url},
                     await objectry_db.tenant_of(objectry_pg, seeded.contact_object_id))
        if opts.meta_objects > 2:
            await _meta(opts, tmp, targets[0], objectry_pg, result)
        await api.aclose()
        result["elapsed_s"] = time.monotonic() - clock
        return result
    except BaseException:
        for server in servers:
            log(f"{server.name} log: {server.log_path}")
        opts.keep = True
        raise
    finally:
        for server in reversed(servers):
            server.stop()
        for handle in pg_handles:
            handle.cleanup()
        if not opts.keep:
            shutil.rmtree(tmp, ignore_errors=True)


async def _start_objectry(opts: Options, tmp: Path, servers: list[Server]
                          ) -> tuple[Server, Api]:
    # The session JWT that get_signed_in sends is made once and must outlive the run (a 1M
    # run takes over an hour); how long a token lives changes nothing a request costs.
    # Open sign-up: the metadata scale grows a second account's workspace (_meta).
    objectry = Server("objectry", [], clean_env(OBJECTRY_ACCESS_TOKEN_MINUTES="600",
                                                OBJECTRY_OPEN_SIGNUP="1"),
                      tmp / "objectry.log")
    objectry.command = objectry_command(objectry.port, tmp / "objectry", opts.workers)
    servers.append(objectry)
    log(f"starting Objectry: {' '.join(objectry.command)}")
    objectry.start("/health/ready")
    api = await connect(objectry.url)
    log(f"credentials: {api.auth_mode}")
    return objectry, api


async def _seed_objectry(opts: Options, api: Api, objectry_pg: str) -> Seeded:
    log(f"seeding {opts.records:,} contacts through the API")
    seeded = await seed(api, opts.records, bulk_concurrency=opts.bulk_concurrency,
                        settle=objectry_db.settler(objectry_pg))
    log(f"bulk: {opts.records / seeded.bulk_seconds:,.0f} records/s")
    links = min(opts.records, 10_000) if opts.links is None else opts.links
    if await rest_exists(api):  # links only matter to the /rest/v1 embedding
        log(f"linking the newest {links:,} contacts to their company")
        await link_contacts(api, seeded, links, opts.link_concurrency)
        log(f"  {links / max(seeded.link_seconds, 1e-9):,.0f} links/s")
    else:
        log("/rest/v1 is not there yet: no links made in Objectry")
    seeded.links = links  # the ceiling gets the same links in any case
    await vacuum_analyze(objectry_pg)
    return seeded


async def _start_ceiling(opts: Options, tmp: Path, servers: list[Server],
                         pg_handles: list[Any], seeded: Seeded
                         ) -> tuple[Server, ceiling_db.CeilingDb, str]:
    handle, pg_url = ceiling_db.start_server(tmp / "ceiling-pg")
    pg_handles.append(handle)
    cdb = await ceiling_db.create(pg_url, seeded, opts.records, seeded.links)
    pg_version = await vacuum_analyze(cdb.url)
    log(f"ceiling COPY: {opts.records / cdb.copy_seconds:,.0f} records/s")
    ceiling = Server("ceiling", [], clean_env(**cdb.app_env(seeded.field_ids)),
                     tmp / "ceiling.log")
    ceiling.command = ceiling_command(ceiling.port, opts.workers)
    servers.append(ceiling)
    ceiling.start("/health")
    return ceiling, cdb, pg_version


def _header(opts: Options, started: dt.datetime, api: Api, seeded: Seeded,
            cdb: ceiling_db.CeilingDb, pg_version: str) -> dict[str, Any]:
    cfg = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(opts).items()}
    return {
        "records": opts.records, "config": cfg, "started": f"{started:%Y-%m-%d %H:%M} UTC",
        "auth": api.auth_mode, "machine": machine.facts(pg_version),
        "commands": [opts.command,
                     f"objectry serve --host 127.0.0.1 --port <free> --data-dir <tmp> "
                     f"--workers {opts.workers}   # started by the harness, no DATABASE_URL",
                     f"uvicorn bench.ceiling_app:create_app --factory --workers {opts.workers}"
                     " --log-level info --no-proxy-headers   # same settings, via uvicorn.run",
                     f"wrk -t{opts.threads} -c{opts.concurrency} -d{opts.duration:g}s "
                     "--timeout 30s -s bench/lua/op.lua <url> -- <op config>"],
        "bulk": {"records": opts.records, "batch": BATCH, "concurrency": opts.bulk_concurrency,
                 "objectry_seconds": seeded.bulk_seconds,
                 "objectry_rps": opts.records / seeded.bulk_seconds,
                 "copy_seconds": cdb.copy_seconds, "copy_rps": opts.records / cdb.copy_seconds},
        "links": {"count": seeded.links, "made_in_objectry": seeded.link_seconds > 0,
                  "seconds": seeded.link_seconds},
        "ops": {}, "profile": {},
    }


def _targets(tmp: Path, api: Api, session: str, objectry: Server, ceiling: Server,
             seeded: Seeded, cdb: ceiling_db.CeilingDb) -> list[Target]:
    o_ids, o_pool, o_spare = write_ids(tmp / "ids-objectry", seeded.contact_ids, 1)
    c_ids, c_pool, c_spare = write_ids(tmp / "ids-ceiling", cdb.contact_ids, 1)
    return [Target("objectry", objectry.url, ops.objectry_ops("b", api.headers, session),
                   o_ids, o_pool, o_spare, _roots(objectry, tmp / "objectry" / "pgdata")),
            Target("ceiling", ceiling.url, ops.ceiling_ops("b"), c_ids, c_pool, c_spare,
                   _roots(ceiling, tmp / "ceiling-pg"))]


def _roots(server: Server, pgdata: Path) -> dict[str, int]:
    """The process trees whose CPU per request the report shows (bench/cpu.py)."""
    roots = {"pg": cpu.postmaster_pid(pgdata)}
    if server.process is not None:
        roots["app"] = server.process.pid
    return {tree: pid for tree, pid in roots.items() if pid is not None}


async def _plans(result: dict[str, Any], statements: dict[str, dict[str, str | None]],
                 servers: dict[str, str], tenant: str) -> None:
    """EXPLAIN ANALYZE of the indexed list as each app sent it (from the statement log):
    Objectry's as its runtime role scoped to the workspace, as its requests run."""
    plans: dict[str, list[str]] = {}
    for app, sql in ((app, s.get("list_indexed")) for app, s in statements.items()):
        if not sql:
            plans[app] = ["could not capture the statement"]
            continue
        try:
            plans[app] = await objectry_db.explain(
                servers[app], sql, **({"role": "objectry_app", "tenant": tenant}
                                      if app == "objectry" else {}))
        except asyncpg.PostgresError as exc:
            plans[app] = [f"could not explain: {exc}"]
    result["plans"] = plans


async def _roundtrips(targets: list[Target], result: dict[str, Any],
                      servers: dict[str, tuple[str, Path]]) -> dict[str, dict[str, str | None]]:
    """SQL statements per request, for every operation each app answers; the statements."""
    sent: dict[str, dict[str, str | None]] = {}
    for target in targets:
        url, log_path = servers[target.app]
        names = [name for name, entry in result["ops"].items()
                 if name in target.ops and "rps" in entry.get(target.app, {})]
        counted, sent[target.app] = await roundtrips.per_request(url, log_path, target, names)
        for name, statements in counted.items():
            result["ops"][name][target.app]["statements"] = statements
    return sent


async def _measure_all(opts: Options, tmp: Path, targets: list[Target], objectry: Server,
                       result: dict[str, Any]) -> None:
    loadgen = Loadgen(tmp, opts.concurrency, opts.threads)
    objectry_t, ceiling_t = targets
    for name in MEASURED:
        log(f"measuring {ops.LABELS[name]}")
        pairs = [(objectry_t, name)]
        if name in ceiling_t.ops:
            pairs.append((ceiling_t, name))
        result["ops"][name] = measure(loadgen, pairs, opts.duration, opts.runs, opts.warmup,
                                      f"m-{name}", log)
    if opts.profile_seconds > 0 and profile.py_spy():
        for name in PROFILED:
            if "pending" in result["ops"][name]["objectry"]:
                continue
            log(f"profiling Objectry during {ops.LABELS[name]}")
            recorders = profile.start(objectry.worker_pids(), opts.profile_seconds, tmp, name)
            loadgen.run("objectry", objectry_t.url, objectry_t.ops[name],
                        opts.profile_seconds + 1, ids=objectry_t.ids, pool=objectry_t.pool,
                        tag=f"p-{name}")
            result["profile"][name] = profile.hot_spots(profile.finish(recorders))
    result["loadgen"] = loadgen.patch_offset


async def _profile_bulk(opts: Options, api: Api, objectry: Server, tmp: Path,
                        result: dict[str, Any]) -> None:
    """py-spy during bulk calls of new contacts (after the timed seeding, so it is not slowed)."""
    if opts.profile_seconds <= 0 or not profile.py_spy():
        return
    log("profiling Objectry during bulk import")
    recorders = profile.start(objectry.worker_pids(), opts.profile_seconds, tmp, "bulk")
    await bulk_for(api, opts.profile_seconds, opts.bulk_concurrency, "prof")
    result["profile"]["bulk"] = profile.hot_spots(profile.finish(recorders))


async def _meta(opts: Options, tmp: Path, small: Target, objectry_pg: str,
                result: dict[str, Any]) -> None:
    """The same operations in the 2-object workspace and in a second workspace seeded alike
    and grown to `meta_objects` objects, measured in turns run by run on one server (as
    Objectry and the ceiling take turns), so that the machine's drift touches both sides.
    Measured before and after growing one workspace instead, minutes apart, the two sides
    differed by 10-17% either way while a request's work did not move (bench/notes.md,
    twenty-first round). The first also holds the main table's creates; a page of the
    indexed list and a get by id read as many rows in either. Both start on a settled
    database (VACUUM ANALYZE, CHECKPOINT)."""
    loadgen = Loadgen(tmp, opts.concurrency, opts.threads, dict(result.get("loadgen", {})))
    meta: dict[str, Any] = {"base": {}, "ops": {}, "settled": True, "paired": True}
    big_api = await connect(small.url, user=META_USER)
    log(f"metadata scale: a second workspace, {opts.records:,} contacts")
    # Its field indexes built one at a time, as the first workspace's (seed_objectry.py).
    settle = objectry_db.settler(objectry_pg,
                                 existing=await objectry_db.valid_field_indexes(objectry_pg))
    seeded = await seed(big_api, opts.records, bulk_concurrency=opts.bulk_concurrency,
                        settle=settle)
    extra = opts.meta_objects - 2  # contact and company are there already
    log(f"metadata scale: adding {extra:,} objects × {opts.meta_fields} fields")
    meta["grow"] = await metascale.grow(big_api, extra, opts.meta_fields, opts.meta_concurrency)
    log(f"  {meta['grow']['fields_per_second']:,.0f} fields/s")
    ids, pool, spare = write_ids(tmp / "ids-objectry-big", seeded.contact_ids, 1)
    big = Target("objectry-big", small.url, ops.objectry_ops("m", big_api.headers), ids, pool,
                 spare, small.cpu_roots)
    await big_api.aclose()
    await vacuum_analyze(objectry_pg, checkpoint=True)
    for name in META_OPS:
        log(f"measuring {ops.LABELS[name]}: 2 objects and {opts.meta_objects:,} in turns")
        both = measure(loadgen, [(small, name), (big, name)], opts.duration, opts.runs,
                       opts.warmup, f"meta-{name}", log)
        meta["base"][name] = {"objectry": both[small.app]}
        meta["ops"][name] = {"objectry": both[big.app]}
    result["meta"] = meta


def finish(result: dict[str, Any], opts: Options) -> Path | None:
    report.print_summary(result)
    out = opts.out if opts.out is not None else (None if opts.smoke else report.HERE)
    if out is not None:
        report.write(result, out)
        log(f"wrote {out / 'RESULTS.md'}")
    return out
