"""A real PgBouncer (Debian's, 1.18) in transaction mode in front of the test server, started
by a test: each transaction may run on a different server connection, shared by every client."""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import asyncpg

from tests.support.ports import free_port

BINARY = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer"
                                       if Path("/usr/sbin/pgbouncer").exists() else None)


def _upstream(url: str) -> tuple[str, int, str, str]:
    """Host (or socket directory), port, user and database of a libpq URL."""
    parts = urlsplit(url)
    host = parse_qs(parts.query).get("host", [parts.hostname or "127.0.0.1"])[0]
    return host, parts.port or 5432, parts.username or "postgres", parts.path.lstrip("/")


def _ini(url: str, port: int, directory: Path, pool_size: int, max_client_conn: int) -> Path:
    host, upstream_port, user, _ = _upstream(url)
    (directory / "users.txt").write_text(f'"{user}" ""\n')
    ini = directory / "pgbouncer.ini"
    ini.write_text(f"""[databases]
* = host={host} port={upstream_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {directory / "users.txt"}
admin_users = {user}
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = {max_client_conn}
log_connections = 0
log_disconnections = 0
""")
    return ini


def _run_as(url: str) -> list[str]:
    """PgBouncer refuses to run as root: then it runs as the owner of the server's socket
    directory (an embedded server's), or as nobody (TCP). It reads its files before switching."""
    if os.geteuid() != 0:
        return []
    host = _upstream(url)[0]
    user = pwd.getpwuid(os.stat(host).st_uid).pw_name if host.startswith("/") else "nobody"
    return ["-u", user]


async def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(100):
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited: {log.read_text()}")
        try:
            conn = await asyncpg.connect(url, statement_cache_size=0)
        except (OSError, asyncpg.PostgresError):
            await asyncio.sleep(0.1)
            continue
        await conn.close()
        return
    raise RuntimeError("pgbouncer did not start within 10 s")


@asynccontextmanager
async def pgbouncer(url: str, directory: Path, *, pool_size: int = 2,
                    max_client_conn: int = 200) -> AsyncIterator[str]:
    """PgBouncer in transaction mode in front of `url`'s server, at most `pool_size` server
    connections per database and user and `max_client_conn` clients in all; yields `url`'s
    database through it (its user may also open the admin console, database `pgbouncer`:
    `pools`)."""
    assert BINARY is not None, "pgbouncer is not installed (apt-get install pgbouncer)"
    port = free_port()
    ini = _ini(url, port, directory, pool_size, max_client_conn)
    _, _, user, database = _upstream(url)
    log = directory / "pgbouncer.log"
    with log.open("wb") as output:
        process = subprocess.Popen([BINARY, *_run_as(url), str(ini)], stdout=output,
                                   stderr=subprocess.STDOUT)
    try:
        pooled = f"postgresql://{user}@127.0.0.1:{port}/{database}"
        await _wait_until_up(pooled, process, log)
        yield pooled
    finally:
        process.terminate()
        process.wait(timeout=10)


def pools(pooled_url: str) -> list[dict[str, str]]:
    """PgBouncer's SHOW POOLS (clients and server connections per database and user), read
    with psql: the admin console speaks the simple query protocol only, which asyncpg's
    queries do not use."""
    parts = urlsplit(pooled_url)
    done = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(parts.port), "-U",
                           parts.username or "postgres", "-d", "pgbouncer", "--csv", "-c",
                           "SHOW POOLS"], capture_output=True, text=True, timeout=30,
                          check=True)
    header, *rows = done.stdout.splitlines()
    return [dict(zip(header.split(","), row.split(","), strict=True)) for row in rows]
