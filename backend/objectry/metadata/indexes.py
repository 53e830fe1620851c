"""Real expression indexes for fields marked `is_unique` / `is_indexed` on an object.

Each is partial on the object's live records and uses the same expression the query compiler
renders for the field's type, so the planner can use it. DDL runs as the schema owner (the
runtime role owns nothing) and CONCURRENTLY, so writers are never blocked.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from objectry.errors import Conflict
from objectry.ids import ID_PATTERN
from objectry.records.query.sqlexpr import field_expr
from objectry.records.query.sqltext import literal
from objectry.records.query.types import field_cast

log = logging.getLogger("objectry.indexes")
_background: set[asyncio.Task[None]] = set()


def unique_name(object_field_id: str) -> str:
    return f"rx_{object_field_id}_u"


def plain_name(object_field_id: str) -> str:
    return f"rx_{object_field_id}_i"


def expression(type_name: str, field_id: str) -> str:
    """The very expression the query compiler renders for this field, so filters use it."""
    return f"({field_expr(field_id, field_cast(type_name), None)})"


def _ddl(name: str, unique: bool, tenant_id: str, object_id: str, type_name: str,
         field_id: str) -> str:
    for value in (tenant_id, object_id, field_id):
        assert ID_PATTERN.match(value), value  # ids only: they are spliced into DDL text
    kind = "UNIQUE INDEX" if unique else "INDEX"
    return (f"CREATE {kind} CONCURRENTLY IF NOT EXISTS {name} ON records"
            f" ({expression(type_name, field_id)})"
            f" WHERE tenant_id = {literal(tenant_id)} AND object_id = {literal(object_id)}"
            f" AND deleted_at IS NULL")


async def _run(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def create_unique(url: str, tenant_id: str, object_id: str, object_field_id: str,
                        type_name: str, field_id: str, field_name: str) -> None:
    """Build the unique index now; existing duplicates make it fail → 409, nothing left behind."""
    name = unique_name(object_field_id)
    try:
        await _run(url, _ddl(name, True, tenant_id, object_id, type_name, field_id))
    except asyncpg.UniqueViolationError:
        await _run(url, f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        raise Conflict(f"{field_name} cannot be made unique: existing records share a value",
                       [{"field": "is_unique", "code": "duplicates",
                         "message": f"records of this object already repeat a {field_name}"}]
                       ) from None


def create_plain_later(url: str, tenant_id: str, object_id: str, object_field_id: str,
                       type_name: str, field_id: str) -> asyncio.Task[None]:
    """Start building a plain index in the background; the request does not wait for it."""
    ddl = _ddl(plain_name(object_field_id), False, tenant_id, object_id, type_name, field_id)

    async def build() -> None:
        try:
            await _run(url, ddl)
        except Exception:  # noqa: BLE001 - a failed build must not kill the server
            log.exception("building index %s failed", plain_name(object_field_id))

    task = asyncio.create_task(build())
    _background.add(task)
    task.add_done_callback(_background.discard)
    return task


async def drop(url: str, object_field_id: str, *, unique: bool = True, plain: bool = True
               ) -> None:
    statements = []
    if unique:
        statements.append(f"DROP INDEX CONCURRENTLY IF EXISTS {unique_name(object_field_id)}")
    if plain:
        statements.append(f"DROP INDEX CONCURRENTLY IF EXISTS {plain_name(object_field_id)}")
    await _run(url, *statements)


async def wait_for_background() -> None:
    """Tests and shutdown: let index builds in flight finish."""
    if _background:
        await asyncio.gather(*list(_background), return_exceptions=True)
