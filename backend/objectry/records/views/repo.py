"""SQL of saved views (`views`). A personal view exists only for its creator: every read
and write here names the caller, so another member's personal view is never found."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg

from objectry import sqltext

_COLUMNS = ("id, object_id, name, type, filter, order_by, fields, group_by, date_field, shared,"
            " created_by, created_at, updated_at")
_VISIBLE = "tenant_id = $1 AND (shared OR created_by = $2)"
WRITABLE = ("name", "type", "filter", "order_by", "fields", "group_by", "date_field", "shared")


async def insert(conn: asyncpg.Connection, tenant_id: str, view_id: str,
                 values: dict[str, Any], created_by: str | None) -> dict[str, Any]:
    names = [k for k in WRITABLE if k in values]
    places = ", ".join(f"${i}" for i in range(5, 5 + len(names)))
    row = await conn.fetchrow(
        f"INSERT INTO views (tenant_id, id, object_id, created_by, {', '.join(names)})"
        f" VALUES ($1, $2, $3, $4, {places}) RETURNING {_COLUMNS}",
        tenant_id, view_id, values["object_id"], created_by, *(values[k] for k in names))
    return dict(row)


async def visible(conn: asyncpg.Connection, tenant_id: str, actor: str | None, view_id: str,
                  *, for_update: bool = False) -> dict[str, Any] | None:
    lock = " FOR UPDATE" if for_update else ""
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM views WHERE {_VISIBLE} AND id = $3{lock}",
                              tenant_id, actor, view_id)
    return dict(row) if row is not None else None


async def page(conn: asyncpg.Connection, tenant_id: str, actor: str | None,
               object_ids: Sequence[str], after: tuple[datetime, str] | None, limit: int
               ) -> list[dict[str, Any]]:
    """Views of `object_ids` the caller sees, oldest first, after (created_at, id)."""
    after_at, after_id = after or (datetime.min.replace(tzinfo=UTC), "")
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM views WHERE {_VISIBLE} AND object_id = any($3::text[])"
        f" AND (created_at, id) > ($4, $5) ORDER BY created_at, id{sqltext.limit(limit)}",
        tenant_id, actor, list(object_ids), after_at, after_id)
    return [dict(r) for r in rows]


async def update(conn: asyncpg.Connection, tenant_id: str, view_id: str,
                 values: dict[str, Any]) -> dict[str, Any]:
    names = [k for k in WRITABLE if k in values]
    sets = "".join(f"{k} = ${i}, " for i, k in enumerate(names, start=3))
    row = await conn.fetchrow(
        f"UPDATE views SET {sets}updated_at = now() WHERE tenant_id = $1 AND id = $2"
        f" RETURNING {_COLUMNS}", tenant_id, view_id, *(values[k] for k in names))
    return dict(row)


async def delete(conn: asyncpg.Connection, tenant_id: str, view_id: str) -> None:
    await conn.execute("DELETE FROM views WHERE tenant_id = $1 AND id = $2", tenant_id, view_id)
