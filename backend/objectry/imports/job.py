"""The import's runner: an asyncio task in the server process that reads the spooled file in
chunks (parsing, coercion and validation in a worker thread), writes each chunk with the bulk
path (records/bulk.write_batch: one INSERT per chunk, history events in the statement, so
realtime and webhooks see the rows), and records progress per chunk in a short transaction of
its own so `GET /api/imports/{id}` sees it.

`abort` and dry runs run every chunk in ONE transaction, committed only when no row failed and
it is not a dry run (1,000,000 rows make one long transaction: the price of all or nothing);
`skip` commits each chunk on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from objectry.db import tenancy
from objectry.errors import APIError, Detail, ValidationFailed
from objectry.imports import repo, sources
from objectry.imports.plan import Options, Plan, row_data
from objectry.metadata.model import ObjectDef, Snapshot
from objectry.records.bulk import write_batch
from objectry.records.validate import RecordValidator, validator_for
from objectry.web.context import Context

log = logging.getLogger(__name__)
CHUNK = 1000  # rows per statement and per progress update
MAX_ERRORS = 1000  # row errors kept on the job (the rest are counted, as `skipped`)


@dataclass
class Tally:
    rows_total: int | None = None
    rows_done: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0  # rows not written because they failed
    errors: list[Detail] = field(default_factory=list)
    errors_changed: bool = False

    def fail(self, row: int, problems: list[Detail]) -> None:
        self.skipped += 1
        for p in problems:
            if len(self.errors) < MAX_ERRORS:
                self.errors.append({"row": row, "field": _own(p.get("field", "")),
                                    "code": p.get("code", "invalid"),
                                    "message": p.get("message", "")})
                self.errors_changed = True

    def counts(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rows_total": self.rows_total, "rows_done": self.rows_done,
               "created": self.created, "updated": self.updated, "skipped": self.skipped}
        if self.errors_changed:
            out["errors"] = self.errors
            self.errors_changed = False
        return out


def _own(name: str) -> str:
    """A bulk write's `3.email` is this row's `email`."""
    head, dot, rest = name.partition(".")
    return rest if dot and head.isdigit() else name


@dataclass(frozen=True)
class Job:
    ctx: Context
    id: str
    obj: ObjectDef
    snapshot: Snapshot
    options: Options
    plan: Plan
    path: str  # the spooled upload; removed when the job ends


async def start(job: Job) -> None:
    """The response's background step: after the 202 (and the job's row) committed."""
    job.ctx.state.imports.start(run(job))


async def run(job: Job) -> None:
    tally = Tally()
    try:
        status, reason = await _run(job, tally)
    except asyncio.CancelledError:
        await _finish(job, tally, "failed", "interrupted: the server shut down")
        raise
    finally:
        with contextlib.suppress(OSError):
            os.remove(job.path)
    await _finish(job, tally, status, reason)


async def _run(job: Job, tally: Tally) -> tuple[str, str | None]:
    """(status, reason) once every row is read, or the failure that stopped it."""
    try:
        tally.rows_total = await asyncio.to_thread(_count_rows, job)
        tally.errors_changed = True  # the first report says rows_total at once
        if _all_or_nothing_job(job):
            await _all_or_nothing(job, tally)
        else:
            await _each_chunk_committed(job, tally)
    except sources.Unreadable as exc:
        return "failed", str(exc)
    except Exception:  # the job must end, whatever happened
        log.exception("import %s failed", job.id)
        return "failed", "internal error: the import stopped"
    tally.rows_total = tally.rows_done  # every row read: an XLSX's estimate made exact
    if job.options.on_error == "abort" and tally.skipped:
        return "failed", "rows failed: nothing was imported"
    return "succeeded", None


async def _finish(job: Job, tally: Tally, status: str, reason: str | None) -> None:
    tally.errors_changed = True
    if status == "failed" and _all_or_nothing_job(job):
        tally.created = tally.updated = 0  # counts say what was committed: nothing
    async with tenancy.connection(job.ctx.state.pool, job.ctx.tenant_id) as conn:
        await repo.finish(conn, job.ctx.tenant_id, job.id, status, reason, tally.counts())


def _count_rows(job: Job) -> int | None:
    with open(job.path, "rb") as file:
        return sources.data_rows(file, job.options.delimiter)


def _all_or_nothing_job(job: Job) -> bool:
    return job.options.on_error == "abort" or job.options.dry_run


class _RolledBack(Exception):
    """Unwinds an all-or-nothing transaction that must not commit."""


async def _all_or_nothing(job: Job, tally: Tally) -> None:
    with contextlib.suppress(_RolledBack):
        async with tenancy.transaction(job.ctx.state.pool, job.ctx.tenant_id) as conn:
            async for prepared in _prepared_chunks(job, tally):
                if job.options.on_error == "skip" or not tally.skipped:
                    # with abort, rows after a failure are only checked
                    await _write_chunk(conn, job, tally, prepared)
                await _report(job, tally)
            if tally.skipped or job.options.dry_run:
                raise _RolledBack


async def _each_chunk_committed(job: Job, tally: Tally) -> None:
    async for prepared in _prepared_chunks(job, tally):
        async with tenancy.transaction(job.ctx.state.pool, job.ctx.tenant_id) as conn:
            await _write_chunk(conn, job, tally, prepared)
        await _report(job, tally)


async def _report(job: Job, tally: Tally) -> None:
    async with tenancy.connection(job.ctx.state.pool, job.ctx.tenant_id) as conn:
        await repo.progress(conn, job.ctx.tenant_id, job.id, tally.counts())


Prepared = list[tuple[int, dict[str, Any]]]  # (row number, record data by field name)


async def _prepared_chunks(job: Job, tally: Tally) -> AsyncIterator[Prepared]:
    """Chunks of good rows; the bad ones are counted into `tally` as they are met. The next
    chunk is read and validated in the worker thread while the caller writes this one."""
    validator = validator_for(job.snapshot, job.obj)
    with open(job.path, "rb") as file:
        _, data = sources.header_and_rows(file, job.options.delimiter)
        chunks = sources.chunks(data, CHUNK)

        def read_and_prepare(first: int) -> tuple[int, Prepared, list[Any]] | None:
            chunk = next(chunks, None)
            if chunk is None:
                return None
            return (len(chunk), *_prepare(job.plan, validator, chunk, first))

        row = 1
        ahead = asyncio.ensure_future(asyncio.to_thread(read_and_prepare, row))
        try:
            while (ready := await ahead) is not None:
                size, prepared, failed = ready
                ahead = asyncio.ensure_future(asyncio.to_thread(read_and_prepare, row + size))
                for number, problems in failed:
                    tally.fail(number, problems)
                tally.rows_done += size
                yield prepared
                row += size
        finally:
            if not ahead.done():  # the caller stopped early: let the thread finish first
                await asyncio.wait([ahead])


def _prepare(plan: Plan, validator: RecordValidator, chunk: list[list[Any]], first: int
             ) -> tuple[Prepared, list[tuple[int, list[Detail]]]]:
    good: Prepared = []
    failed: list[tuple[int, list[Detail]]] = []
    for number, cells in enumerate(chunk, first):
        data, problems = row_data(plan, cells)
        try:
            validator.for_create(data)
        except ValidationFailed as exc:
            problems = [*problems, *exc.details]
        if problems:  # in the object's field order, as the validator lists its own
            problems.sort(key=lambda p: _position(validator, p["field"]))
            failed.append((number, problems))
        else:
            good.append((number, data))
    return good, failed


def _position(validator: RecordValidator, name: str) -> int:
    field = validator.by_name.get(name)
    return field.index if field is not None else len(validator.fields)


async def _write_chunk(conn: asyncpg.Connection, job: Job, tally: Tally, prepared: Prepared
                       ) -> None:
    """One statement for the chunk; if the database refuses it (a unique value taken, a value
    repeated in an upsert), each row alone, so the refusal lands on its row."""
    if not prepared:
        return
    try:
        async with conn.transaction():  # a savepoint
            await _write(conn, job, tally, prepared)
        return
    except APIError:
        pass
    for number, data in prepared:
        try:
            async with conn.transaction():
                await _write(conn, job, tally, [(number, data)])
        except APIError as exc:
            tally.fail(number, exc.details or [{"field": "", "code": exc.code,
                                               "message": exc.message}])


async def _write(conn: asyncpg.Connection, job: Job, tally: Tally, prepared: Prepared) -> None:
    field = job.obj.fields_by_name.get(job.plan.match_field or "")
    match = field.id if field is not None else None
    batch = await write_batch(conn, job.ctx, job.snapshot, job.obj,
                              [data for _, data in prepared], match)
    tally.created += batch.created
    tally.updated += batch.updated
