"""Measure operations: one probe request, a warm-up, then `runs` timed runs per app,
interleaved (Objectry, ceiling, Objectry, …) so drift hits both alike; medians per metric."""

from __future__ import annotations

import os
import random
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.cpu import tree_seconds
from bench.loadgen import Loadgen, Op, Result
from bench.ops import concrete, concrete_headers


@dataclass
class Target:
    """One app under load: where it is, its operations and its id files."""

    app: str  # "objectry" | "ceiling"
    url: str
    ops: dict[str, Op]
    ids: Path  # every seeded contact id, for {id}
    pool: Path  # ids to PATCH, in a fixed shuffled order, for {pid}
    spare: list[str]  # seeded ids outside the pool, each PATCHed at most once (probe first)
    # Process trees whose CPU per request is reported: "app" (its server), "pg" (its
    # PostgreSQL's postmaster); bench/cpu.py.
    cpu_roots: dict[str, int] = field(default_factory=dict)

    @property
    def probe_id(self) -> str:
        return self.spare[0]


SPARE = 11


def write_ids(path: Path, ids: list[str], seed: int) -> tuple[Path, Path, list[str]]:
    """ids file, pool file (shuffled, without the spare ids) and the spare ids."""
    path.mkdir(parents=True, exist_ok=True)
    all_ids, pool = path / "ids.txt", path / "pool.txt"
    all_ids.write_text("\n".join(ids) + "\n")
    shuffled = list(ids)
    random.Random(seed).shuffle(shuffled)
    pool.write_text("\n".join(shuffled[:-SPARE]) + "\n")
    return all_ids, pool, shuffled[-SPARE:]


def probe(target: Target, op: Op, tag: str) -> int:
    """One request with fixed values: its status says whether the endpoint exists yet."""
    values = (target.probe_id, f"{tag}-probe")
    body = concrete(op.body, *values) if op.body else None
    try:
        response = httpx.request(op.method, target.url + concrete(op.path, *values),
                                 content=body, headers=concrete_headers(op.headers, *values),
                                 timeout=60)
    except httpx.HTTPError:
        return 0
    return response.status_code


def summarise(results: list[Result], sent: int, load: list[float],
              cpu: dict[str, list[float]] | None = None) -> dict[str, Any]:
    """Medians of the runs; `sent`: every request of the op (probe and warm-up included);
    `cpu`: µs of CPU per request of each process tree, per run."""
    out = {"rps": statistics.median(r.rps for r in results),
           "p50_ms": statistics.median(r.p50_ms for r in results),
           "p99_ms": statistics.median(r.p99_ms for r in results),
           "errors": sum(r.errors for r in results), "sent": sent,
           "load_max": max(load, default=0.0), "runs": [asdict(r) for r in results]}
    for tree, values in (cpu or {}).items():
        if values:
            out[f"cpu_{tree}_us"] = statistics.median(values)
    return out


def _cpu(target: Target) -> dict[str, float]:
    roots = target.cpu_roots
    readings = {tree: tree_seconds(pid, frozenset(p for t, p in roots.items() if t != tree))
                for tree, pid in roots.items()}
    return {tree: seconds for tree, seconds in readings.items() if seconds is not None}


def measure(loadgen: Loadgen, targets: list[tuple[Target, str]], seconds: float, runs: int,
            warmup: float, tag: str, log: Any = print) -> dict[str, dict[str, Any]]:
    """targets: (target, op name) pairs measured side by side → {app: summary | pending}."""
    out: dict[str, dict[str, Any]] = {}
    live = []
    sent: dict[str, int] = {}
    for target, name in targets:
        op = target.ops[name]
        status = probe(target, op, f"{tag}-{target.app}")
        if not 200 <= status < 300:
            out[target.app] = {"pending": f"HTTP {status} on {op.method} {op.path.split('?')[0]}"}
            log(f"  {target.app:9} {name}: pending (probe answered {status})")
            continue
        live.append((target, op))
        sent[target.app] = 1
        if warmup > 0:
            warm = loadgen.run(target.app, target.url, op, warmup, ids=target.ids,
                               pool=target.pool, tag=f"{tag}-w")
            sent[target.app] += warm.requests
    results: dict[str, list[Result]] = {t.app: [] for t, _ in live}
    cpu: dict[str, dict[str, list[float]]] = {t.app: {} for t, _ in live}
    load: list[float] = []
    for run in range(runs):
        for target, op in live:
            before = _cpu(target)
            result = loadgen.run(target.app, target.url, op, seconds, ids=target.ids,
                                 pool=target.pool, tag=f"{tag}-{run}")
            after = _cpu(target)
            for tree in before.keys() & after.keys():
                cpu[target.app].setdefault(tree, []).append(
                    (after[tree] - before[tree]) / max(result.requests, 1) * 1e6)
            results[target.app].append(result)
            sent[target.app] += result.requests
            load.append(os.getloadavg()[0])
            log(f"  {target.app:9} {op.name} run {run + 1}: {result.rps:8.0f} req/s  "
                f"p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms  "
                f"errors {result.errors}")
    for app, rs in results.items():
        out[app] = summarise(rs, sent[app], load, cpu[app])
    return out
