"""Import and export at scale: rows/s and the server's peak memory.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m bench.import --rows 1000000

Starts `objectry serve` (one worker) on a fresh database of that server, generates a CSV of
`--rows` rows (text, e-mail, number, date, boolean, select), imports it through
`POST /api/objects/contact/import` (on_error=skip, per-chunk commits; `--abort` for the single
transaction) following the job, then exports the same records as CSV (`--export-format`) to
/dev/null. The server process's RSS is sampled every 0.2 s (psutil): its peak, and its value
each time another tenth of the rows is done, so a flat line shows constant memory.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import tempfile
import time
from pathlib import Path

import httpx
import psutil

from bench.servers import free_port, fresh_database, sign_in, start_objectry

PASSWORD = "correct horse battery staple"
FIELDS = [("name", "text", {}), ("email", "email", {}), ("age", "number", {}),
          ("joined", "date", {}), ("vip", "boolean", {}),
          ("city", "select", {"options": [{"value": c, "label": c}
                                          for c in ("Paris", "Lyon", "Nice")]})]


def _csv(path: Path, rows: int) -> None:
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["Name", "Email", "Age", "Joined", "VIP", "City"])
        for n in range(rows):
            writer.writerow([f"Person {n}", f"p{n}@example.com", n % 97,
                             f"20{n % 25:02}-{n % 12 + 1:02}-{n % 28 + 1:02}",
                             "yes" if n % 2 else "no", ("Paris", "Lyon", "Nice")[n % 3]])


def _rss_mb(pid: int) -> float:
    """The server's resident memory: its process and its children (uvicorn's worker)."""
    root = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]) / 2**20


async def _workspace(http: httpx.AsyncClient) -> None:
    await sign_in(http, PASSWORD)
    await http.post("/api/objects", json={"name": "contact", "label": "Contact"})
    for name, type_, config in FIELDS:
        r = await http.post("/api/objects/contact/fields", json={
            "name": name, "label": name.title(), "type": type_, "config": config})
        assert r.status_code == 201, r.text


async def _import(http: httpx.AsyncClient, path: Path, pid: int, rows: int, abort: bool
                  ) -> dict[str, object]:
    options = {"mode": "insert", "on_error": "abort" if abort else "skip"}
    started = time.monotonic()
    with path.open("rb") as file:
        answer = await http.post("/api/objects/contact/import",
                                 data={"options": json.dumps(options)},
                                 files={"file": ("people.csv", file)})
    assert answer.status_code == 202, answer.text
    uploaded = time.monotonic() - started
    peak, by_tenth, tenth = 0.0, {}, max(rows // 10, 1)
    while True:
        job = (await http.get(f"/api/imports/{answer.json()['id']}")).json()
        rss = _rss_mb(pid)
        peak = max(peak, rss)
        by_tenth.setdefault(job["rows_done"] // tenth * tenth, round(rss))
        if job["status"] != "running":
            break
        await asyncio.sleep(0.2)
    elapsed = time.monotonic() - started
    assert job["status"] == "succeeded" and job["created"] == rows, job
    return {"seconds": elapsed, "upload_seconds": uploaded, "rows_per_s": rows / elapsed,
            "peak_rss_mb": peak, "rss_by_rows_done": by_tenth}


async def _export(http: httpx.AsyncClient, pid: int, rows: int, fmt: str) -> dict[str, object]:
    started, peak, size, lines = time.monotonic(), 0.0, 0, 0
    last_sample = 0.0
    async with http.stream("GET", f"/api/objects/contact/export?format={fmt}") as answer:
        assert answer.status_code == 200
        async for chunk in answer.aiter_bytes():
            size += len(chunk)
            lines += chunk.count(b"\n")
            if time.monotonic() - last_sample > 0.2:
                peak, last_sample = max(peak, _rss_mb(pid)), time.monotonic()
    elapsed = time.monotonic() - started
    return {"format": fmt, "seconds": elapsed, "rows_per_s": rows / elapsed,
            "peak_rss_mb": max(peak, _rss_mb(pid)), "bytes": size, "lines": lines}


async def run(server_url: str, rows: int, abort: bool, fmt: str) -> None:
    url = await fresh_database(server_url, "imp")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "people.csv"
        _csv(path, rows)
        csv_mb = round(path.stat().st_size / 2**20, 1)
        process = start_objectry(url, port, Path(tmp), OBJECTRY_WEBHOOK_WORKER="false")
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}",
                                         timeout=httpx.Timeout(60, read=3600)) as http:
                await _workspace(http)
                idle = _rss_mb(process.pid)
                imported = await _import(http, path, process.pid, rows, abort)
                exported = await _export(http, process.pid, rows, fmt)
        finally:
            process.terminate()
            process.wait(timeout=60)
    print(json.dumps({"rows": rows, "csv_mb": csv_mb, "idle_rss_mb": round(idle),
                      "import": imported, "export": exported}, indent=1, default=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--abort", action="store_true", help="one transaction for all rows")
    parser.add_argument("--export-format", default="csv", choices=("csv", "jsonl", "xlsx"))
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
    asyncio.run(run(server, args.rows, args.abort, args.export_format))


if __name__ == "__main__":
    main()
