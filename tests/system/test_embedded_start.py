"""Several processes starting the embedded PostgreSQL on one new data directory at once, as the
workers of `objectry serve --workers N` do on a first run: each gets the one server."""

from __future__ import annotations

import subprocess
import sys
import time

# Each process waits for the same instant, so that all of them look for `pgdata` together.
START = """
import sys, time
from pathlib import Path
from objectry.db import embedded
at = float(sys.argv[2])
while time.time() < at:  # spinning rather than sleeping: the same microsecond
    pass
print(embedded.start(Path(sys.argv[1])))
"""


def test_processes_starting_on_a_new_data_directory_at_once_share_one_server(tmp_path):
    data_dir = tmp_path / "data"
    at = time.time() + 2.0  # after every interpreter has imported objectry
    processes = [subprocess.Popen([sys.executable, "-c", START, str(data_dir), str(at)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
    outcomes = [p.communicate(timeout=120) for p in processes]
    for process, (_, err) in zip(processes, outcomes, strict=True):
        assert process.returncode == 0, err
    urls = {out.strip() for out, _ in outcomes}
    assert len(urls) == 1 and next(iter(urls)).startswith("postgresql://")
    # The last process to exit stopped it.
    assert not (data_dir / "pgdata" / "postmaster.pid").exists()


# Starts the server, reports the settings embedded.TUNING sets, and runs the given ALTER SYSTEM
# (if any) before exit.
SETTINGS = """
import asyncio, sys
from pathlib import Path
import asyncpg
from objectry.db import embedded

async def main(url):
    conn = await asyncpg.connect(url)
    try:
        print(*[await conn.fetchval(f"SHOW {name}")
                for name in ("max_wal_size", "checkpoint_timeout", "wal_init_zero")])
        if len(sys.argv) > 2:
            await conn.execute(sys.argv[2])
    finally:
        await conn.close()

asyncio.run(main(embedded.start(Path(sys.argv[1]))))
"""


def _settings_after_start(data_dir, *alter: str) -> str:
    done = subprocess.run([sys.executable, "-c", SETTINGS, str(data_dir), *alter],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_embedded_server_spaces_checkpoints_out_and_keeps_an_operators_choice(tmp_path):
    # initdb's own values are 1GB, 5min and on: the first start applies embedded.TUNING.
    assert _settings_after_start(tmp_path, "ALTER SYSTEM SET max_wal_size = '2GB'") \
        == "4GB 15min off"
    # An operator's ALTER SYSTEM outlives restarts; the settings nobody changed stay tuned.
    assert _settings_after_start(tmp_path) == "2GB 15min off"
