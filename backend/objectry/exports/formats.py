"""Records as export files in Python, a batch at a time: the CSV of an object whose values nest
(RFC 4180, `\\r\\n`; other CSVs and JSON Lines are written by PostgreSQL, sql_lines.py), XLSX
(XlsxWriter's constant-memory mode: rows go to its temporary file as
they come, so memory stays flat; the finished workbook is then streamed from disk).

A CSV cell is what `objectry import` reads back: lists joined by `;`, booleans `true`/`false`,
JSON values as JSON, absent values empty."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import orjson

from objectry.metadata.model import FieldDef

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
    if isinstance(value, float):  # its decimal, as PostgreSQL prints it (sql_lines.py): 1e-05 is
        return format(Decimal(repr(value)).normalize(), "f") if value else "0"  # 0.00001
    return str(value)


def header(fields: tuple[FieldDef, ...], names: bool) -> list[str]:
    return [f.name if names else f.label for f in fields]


def csv_lines(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()


def csv_row(fields: tuple[FieldDef, ...], data: dict[str, Any]) -> list[str]:
    return [cell(data.get(f.name)) for f in fields]


class XlsxFile:
    """One sheet written by XlsxWriter in constant-memory mode (each row is flushed to its
    temporary file as the next begins): 1.5× openpyxl's write-only speed at the same flat
    memory (bench/notes.md). Numbers and booleans stay typed, dates are Excel dates."""

    def __init__(self, fields: tuple[FieldDef, ...], names: bool) -> None:
        import xlsxwriter  # imported when an XLSX is asked for

        with tempfile.NamedTemporaryFile(prefix="objectry-export-", suffix=".xlsx",
                                         delete=False) as out:
            self.path = out.name
        self.fields = fields
        self.book = xlsxwriter.Workbook(self.path, {"constant_memory": True})
        self.sheet = self.book.add_worksheet("records")
        self.date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.sheet.write_row(0, 0, header(fields, names))
        self.row = 1

    def add(self, datas: list[dict[str, Any]]) -> None:
        for data in datas:
            for column, field in enumerate(self.fields):
                self._write(column, field, data.get(field.name))
            self.row += 1

    def _write(self, column: int, field: FieldDef, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, bool):
            self.sheet.write_boolean(self.row, column, value)
        elif isinstance(value, int | float):
            self.sheet.write_number(self.row, column, value)
        elif field.type == "date" and isinstance(value, str) and _is_date(value):
            self.sheet.write_datetime(self.row, column, date.fromisoformat(value), self.date)
        else:
            self.sheet.write_string(self.row, column, cell(value))

    def finish(self) -> str:
        self.book.close()
        return self.path


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def read_and_remove(path: str) -> Iterator[bytes]:
    try:
        with open(path, "rb") as file:
            while chunk := file.read(_READ):
                yield chunk
    finally:
        os.remove(path)
