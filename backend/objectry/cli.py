"""The `objectry` command: serve, migrate, accounts and tokens, schema as code."""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from objectry import __version__
from objectry.auth import cli as auth_cli
from objectry.auth.tokens.cli import token_app
from objectry.exports.cli import export_file
from objectry.imports.cli import import_file
from objectry.schema_code.cli import gen_app, schema_app
from objectry.settings import Settings

app = typer.Typer(help="Objectry: a metadata-driven object builder over PostgreSQL.",
                  no_args_is_help=True, add_completion=False)

DataDir = Annotated[Path, typer.Option(help="Where the embedded database keeps its data.",
                                       envvar="OBJECTRY_DATA_DIR")]


def _print_version(asked: bool) -> None:
    if asked:
        typer.echo(f"objectry {__version__}")
        raise typer.Exit()


@app.callback()
def options(version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True,
        help="Print the version and exit.")] = False) -> None:
    """Objectry: a metadata-driven object builder over PostgreSQL."""


# How long an idle keep-alive connection stays open: PostgREST's (Warp's default). uvicorn's
# own 5 s equals the idle expiry of httpx and Node's fetch, so a client reusing a connection it
# kept for just under 5 s could meet the server closing it ("Server disconnected without
# sending a response"); a server that keeps connections longer than its clients do never does.
KEEP_ALIVE_SECONDS = 30


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000,
          data_dir: DataDir = Path(".objectry"),
          workers: Annotated[int, typer.Option(min=1)] = 1,
          access_log: Annotated[bool, typer.Option(
              help="Log every request. Off by default, as PostgREST logs no request unless "
                   "asked: a log line costs a few % of a simple request.")] = False) -> None:
    """Run the HTTP server (embedded PostgreSQL unless DATABASE_URL is set)."""
    import uvicorn

    os.environ["OBJECTRY_DATA_DIR"] = str(data_dir)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # On SIGTERM uvicorn stops accepting, lets in-flight requests finish (at most the grace
    # period, then cancels them), and only then runs the lifespan's shut-down: pool closed,
    # embedded PostgreSQL stopped.
    grace = Settings.from_env().shutdown_grace_seconds
    # uvicorn re-raises SIGTERM once it has shut down, to die "killed by SIGTERM"; it restores
    # the handler found at start first, so with this one a completed shut-down exits 0.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    uvicorn.run("objectry.main:create_app", factory=True, host=host, port=port,
                workers=workers, log_level="info", proxy_headers=False, access_log=access_log,
                timeout_graceful_shutdown=grace, timeout_keep_alive=KEEP_ALIVE_SECONDS)


def _exit_cleanly(signum: int, frame: object) -> None:
    sys.exit(0)


@app.command()
def migrate(data_dir: DataDir = Path(".objectry"),
            revision: str = "head", sql: bool = typer.Option(
                False, help="Print the SQL instead of running it.")) -> None:
    """Bring the database schema to a revision (default: head)."""
    from objectry.db import embedded
    from objectry.db import migrate as migrations

    if sql:
        typer.echo(migrations.offline_sql(revision))
        return
    settings = Settings.from_env(data_dir=data_dir)
    url = settings.direct_url or embedded.start(settings.data_dir)
    migrations.upgrade(url, revision)
    typer.echo(f"database at {migrations.head_revision() if revision == 'head' else revision}")


@app.command()
def supabase() -> None:
    """Re-render supabase/migrations/ from the Alembic revisions."""
    from objectry.db import supabase as rendering

    for name in rendering.write():
        typer.echo(f"supabase/migrations/{name}")


# Data in and out through a running server's HTTP API (imports/cli.py, exports/cli.py).
app.command("import")(import_file)
app.command("export")(export_file)

# Accounts and tokens (auth/cli.py, auth/tokens/cli.py).
app.command()(auth_cli.createadmin)
app.add_typer(token_app, name="token")
# Schema as code (schema_code/cli.py): over HTTP to a running server.
app.add_typer(schema_app, name="schema")
app.add_typer(gen_app, name="gen")


def main() -> None:
    app()
