"""The `objectry token create|list|revoke` commands (registered by objectry/cli.py; the steps
are tokens/service.py's `…_by_operator`)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from objectry.auth.cli import DataDir, Workspace, checked, database, run
from objectry.auth.schemas import TokenCreate
from objectry.auth.tokens import service

token_app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)


def _when(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value  # left for the validator to report
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


@token_app.command("create")
def token_create(name: Annotated[str, typer.Option()],
                 scopes: Annotated[str, typer.Option(help="Comma-separated, e.g. records:read")],
                 expires_at: Annotated[str | None, typer.Option(
                     help="ISO 8601; without an offset it is read as UTC.")] = None,
                 workspace: Workspace = None, data_dir: DataDir = Path(".objectry")) -> None:
    """Create an API token and print its secret (shown this once only)."""
    body = checked(TokenCreate, {"name": name, "expires_at": _when(expires_at),
                                 "scopes": [s.strip() for s in scopes.split(",") if s.strip()]})
    made = run(service.create_by_operator(database(data_dir), body, workspace))
    typer.echo(f"token {made['id']} in workspace {made['workspace_id']}"
               f" (scopes: {' '.join(made['scopes'])}); store the secret now:", err=True)
    typer.echo(made["token"])


@token_app.command("list")
def token_list(workspace: Workspace = None, data_dir: DataDir = Path(".objectry")) -> None:
    """List a workspace's API tokens (never their secrets)."""
    for t in run(service.list_by_operator(database(data_dir), workspace)):
        state = "revoked" if t["revoked_at"] else "active"
        typer.echo(f"{t['id']}  {t['prefix']}  {state:7}  {','.join(t['scopes'])}  {t['name']}"
                   f"  last used: {t['last_used_at'] or 'never'}")


@token_app.command("revoke")
def token_revoke(token_id: str, workspace: Workspace = None,
                 data_dir: DataDir = Path(".objectry")) -> None:
    """Revoke an API token: it is refused from the next request on."""
    run(service.revoke_by_operator(database(data_dir), token_id, workspace))
    typer.echo(f"revoked {token_id}")
