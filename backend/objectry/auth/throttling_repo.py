"""SQL of the throttles' counts (`login_attempts`: one row per event, keyed by a SHA-256)."""

from __future__ import annotations

import asyncpg

# Seconds until the key may have another event: until its `allowed`-th newest event in the
# window leaves it; no row when it has fewer.
_WAIT = """
SELECT extract(epoch FROM at + make_interval(secs => $3) - now())
FROM login_attempts WHERE key_hash = $1 AND at > now() - make_interval(secs => $3)
ORDER BY at DESC OFFSET greatest($2 - 1, 0) LIMIT 1
"""


async def forget_before(conn: asyncpg.Connection, seconds: int) -> None:
    """Drop the events older than `seconds`."""
    await conn.execute("DELETE FROM login_attempts WHERE at < now() - make_interval(secs => $1)",
                       seconds)


async def lock_key(conn: asyncpg.Connection, key_hash: str) -> None:
    """Hold the key until the transaction ends, so its check-and-record is atomic."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key_hash)


async def wait_seconds(conn: asyncpg.Connection, key_hash: str, allowed: int,
                       window: int) -> float | None:
    """None when the key may have another event now."""
    wait = await conn.fetchval(_WAIT, key_hash, allowed, window)
    return None if wait is None else float(wait)


async def record(conn: asyncpg.Connection, key_hash: str) -> int:
    return await conn.fetchval("INSERT INTO login_attempts (key_hash) VALUES ($1) RETURNING id",
                               key_hash)


async def forget(conn: asyncpg.Connection, ids: list[int], key_hash: str) -> None:
    """Drop these events, and every event of `key_hash`."""
    await conn.execute("DELETE FROM login_attempts WHERE id = any($1::bigint[])"
                       " OR key_hash = $2", ids, key_hash)
