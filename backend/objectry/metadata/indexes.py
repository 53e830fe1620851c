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
    # A plain index also carries the default record order, so "filter on this field, newest
    # (or oldest) first, 50 at a time" reads 50 index entries instead of sorting every match.
    columns = expression(type_name, field_id) + ("" if unique else ", created_at, id")
    return (f"CREATE {kind} CONCURRENTLY IF NOT EXISTS {name} ON records ({columns})"
            f" WHERE tenant_id = {literal(tenant_id)} AND object_id = {literal(object_id)}"
            f" AND deleted_at IS NULL")


# Index DDL on `records` runs one at a time (across processes): two concurrent
# CREATE INDEX CONCURRENTLY on one table can deadlock each other.
_DDL_LOCK = 0x0B7EC8


async def _run(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", _DDL_LOCK)
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()  # closing the session releases the advisory lock


def _statements(name: str, expression_sql: str, ddl: str) -> list[str]:
    """Drop a leftover invalid index of that name (a build that failed half-way), build, and
    give the planner statistics on the expression, which it cannot take from a partial index."""
    return [
        f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = to_regclass("
        f"{literal(name)}) AND NOT indisvalid) THEN EXECUTE 'DROP INDEX {name}'; END IF; END $$",
        ddl,
        f"CREATE STATISTICS IF NOT EXISTS {name}_s ON {expression_sql} FROM records",
        "ANALYZE records",  # fill those statistics now rather than at autovacuum's leisure
    ]


async def create_unique(url: str, tenant_id: str, object_id: str, object_field_id: str,
                        type_name: str, field_id: str, field_name: str) -> None:
    """Build the unique index now; existing duplicates make it fail → 409, nothing left behind."""
    name = unique_name(object_field_id)
    ddl = _ddl(name, True, tenant_id, object_id, type_name, field_id)
    try:
        await _run(url, *_statements(name, expression(type_name, field_id), ddl))
    except asyncpg.UniqueViolationError:
        await drop(url, object_field_id, plain=False)
        raise Conflict(f"{field_name} cannot be made unique: existing records share a value",
                       [{"field": "is_unique", "code": "duplicates",
                         "message": f"records of this object already repeat a {field_name}"}]
                       ) from None


def create_plain_later(url: str, tenant_id: str, object_id: str, object_field_id: str,
                       type_name: str, field_id: str) -> asyncio.Task[None]:
    """Start building a plain index in the background; the request does not wait for it."""
    name = plain_name(object_field_id)
    ddl = _ddl(name, False, tenant_id, object_id, type_name, field_id)

    async def build() -> None:
        try:
            await _run(url, *_statements(name, expression(type_name, field_id), ddl))
        except Exception:  # noqa: BLE001 - a failed build must not kill the server
            log.exception("building index %s failed", plain_name(object_field_id))

    task = asyncio.create_task(build())
    _background.add(task)
    task.add_done_callback(_background.discard)
    return task


async def drop(url: str, object_field_id: str, *, unique: bool = True, plain: bool = True
               ) -> None:
    names = ([unique_name(object_field_id)] if unique else []) + \
        ([plain_name(object_field_id)] if plain else [])
    statements = []
    for name in names:
        statements += [f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
                       f"DROP STATISTICS IF EXISTS {name}_s"]
    await _run(url, *statements)


async def wait_for_background() -> None:
    """Tests and shutdown: let index builds in flight finish."""
    if _background:
        await asyncio.gather(*list(_background), return_exceptions=True)
