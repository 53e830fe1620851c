"""Cursors for /api/records pages: the last row's ORDER BY values (ending with its id), as
url-safe base64 of JSON. A cursor is request text: it is decoded and typed like a filter."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from objectry.records.query import coerce
from objectry.records.query.errors import QueryError
from objectry.records.query.planned import ReadPlan, SortKey
from objectry.sqltext import JSONB

MAX_CURSOR = 4096
Row = Mapping[str, Any]


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(text: str) -> list[Any]:
    """The cursor's values; anything malformed is a 400 (api code bad_request)."""
    if not text or len(text) > MAX_CURSOR:
        raise bad_cursor()
    try:
        values = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, binascii.Error, RecursionError):
        raise bad_cursor() from None
    if not isinstance(values, list) or not all(
            v is None or isinstance(v, str | int) and not isinstance(v, bool) for v in values):
        raise bad_cursor()
    return values


def cursor_values(plan: ReadPlan, row: Row) -> list[Any]:
    """The row's sort key values, as `render_read` wrote them (`_k<i>` for field keys)."""
    values = []
    for i, key in enumerate(plan.order):
        value = row[f"_k{i}"] if key.column.field_id else row[key.column.system or ""]
        if isinstance(value, datetime | date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        values.append(value)
    return values


def next_page(plan: ReadPlan, rows: Sequence[Row]) -> tuple[list[Row], str | None]:
    """Rows fetched with `render_read(..., peek=True)` (one extra) → the page and the cursor
    for the next one (None on the last page)."""
    if plan.limit is None or len(rows) <= plan.limit:
        return list(rows), None
    page = list(rows[:plan.limit])
    return page, encode_cursor(cursor_values(plan, page[-1])) if page else None


def typed_values(keys: tuple[SortKey, ...], values: Sequence[Any]) -> list[Any]:
    """The cursor's values as parameters for these keys; a mismatch is a bad cursor."""
    if len(values) != len(keys):
        raise bad_cursor("the cursor does not match the order of this request")
    typed = []
    for key, value in zip(keys, values, strict=True):
        if key.column.cast == JSONB:
            raise QueryError("PGRST100", f"cannot page with a cursor ordered by {key.column.name}",
                             hint="order by a column that is not a multi_select or json field")
        try:
            typed.append(None if value is None else coerce.scalar(key.column.cast, str(value)))
        except QueryError:
            raise bad_cursor("the cursor does not match the order of this request") from None
    return typed


def bad_cursor(details: str | None = None) -> QueryError:
    return QueryError("PGRST100", "invalid cursor", details,
                      "use the next_cursor of the previous page, with the same order")
