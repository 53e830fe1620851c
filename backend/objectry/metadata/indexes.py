"""Real expression indexes for fields marked `is_unique` / `is_indexed` on an object.

Each is partial on the object's live records and uses the same expression the query compiler
renders for the field's type, so the planner can use it. DDL runs as the schema owner (the
runtime role owns nothing) and CONCURRENTLY, so writers are never blocked. A build ends with a
valid index (`indisvalid`) or is dropped and refused: 409 when live records share a value, 422
when a value is too long for an index entry (metadata/field_flags.py decides when to build).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

import asyncpg

from objectry.errors import APIError, Conflict, ValidationFailed, detail
from objectry.fields import cast_of
from objectry.ids import ID_PATTERN
from objectry.sqltext import field_expr, literal

log = logging.getLogger("objectry.indexes")


def unique_name(object_field_id: str) -> str:
    assert ID_PATTERN.match(object_field_id), object_field_id  # spliced into DDL text
    return f"rx_{object_field_id}_u"


def plain_name(object_field_id: str) -> str:
    assert ID_PATTERN.match(object_field_id), object_field_id
    return f"rx_{object_field_id}_i"


def expression(type_name: str, field_id: str) -> str:
    """The very expression the query compiler renders for this field, so filters use it."""
    return f"({field_expr(field_id, cast_of(type_name), None)})"


def _ddl(name: str, unique: bool, tenant_id: str, object_id: str, value: str) -> str:
    for id_ in (tenant_id, object_id):
        assert ID_PATTERN.match(id_), id_  # ids only: they are spliced into DDL text
    kind = "UNIQUE INDEX" if unique else "INDEX"
    # A plain index also carries the default record order, so "filter on this field, newest
    # (or oldest) first, 50 at a time" reads 50 index entries instead of sorting every match.
    columns = value + ("" if unique else ", created_at, id")
    return (f"CREATE {kind} CONCURRENTLY IF NOT EXISTS {name} ON records ({columns})"
            f" WHERE tenant_id = {literal(tenant_id)} AND object_id = {literal(object_id)}"
            f" AND deleted_at IS NULL")


@dataclass(frozen=True, slots=True)
class FieldIndex:
    """The index one flag of one attachment asks for."""

    tenant_id: str
    object_id: str
    object_field_id: str
    field_id: str
    field_type: str
    field_name: str
    unique: bool
    # The value's SQL when it is not the type's stored expression: a text autonumber's, or a
    # formula's (metadata/computed.value_sql, the text the query compiler renders too).
    value_sql: str | None = None

    @property
    def value(self) -> str:
        assert ID_PATTERN.match(self.field_id), self.field_id
        return self.value_sql or expression(self.field_type, self.field_id)

    @property
    def name(self) -> str:
        return (unique_name if self.unique else plain_name)(self.object_field_id)

    @property
    def flag(self) -> str:
        return "is_unique" if self.unique else "is_indexed"

    def statements(self) -> list[str]:
        """Build, then give the planner statistics on the expression, which it cannot take
        from a partial index, and fill them now rather than at autovacuum's leisure."""
        return [_ddl(self.name, self.unique, self.tenant_id, self.object_id, self.value),
                f"CREATE STATISTICS IF NOT EXISTS {self.name}_s ON {self.value} FROM records",
                "ANALYZE records"]


# Index DDL on `records` runs one at a time (across processes): two concurrent
# CREATE INDEX CONCURRENTLY on one table can deadlock each other.
_DDL_LOCK = 0x0B7EC8
# With a workspace's hash, the key of the lock its flag changes take (field_flags.py).
_WORKSPACE_LOCK = 0x0B7EC9
_VALID = "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)"


async def connect(url: str) -> asyncpg.Connection:
    """An owner connection for index DDL. The runtime pool's statement timeout bounds requests;
    a build takes as long as the table needs, so this session sets none, explicitly (whatever
    the role's or the database's default)."""
    return await asyncpg.connect(url, server_settings={"application_name": "objectry-ddl",
                                                       "statement_timeout": "0"})


@contextlib.asynccontextmanager
async def workspace_lock(url: str, tenant_id: str) -> AsyncIterator[asyncpg.Connection]:
    """An owner connection holding the workspace's index lock until it closes: the flag changes
    of one workspace run one at a time, in every process."""
    conn = await connect(url)
    try:
        await _lock(conn, "$1::int, hashtext($2)", _WORKSPACE_LOCK, tenant_id)
        yield conn
    finally:
        await conn.close()  # closing the session releases its advisory locks


