"""The pure parts of imports: reading CSV/XLSX rows (delimiters, BOM, quoting, empty rows)
and coercing cells per field type."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from objectry.fields import ValueProblem
from objectry.imports import coerce, sources


def read(content: bytes, delimiter: str | None = None) -> list[list[object]]:
    header, rows = sources.header_and_rows(io.BytesIO(content), delimiter)
    return [header, *rows]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter_is_detected(delimiter):
    text = delimiter.join(["a", "b", "c"]) + "\r\n" + delimiter.join(["1", "2,5", "x"]) + "\n"
    if delimiter == ",":
        text = 'a,b,c\r\n1,"2,5",x\n'
    assert read(text.encode()) == [["a", "b", "c"], ["1", "2,5", "x"]]


def test_bom_quotes_newlines_and_empty_rows():
    content = '\ufeff"Full name";Note\r\n"Doe; J";"say ""hi""\nbye"\r\n;\r\n\r\nX;\n'.encode()
    assert read(content) == [["Full name", "Note"], ["Doe; J", 'say "hi"\nbye'], ["X", ""]]


def test_a_single_column_and_a_given_delimiter():
    assert read(b"name\nAda\n") == [["name"], ["Ada"]]
    assert read(b"a;b\n1,2;3\n", delimiter=",") == [["a;b"], ["1", "2;3"]]


def test_unreadable_files():
    with pytest.raises(sources.Unreadable):
        read(b"")
    with pytest.raises(sources.Unreadable):
        read(b"\xff\xfen\x00a\x00m\x00e\x00")
    with pytest.raises(sources.Unreadable):
        read(b"PK\x03\x04 not really a zip")


def test_xlsx_rows_with_typed_cells():
    book = Workbook()
    book.active.append(["Name", "When", "N"])
    book.active.append(["Ada", datetime(2026, 1, 2, 3, 4), 1.5])
    book.active.append([None, None, None])
    book.active.append(["Bob", date(2026, 2, 3), 7])
    buffer = io.BytesIO()
    book.save(buffer)
    assert read(buffer.getvalue()) == [["Name", "When", "N"],
                                       ["Ada", datetime(2026, 1, 2, 3, 4), 1.5],
                                       ["Bob", datetime(2026, 2, 3), 7]]


@pytest.mark.parametrize(("cell", "decimal", "value"), [
    ("42", None, 42), ("-3.5", None, -3.5), ("1,5", None, 1.5), ("1.234,5", None, 1234.5),
    ("1,234.5", None, 1234.5), ("1 234 567", None, 1234567), ("1,234,567", None, 1234567),
    ("1.234.567", None, 1234567), ("1,234", ".", 1234), ("1.234", ",", 1234),
    ("12%", None, 12), ("$ 5.25", None, 5.25), ("1e3", None, 1000.0), (36.0, None, 36),
    (2.5, None, 2.5), ("\u00a01\u202f000,25", None, 1000.25)])
def test_numbers(cell, decimal, value):
    assert coerce.number(cell, decimal) == value
    assert type(coerce.number(cell, decimal)) is type(value)


@pytest.mark.parametrize("cell", ["abc", "1.2.3,4,5x", "--1", True])
def test_not_numbers(cell):
    with pytest.raises(ValueProblem):
        coerce.number(cell)


@pytest.mark.parametrize(("cell", "value"), [
    ("yes", True), ("No", False), ("TRUE", True), ("false", False), ("1", True), ("0", False),
    (1, True), (0.0, False), (True, True)])
def test_booleans(cell, value):
    assert coerce.boolean(cell) is value


def test_not_a_boolean():
    with pytest.raises(ValueProblem, match="'maybe' is not yes/no"):
        coerce.boolean("maybe")


@pytest.mark.parametrize(("cell", "fmt", "value"), [
    ("2026-12-31", None, "2026-12-31"), ("31/12/2026", "DD/MM/YYYY", "2026-12-31"),
    ("12/31/2026", "MM/DD/YYYY", "2026-12-31"), ("31.12.2026", "DD.MM.YYYY", "2026-12-31"),
    ("2026-12-31", "DD/MM/YYYY", "2026-12-31"), (datetime(2026, 12, 31, 5), None, "2026-12-31"),
    (46022, None, "2025-12-31"), (46022.5, None, "2025-12-31")])
def test_dates(cell, fmt, value):
    assert coerce.a_date(cell, fmt) == value


def test_datetimes_without_a_zone_are_utc():
    assert coerce.a_datetime("2026-12-31T10:00:00+02:00") == "2026-12-31T10:00:00+02:00"
    assert coerce.a_datetime("2026-12-31 10:00") == "2026-12-31T10:00:00Z"
    assert coerce.a_datetime("31/12/2026 10:30", "DD/MM/YYYY") == "2026-12-31T10:30:00Z"
    assert coerce.a_datetime(datetime(2026, 12, 31, 10)) == "2026-12-31T10:00:00Z"


def test_a_day_month_date_needs_the_option():
    with pytest.raises(ValueProblem, match="ISO 8601"):
        coerce.a_date("31/12/2026")
    with pytest.raises(ValueProblem, match="DD/MM/YYYY or ISO 8601"):
        coerce.a_date("12/31/2026", "DD/MM/YYYY")


def test_multi_select_text_and_json():
    assert coerce.choices("a; b;;c") == ["a", "b", "c"]
    assert coerce.choices("a, b") == ["a", "b"]
    assert coerce.text(90210.0) == "90210"
    assert coerce.text("  x  ") == "x"
    assert coerce.coercer("long_text", None, None)("  x\n") == "  x\n"
    assert coerce.as_json('{"a": [1]}') == {"a": [1]}
    with pytest.raises(ValueProblem):
        coerce.as_json("{nope")
    assert not coerce.importable("formula") and coerce.importable("text")
