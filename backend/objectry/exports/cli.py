"""`objectry export --object contact --format csv -o out.csv`: the export endpoint streamed to a
file through the HTTP API, with the bytes received shown as they come."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from objectry import remote


def export_file(
        object: Annotated[str, typer.Option("--object", help="The object's name or id.")],
        output: Annotated[Path, typer.Option("-o", "--output", help="The file to write.")],
        format: Annotated[str, typer.Option("--format", help="csv, jsonl or xlsx")] = "csv",
        url: remote.Url = "http://127.0.0.1:8000", token: remote.Token = "",
        header: Annotated[str, typer.Option(help="labels or names")] = "labels",
        where: Annotated[list[str] | None, typer.Option(
            "--where", help="A filter as in /api/records, e.g. stage=eq.won (repeatable)")
        ] = None,
        order: Annotated[str | None, typer.Option(help="e.g. amount.desc")] = None,
        view: Annotated[str | None, typer.Option(help="a saved view's id")] = None) -> None:
    """Export an object's records (all of them, or those the filters match) to a file."""
    params: list[tuple[str, str | int | float | bool | None]] = [("format", format),
                                                              ("header", header)]
    params += [(k, v) for k, _, v in (w.partition("=") for w in where or [])]
    params += [(k, v) for k, v in (("order", order), ("view", view)) if v]
    columns = (TextColumn(f"exporting {object}"), DownloadColumn(), TimeElapsedColumn())
    with remote.client(url, token) as http, http.stream(
            "GET", f"/api/objects/{object}/export", params=params) as answer:
        if answer.status_code != 200:
            answer.read()
            remote.fail(answer)
        with Progress(*columns) as bar, output.open("wb") as out:
            task = bar.add_task("bytes", total=None)
            for chunk in answer.iter_bytes():
                out.write(chunk)
                bar.advance(task, len(chunk))
    typer.echo(f"wrote {output}")
