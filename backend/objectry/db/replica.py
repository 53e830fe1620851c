"""Reads from a streaming replica (DATABASE_READ_URL), with read-your-writes.

`tenancy.reading(ctx)` asks `Replica.acquire` for a replica connection; it answers None, and
the primary serves the read, when the replica cannot serve it now:
- it is down: a connect that fails (or takes over the connect timeout) opens a circuit breaker
  for `replica_retry_seconds`, during which nothing tries the replica;
- it lags: a watcher compares, every fraction of the lag bound, the primary's WAL position
  (sampled with its time) with what the replica has replayed; a replica that has not replayed
  what the primary had written `replica_max_lag_ms` ago serves nothing;
- the caller needs a write it has not replayed yet, and it does not replay it within
  `replica_wait_ms`. What a caller needs: the LSN of its own last writes, remembered here per
  principal for a bounded time (`remember`), and any LSN it sends (X-Objectry-Min-LSN, which
  another host gave it in X-Objectry-LSN: web/read_your_writes.py).

The common read costs nothing extra: a caller that has not written lately needs LSN 0, and one
whose write the watcher has already seen replayed needs no check either. Only a read that
needs an LSN beyond the last one seen asks the replica (`pg_last_wal_replay_lsn()`), and waits.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import asyncpg

from objectry.db.pool import unreachable
from objectry.db.tenancy import unscoped
from objectry.settings import Settings

log = logging.getLogger("objectry.replica")

# What a server that is not in recovery (DATABASE_READ_URL naming a primary) has replayed.
EVERYTHING = 2**64
# Principals whose writes are remembered at once; past it the oldest are forgotten first.
MAX_REMEMBERED = 100_000
# How often a read that waits for an LSN asks the replica again: after 1 ms, then twice as
# long each time up to 10 ms.
FIRST_POLL_SECONDS, POLL_SECONDS = 0.001, 0.01
_LSN = re.compile(r"([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})")


def parse_lsn(text: str) -> int | None:
    """PostgreSQL's `16/B374D848` as a number, or None when it is not one."""
    match = _LSN.fullmatch(text.strip())
    if match is None:
        return None
    return (int(match[1], 16) << 32) | int(match[2], 16)


def format_lsn(lsn: int) -> str:
    return f"{lsn >> 32:X}/{lsn & 0xFFFFFFFF:X}"


@dataclass(slots=True)
class Needs:
    """What one request's reads must see: the LSN its client sent, and who calls (whose
    remembered writes count). Made per request by web/read_your_writes.py, filled in by
    web/context.py once the caller is known."""

    given: int = 0
    principal: str | None = None


request_needs: ContextVar[Needs | None] = ContextVar("objectry_read_needs", default=None)


