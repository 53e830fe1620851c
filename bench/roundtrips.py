"""Count the SQL statements (round trips to PostgreSQL) one request of each operation costs,
and keep the main statement each app really sent, for EXPLAIN.

For a few sequential requests the app's database logs every statement (`ALTER SYSTEM SET
log_statement = 'all'` and a reload, reset right after); the new lines of the server log are
counted. Exact, unlike load-time statistics, and cheap: it runs outside the timed loads.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import asyncpg
import httpx

from bench.measure import Target
from bench.ops import concrete, concrete_headers

MARKERS = ("LOG:  statement: ", "LOG:  execute ")
OURS = ("ALTER SYSTEM", "pg_reload_conf")
ENTRY = re.compile(r"^\S+ \S+ \S+ \[\d+\] (LOG|DETAIL):  ", re.M)
PARAM = re.compile(r"\$(\d+) = ('(?:[^']|'')*'|NULL)")


async def _log_all(url: str, on: bool) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("ALTER SYSTEM SET log_statement = 'all'" if on
                           else "ALTER SYSTEM RESET log_statement")
        await conn.execute("SELECT pg_reload_conf()")
    finally:
        await conn.close()


def _send(target: Target, name: str, n: int) -> int:
    """n sequential requests with fixed values; never-patched spare ids for {id}/{pid}."""
    op = target.ops[name]
    fresh = target.spare[1:n + 1]  # each op patches these at most once: PATCH is measured once
    ok = 0
    with httpx.Client(base_url=target.url, timeout=60) as client:
        for i in range(n):
            values = (fresh[i], f"rt-{name}-{i}")
            body = concrete(op.body, *values) if op.body else None
            response = client.request(op.method, concrete(op.path, *values), content=body,
                                      headers=concrete_headers(op.headers, *values))
            ok += 200 <= response.status_code < 300
    return ok


def _read(log: Path, offset: int) -> str:
    with log.open("rb") as f:
        f.seek(offset)
        return f.read().decode(errors="replace")


def _count(text: str) -> int:
    return sum(1 for line in text.splitlines()
               if any(m in line for m in MARKERS) and not any(o in line for o in OURS))


def main_statement(text: str) -> str | None:
    """The longest SELECT of the logged requests, with its parameters spliced in as literals
    (good enough for EXPLAIN; never executed for its result)."""
    entries = [m.start() for m in ENTRY.finditer(text)] + [len(text)]
    best, params = None, ""
    for start, end in zip(entries, entries[1:], strict=False):
        chunk = text[start:end]
        if "LOG:  execute " in chunk and ": SELECT " in chunk:
            sql = chunk[chunk.index(": SELECT ") + 2:]
            following = text[end:end + 4000]
            detail = following if following.split("  ", 1)[0].endswith("DETAIL:") else ""
            if best is None or len(sql) > len(best):
                best, params = sql, detail
    if best is None:
        return None
    values = {int(n): v for n, v in PARAM.findall(params.split("\n", 1)[0])}
    for n in sorted(values, reverse=True):
        best = re.sub(rf"\${n}(?!\d)", values[n], best)
    return best.strip()


async def per_request(url: str, log: Path, target: Target, names: list[str], n: int = 10
                      ) -> tuple[dict[str, float | None], dict[str, str | None]]:
    """Statements per request of each operation on this app (None where requests failed),
    and each operation's main statement as sent."""
    assert n < len(target.spare)
    counts: dict[str, float | None] = {}
    statements: dict[str, str | None] = {}
    await _log_all(url, True)
    try:
        time.sleep(0.3)  # the postmaster passes the reload on; backends apply it before
        for name in names:  # their next command, and log each statement as it arrives
            offset = log.stat().st_size
            ok = _send(target, name, n)
            text = _read(log, offset)
            counts[name] = _count(text) / n if ok == n else None
            statements[name] = main_statement(text)
    finally:
        await _log_all(url, False)
    return counts, statements
