"""Export: the records a /api/records query (filters, `order`, `view`) matches, with no page
cap, read through a server-side cursor in batches inside one transaction (one snapshot) and
shaped into file bytes as they come (formats.py): memory stays flat at any size."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from objectry.db.tenancy import reading_tx
from objectry.errors import BadRequest
from objectry.exports import formats, sql_lines
from objectry.metadata.model import FieldDef, ObjectDef, Snapshot
from objectry.records import query
from objectry.records.access import authorize
from objectry.records.query import ReadPlan, memo
from objectry.records.service import object_for
from objectry.records.shape import record_shaper
from objectry.records.views.applied import single_view, with_view
from objectry.web.context import Context

BATCH = 1000  # rows per FETCH from the cursor
_NOT_QUERY = frozenset({"format", "header", "view", "object", "cursor", "count", "trash",
                        "expand"})


@dataclass(frozen=True)
class Export:
    ctx: Context
    snapshot: Snapshot
    obj: ObjectDef
    plan: ReadPlan
    format: str
    names: bool  # header of field names rather than labels

    @property
    def fields(self) -> tuple[FieldDef, ...]:
        return self.obj.fields

    @property
    def filename(self) -> str:
        return f"{self.obj.plural_name or self.obj.name}.{self.format}"


def _option(params: list[tuple[str, str]], key: str, allowed: tuple[str, ...]) -> str:
    values = [v for k, v in params if k == key]
    if len(values) > 1 or (values and values[0] not in allowed):
        raise BadRequest(f"{key} must be one of {', '.join(allowed)}")
    return values[0] if values else allowed[0]


async def prepare(ctx: Context, object_ref: str, params: list[tuple[str, str]]) -> Export:
    """Everything that can fail with a status, before the first byte is sent."""
    fmt = _option(params, "format", ("csv", "jsonl", "xlsx"))
    names = _option(params, "header", ("labels", "names")) == "names"
    snapshot, obj = await object_for(ctx, object_ref)
    authorize(ctx, obj, "read")
    pairs = [(k, v) for k, v in params if k not in _NOT_QUERY]
    parsed = await with_view(ctx, single_view(params), memo.parsed_records(pairs), obj,
                             snapshot)
    plan = memo.planned(parsed, obj, snapshot, shape="record",
                        max_embed_depth=ctx.state.settings.max_embed_depth)
    return Export(ctx, snapshot, obj, plan, fmt, names)


async def _batches(export: Export, wrapped: Callable[[str], str] = lambda sql: sql
                   ) -> AsyncIterator[list[asyncpg.Record]]:
    """The rows of the plan's statement (as `wrapped` wraps it), BATCH at a time through a
    server-side cursor, in one transaction."""
    sql, args = query.render_read(export.plan)
    async with reading_tx(export.ctx) as conn:
        cursor = await conn.cursor(wrapped(sql), *args)
        while rows := await cursor.fetch(BATCH):
            yield rows


async def _records(export: Export) -> AsyncIterator[list[dict[str, Any]]]:
    shape = record_shaper(export.snapshot, export.obj)
    async for rows in _batches(export):
        yield await asyncio.to_thread(list, map(shape, rows))  # shaped in the thread


async def _written_by_sql(export: Export, lines: Callable[[str], str]
                          ) -> AsyncIterator[bytes]:
    """The lines PostgreSQL writes (sql_lines.py: `lines` wraps the plan's statement), a
    batch at a time."""
    async for rows in _batches(export, lines):
        yield "".join([row[0] for row in rows]).encode()


async def stream(export: Export) -> AsyncIterator[bytes]:
    fields = export.fields
    if export.format == "xlsx":
        chunks = _xlsx(export)
    elif export.format == "jsonl":
        chunks = _written_by_sql(export, lambda sql: sql_lines.jsonl(sql, export.obj))
    else:
        yield formats.csv_lines([formats.header(fields, export.names)])
        chunks = (_written_by_sql(export, lambda sql: sql_lines.csv(sql, fields))
                  if sql_lines.csv_written_by_sql(fields) else _csv_by_python(export))
    async for chunk in chunks:
        yield chunk


async def _csv_by_python(export: Export) -> AsyncIterator[bytes]:
    """The CSV of an object with a field whose values nest (sql_lines.py)."""
    async for records in _records(export):
        yield await asyncio.to_thread(formats.csv_lines, [
            formats.csv_row(export.fields, r["data"]) for r in records])


async def _xlsx(export: Export) -> AsyncIterator[bytes]:
    book = await asyncio.to_thread(formats.XlsxFile, export.fields, export.names)
    async for records in _records(export):
        await asyncio.to_thread(book.add, [r["data"] for r in records])
    path = await asyncio.to_thread(book.finish)
    chunks = formats.read_and_remove(path)
    while (chunk := await asyncio.to_thread(next, chunks, None)) is not None:
        yield chunk
