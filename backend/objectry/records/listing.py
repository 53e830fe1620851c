"""GET /api/records: filters, order, keyset cursor, q and count through the query compiler."""

from __future__ import annotations

from typing import Any

from objectry.deps import Context


async def list_records(ctx: Context, params: list[tuple[str, str]]) -> dict[str, Any]:
    raise NotImplementedError
