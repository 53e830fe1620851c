"""Throttles kept in PostgreSQL (`login_attempts`), so every worker process and host shares the
counts: sign-in failures per account and per client address, and sign-ups per address.

An event is recorded *before* the work it guards (a password check, a sign-up) and a sign-in's
is forgotten only when the password was right, so a burst of parallel requests cannot all slip
past the check; a per-key advisory lock makes the check-and-record atomic. Keys are stored as
SHA-256 hashes, never as e-mails or addresses; each kind has its own prefix and window.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from objectry.auth import throttling_repo as repo
from objectry.auth.secret_hash import digest
from objectry.db import tenancy
from objectry.errors import RateLimited
from objectry.settings import Settings

SIGNUP_WINDOW_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class Limit:
    key: str  # e.g. "account:ana@example.com", "address:203.0.113.7", "signup:203.0.113.7"
    allowed: int  # events per window
    window: int  # seconds

    @property
    def key_hash(self) -> str:
        return digest(self.key)


@dataclass(frozen=True, slots=True)
class Attempt:
    ids: list[int]
    account_hash: str


def _horizon(settings: Settings) -> int:
    """Rows older than the longest window any throttle counts are of no use to any."""
    return max(settings.login_window_seconds, SIGNUP_WINDOW_SECONDS)


async def _record(pool: asyncpg.Pool, limits: Sequence[Limit], horizon: int,
                  refusal: str) -> list[int]:
    """Record one event against every key, or refuse with 429 when any is at its limit."""
    async with tenancy.unscoped(pool, transaction=True) as conn:
        await repo.forget_before(conn, horizon)
        ids = []
        for limit in sorted(limits, key=lambda item: item.key_hash):  # one lock order: no deadlock
            await repo.lock_key(conn, limit.key_hash)
            wait = await repo.wait_seconds(conn, limit.key_hash, limit.allowed, limit.window)
            if wait is not None:
                raise RateLimited(refusal, headers={"Retry-After": str(max(1, math.ceil(wait)))})
            ids.append(await repo.record(conn, limit.key_hash))
    return ids


async def begin(pool: asyncpg.Pool, settings: Settings, email: str, address: str) -> Attempt:
    """A sign-in attempt, counted against the account and the client address."""
    window = settings.login_window_seconds
    account = Limit(f"account:{email}", settings.login_max_failures, window)
    by_address = Limit(f"address:{address}", settings.login_max_failures_per_address, window)
    ids = await _record(pool, (account, by_address), _horizon(settings),
                        "too many failed sign-ins; try again later")
    return Attempt(ids, account.key_hash)


async def succeeded(pool: asyncpg.Pool, attempt: Attempt) -> None:
    """A right password: this attempt was no failure, and the account's count starts over."""
    async with tenancy.unscoped(pool) as conn:
        await repo.forget(conn, attempt.ids, attempt.account_hash)


async def signup(pool: asyncpg.Pool, settings: Settings, address: str) -> None:
    """A sign-up from this client address; every one counts, whatever its outcome."""
    limit = Limit(f"signup:{address}", settings.signup_limit, SIGNUP_WINDOW_SECONDS)
    await _record(pool, (limit,), _horizon(settings),
                  "too many sign-ups from this address; try again later")
