"""The asyncpg pool: JSON codecs registered once, every connection running as the runtime role
under a statement timeout and scoped to one workspace at a time (see tenancy.py)."""

from __future__ import annotations

import asyncpg
import orjson

RUNTIME_ROLE = "objectry_app"


class ScopedConnection(asyncpg.Connection):  # type: ignore[misc]  # asyncpg is untyped (Any)
    """A connection that remembers which workspace its session is scoped to, so that a request
    for the same workspace as the last one needs no extra round trip."""

    __slots__ = ("tenant_id",)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.tenant_id: str | None = None

    async def scope_to(self, tenant_id: str) -> None:
        if self.tenant_id != tenant_id:
            self.tenant_id = None  # unknown until the SET is known to have run
            await self.execute("SELECT set_config('app.tenant_id', $1, false)", tenant_id)
            self.tenant_id = tenant_id


def _dumps(value: object) -> str:
    return orjson.dumps(value).decode()


async def _init(conn: asyncpg.Connection) -> None:
    for name in ("json", "jsonb"):
        await conn.set_type_codec(name, encoder=_dumps, decoder=orjson.loads, schema="pg_catalog")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """On release, asyncpg rolls back any open transaction; the default RESET ALL would also
    cost a round trip per request and drop the workspace scope, which the next acquire sets
    anyway (tenancy.py) — nothing else is ever set on a pooled session."""


async def create(url: str, *, min_size: int, max_size: int,
                 statement_timeout_ms: int) -> asyncpg.Pool:
    """Connections start as RUNTIME_ROLE (no BYPASSRLS), so row-level security always applies,
    and with `statement_timeout`, so no request holds a connection (and its locks) for long.
    Migrations and field-index DDL run on owner connections (connect_owner), without it."""
    return await asyncpg.create_pool(
        url, min_size=min_size, max_size=max_size, init=_init, reset=_keep_session,
        connection_class=ScopedConnection,
        server_settings={"role": RUNTIME_ROLE, "application_name": "objectry",
                         "statement_timeout": str(statement_timeout_ms)},
    )


async def connect_owner(url: str) -> asyncpg.Connection:
    """A connection as the schema owner, for DDL the runtime role may not run (field indexes)."""
    conn = await asyncpg.connect(url, server_settings={"application_name": "objectry-ddl"})
    await _init(conn)
    return conn