async def _lock(conn: asyncpg.Connection, key: str, *args: object) -> None:
    """Take a session advisory lock by polling. A session blocked in pg_advisory_lock holds a
    snapshot, and CREATE INDEX CONCURRENTLY waits for every older snapshot: the build would
    wait for the very session that waits for it (PostgreSQL then reports a deadlock)."""
    delay = 0.01
    while not await conn.fetchval(f"SELECT pg_try_advisory_lock({key})", *args):
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.25)


@contextlib.asynccontextmanager
async def _ddl_lock(conn: asyncpg.Connection) -> AsyncIterator[None]:
    await _lock(conn, "$1", _DDL_LOCK)
    try:
        yield
    finally:
        # A connection broken mid-build cannot unlock; closing it (workspace_lock) releases.
        with contextlib.suppress(Exception):
            await conn.execute("SELECT pg_advisory_unlock($1)", _DDL_LOCK)


async def build(conn: asyncpg.Connection, index: FieldIndex) -> None:
    """Build `index` on `conn` and check it is valid, or drop what was built and refuse."""
    async with _ddl_lock(conn):
        # Only a build cut short (a crash) leaves an index of this name behind: start afresh.
        await conn.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {index.name}")
        try:
            for statement in index.statements():
                await conn.execute(statement)
            if not await conn.fetchval(_VALID, index.name):
                raise Conflict(f"the index of {index.field_name} could not be built; retry",
                               [detail(index.flag, "invalid", "the index build did not finish")])
        except BaseException as exc:
            await undo(conn, [index.name])
            refused = refusal(index, exc)
            if refused is None:
                raise
            raise refused from None


def refusal(index: FieldIndex, exc: BaseException) -> APIError | None:
    """What a failed build says to the client; None for a failure that is not the data's."""
    if isinstance(exc, APIError):
        return exc
    if isinstance(exc, asyncpg.UniqueViolationError):
        return Conflict(f"{index.field_name} cannot be made unique: existing records share a "
                        "value", [detail(index.flag, "duplicates", "records of this object "
                                         f"already repeat a {index.field_name}")])
    if isinstance(exc, asyncpg.ProgramLimitExceededError):  # "index row size exceeds maximum"
        return ValidationFailed([detail(index.flag, "too_long", f"a {index.field_name} value "
                                        "is too long for an index entry")])
    return None


async def drop_on(conn: asyncpg.Connection, names: list[str]) -> None:
    """Drop these field indexes (and their statistics) on an owner connection."""
    if names:
        async with _ddl_lock(conn):
            for name in names:
                await conn.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
                await conn.execute(f"DROP STATISTICS IF EXISTS {name}_s")


async def undo(conn: asyncpg.Connection, names: list[str]) -> None:
    """Undo a build that failed; a later build of the same name drops a leftover anyway."""
    try:
        await drop_on(conn, names)
    except Exception:  # noqa: BLE001 - the build's own failure is what the client must see
        log.exception("dropping %s after a failed build failed", ", ".join(names))


# The drops asked for inside a schema apply (schema_code/apply.py), whose transaction commits
# after the services that ask: DROP INDEX CONCURRENTLY waits for every transaction older than
# it, so dropping at once would wait for the very transaction that asked. Set: collect them.
_deferred: ContextVar[list[str] | None] = ContextVar("objectry_deferred_drops", default=None)


@contextlib.contextmanager
def deferring_drops() -> Iterator[list[str]]:
    """Inside: `drop` only notes the names (in this task and those it starts); the caller drops
    them with `drop_names` once its transaction has ended."""
    pending: list[str] = []
    token = _deferred.set(pending)
    try:
        yield pending
    finally:
        _deferred.reset(token)


async def drop(url: str, object_field_id: str, *, unique: bool = True, plain: bool = True
               ) -> None:
    """Drop an attachment's indexes on an owner connection of its own (detach, object delete)."""
    names = ([unique_name(object_field_id)] if unique else []) + \
        ([plain_name(object_field_id)] if plain else [])
    pending = _deferred.get()
    if pending is not None:
        pending.extend(names)
        return
    await drop_names(url, names)


async def drop_names(url: str, names: list[str]) -> None:
    """Drop these field indexes on an owner connection of its own."""
    if not names:
        return
    conn = await connect(url)
    try:
        await drop_on(conn, names)
    finally:
        await conn.close()
