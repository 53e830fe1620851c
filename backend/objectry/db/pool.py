"""The asyncpg pool: JSON codecs registered once, every statement running as the runtime role
under a statement timeout and scoped to one workspace at a time (see tenancy.py).

Two ways to PostgreSQL (Settings.database_pooler). Direct (or a session-mode pooler): the
session carries the role, the timeout and the workspace, and statements are prepared once per
connection. Behind a transaction-mode pooler (PgBouncer, Supavisor) a session is not ours from
one transaction to the next, so every unit of work is a transaction whose first round trip
sets all three `LOCAL`ly, and nothing is prepared under a name (the pooler's next transaction
may run on a server connection that never saw it). `workspace_concurrency` (0: none) caps each
workspace's units of work at once on this pool, in this process (db/admission.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import orjson

from objectry.db.admission import Admission
from objectry.settings import TRANSACTION
from objectry.sqltext import literal

RUNTIME_ROLE = "objectry_app"


class ScopedConnection(asyncpg.Connection):  # type: ignore[misc]  # asyncpg is untyped (Any)
    """A connection that remembers which workspace its session is scoped to, so that a request
    for the same workspace as the last one needs no extra round trip (direct), or that puts the
    scope into the BEGIN of its next transaction (behind a transaction pooler)."""

    __slots__ = ("tenant_id", "local_settings", "_begin")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.tenant_id: str | None = None
        # Behind a transaction pooler: `SET LOCAL …` for the role and the timeout; else None.
        self.local_settings: str | None = None
        self._begin: str | None = None

    @property
    def per_transaction(self) -> bool:
        """Whether the scope must be set in every transaction (a transaction pooler's)."""
        return self.local_settings is not None

    async def scope_to(self, tenant_id: str) -> None:
        if self.tenant_id != tenant_id:
            self.tenant_id = None  # unknown until the SET is known to have run
            await self.execute("SELECT set_config('app.tenant_id', $1, false)", tenant_id)
            self.tenant_id = tenant_id

    def scope_next_transaction(self, tenant_id: str | None) -> None:
        """The next `conn.transaction()` begins with the role, the timeout and the workspace
        ('' for none: nothing left by another client of the pooler's session can apply), in
        one simple-protocol query: the scope costs no round trip of its own."""
        self._begin = (f"BEGIN; {self.local_settings}; "
                       f"SELECT set_config('app.tenant_id', {literal(tenant_id or '')}, true), "
                       "set_config('app.user_id', '', true)")

    async def execute(self, query: str, *args: object, timeout: float | None = None) -> str:
        # asyncpg's Transaction.start() sends exactly "BEGIN;" for a top-level transaction;
        # widening it keeps asyncpg's own bookkeeping (savepoints, commit, rollback) intact.
        if self._begin is not None and query == "BEGIN;" and not args:
            query, self._begin = self._begin, None
        result: str = await super().execute(query, *args, timeout=timeout)
        return result


def _dumps(value: object) -> str:
    return orjson.dumps(value).decode()


async def _init(conn: asyncpg.Connection) -> None:
    for name in ("json", "jsonb"):
        await conn.set_type_codec(name, encoder=_dumps, decoder=orjson.loads, schema="pg_catalog")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """On release, asyncpg rolls back any open transaction; the default RESET ALL would also
    cost a round trip per request and drop the workspace scope, which the next acquire sets
    anyway (tenancy.py) — nothing else is ever set on a pooled session."""


def _local_settings(statement_timeout_ms: int) -> str:
    return (f"SET LOCAL ROLE {RUNTIME_ROLE}; "
            f"SET LOCAL statement_timeout = {int(statement_timeout_ms)}")


class BoundedPool(asyncpg.Pool):  # type: ignore[misc]  # asyncpg is untyped (Any)
    """A pool whose `acquire()` waits at most `acquire_timeout` seconds unless told otherwise:
    every door to the database (tenancy, auth, throttles, pool.fetch…) goes through it, so a
    pool exhausted by slow requests, or a database that accepts sockets but never answers,
    gives a TimeoutError (a 503 `unavailable`) instead of a request that hangs.

    A connection released with nothing to undo is parked here rather than put back in
    asyncpg's queue: asyncpg still counts it as checked out, and the next `acquire()` hands it
    out again at once. asyncpg's acquire and release (its context object, queue, holder, proxy
    and inactivity timer) cost about 10 µs a request (bench/notes.md). A release hands its
    connection to asyncpg's queue instead when an acquirer waits there, and closing, expiring
    or a connection that went away puts parked connections back first."""

    def __init__(self, *args: Any, acquire_timeout: float, workspace_concurrency: int = 0,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acquire_timeout = acquire_timeout
        # The per-workspace gate in front of this pool (db/admission.py, used by tenancy's
        # doors); None when off (0).
        self.admission = (Admission(workspace_concurrency, acquire_timeout)
                          if workspace_concurrency > 0 else None)
        self._parked: list[Any] = []  # connection proxies, the most recently released last

    def acquire(self, *, timeout: float | None = None) -> Checkout:
        return Checkout(self, self.acquire_timeout if timeout is None else timeout)

    def _take_parked(self) -> Any:
        """The most recently parked connection that is still good, else None."""
        while self._parked and not self._closing:
            proxy = self._parked.pop()
            con = proxy._con  # None once asyncpg let go of it (the connection was lost)
            if (con is not None and not con.is_closed()
                    and proxy._holder._generation == self._generation):
                return proxy
            if con is not None:  # expired, or closing: asyncpg replaces it on a later acquire
                self._unpark(proxy)
        return None

    async def release(self, connection: Any, *, timeout: float | None = None) -> None:
        """asyncpg's release, without its task when there is nothing to do: asyncpg shields an
        async reset (a task per request, ~5% of a GET by id) so that a cancelled request still
        returns its connection. Ours resets nothing (`_keep_session`), so a connection with no
        transaction, listener, cancellation or retirement pending is parked (or goes straight
        back to the queue), synchronously — nothing there can be cancelled half-way. Anything
        else, or an asyncpg whose internals moved, takes asyncpg's own path."""
        holder: Any = getattr(connection, "_holder", None)
        con: Any = getattr(connection, "_con", None)
        try:
            quiet = (con is not None and holder._pool is self and not con.is_closed()
                     and con._top_xact is None and not con._protocol.is_in_transaction()
                     and not con._protocol._is_cancelling() and not con._listeners
                     and not con._log_listeners and holder._generation == self._generation
                     and con._protocol.queries_count < holder._max_queries)
            awaited = quiet and any(not w.done() for w in self._queue._getters)
        except AttributeError:
            quiet = awaited = False
        if not quiet:
            return await super().release(connection, timeout=timeout)
        if connection in self._parked:  # released twice: asyncpg ignores that, and so must we
            return None
        if awaited or self._closing:
            self._unpark(connection)
        else:
            self._parked.append(connection)
        return None

    def _unpark(self, proxy: Any) -> None:
        """Back to asyncpg's queue, as its own release would put a connection with nothing to
        reset (waking the acquirer that waits there, if any)."""
        proxy._con._on_release()
        holder = proxy._holder
        holder._timeout = None
        holder._release()
        holder._setup_inactive_callback()

    def _unpark_all(self) -> None:
        parked, self._parked = self._parked, []
        for proxy in parked:
            if proxy._con is not None:
                self._unpark(proxy)

    async def close(self) -> None:
        self._unpark_all()  # asyncpg's close waits for every checked-out connection
        await super().close()

    def terminate(self) -> None:
        self._parked.clear()  # terminated with the others: asyncpg then lets go of them
        super().terminate()

    async def expire_connections(self) -> None:
        self._unpark_all()
        await super().expire_connections()


class Checkout:
    """What `BoundedPool.acquire()` returns, for `async with` or `await`: once entered, a parked
    connection, else one from asyncpg's queue within `timeout` (nothing is taken before, so a
    checkout never entered holds nothing). The wait is bounded by asyncio.timeout rather than
    asyncpg's (which runs the acquire in a task of its own, ~10% of a GET by id's Python):
    without a task, an acquirer joins the queue's line before any release can run, so a release
    always sees it waiting and hands it the connection instead of parking it."""

    __slots__ = ("_pool", "_timeout", "_proxy")

    def __init__(self, pool: BoundedPool, timeout: float | None) -> None:
        self._pool, self._timeout, self._proxy = pool, timeout, None

    async def __aenter__(self) -> Any:
        self._proxy = self._pool._take_parked()
        if self._proxy is None:
            async with asyncio.timeout(self._timeout):
                self._proxy = await self._pool._acquire(None)
        return self._proxy

    async def __aexit__(self, *exc: object) -> None:
        proxy, self._proxy = self._proxy, None
        await self._pool.release(proxy)

    def __await__(self) -> Any:
        return self.__aenter__().__await__()


async def create(url: str, *, min_size: int, max_size: int, statement_timeout_ms: int,
                 acquire_timeout_ms: int, pooler: str = "direct",
                 workspace_concurrency: int = 0) -> asyncpg.Pool:
    """Statements run as RUNTIME_ROLE (no BYPASSRLS), so row-level security always applies,
    and under `statement_timeout`, so no request holds a connection (and its locks) for long.
    Direct, both are settings of the session; behind a transaction pooler (which refuses them as
    startup parameters anyway), of each transaction. Migrations and field-index DDL run on
    owner connections of their own (connect_owner), without either.

    A broken connection (the server restarted) is dropped by asyncpg's pool and replaced on a
    later acquire, so the pool recovers by itself; making one may take `acquire_timeout_ms`."""
    init: Any = _init
    options: dict[str, Any] = {"server_settings": {
        "role": RUNTIME_ROLE, "application_name": "objectry",
        "statement_timeout": str(statement_timeout_ms)}}
    if pooler == TRANSACTION:
        local_settings = _local_settings(statement_timeout_ms)

        async def init(conn: asyncpg.Connection) -> None:
            conn.local_settings = local_settings
            await _init(conn)

        options = {"statement_cache_size": 0,
                   "server_settings": {"application_name": "objectry"}}
    seconds = acquire_timeout_ms / 1000
    pool = BoundedPool(
        url, min_size=min_size, max_size=max_size, init=init, reset=_keep_session,
        connection_class=ScopedConnection, record_class=asyncpg.Record, loop=None,
        # create_pool's defaults, which the constructor wants spelled out.
        max_queries=50_000, max_inactive_connection_lifetime=300.0,
        acquire_timeout=seconds, timeout=seconds,  # `timeout`: each new connection's
        workspace_concurrency=workspace_concurrency,
        **options,
    )
    return await pool


async def ping(conn: asyncpg.Connection, timeout: float) -> None:
    """One round trip: raises unless the server still answers on `conn` within `timeout`."""
    await conn.fetchval("SELECT 1", timeout=timeout)


def unreachable(exc: BaseException) -> bool:
    """Whether `exc` says the database could not be reached or went away, rather than a bug:
    a refused or reset socket, a socket file gone (OSError), a connect or acquire that timed
    out (TimeoutError is an OSError), a connection that closed before use or a pool closing
    at shut-down, a session the server ended while it sat idle (asyncpg's InterfaceError and
    InternalClientError). Errors with a SQLSTATE are errors.from_db_error's."""
    if isinstance(exc, OSError):
        return True
    if isinstance(exc, asyncpg.InternalClientError):
        # A server shutting down sends FATAL 57P01 to idle sessions too. asyncpg does not expect
        # an error on an idle connection: until the socket's close is read (moments later),
        # every use of it raises "cannot switch to state …; another operation (2) is in
        # progress". Seen 2 times in ~5,000 requests at a `pg_ctl stop -m fast` under load.
        return True
    return isinstance(exc, asyncpg.InterfaceError) and str(exc).endswith(_GONE)


# asyncpg's InterfaceError messages for a connection or pool that is no longer there; the others
# are misuse of asyncpg (bugs).
_GONE = ("connection is closed", "pool is closing", "pool is closed")


async def connect_owner(url: str) -> asyncpg.Connection:
    """A connection as the schema owner, for DDL the runtime role may not run (field indexes)."""
    conn = await asyncpg.connect(url, server_settings={"application_name": "objectry-ddl"})
    await _init(conn)
    return conn
