"""`objectry schema pull|push` and `objectry gen types`: the schema as a file, over HTTP to a
running server (`--url`, `--token`, or OBJECTRY_URL / OBJECTRY_TOKEN), as a CI job would."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
import yaml

from objectry.errors import ValidationFailed
from objectry.schema_code import document, typegen

schema_app = typer.Typer(help="Pull a workspace's schema into a file, push a file to it.",
                         no_args_is_help=True)
gen_app = typer.Typer(help="Generate code from a workspace's schema.", no_args_is_help=True)

Url = Annotated[str, typer.Option(envvar="OBJECTRY_URL", help="The server, e.g. "
                                  "http://localhost:8000.")]
Token = Annotated[str, typer.Option(envvar="OBJECTRY_TOKEN", help="An API token (scopes "
                                    "schema:read, and schema:write to push) or access token.")]
Output = Annotated[Path | None, typer.Option("--output", "-o", help="Write here (default: "
                                             "standard output).")]


class Lang(StrEnum):
    typescript = "typescript"
    python = "python"


def _call(url: str, token: str, method: str, path: str, body: Any = None) -> Any:
    """One request; an error answer is printed (message and details) and exits 1."""
    with httpx.Client(base_url=url, timeout=300,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        try:
            response = client.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise _fail(f"cannot reach {url}: {exc}") from None
    if response.is_success:
        return response.json()
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        raise _fail(f"{response.status_code}: {response.text[:500]}") from None
    lines = [f"{response.status_code} {error['code']}: {error['message']}"]
    lines += [f"  {d.get('field')}: {d.get('message')}" for d in error.get("details") or []]
    raise _fail("\n".join(lines))


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(1)


def load(path: Path) -> Any:
    """A schema document from YAML or JSON (JSON is YAML too, but its errors read better)."""
    text = path.read_text(encoding="utf-8")
    try:
        return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise _fail(f"{path} is not valid {'JSON' if path.suffix == '.json' else 'YAML'}:"
                    f" {exc}") from None


def dump(data: Any, path: Path | None) -> str:
    """YAML, or JSON for a `.json` file, in the document's own key order."""
    if path is not None and path.suffix == ".json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))


def _write(text: str, path: Path | None) -> None:
    if path is None:
        typer.echo(text, nl=False)
    else:
        path.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {path}", err=True)


@schema_app.command()
def pull(url: Url, token: Token, output: Output = None) -> None:
    """Write the workspace's schema document (YAML; JSON for a .json file)."""
    _write(dump(_call(url, token, "GET", "/api/schema"), output), output)


@schema_app.command()
def push(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)], url: Url,
         token: Token,
         dry_run: Annotated[bool, typer.Option(help="Report the changes, make none.")] = False,
         allow_destructive: Annotated[bool, typer.Option(
             help="Also delete and retype what the file no longer has.")] = False) -> None:
    """Make the workspace's schema what FILE says, in one transaction."""
    report = _call(url, token, "POST", "/api/schema/apply", {
        "schema": load(file), "dry_run": dry_run, "allow_destructive": allow_destructive})
    for change in report["changes"]:
        mark = " (destructive)" if change["destructive"] else ""
        typer.echo(f"{change['op']:>6} {change['kind']} {change['name']}{mark}")
    for index in report["indexes"]:
        flags = ", ".join(f"{k}={v}" for k, v in index.items() if k.startswith("is_"))
        problem = f": {index['error']['message']}" if index["status"] == "refused" else ""
        typer.echo(f" index {index['name']} {flags} {index['status']}{problem}")
    summary = f"{len(report['changes'])} change(s)"
    typer.echo(summary + (" (dry run: nothing changed)" if dry_run else "")
               if report["changes"] else "no changes")
    if any(i["status"] == "refused" for i in report["indexes"]):
        raise typer.Exit(1)


@gen_app.command("types")
def types(lang: Annotated[Lang, typer.Option(help="typescript or python")],
          url: Annotated[str | None, typer.Option(envvar="OBJECTRY_URL")] = None,
          token: Annotated[str | None, typer.Option(envvar="OBJECTRY_TOKEN")] = None,
          schema: Annotated[Path | None, typer.Option(
              exists=True, dir_okay=False, help="A schema file instead of a server.")] = None,
          output: Output = None) -> None:
    """Types of every object's rows as the data API returns them, from a server or a file."""
    if schema is not None:
        data = load(schema)
    elif url and token:
        data = _call(url, token, "GET", "/api/schema")
    else:
        raise _fail("give --schema FILE, or --url and --token (or OBJECTRY_URL/OBJECTRY_TOKEN)")
    try:
        checked = document.read(data)
    except ValidationFailed as invalid:
        raise _fail("the schema is invalid:\n" + "\n".join(
            f"  {d['field']}: {d['message']}" for d in invalid.details)) from None
    _write(typegen.GENERATORS[lang.value](checked), output)
