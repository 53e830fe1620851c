"""Keyset pages for metadata lists: `{"items": [...], "next_cursor": "…" | null}`.

The cursor is the (created_at, id) — or (display_order, id) — of the last item, opaque to
clients (url-safe base64 of JSON), so pages stay correct while rows are added.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from objectry.errors import BadRequest


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int
    after: tuple[Any, str] | None  # (sort key, id) of the last item already seen


def page_request(limit: int | None, cursor: str | None, *, default: int = 50,
                 cap: int = 1000) -> PageRequest:
    if limit is not None and limit < 1:
        raise BadRequest("limit must be a positive number")
    return PageRequest(min(limit or default, cap), decode(cursor) if cursor else None)


def encode(key: Any, item_id: str) -> str:
    if isinstance(key, datetime):
        key = key.isoformat()
    return base64.urlsafe_b64encode(orjson.dumps([key, item_id])).decode().rstrip("=")


def decode(cursor: str) -> tuple[Any, str]:
    try:
        key, item_id = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(item_id, str):
            raise ValueError
    except (ValueError, TypeError, orjson.JSONDecodeError):
        raise BadRequest("the cursor is not valid; use next_cursor from a previous page") from None
    if isinstance(key, str):
        try:
            key = datetime.fromisoformat(key)
        except ValueError:
            raise BadRequest("the cursor is not valid") from None
    return key, item_id


def page(rows: list[dict[str, Any]], request: PageRequest, key: str = "created_at"
         ) -> dict[str, Any]:
    """Rows were fetched with LIMIT request.limit + 1; the extra one says there is more."""
    items = rows[: request.limit]
    more = len(rows) > request.limit
    next_cursor = encode(items[-1][key], items[-1]["id"]) if more and items else None
    return {"items": items, "next_cursor": next_cursor}
