"""A primary of the test's own and a streaming replica of it (`pg_basebackup -R`), from the same
PostgreSQL binaries (tests/support/cluster.py). The machine's shared server allows no
replication connections (its pg_hba has no `replication` line, and is not ours to change), so
the primary is a private one too; initdb's pg_hba allows replication from the loopback."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.cluster import Cluster, private_cluster


@dataclass
class Pair:
    primary: Cluster
    replica: Cluster

    def sql(self, cluster: Cluster, statement: str) -> str:
        """One statement's first value as text, as the superuser (psql)."""
        done = subprocess.run(
            [str(cluster.bin_dir / "psql"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U",
             "postgres", "-d", "postgres", "-Atqc", statement],
            check=True, capture_output=True, text=True, timeout=30)
        return done.stdout.strip()

    def caught_up(self, seconds: float = 30) -> None:
        """Wait until the replica has replayed everything the primary has written."""
        deadline = time.monotonic() + seconds
        while True:
            written = self.sql(self.primary, "SELECT pg_current_wal_lsn()")
            replayed = self.sql(self.replica, f"SELECT pg_last_wal_replay_lsn() >= '{written}'")
            if replayed == "t":
                return
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.05)

    @contextmanager
    def replay_paused(self) -> Iterator[None]:
        """Lag injected: the replica receives WAL but applies none of it until the block ends."""
        self.sql(self.replica, "SELECT pg_wal_replay_pause()")
        deadline = time.monotonic() + 30
        while self.sql(self.replica, "SELECT pg_get_wal_replay_pause_state()") != "paused":
            assert time.monotonic() < deadline, "replay did not pause"
            time.sleep(0.02)
        try:
            yield
        finally:
            if self.replica.running():
                self.sql(self.replica, "SELECT pg_wal_replay_resume()")


@contextmanager
def streaming_pair() -> Iterator[Pair]:
    """A started primary and a hot standby streaming from it; both stopped and deleted at the
    end. The replica's directory is made like private_cluster's (owned by the server's user)."""
    with private_cluster() as primary:
        directory = Path(tempfile.mkdtemp(prefix="objectry-replica-"))
        if primary.user is not None:
            shutil.chown(directory, primary.user)
        replica = Cluster(primary.bin_dir, directory, primary.user)
        try:
            subprocess.run(
                [str(primary.bin_dir / "pg_basebackup"), "-h", "127.0.0.1", "-p",
                 str(primary.port), "-U", "postgres", "-D", str(replica.pgdata), "-R",
                 "-X", "stream", "-c", "fast"],
                check=True, user=primary.user, capture_output=True, timeout=120)
            replica.start()
            pair = Pair(primary, replica)
            assert pair.sql(replica, "SELECT pg_is_in_recovery()") == "t"
            yield pair
        finally:
            if replica.running():
                replica.stop("immediate")
            shutil.rmtree(directory, ignore_errors=True)
