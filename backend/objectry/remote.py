"""The HTTP side of the data commands (`objectry import`, `objectry export`): a client for a
running server, its URL and API token from the options or OBJECTRY_URL / OBJECTRY_TOKEN."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
import typer

Url = Annotated[str, typer.Option(envvar="OBJECTRY_URL", help="The server's base URL.")]
Token = Annotated[str, typer.Option(envvar="OBJECTRY_TOKEN",
                                    help="An API token (objectry token create).")]


def client(url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=url.rstrip("/"), timeout=httpx.Timeout(60, read=600),
                        headers={"Authorization": f"Bearer {token}"})


def fail(response: httpx.Response) -> None:
    """Print the server's refusal (every problem in `details`) and exit 1."""
    try:
        error: dict[str, Any] = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        typer.echo(f"error: HTTP {response.status_code}: {response.text[:500]}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"error: {error.get('message')}", err=True)
    for problem in error.get("details") or []:
        typer.echo(f"  {problem.get('field')}: {problem.get('message')}", err=True)
    raise typer.Exit(1)
