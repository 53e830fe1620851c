"""The `objectry createadmin` command, and what it shares with `objectry token …`
(tokens/cli.py): both are registered by objectry/cli.py and run against the database the server
uses (DATABASE_URL, else the embedded one), printing a refusal with exit status 1."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import BaseModel

from objectry.auth import operator_steps
from objectry.auth.schemas import Register
from objectry.errors import APIError
from objectry.settings import Settings
from objectry.web.bodies import parse

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

DataDir = Annotated[Path, typer.Option(help="Where the embedded database keeps its data.",
                                       envvar="OBJECTRY_DATA_DIR")]
Workspace = Annotated[str | None, typer.Option(
    help="The workspace id (wsp_…); may be left out when there is exactly one.")]


def database(data_dir: Path) -> str:
    from objectry.db import embedded, migrate

    settings = Settings.from_env(data_dir=data_dir)
    url = settings.direct_url or embedded.start(settings.data_dir)
    migrate.upgrade(url)
    return url


def _refuse(exc: Exception) -> NoReturn:
    """Print a refusal with every problem, and exit with status 1."""
    typer.echo(f"error: {getattr(exc, 'message', exc)}", err=True)
    for problem in getattr(exc, "details", []):
        typer.echo(f"  {problem['field']}: {problem['message']}", err=True)
    raise typer.Exit(1)


def run(work: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(work)
    except (operator_steps.AdminError, APIError) as exc:
        _refuse(exc)


def checked(model: type[M], data: dict[str, Any]) -> M:
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
    body = checked(Register, {"email": email, "password": password, "full_name": full_name})
    url = database(data_dir)
    user_id, workspace_id = run(operator_steps.create_admin(url, body, workspace))
    typer.echo(f"user {user_id} ({body.email}) is an owner of workspace {workspace_id}")