class Replica:
    """The read pool, whether it may serve now, and the principals' recent writes."""

    def __init__(self, pool: asyncpg.Pool, primary: asyncpg.Pool, settings: Settings) -> None:
        self.pool, self.primary = pool, primary
        self.wait = settings.replica_wait_ms / 1000
        self.max_lag = settings.replica_max_lag_ms / 1000
        self.retry = settings.replica_retry_seconds
        self.interval = min(1.0, max(0.05, self.max_lag / 4))
        self.remember_seconds = 2 * self.max_lag + 1
        self.down_until = 0.0  # the circuit breaker: open until then
        self.down = False  # since the last failure, no probe has reached the replica
        self.written = 0  # the highest LSN known written on the primary
        self.replayed = 0  # the highest LSN seen replayed
        self.lag = 0.0  # seconds, as the watcher last measured it
        self._samples: deque[tuple[float, int]] = deque()  # (monotonic time, primary LSN)
        self._written: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._watcher: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.probe()
        self._watcher = asyncio.create_task(self._watch(), name="objectry-replica-watch")

    async def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            await asyncio.gather(self._watcher, return_exceptions=True)

    # -- read-your-writes ------------------------------------------------------------------

    def remember(self, principal: str, lsn: int) -> None:
        self._written[principal] = (lsn, time.monotonic() + self.remember_seconds)
        self._written.move_to_end(principal)
        while len(self._written) > MAX_REMEMBERED:
            self._written.popitem(last=False)

    def required(self) -> int:
        """The LSN the running request's reads must see (0: any)."""
        needs = request_needs.get()
        if needs is None:
            return 0
        written = self._written.get(needs.principal) if needs.principal is not None else None
        if written is None:
            return needs.given
        if written[1] < time.monotonic():
            self._written.pop(str(needs.principal), None)
            return needs.given
        return max(needs.given, written[0])

    async def committed(self, principal: str | None) -> int | None:
        """After a write has committed: the primary's WAL position, which covers it (None when
        the primary cannot say), remembered for `principal`."""
        try:
            async with unscoped(self.primary) as conn:
                lsn = parse_lsn(await conn.fetchval("SELECT pg_current_wal_lsn()::text"))
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("the primary's WAL position is unknown after a write: %s", exc)
            return None
        if lsn is not None:
            self.written = max(self.written, lsn)
            if principal is not None:
                self.remember(principal, lsn)
        return lsn

    # -- the door --------------------------------------------------------------------------

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[asyncpg.Connection | None]:
        """A replica connection that has replayed what the request needs, or None."""
        conn = await self._usable(self.required())
        if conn is None:
            yield None
            return
        try:
            yield conn
        except BaseException as exc:
            if unreachable(exc):
                self._trip(exc)
            raise
        finally:
            await self.pool.release(conn)

    async def _usable(self, need: int) -> asyncpg.Connection | None:
        if time.monotonic() < self.down_until or self.lag > self.max_lag or need > self.written:
            # Past what the primary is known to have written: a claim from another host newer
            # than the last sample, or a made-up one. The primary has it (if it exists) without
            # holding a replica connection for the whole wait.
            return None
        try:
            conn = await self.pool.acquire()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            self._trip(exc)
            return None
        usable = False
        try:
            usable = need <= self.replayed or await self._caught_up(conn, need)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            self._trip(exc)
        finally:  # also when the request is cancelled while it waits
            if not usable:
                await self.pool.release(conn)
        return conn if usable else None

    async def _caught_up(self, conn: asyncpg.Connection, need: int) -> bool:
        """Whether the replica replays `need` within the wait bound. A write is usually
        replayed a millisecond or so after its commit: the first polls come soon after."""
        deadline, pause = time.monotonic() + self.wait, FIRST_POLL_SECONDS
        while await self._replay_lsn(conn) < need:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            await asyncio.sleep(min(pause, left))
            pause = min(2 * pause, POLL_SECONDS)
        return True

    async def _replay_lsn(self, conn: asyncpg.Connection) -> int:
        text = await conn.fetchval("SELECT pg_last_wal_replay_lsn()::text")
        replayed = EVERYTHING if text is None else parse_lsn(text) or 0
        self.replayed = max(self.replayed, replayed)
        return replayed

    def _trip(self, exc: BaseException) -> None:
        if not self.down:
            log.warning("the read replica is unreachable (%s); reading from the primary,"
                        " trying it again every %g s", str(exc) or type(exc).__name__,
                        self.retry)
        self.down, self.down_until = True, time.monotonic() + self.retry

    # -- the watcher -----------------------------------------------------------------------

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.probe()
            except Exception:  # the watcher must outlive any one failure
                log.exception("watching the read replica failed")

    async def probe(self) -> None:
        """Sample the primary's WAL position, then measure the replica's lag against the
        samples (unless the breaker is open)."""
        try:
            async with unscoped(self.primary) as conn:
                primary = parse_lsn(await conn.fetchval("SELECT pg_current_wal_lsn()::text"))
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return  # nothing to compare with: the last measure stands
        now = time.monotonic()
        self._samples.append((now, primary or 0))
        self.written = max(self.written, primary or 0)
        while len(self._samples) > 1 and self._samples[0][0] < now - self.max_lag - 2 * (
                self.interval + self.wait):
            self._samples.popleft()
        if now < self.down_until:
            return
        try:
            async with self.pool.acquire() as conn:
                replayed = await self._replay_lsn(conn)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            self._trip(exc)
            return
        if self.down:
            log.warning("the read replica answers again")
            self.down = False
        lag, self.lag = self.lag, self._lag(replayed, time.monotonic())
        if lag <= self.max_lag < self.lag:
            log.warning("the read replica lags %.1f s behind the primary (bound: %g s);"
                        " reading from the primary", self.lag, self.max_lag)
        elif self.lag <= self.max_lag < lag:
            log.warning("the read replica is within the lag bound again")

    def _lag(self, replayed: int, now: float) -> float:
        """Since when the replica misses something the primary had: the oldest sample past
        what it replayed (0 when it has replayed every sample)."""
        for at, lsn in self._samples:
            if lsn > replayed:
                return now - at
        return 0.0
