"""A spooled upload read as rows: CSV (UTF-8, BOM or not, delimiter detected among `, ; \\t |`)
or XLSX (openpyxl read-only: a row at a time, so memory stays flat whatever the sheet's size).

Rows come as lists of cells: `str` from CSV; from XLSX also int, float, bool, datetime/date
(Excel's date serials, read through the cell's number format). Rows with no value are left out.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from itertools import islice
from typing import IO, Any

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE = 64 * 1024
csv.field_size_limit(16 * 1024 * 1024)  # a long text cell; the default (128 KiB) refuses it


class Unreadable(ValueError):
    """The file is neither UTF-8 CSV nor XLSX (the message says why)."""


def is_xlsx(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04")


def detect_delimiter(sample: str) -> str:
    """The candidate that splits the header (the first record, quotes honoured) into the most
    columns; `,` on a tie. csv.Sniffer guesses from character frequencies and misreads
    `;`-separated files whose values hold commas (decimals)."""
    best, width = ",", 1
    for candidate in DELIMITERS:
        first = next(csv.reader(io.StringIO(sample), delimiter=candidate), [])
        if len(first) > width:
            best, width = candidate, len(first)
    return best


def _filled(row: list[Any]) -> bool:
    return any(cell is not None and (not isinstance(cell, str) or cell.strip()) for cell in row)


def _csv_rows(file: IO[bytes], delimiter: str | None) -> Iterator[list[Any]]:
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    try:
        sample = text.read(_SAMPLE)
        text.seek(0)
    except UnicodeDecodeError:
        raise Unreadable("the file is not UTF-8 text (CSV) nor an XLSX workbook") from None
    reader = csv.reader(text, delimiter=delimiter or detect_delimiter(sample), strict=False)
    try:
        yield from filter(_filled, reader)
    except UnicodeDecodeError:
        raise Unreadable("the file is not UTF-8 text (CSV) nor an XLSX workbook") from None
    finally:
        text.close()


def _xlsx_rows(file: IO[bytes]) -> Iterator[list[Any]]:
    from openpyxl import load_workbook  # imported when an XLSX comes: ~0.2 s at start

    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise Unreadable(f"the XLSX workbook cannot be read: {exc}") from None
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            cells = list(row)
            if _filled(cells):
                yield cells
    finally:
        book.close()


def rows(file: IO[bytes], delimiter: str | None = None) -> Iterator[list[Any]]:
    """Every non-empty row of the file, header first."""
    file.seek(0)
    head = file.read(4)
    file.seek(0)
    return _xlsx_rows(file) if is_xlsx(head) else _csv_rows(file, delimiter)


def header_and_rows(file: IO[bytes], delimiter: str | None = None
                    ) -> tuple[list[str], Iterator[list[Any]]]:
    """The header's column names (stripped) and the data rows after it."""
    all_rows = rows(file, delimiter)
    header = next(all_rows, None)
    if header is None:
        raise Unreadable("the file has no header row")
    return [("" if c is None else str(c)).strip() for c in header], all_rows


def data_rows(file: IO[bytes], delimiter: str | None = None) -> int | None:
    """How many data rows: counted for a CSV (a pass at ~1M rows/s); for an XLSX the sheet's
    recorded dimension (counting would read the sheet twice at ~10k rows/s), None without one."""
    file.seek(0)
    if is_xlsx(file.read(4)):
        from openpyxl import load_workbook

        file.seek(0)
        book = load_workbook(file, read_only=True)
        try:
            size: int | None = book.worksheets[0].max_row  # None: no <dimension> recorded
        finally:
            book.close()
        return None if size is None else max(size - 1, 0)
    _, data = header_and_rows(file, delimiter)
    return sum(1 for _ in data)


def chunks(data: Iterator[list[Any]], size: int) -> Iterator[list[list[Any]]]:
    while chunk := list(islice(data, size)):
        yield chunk
