"""Sign-in throttling per account and per client address, kept in PostgreSQL (`login_attempts`)
so every worker process and host shares the counts.

An attempt is recorded *before* the password is checked and forgotten only when it succeeds, so
a burst of parallel guesses cannot all slip past the check; a per-key advisory lock makes the
check-and-record atomic. Keys are stored as SHA-256 hashes, never as e-mails or addresses.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import asyncpg

from objectry.errors import RateLimited


@dataclass(frozen=True, slots=True)
class Limit:
    key: str  # e.g. "account:ana@example.com" or "address:203.0.113.7"
    max_failures: int

    @property
    def key_hash(self) -> str:
        return hashlib.sha256(self.key.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Attempt:
    ids: list[int]
    account_hash: str


_WAIT = """
SELECT extract(epoch FROM at + make_interval(secs => $3) - now())
FROM login_attempts WHERE key_hash = $1 AND at > now() - make_interval(secs => $3)
ORDER BY at DESC OFFSET $2 - 1 LIMIT 1
"""


async def begin(pool: asyncpg.Pool, account: Limit, address: Limit, window: int) -> Attempt:
    """Record one attempt against both keys, or refuse with 429 when either is at its limit."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("DELETE FROM login_attempts"
                           " WHERE at < now() - make_interval(secs => $1)", window)
        ids = []
        for limit in sorted((account, address), key=lambda item: item.key_hash):
            await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                               limit.key_hash)
            wait = await conn.fetchval(_WAIT, limit.key_hash, limit.max_failures, window)
            if wait is not None:
                raise RateLimited("too many failed sign-ins; try again later",
                                  headers={"Retry-After": str(max(1, math.ceil(wait)))})
            ids.append(await conn.fetchval(
                "INSERT INTO login_attempts (key_hash) VALUES ($1) RETURNING id",
                limit.key_hash))
    return Attempt(ids, account.key_hash)


async def succeeded(pool: asyncpg.Pool, attempt: Attempt) -> None:
    """A right password: this attempt was no failure, and the account's count starts over."""
    async with pool.acquire() as conn:
        await conn.execute("DELETE FROM login_attempts WHERE id = any($1::bigint[])"
                           " OR key_hash = $2", attempt.ids, attempt.account_hash)
