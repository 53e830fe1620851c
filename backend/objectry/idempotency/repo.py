"""SQL of `idempotency_keys`: one row per workspace and key, written in the transaction of the
write it answers, and the transaction-scoped advisory lock that serialises a key's requests."""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from objectry.idempotency.stored import Stored

LIFETIME = timedelta(hours=24)  # an older key counts as absent
PURGE_BATCH = 100  # expired rows dropped per key stored: bounded work on the write path

# A live row is never overwritten (the caller holds the key's lock, so there is none: the
# guard checked); an expired one is. Expired rows of other keys go a batch at a time, skipping
# rows another purge holds, so two writers never wait for each other here.
_STORE = """
WITH purged AS (
    DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key IN (
        SELECT key FROM idempotency_keys
        WHERE tenant_id = $1 AND key <> $2 AND created_at <= now() - $7::interval
        LIMIT $8 FOR UPDATE SKIP LOCKED))
INSERT INTO idempotency_keys AS k (tenant_id, key, fingerprint, status, headers, body)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (tenant_id, key) DO UPDATE
    SET fingerprint = excluded.fingerprint, status = excluded.status,
        headers = excluded.headers, body = excluded.body, created_at = excluded.created_at
    WHERE k.created_at <= now() - $7::interval
RETURNING true
"""


async def try_lock(conn: asyncpg.Connection, tenant_id: str, key: str) -> bool:
    """Hold the key until the transaction ends; False at once when another request holds it.
    Tenant ids have no ':', so no two (workspace, key) pairs name the same lock."""
    return bool(await conn.fetchval("SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))",
                                    f"idempotency:{tenant_id}:{key}"))


async def find(conn: asyncpg.Connection, tenant_id: str, key: str
               ) -> tuple[bytes, Stored] | None:
    """The live key's fingerprint and response, or None (never used, or expired)."""
    row = await conn.fetchrow(
        "SELECT fingerprint, status, headers, body FROM idempotency_keys"
        " WHERE tenant_id = $1 AND key = $2 AND created_at > now() - $3::interval",
        tenant_id, key, LIFETIME)
    if row is None:
        return None
    return row["fingerprint"], Stored(row["status"], row["headers"], row["body"])


async def store(conn: asyncpg.Connection, tenant_id: str, key: str, fingerprint: bytes,
                response: Stored) -> bool:
    """Keep the response (and purge a few expired keys); False if a live row holds the key."""
    return bool(await conn.fetchval(_STORE, tenant_id, key, fingerprint, response.status,
                                    response.headers, response.body, LIFETIME, PURGE_BATCH))
