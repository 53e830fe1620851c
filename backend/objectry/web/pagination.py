"""Keyset pages for metadata lists: `{"items": [...], "next_cursor": "…" | null}`.

The cursor is the (created_at, id) — or (display_order, id) — of the last item, opaque to
clients (url-safe base64 of JSON), so pages stay correct while rows are added. A cursor is
client input: its key must have the type of the list's sort key, else 400 (never a 500 from
the database).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Protocol

import orjson
from fastapi import Query
from pydantic import BeforeValidator

from objectry.errors import BadRequest

_INT4 = 2**31 - 1  # display_order is an integer column


def _huge_is_capped(raw: Any) -> Any:
    """A `limit` of any number of digits is a large number (capped below), not a 400."""
    digits = raw.strip() if isinstance(raw, str) else ""
    if digits.isascii() and digits.isdigit() and len(digits) > 9:
        return 10**9
    return raw


# `minimum` documents the 400 that page_request gives (its message kept: not a Query(ge=1)).
Limit = Annotated[int | None, BeforeValidator(_huge_is_capped),
                  Query(json_schema_extra={"minimum": 1})]
Cursor = Annotated[str | None, Query()]


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int
    after: tuple[Any, str] | None  # (sort key, id) of the last item already seen


def page_request(limit: int | None, cursor: str | None, *, default: int = 50,
                 cap: int = 1000, key: str = "created_at") -> PageRequest:
    """`key` is the list's sort column: a time (`created_at`, the default; the audit log's
    `at`) or `display_order`."""
    if limit is not None and limit < 1:
        raise BadRequest("limit must be a positive number")
    return PageRequest(min(limit or default, cap), decode(cursor, key) if cursor else None)


class PageSizes(Protocol):
    """The settings a list's page size comes from (objectry.settings.Settings)."""

    @property
    def default_page_size(self) -> int: ...

    @property
    def max_page_size(self) -> int: ...


def paging(sizes: PageSizes, limit: int | None, cursor: str | None,
           key: str = "created_at") -> PageRequest:
    """`page_request` with the server's default and maximum page sizes."""
    return page_request(limit, cursor, default=sizes.default_page_size,
                        cap=sizes.max_page_size, key=key)


def encode(key: Any, item_id: str) -> str:
    if isinstance(key, datetime):
        key = key.isoformat()
    return base64.urlsafe_b64encode(orjson.dumps([key, item_id])).decode().rstrip("=")


def decode(cursor: str, key: str = "created_at") -> tuple[Any, str]:
    try:
        value, item_id = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(item_id, str):
            raise ValueError
        return _sort_key(value, key), item_id
    except (ValueError, TypeError, OverflowError, orjson.JSONDecodeError):
        raise BadRequest("the cursor is not valid; use next_cursor from a previous page") from None


def _sort_key(value: Any, key: str) -> Any:
    if key == "display_order":
        if type(value) is not int or not -_INT4 - 1 <= value <= _INT4:  # a bool is no order
            raise ValueError
        return value
    if not isinstance(value, str):
        raise ValueError
    moment = datetime.fromisoformat(value)
    # In UTC here: a time at the calendar's edge whose UTC is outside it (year 1 at +05:00) is a
    # bad cursor (OverflowError), not a 500 from the driver converting it.
    return moment.astimezone(UTC) if moment.tzinfo else moment


def page(rows: list[dict[str, Any]], request: PageRequest, key: str = "created_at"
         ) -> dict[str, Any]:
    """Rows were fetched with LIMIT request.limit + 1; the extra one says there is more."""
    items = rows[: request.limit]
    more = len(rows) > request.limit
    next_cursor = encode(items[-1][key], items[-1]["id"]) if more and items else None
    return {"items": items, "next_cursor": next_cursor}
