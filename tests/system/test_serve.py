"""`objectry serve` on the embedded default, as a user runs it: it starts PostgreSQL, migrates,
answers, stops the database cleanly on exit, and finds its data again on the next start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx

from tests.support.ports import free_port

OBJECTRY = str(Path(sys.executable).with_name("objectry"))
# uvicorn shuts down gracefully on SIGTERM, then re-raises the signal for its exit status.
CLEAN_EXIT = (0, -signal.SIGTERM)


def _serve(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    with open(data_dir.parent / "serve.log", "ab") as log:
        return subprocess.Popen([OBJECTRY, "serve", "--port", str(port),
                                 "--data-dir", str(data_dir)],
                                env=env, stdout=log, stderr=subprocess.STDOUT)


def _log(data_dir: Path) -> str:
    return (data_dir.parent / "serve.log").read_text()


def _wait_ready(port: int, process: subprocess.Popen[bytes], data_dir: Path) -> dict:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, _log(data_dir)
        try:
            response = httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2)
            if response.status_code == 200:
                return response.json()
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError("the server did not become ready")


def _stop(process: subprocess.Popen[bytes]) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    return process.wait(timeout=60)


def _socket_url(pgdata: Path) -> str:
    # postmaster.pid: line 4 is the port, line 5 the socket directory.
    lines = (pgdata / "postmaster.pid").read_text().splitlines()
    return f"postgresql://postgres@/postgres?host={lines[4]}&port={lines[3]}"


async def _sql(pgdata: Path, statement: str) -> object:
    conn = await asyncpg.connect(_socket_url(pgdata))
    try:
        return await conn.fetchval(statement)
    finally:
        await conn.close()


async def test_serve_keeps_data_across_restarts_and_stops_postgres(tmp_path):
    data_dir, port = tmp_path / "data", free_port()
    pgdata = data_dir / "pgdata"
    first = _serve(data_dir, port)
    try:
        ready = _wait_ready(port, first, data_dir)
        assert ready["status"] == "ok"
        await _sql(pgdata, "INSERT INTO workspaces (id, name) VALUES"
                           " ('wsp_restartcheck0000', 'kept') RETURNING id")
    finally:
        code = _stop(first)
    assert code in CLEAN_EXIT, _log(data_dir)
    assert not (pgdata / "postmaster.pid").exists(), "PostgreSQL was not stopped on exit"

    second = _serve(data_dir, port)
    try:
        _wait_ready(port, second, data_dir)
        kept = await _sql(pgdata, "SELECT name FROM workspaces WHERE id = 'wsp_restartcheck0000'")
        assert kept == "kept"
    finally:
        code = _stop(second)
    assert code in CLEAN_EXIT, _log(data_dir)
    assert not (pgdata / "postmaster.pid").exists()
