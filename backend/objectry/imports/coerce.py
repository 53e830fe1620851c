"""A cell (CSV text, or an XLSX value) → the JSON value the records API takes for a field type.

Only the shape changes here ("1.234,5" → 1234.5, "yes" → true, "31/12/2026" → "2026-12-31");
whether the value is allowed (a select's options, a range, an e-mail's form) is the record
validator's job, as for any write. An empty cell is an absent value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from objectry.fields import ValueProblem

# options.date_format → strptime pattern of the date part; ISO 8601 is always accepted too.
DATE_FORMATS = {"YYYY-MM-DD": "%Y-%m-%d", "DD/MM/YYYY": "%d/%m/%Y", "MM/DD/YYYY": "%m/%d/%Y",
                "DD.MM.YYYY": "%d.%m.%Y", "DD-MM-YYYY": "%d-%m-%Y"}
_TIMES = ("", " %H:%M", " %H:%M:%S", "T%H:%M", "T%H:%M:%S")
_TRUE = frozenset({"true", "yes", "y", "1", "on", "t", "x", "✓"})
_FALSE = frozenset({"false", "no", "n", "0", "off", "f"})
_NOISE = re.compile(r"[\s\u00a0\u202f'’$€£¥%]")  # spaces, thousands marks, currency, percent
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's leap-year bug included)
_COMPUTED = frozenset({"formula", "lookup", "rollup", "autonumber"})
_KEEP_SPACES = frozenset({"long_text", "rich_text"})

Coercer = Callable[[Any], Any]


def importable(field_type: str) -> bool:
    """Computed values are never imported (the database computes or numbers them)."""
    return field_type not in _COMPUTED


def number(cell: Any, decimal: str | None = None) -> int | float:
    """`1234.5`, `1,234.5`, `1.234,5`, `1 234,5`, `12%`, `$5`: the last of `.`/`,` is the decimal
    mark when both appear; a lone `,` is a decimal mark unless `decimal` is `.` (then a
    thousands mark), and a lone `.` likewise with `decimal` `,`."""
    if isinstance(cell, bool):
        raise ValueProblem("type", "must be a number")
    if isinstance(cell, int | float):
        return int(cell) if isinstance(cell, float) and cell.is_integer() else cell
    text = _NOISE.sub("", str(cell))
    text = _normal_marks(text, decimal)
    if not _NUMBER.fullmatch(text):
        raise ValueProblem("type", f"{str(cell).strip()!r} is not a number")
    value = float(text)
    return int(value) if value.is_integer() and abs(value) < 2**53 and "e" not in text.lower() \
        else value


def _normal_marks(text: str, decimal: str | None) -> str:
    dot, comma = text.rfind("."), text.rfind(",")
    if dot >= 0 and comma >= 0:  # both: the later one is the decimal mark
        thousands, mark = (",", ".") if dot > comma else (".", ",")
        return text.replace(thousands, "").replace(mark, ".")
    if comma >= 0:
        if decimal == "." or text.count(",") > 1:
            return text.replace(",", "")
        return text.replace(",", ".")
    if dot >= 0 and (decimal == "," or text.count(".") > 1):
        return text.replace(".", "")
    return text


def boolean(cell: Any) -> bool:
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, int | float) and cell in (0, 1):
        return bool(cell)
    word = str(cell).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueProblem("type", f"{str(cell).strip()!r} is not yes/no, true/false or 1/0")


def _excel_serial(cell: float) -> datetime:
    return _EXCEL_EPOCH + timedelta(days=float(cell))


def _parsed(cell: Any, date_format: str | None) -> datetime:
    if isinstance(cell, datetime):
        return cell
    if isinstance(cell, date):
        return datetime.combine(cell, time())
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return _excel_serial(cell)
    text = str(cell).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    pattern = DATE_FORMATS.get(date_format or "", "")
    for suffix in _TIMES if pattern else ():
        try:
            return datetime.strptime(text, pattern + suffix)
        except ValueError:
            continue
    expected = f"{date_format} or ISO 8601" if pattern else "ISO 8601 (YYYY-MM-DD)"
    raise ValueProblem("format", f"{text!r} is not a date as {expected}")


def a_date(cell: Any, date_format: str | None = None) -> str:
    return _parsed(cell, date_format).date().isoformat()


def a_datetime(cell: Any, date_format: str | None = None) -> str:
    """A time without a zone (Excel's, or text without one) is read as UTC."""
    moment = _parsed(cell, date_format)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat().replace("+00:00", "Z")


def choices(cell: Any) -> list[str]:
    """`a;b` or `a, b`: split on `;` when the cell holds one, else on `,`."""
    text = str(cell)
    parts = text.split(";") if ";" in text else text.split(",")
    return [p.strip() for p in parts if p.strip()]


def as_json(cell: Any) -> Any:
    if not isinstance(cell, str):
        return cell
    try:
        return json.loads(cell)
    except ValueError:
        raise ValueProblem("format", "is not valid JSON") from None


def text(cell: Any, keep_spaces: bool = False) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # an Excel number in a text column (a zip code, a phone)
    if isinstance(cell, datetime) and cell.time() == time():
        return cell.date().isoformat()  # an Excel date cell: a date, not midnight
    if isinstance(cell, datetime | date):
        return cell.isoformat()
    if isinstance(cell, bool):
        return "true" if cell else "false"
    value = str(cell)
    return value if keep_spaces else value.strip()


def coercer(field_type: str, date_format: str | None, decimal: str | None) -> Coercer:
    """The function turning a non-empty cell into a value for a field of this type."""
    table: dict[str, Coercer] = {
        "number": lambda c: number(c, decimal), "currency": lambda c: number(c, decimal),
        "percent": lambda c: number(c, decimal), "rating": lambda c: number(c, decimal),
        "boolean": boolean, "date": lambda c: a_date(c, date_format),
        "datetime": lambda c: a_datetime(c, date_format), "multi_select": choices,
        "json": as_json,
    }
    keep = field_type in _KEEP_SPACES
    return table.get(field_type, lambda c: text(c, keep))


def is_empty(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())
