"""Render results: the table printed at the end of a run, RESULTS.md (every scale measured so
far, from bench/results/*.json, plus the hand-written analysis in bench/notes.md) and
PROFILE.md (hot spots of the latest profiled run)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.ops import LABELS, PROFILE_LABELS
from bench.targets import judge

HERE = Path(__file__).resolve().parent


def _num(entry: dict[str, Any] | None) -> list[str]:
    if not entry:
        return ["-", "-", "-"]
    if "pending" in entry:
        return ["pending", "", ""]
    return [f"{entry['rps']:,.0f}", f"{entry['p50_ms']:.2f}", f"{entry['p99_ms']:.2f}"]


def _statements(o: dict[str, Any] | None, c: dict[str, Any] | None) -> str:
    def one(e: dict[str, Any] | None) -> str:
        return f"{e['statements']:g}" if e and e.get("statements") is not None else "-"

    return f"{one(o)} / {one(c)}"


def _cpu(e: dict[str, Any] | None) -> str:
    """The app's and its PostgreSQL's CPU per request (bench/cpu.py), when measured."""
    if not e or "cpu_app_us" not in e or "cpu_pg_us" not in e:
        return "-"
    return f"{e['cpu_app_us']:.0f} + {e['cpu_pg_us']:.0f}"


def ops_table(result: dict[str, Any]) -> list[str]:
    head = ("| operation | Objectry req/s | p50 ms | p99 ms | ceiling req/s | p50 ms | p99 ms "
            "| Objectry/ceiling req/s | SQL statements/request (O / C) "
            "| CPU µs/request, app + PostgreSQL (O / C) |")
    lines = [head, "|" + "---|" * 10]
    for op, label in LABELS.items():
        entry = result["ops"].get(op)
        if entry is None:
            continue
        o, c = entry.get("objectry"), entry.get("ceiling")
        ratio = (f"{o['rps'] / c['rps']:.2f}" if o and c and "rps" in o and "rps" in c
                 else "-")
        note = f" ({o['pending']})" if o and "pending" in o else ""
        lines.append(f"| {label}{note} | " + " | ".join(_num(o) + _num(c)) +
                     f" | {ratio} | {_statements(o, c)} | {_cpu(o)} / {_cpu(c)} |")
    return lines


def load_line(result: dict[str, Any]) -> str:
    loads = [e.get("load_max", 0.0) for entry in result["ops"].values()
             for e in entry.values() if isinstance(e, dict)]
    return (f"Highest 1-minute load average seen after a run: {max(loads, default=0):.2f} "
            f"on {result['machine']['nproc']} cores (the load generator, both apps and their "
            "PostgreSQL share the machine; anything above that is other work on it).")


def plans(result: dict[str, Any]) -> list[str]:
    keep = ("Scan", "Sort", "Filter", "Execution Time", "could not", "Limit")
    lines = ["EXPLAIN ANALYZE of the indexed-list statement each app sent (`age = 42`, 50 newest; "
             "taken from the statement log after the runs), plan nodes only:", ""]
    for app, plan in result.get("plans", {}).items():
        lines += [f"- {app}:", "", "  ```"]
        lines += [f"  {x.strip()}" for x in plan if any(k in x for k in keep)]
        lines += ["  ```"]
    found = ", ".join(f"{i['name']}{'' if i['valid'] else ' (INVALID)'}"
                      for i in result.get("indexes", []))
    return lines + ["", f"Objectry's field indexes after seeding: {found or 'none'} "
                    "(expected 3: email unique, age, status)."]


def bulk_table(bulk: dict[str, Any]) -> list[str]:
    if not bulk:
        return ["(not measured)"]
    return [
        "| import | records | seconds | records/s |", "|---|---|---|---|",
        f"| Objectry POST /api/records/bulk ({bulk['batch']:,} per call, "
        f"{bulk['concurrency']} calls in flight, validated) | {bulk['records']:,} | "
        f"{bulk['objectry_seconds']:.2f} | {bulk['objectry_rps']:,.0f} |",
        f"| ceiling: PostgreSQL COPY (asyncpg copy_records_to_table, one stream) | "
        f"{bulk['records']:,} | {bulk['copy_seconds']:.2f} | {bulk['copy_rps']:,.0f} |",
        f"| ratio Objectry/COPY | | | {bulk['objectry_rps'] / bulk['copy_rps']:.2f} |"]


def meta_table(result: dict[str, Any]) -> list[str]:
    meta = result.get("meta")
    if not meta:
        return ["(not measured)"]
    grow = meta["grow"]
    n = grow["objects"] + 2
    lines = [f"Grown by {grow['objects']:,} objects × {grow['fields_per_object']} fields "
             f"through the API in {grow['object_seconds'] + grow['field_seconds']:.0f} s "
             f"({grow['fields_per_second']:,.0f} fields/s).", "",
             _meta_how(meta), "",
             f"| operation | 2 objects req/s | p50 ms | {n:,} objects req/s | p50 ms | ratio |",
             "|---|---|---|---|---|---|"]
    for op, entry in meta["ops"].items():
        base, big = meta["base"].get(op, {}).get("objectry"), entry.get("objectry")
        ratio = (f"{big['rps'] / base['rps']:.2f}" if base and big and "rps" in base
                 and "rps" in big else "-")
        b, g = _num(base), _num(big)
        lines.append(f"| {LABELS[op]} | {b[0]} | {b[1]} | {g[0]} | {g[1]} | {ratio} |")
    return lines


def _meta_how(meta: dict[str, Any]) -> str:
    if meta.get("paired"):
        return ("Two workspaces of one server, seeded alike, the second grown: each operation "
                "measured in both in turns, run by run, on a settled database (VACUUM ANALYZE "
                "and CHECKPOINT before).")
    return ("Measured right before and right after growing the workspace (creates first "
            "before, last after, so both lists see the same records)"
            + ("; each side on a settled database (VACUUM ANALYZE and CHECKPOINT right before "
               "it)." if meta.get("settled") else "."))


def section(result: dict[str, Any]) -> list[str]:
    cfg = result["config"]
    lines = [f"## {result['records']:,} records, {_workers(result)}", ""]
    if result.get("caveat"):
        lines += [f"> **Caveat:** {result['caveat']}", ""]
    lines += [f"Measured {result['started']} in {result['elapsed_s'] / 60:.1f} min; "
              f"credentials: {result['auth']}.", "", "Commands:", "", "```"]
    lines += result["commands"] + ["```", "", "Machine and code:", ""]
    lines += [f"- {k}: {v}" for k, v in result["machine"].items()]
    lines += ["", f"### Operations (concurrency {cfg['concurrency']}, {cfg['duration']:g} s "
              f"each, median of {cfg['runs']} runs, {cfg['workers']} workers each)", ""]
    lines += ops_table(result)
    lines += ["", load_line(result), "", *plans(result)]
    lines += ["", "### Bulk import", ""] + bulk_table(result.get("bulk", {}))
    lines += ["", "### Metadata scale (Objectry only)", ""] + meta_table(result)
    lines += ["", "### Targets", "", "| target | measured | verdict |", "|---|---|---|"]
    lines += [f"| {t} | {m} | {v} |" for t, m, v in judge(result)]
    return lines + [""]


def _workers(result: dict[str, Any]) -> str:
    n = result["config"]["workers"]
    return f"{n} worker{'s' if n != 1 else ''} each"


def _order(result: dict[str, Any]) -> tuple[int, int]:
    """By size, then the two-worker run (the one each round profiles) before the one-worker."""
    return result["records"], -result["config"]["workers"]


def results_md(results: list[dict[str, Any]]) -> str:
    lines = ["# Objectry benchmark results", "",
             "Written by `python -m bench` (see bench/README.md) from bench/results/*.json; "
             "the analysis at the end is bench/notes.md. Ratios are Objectry/ceiling, where the "
             "ceiling is bench/ceiling_app.py (Starlette + raw asyncpg, no validation, no auth, "
             "no history) over the same table shape, rows and indexes.", ""]
    for result in sorted(results, key=_order):
        lines += section(result)
    notes = HERE / "notes.md"
    if notes.exists():
        lines += [notes.read_text()]
    return "\n".join(lines)


def profile_md(results: list[dict[str, Any]]) -> str:
    lines = ["# Where Objectry's workers spend their time", "",
             "Written by `python -m bench` from bench/results/*.json: py-spy at 250 Hz on both "
             "workers (merged) while wrk drove each operation at the run's concurrency (for bulk: "
             "extra bulk calls after the timed seeding).", "",
             "Self = samples whose innermost frame is the function; inclusive = samples "
             "with the function anywhere on the stack. `Runner.run (asyncio/runners.py)` as a "
             "leaf (package `asyncio`) is time inside uvloop's C code: socket I/O, httptools "
             "parsing, and also waiting in epoll for PostgreSQL, which py-spy cannot tell apart "
             "from work; a high share there means the worker mostly waits for the database. "
             "`SQL statements/request` in RESULTS.md counts the round trips.", ""]
    for result in sorted(results, key=_order):
        if not result.get("profile"):
            continue
        lines += [f"# {result['records']:,} records, {_workers(result)} ({result['started']}, "
                  f"{result['config']['profile_seconds']:g} s per operation, backend "
                  f"`{result['machine']['backend commit']}`)", ""]
        for op, hot in result["profile"].items():
            lines += _profile_section(op, hot)
    return "\n".join(lines)


def _profile_section(op: str, hot: dict[str, Any]) -> list[str]:
    lines = [f"## {PROFILE_LABELS[op]} ({hot['samples']:,} samples)", "",
             "Self time by package:", "", "| package | % |", "|---|---|"]
    lines += [f"| {k} | {v:.1f} |" for k, v in hot["packages"]]
    lines += ["", "Top functions, self:", "", "| function | % |", "|---|---|"]
    lines += [f"| `{k}` | {v:.1f} |" for k, v in hot["self"]]
    lines += ["", "Top functions, inclusive (below 97%):", "", "| function | % |", "|---|---|"]
    lines += [f"| `{k}` | {v:.1f} |" for k, v in hot["inclusive"] if v < 97]
    return lines + [""]


def write(result: dict[str, Any], out_dir: Path) -> None:
    """Keep this run's numbers in results/ and rebuild RESULTS.md and PROFILE.md."""
    results_dir = out_dir / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    workers = result["config"]["workers"]
    name = f"records-{result['records']}" + ("" if workers == 2 else f"-w{workers}")
    (results_dir / f"{name}.json").write_text(json.dumps(result, indent=1, default=str))
    rebuild(out_dir)


def rebuild(out_dir: Path) -> None:
    """RESULTS.md and PROFILE.md from every results/records-*.json (and notes.md)."""
    found = [json.loads(p.read_text()) for p in sorted((out_dir / "results").glob("*.json"))]
    (out_dir / "RESULTS.md").write_text(results_md(found))
    (out_dir / "PROFILE.md").write_text(profile_md(found))


def print_summary(result: dict[str, Any]) -> None:
    print("\n".join(["", *ops_table(result), "", *bulk_table(result.get("bulk", {})), "",
                     *meta_table(result), "", "| target | measured | verdict |",
                     *[f"| {t} | {m} | {v} |" for t, m, v in judge(result)]]))
