"""The two apps under test as real server subprocesses on 127.0.0.1, and their worker pids.

Objectry runs as `objectry serve --workers N` on a fresh embedded database (a temporary
--data-dir, DATABASE_URL removed from its environment). The ceiling app runs under uvicorn with
the same settings `objectry serve` uses (factory, N workers, log_level info, proxy_headers off,
no access log, idle connections kept 30 s).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from objectry.cli import KEEP_ALIVE_SECONDS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def objectry_command(port: int, data_dir: Path, workers: int) -> list[str]:
    exe = shutil.which("objectry") or str(Path(sys.executable).with_name("objectry"))
    return [exe, "serve", "--host", "127.0.0.1", "--port", str(port),
            "--data-dir", str(data_dir), "--workers", str(workers)]


def ceiling_command(port: int, workers: int) -> list[str]:
    code = ("import uvicorn; uvicorn.run('bench.ceiling_app:create_app', factory=True, "
            f"host='127.0.0.1', port={port}, workers={workers}, log_level='info', "
            f"proxy_headers=False, access_log=False, timeout_keep_alive={KEEP_ALIVE_SECONDS})")
    return [sys.executable, "-c", code]


@dataclass
class Server:
    name: str
    command: list[str]
    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path: str, timeout: float = 120.0) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(self.command, env=self.env, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True,
                                        cwd=Path(__file__).resolve().parents[1])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log_path}")
            try:
                if httpx.get(self.url + ready_path, timeout=2).status_code == 200:
                    # uvicorn answers once one worker is up: give the others a moment too
                    self._wait_workers(deadline)
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f}s; see {self.log_path}")

    def _wait_workers(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            text = self.log_path.read_text(errors="replace")
            expected = max(1, len(self.worker_pids()))
            if text.count("Application startup complete") >= expected:
                return
            time.sleep(0.3)

    def worker_pids(self) -> list[int]:
        """The uvicorn worker processes: children of the supervisor this harness started."""
        if self.process is None:
            return []
        children = _children(self.process.pid)
        return children or [self.process.pid]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # uvicorn: graceful shutdown
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the group this harness created
            self.process.wait(timeout=10)


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and b"spawn_main" in cmdline:  # not multiprocessing's resource tracker
            out.append(int(entry.name))
    return sorted(out)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(extra)
    return env


async def fresh_database(server_url: str, tag: str) -> str:
    """A new, empty database on the server of `server_url`; its URL."""

    name = f"objectry_bench_{tag}_{secrets.token_hex(4)}"
    conn = await asyncpg.connect(server_url)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return server_url.rsplit("/", 1)[0] + "/" + name


def start_objectry(database_url: str, port: int, data_dir: Path, **env: str
                   ) -> subprocess.Popen[bytes]:
    """`objectry serve` (one worker) on that database, open sign-up, logging to
    data_dir/serve.log; returns once /health/ready answers 200."""
    full_env = {**os.environ, "DATABASE_URL": database_url, "OBJECTRY_OPEN_SIGNUP": "1",
                "OBJECTRY_SECRET_KEY": secrets.token_hex(32), **env}
    log = open(data_dir / "serve.log", "ab")  # noqa: SIM115 - lives as long as the server
    process = subprocess.Popen(objectry_command(port, data_dir, 1), env=full_env, stdout=log,
                               stderr=subprocess.STDOUT)
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/ready").status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not start")


async def sign_in(http: httpx.AsyncClient, password: str = "correct horse battery staple"
                  ) -> None:
    """A new account (and its workspace) on the server; `http` then sends its access token."""
    email = f"bench-{secrets.token_hex(4)}@example.com"
    await http.post("/api/auth/register", json={"email": email, "password": password,
                                                "full_name": "Bench"})
    login = (await http.post("/api/auth/login",
                             json={"email": email, "password": password})).json()
    http.headers["Authorization"] = f"Bearer {login['access_token']}"
