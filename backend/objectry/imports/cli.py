"""`objectry import FILE --object contact`: upload through the HTTP API, then follow the job
with a progress bar (the server does the work: the same import as the API's, so the CLI needs
no database access and works against any server)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from objectry import remote

POLL_SECONDS = 0.5


def import_file(
        file: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                             help="A CSV (UTF-8) or XLSX file.")],
        object: Annotated[str, typer.Option("--object", help="The object's name or id.")],
        url: remote.Url = "http://127.0.0.1:8000", token: remote.Token = "",
        mode: Annotated[str, typer.Option(help="insert or upsert")] = "insert",
        match_on: Annotated[str | None, typer.Option(help="upsert: a unique field")] = None,
        on_error: Annotated[str, typer.Option(help="abort or skip")] = "abort",
        dry_run: Annotated[bool, typer.Option(help="Check everything, write nothing.")] = False,
        date_format: Annotated[str | None, typer.Option(help="e.g. DD/MM/YYYY")] = None,
        delimiter: Annotated[str | None, typer.Option(help="else detected")] = None,
        mapping: Annotated[str | None, typer.Option(
            help='JSON: {"CSV column": "field name"}')] = None) -> None:
    """Import a CSV or XLSX file into an object's records, with a progress bar."""
    options: dict[str, Any] = {"mode": mode, "on_error": on_error, "dry_run": dry_run}
    for key, value in (("match_on", match_on), ("date_format", date_format),
                       ("delimiter", delimiter), ("mapping", json.loads(mapping or "null"))):
        if value is not None:
            options[key] = value
    with remote.client(url, token) as http, file.open("rb") as upload:
        started = http.post(f"/api/objects/{object}/import", data={"options": json.dumps(options)},
                            files={"file": (file.name, upload)})
        if started.status_code != 202:
            remote.fail(started)
        job = _follow(http, started.json()["id"])
    _summary(job)
    if job["status"] != "succeeded":
        raise typer.Exit(1)


def _follow(http: Any, job_id: str) -> dict[str, Any]:
    columns = (TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns) as bar:
        task = bar.add_task("rows", total=None)
        while True:
            answer = http.get(f"/api/imports/{job_id}")
            if answer.status_code != 200:
                remote.fail(answer)
            job: dict[str, Any] = answer.json()
            bar.update(task, total=job["rows_total"], completed=job["rows_done"])
            if job["status"] != "running":
                return job
            time.sleep(POLL_SECONDS)


def _summary(job: dict[str, Any]) -> None:
    dry = " (dry run: nothing written)" if job.get("dry_run") else ""
    typer.echo(f"{job['status']}{dry}: {job['created']} created, {job['updated']} updated, "
               f"{job['skipped']} skipped of {job['rows_total']} rows")
    if job.get("reason"):
        typer.echo(job["reason"])
    for error in job["errors"][:20]:
        typer.echo(f"  row {error['row']}: {error['field']}: {error['message']}")
    if len(job["errors"]) > 20:
        typer.echo(f"  … {len(job['errors']) - 20} more errors (GET /api/imports/{job['id']})")
