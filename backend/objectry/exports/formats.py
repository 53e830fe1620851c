"""Records as export files, a batch at a time: CSV (RFC 4180, `\\r\\n`), JSON Lines (the /api
record per line), XLSX (openpyxl write-only: rows go to its temporary XML as they come, so
memory stays flat; the finished workbook is then streamed from disk).

A CSV cell is what `objectry import` reads back: lists joined by `;`, booleans `true`/`false`,
JSON values as JSON, absent values empty."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterator
from datetime import date
from typing import Any

import orjson

from objectry.metadata.model import FieldDef
from objectry.web.responses import dumps

MEDIA = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_READ = 256 * 1024


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(cell(v) for v in value)
    if isinstance(value, dict):
        return orjson.dumps(value).decode()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def header(fields: tuple[FieldDef, ...], names: bool) -> list[str]:
    return [f.name if names else f.label for f in fields]


def csv_lines(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()


def csv_row(fields: tuple[FieldDef, ...], data: dict[str, Any]) -> list[str]:
    return [cell(data.get(f.name)) for f in fields]


def jsonl_lines(records: list[dict[str, Any]]) -> bytes:
    return b"".join(dumps(r) + b"\n" for r in records)


def _xlsx_value(field: FieldDef, value: Any) -> Any:
    """Numbers and booleans as themselves, dates as Excel dates, the rest as CSV text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if field.type == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return cell(value)


class XlsxFile:
    """A write-only workbook of one sheet, finished into a temporary file."""

    def __init__(self, fields: tuple[FieldDef, ...], names: bool) -> None:
        from openpyxl import Workbook  # imported when an XLSX is asked for

        self.fields = fields
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet("records")
        self.sheet.append(header(fields, names))

    def add(self, datas: list[dict[str, Any]]) -> None:
        for data in datas:
            self.sheet.append([_xlsx_value(f, data.get(f.name)) for f in self.fields])

    def finish(self) -> str:
        with tempfile.NamedTemporaryFile(prefix="objectry-export-", suffix=".xlsx",
                                         delete=False) as out:
            self.book.save(out)
            return out.name


def read_and_remove(path: str) -> Iterator[bytes]:
    try:
        with open(path, "rb") as file:
            while chunk := file.read(_READ):
                yield chunk
    finally:
        os.remove(path)
