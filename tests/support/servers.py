"""`objectry serve` as a real process for system tests: started on a free port (embedded
PostgreSQL in its data directory, or DATABASE_URL when given), waited for, stopped with SIGTERM
or killed, and a signed-in account on it."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from tests.support.ports import free_port

OBJECTRY = str(Path(sys.executable).with_name("objectry"))
# On SIGTERM uvicorn shuts down gracefully; `objectry serve` then exits 0 (cli.py).
CLEAN_EXIT = (0,)
PASSWORD = "correct horse battery staple"


@dataclass
class Server:
    data_dir: Path
    database_url: str | None = None  # None: the embedded server in data_dir/pgdata
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.data_dir.parent / "serve.log"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def start(self) -> Server:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(self.env)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [OBJECTRY, "serve", "--port", str(self.port), "--data-dir", str(self.data_dir),
                 "--no-access-log"], env=env, stdout=log, stderr=subprocess.STDOUT)
        return self

    def wait_ready(self, seconds: float = 90) -> dict[str, object]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.alive(), self.log()
            try:
                response = httpx.get(f"{self.url}/health/ready", timeout=2)
                if response.status_code == 200:
                    return dict(response.json())
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"the server did not become ready\n{self.log()}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, seconds: float = 60) -> int:
        """SIGTERM, and the exit status once it has exited."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=seconds)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=30)



@contextmanager
def serving(server: Server) -> Iterator[Server]:
    """Started, ready, and stopped when the block ends (killed if it will not stop in 15 s)."""
    server.start()
    try:
        server.wait_ready()
        yield server
    finally:
        try:
            server.stop(15)
        except subprocess.TimeoutExpired:
            server.kill()

def sign_up(server: Server) -> dict[str, str]:
    """A new account owning a new workspace (the server runs with open sign-up); its headers."""
    email = f"faults-{secrets.token_hex(6)}@example.com"
    with httpx.Client(base_url=server.url, timeout=30) as client:
        registered = client.post("/api/auth/register", json={
            "email": email, "password": PASSWORD, "full_name": "Fault Test"})
        assert registered.status_code == 201, registered.text
        login = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def server_env(**extra: str) -> dict[str, str]:
    """What every fault test's server shares: open sign-up, a fixed secret, no throttle."""
    return {"OBJECTRY_OPEN_SIGNUP": "1", "OBJECTRY_SECRET_KEY": secrets.token_hex(32),
            "OBJECTRY_SIGNUP_LIMIT": "100000", **extra}


def embedded_url(pgdata: Path) -> str:
    """A URL to the embedded server of `pgdata` while it runs (it listens on a socket only)."""
    # postmaster.pid: line 4 is the port, line 5 the socket directory.
    lines = (pgdata / "postmaster.pid").read_text().splitlines()
    return f"postgresql://postgres@/postgres?host={lines[4]}&port={lines[3]}"


async def embedded_sql(pgdata: Path, statement: str, *args: object) -> object:
    """One statement's first value, as the superuser, on the embedded server of `pgdata`."""
    conn = await asyncpg.connect(embedded_url(pgdata))
    try:
        return await conn.fetchval(statement, *args)
    finally:
        await conn.close()


async def settled(database_url: str, seconds: float = 30) -> None:
    """Wait until no other session of the database is busy (a request the server, or
    PostgreSQL after a killed client, is still finishing), so that counts are final."""
    conn = await asyncpg.connect(database_url)
    try:
        deadline = time.monotonic() + seconds
        while await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND state NOT IN ('idle')"):
            assert time.monotonic() < deadline, "sessions still busy"
            await asyncio.sleep(0.1)
    finally:
        await conn.close()


async def batch_counts(database_url: str) -> dict[str, int]:
    """Live records per primary value (the tests' batch tags), as the superuser."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT primary_value, count(*) AS n FROM records"
                                " WHERE deleted_at IS NULL GROUP BY 1")
    finally:
        await conn.close()
    return {row["primary_value"]: row["n"] for row in rows}
