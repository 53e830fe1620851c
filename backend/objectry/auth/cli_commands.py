"""The `objectry createadmin` and `objectry token create|list|revoke` commands (registered by
cli.py). They run against the database the server uses: DATABASE_URL, else the embedded one."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import BaseModel

from objectry.auth import admin_ops
from objectry.auth.schemas import Register, TokenCreate
from objectry.errors import APIError
from objectry.settings import Settings
from objectry.web.bodies import parse

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
token_app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)

DataDir = Annotated[Path, typer.Option(help="Where the embedded database keeps its data.",
                                       envvar="OBJECTRY_DATA_DIR")]
Workspace = Annotated[str | None, typer.Option(
    help="The workspace id (wsp_…); may be left out when there is exactly one.")]


def _database(data_dir: Path) -> str:
    from objectry.db import embedded, migrate

    settings = Settings.from_env(data_dir=data_dir)
    url = settings.database_url or embedded.start(settings.data_dir)
    migrate.upgrade(url)
    return url


def _refuse(exc: Exception) -> NoReturn:
    """Print a refusal with every problem, and exit with status 1."""
    typer.echo(f"error: {getattr(exc, 'message', exc)}", err=True)
    for problem in getattr(exc, "details", []):
        typer.echo(f"  {problem['field']}: {problem['message']}", err=True)
    raise typer.Exit(1)


def _run(work: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(work)
    except (admin_ops.AdminError, APIError) as exc:
        _refuse(exc)


def _checked(model: type[M], data: dict[str, Any]) -> M:
    try:
        return parse(model, data)
    except APIError as exc:
        _refuse(exc)


def createadmin(
        email: Annotated[str, typer.Option(prompt=True)],
        password: Annotated[str, typer.Option(prompt=True, hide_input=True,
                                              confirmation_prompt=True)],
        full_name: Annotated[str, typer.Option("--full-name")] = "",
        workspace: Annotated[str | None, typer.Option(
            help="Make the user an owner of this existing workspace instead of a new one.")
        ] = None,
        data_dir: DataDir = Path(".objectry")) -> None:
    """Create a user who owns a new workspace (or --workspace); prompts for a missing password."""
    body = _checked(Register, {"email": email, "password": password, "full_name": full_name})
    url = _database(data_dir)
    user_id, workspace_id = _run(admin_ops.create_admin(url, body, workspace))
    typer.echo(f"user {user_id} ({body.email}) is an owner of workspace {workspace_id}")


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
    body = _checked(TokenCreate, {"name": name, "expires_at": _when(expires_at),
                                  "scopes": [s.strip() for s in scopes.split(",") if s.strip()]})
    made = _run(admin_ops.create_token(_database(data_dir), body, workspace))
    typer.echo(f"token {made['id']} in workspace {made['workspace_id']}"
               f" (scopes: {' '.join(made['scopes'])}); store the secret now:", err=True)
    typer.echo(made["token"])


@token_app.command("list")
def token_list(workspace: Workspace = None, data_dir: DataDir = Path(".objectry")) -> None:
    """List a workspace's API tokens (never their secrets)."""
    for t in _run(admin_ops.list_tokens(_database(data_dir), workspace)):
        state = "revoked" if t["revoked_at"] else "active"
        typer.echo(f"{t['id']}  {t['prefix']}  {state:7}  {','.join(t['scopes'])}  {t['name']}"
                   f"  last used: {t['last_used_at'] or 'never'}")


@token_app.command("revoke")
def token_revoke(token_id: str, workspace: Workspace = None,
                 data_dir: DataDir = Path(".objectry")) -> None:
    """Revoke an API token: it is refused from the next request on."""
    _run(admin_ops.revoke_token(_database(data_dir), token_id, workspace))
    typer.echo(f"revoked {token_id}")
