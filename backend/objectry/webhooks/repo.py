"""SQL of webhooks, their outbox events and deliveries: raw asyncpg, `$n` parameters only.
Every statement runs in one workspace's scope (db/tenancy.py), except `due_workspaces`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from objectry import sqltext
from objectry.web.pagination import PageRequest

WEBHOOK_COLUMNS = ("id, name, url, events, object_ids, filter, active, secret, failing_since,"
                   " disabled_reason, created_at, updated_at")
DELIVERY_COLUMNS = ("d.id, d.webhook_id, e.event_id, d.record_id, d.status, d.attempts,"
                    " d.last_status_code, d.last_error, d.duration_ms, d.next_attempt_at,"
                    " d.created_at, e.op")
# A claimed delivery with what its attempt needs; `leased_until` is the claim's token.
CLAIMED_COLUMNS = ("d.id, d.webhook_id, d.status, d.attempts, d.leased_until, d.record_id,"
                   " w.url, w.secret, e.event_id, e.body")
_FROM_DELIVERIES = ("FROM webhook_deliveries d JOIN webhook_events e"
                    " ON e.tenant_id = d.tenant_id AND e.seq = d.event_seq")


# --- webhooks -------------------------------------------------------------------------------
async def insert(conn: asyncpg.Connection, values: dict[str, Any]) -> asyncpg.Record:
    return await conn.fetchrow(
        f"""INSERT INTO webhooks (tenant_id, id, name, url, events, object_ids, filter, active,
                                  secret, created_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {WEBHOOK_COLUMNS}""",
        values["tenant_id"], values["id"], values["name"], values["url"], values["events"],
        values["object_ids"], values["filter"], values["active"], values["secret"],
        values["created_by"])


async def get(conn: asyncpg.Connection, tenant_id: str, webhook_id: str, *,
              for_update: bool = False) -> asyncpg.Record | None:
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow(
        f"SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE tenant_id = $1 AND id = $2{lock}",
        tenant_id, webhook_id)


async def list_page(conn: asyncpg.Connection, tenant_id: str, request: PageRequest
                    ) -> list[asyncpg.Record]:
    after_at, after_id = request.after or (None, None)
    return await conn.fetch(
        f"""SELECT {WEBHOOK_COLUMNS} FROM webhooks
            WHERE tenant_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) > ($2, $3))
            ORDER BY created_at, id{sqltext.limit(request.limit + 1)}""",
        tenant_id, after_at, after_id)


async def update(conn: asyncpg.Connection, tenant_id: str, webhook_id: str,
                 values: dict[str, Any]) -> asyncpg.Record:
    """The webhook's every settable column at once (the service merged the change)."""
    return await conn.fetchrow(
        f"""UPDATE webhooks SET name = $3, url = $4, events = $5, object_ids = $6, filter = $7,
                   active = $8, secret = $9, failing_since = $10, disabled_reason = $11,
                   updated_at = now()
            WHERE tenant_id = $1 AND id = $2 RETURNING {WEBHOOK_COLUMNS}""",
        tenant_id, webhook_id, values["name"], values["url"], values["events"],
        values["object_ids"], values["filter"], values["active"], values["secret"],
        values["failing_since"], values["disabled_reason"])


async def delete(conn: asyncpg.Connection, tenant_id: str, webhook_id: str) -> bool:
    done = await conn.execute("DELETE FROM webhooks WHERE tenant_id = $1 AND id = $2",
                              tenant_id, webhook_id)
    return done != "DELETE 0"


async def active(conn: asyncpg.Connection, tenant_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE tenant_id = $1 AND active ORDER BY id",
        tenant_id)


async def after_failure(conn: asyncpg.Connection, tenant_id: str, webhook_id: str,
                        disable_after_seconds: float) -> None:
    """A failure starts a failing spell, and deactivates the webhook once the spell has lasted
    `disable_after_seconds` with no success (a success ends it: `record_attempt`)."""
    await conn.execute(
        """UPDATE webhooks SET
               failing_since = coalesce(failing_since, now()),
               active = false, updated_at = now(),
               disabled_reason = 'deactivated: every delivery failed since '
                   || to_char(coalesce(failing_since, now()) AT TIME ZONE 'UTC',
                              'YYYY-MM-DD"T"HH24:MI:SS"Z"')
           WHERE tenant_id = $1 AND id = $2 AND active
             AND coalesce(failing_since, now()) <= now() - make_interval(secs => $3)""",
        tenant_id, webhook_id, disable_after_seconds)
    await conn.execute(
        "UPDATE webhooks SET failing_since = now() WHERE tenant_id = $1 AND id = $2"
        " AND failing_since IS NULL", tenant_id, webhook_id)


# --- the outbox -----------------------------------------------------------------------------
async def due_workspaces(conn: asyncpg.Connection) -> list[tuple[str, bool]]:
    """Workspaces with events to fan out or deliveries due or waiting, and whether they have
    events (SECURITY DEFINER, migration 0011)."""
    rows = await conn.fetch("SELECT tenant_id, events FROM objectry_webhook_due()")
    return [(r["tenant_id"], r["events"]) for r in rows]


async def undispatched(conn: asyncpg.Connection, tenant_id: str, limit: int
                       ) -> list[asyncpg.Record]:
    """The oldest events not fanned out yet, locked (another process skips them)."""
    return await conn.fetch(
        """SELECT seq, record_id, object_id, op, record, changes, at FROM webhook_events
           WHERE tenant_id = $1 AND event_id IS NULL ORDER BY seq LIMIT $2
           FOR UPDATE SKIP LOCKED""", tenant_id, limit)


async def dispatched(conn: asyncpg.Connection, tenant_id: str, seqs: list[int],
                     event_ids: list[str], bodies: list[str | None]) -> None:
    """Events fanned out: those with deliveries keep their id and body, the others go."""
    await conn.execute(
        """WITH u AS (SELECT * FROM unnest($2::bigint[], $3::text[], $4::text[])
                      AS u(seq, event_id, body)),
                gone AS (DELETE FROM webhook_events e USING u
                         WHERE e.tenant_id = $1 AND e.seq = u.seq AND u.body IS NULL)
           UPDATE webhook_events e SET event_id = u.event_id, body = u.body FROM u
           WHERE e.tenant_id = $1 AND e.seq = u.seq AND u.body IS NOT NULL""",
        tenant_id, seqs, event_ids, bodies)


async def purge_old(conn: asyncpg.Connection, tenant_id: str, days: float) -> None:
    """The oldest events past the retention, a hundred at a time, with their deliveries once
    none is pending (the foreign key takes them along)."""
    await conn.execute(
        """DELETE FROM webhook_events e WHERE e.tenant_id = $1 AND e.seq IN (
               SELECT o.seq FROM webhook_events o
               WHERE o.tenant_id = $1 AND o.event_id IS NOT NULL
                 AND o.at < now() - make_interval(secs => $2 * 86400)
                 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d
                                 WHERE d.tenant_id = o.tenant_id AND d.event_seq = o.seq
                                   AND d.status = 'pending')
               ORDER BY o.seq LIMIT 100)""", tenant_id, days)


async def insert_event(conn: asyncpg.Connection, tenant_id: str, event_id: str, op: str,
                       body: str) -> int:
    """An event that is not a record change (`webhook.test`), already fanned out."""
    seq: int = await conn.fetchval(
        "INSERT INTO webhook_events (tenant_id, event_id, op, body) VALUES ($1, $2, $3, $4)"
        " RETURNING seq", tenant_id, event_id, op, body)
    return seq


async def insert_deliveries(conn: asyncpg.Connection, tenant_id: str, ids: list[str],
                            webhook_ids: list[str], seqs: list[int],
                            record_ids: list[str | None], *, lease_seconds: float = 0
                            ) -> None:
    """Pending deliveries, in event order; leased for `lease_seconds` when the caller sends at
    once. In order per record: a delivery is due now only if no earlier one of its record is
    pending for its webhook (in this batch or before); else it waits (`next_attempt_at` NULL)
    until that one is final (`record_attempt` releases it). `created_at` is each row's own
    clock, so a batch lists in event order (newest first)."""
    await conn.execute(
        """WITH u AS (
               SELECT id, wh, seq, rec, n,
                      row_number() OVER (PARTITION BY wh, rec ORDER BY seq) AS nth
               FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[])
                    WITH ORDINALITY AS u(id, wh, seq, rec, n)
           ), busy AS (
               SELECT DISTINCT d.webhook_id, d.record_id FROM webhook_deliveries d
               JOIN u ON d.webhook_id = u.wh AND d.record_id = u.rec
               WHERE d.tenant_id = $1 AND d.status = 'pending'
           )
           INSERT INTO webhook_deliveries (tenant_id, id, webhook_id, event_seq, record_id,
                                           created_at, next_attempt_at, leased_until)
           SELECT $1, u.id, u.wh, u.seq, u.rec, clock_timestamp(),
                  CASE WHEN u.rec IS NULL OR (u.nth = 1 AND NOT EXISTS (
                           SELECT 1 FROM busy b WHERE b.webhook_id = u.wh
                           AND b.record_id = u.rec)) THEN now() END,
                  CASE WHEN $6 > 0 THEN now() + make_interval(secs => $6) END
           FROM u ORDER BY u.n""",
        tenant_id, ids, webhook_ids, seqs, record_ids, lease_seconds)


async def lock_fan_out(conn: asyncpg.Connection, tenant_id: str) -> bool:
    """One fan-out per workspace at a time (the transaction's lock): a record's deliveries must
    be written in event order for `insert_deliveries` to tell which is due."""
    locked: bool = await conn.fetchval(
        "SELECT pg_try_advisory_xact_lock(hashtextextended('objectry_webhook_fanout:' || $1, 0))",
        tenant_id)
    return locked


# --- deliveries -----------------------------------------------------------------------------
async def claim_due(conn: asyncpg.Connection, tenant_id: str, limit: int,
                    lease_seconds: float) -> list[asyncpg.Record]:
    """Lease due deliveries of active webhooks, oldest first: a walk of the due index that
    stops at the LIMIT, whatever the table's statistics say. (The order per record is kept by
    `next_attempt_at`: a delivery waiting for an earlier one has none. Checked here instead, as
    a NOT EXISTS or a min() subquery, the planner of fresh, unanalysed tables scanned every
    pending row per row: 10,000 pending deliveries hit the 15 s statement timeout.)"""
    return await conn.fetch(
        f"""WITH due AS (
                SELECT d.tenant_id, d.id FROM webhook_deliveries d
                JOIN webhooks w ON w.tenant_id = d.tenant_id AND w.id = d.webhook_id
                WHERE d.tenant_id = $1 AND d.status = 'pending' AND w.active
                  AND d.next_attempt_at <= now()
                  AND (d.leased_until IS NULL OR d.leased_until < now())
                ORDER BY d.next_attempt_at, d.event_seq LIMIT $2
                FOR UPDATE OF d SKIP LOCKED)
            UPDATE webhook_deliveries d SET leased_until = now() + make_interval(secs => $3)
            FROM due, webhooks w, webhook_events e
            WHERE d.tenant_id = due.tenant_id AND d.id = due.id
              AND w.tenant_id = d.tenant_id AND w.id = d.webhook_id
              AND e.tenant_id = d.tenant_id AND e.seq = d.event_seq
            RETURNING {CLAIMED_COLUMNS}""", tenant_id, limit, lease_seconds)


async def claim_one(conn: asyncpg.Connection, tenant_id: str, webhook_id: str,
                    delivery_id: str, lease_seconds: float) -> asyncpg.Record | None:
    """Lease this delivery now (a manual retry), unless an attempt of it is in flight."""
    return await conn.fetchrow(
        f"""UPDATE webhook_deliveries d SET leased_until = now() + make_interval(secs => $4)
            FROM webhooks w, webhook_events e
            WHERE d.tenant_id = $1 AND d.webhook_id = $2 AND d.id = $3
              AND (d.leased_until IS NULL OR d.leased_until < now())
              AND w.tenant_id = d.tenant_id AND w.id = d.webhook_id
              AND e.tenant_id = d.tenant_id AND e.seq = d.event_seq
            RETURNING {CLAIMED_COLUMNS}""", tenant_id, webhook_id, delivery_id, lease_seconds)


async def leased(conn: asyncpg.Connection, tenant_id: str, delivery_id: str
                 ) -> asyncpg.Record:
    """A delivery this transaction just wrote leased, with what its attempt needs."""
    row: asyncpg.Record = await conn.fetchrow(
        f"""SELECT {CLAIMED_COLUMNS} FROM webhook_deliveries d
            JOIN webhooks w ON w.tenant_id = d.tenant_id AND w.id = d.webhook_id
            JOIN webhook_events e ON e.tenant_id = d.tenant_id AND e.seq = d.event_seq
            WHERE d.tenant_id = $1 AND d.id = $2""", tenant_id, delivery_id)
    return row


async def renew(conn: asyncpg.Connection, tenant_id: str, delivery_id: str, lease: datetime,
                lease_seconds: float) -> datetime | None:
    """Extend a lease still ours (None: it expired and another process took the delivery)."""
    renewed: datetime | None = await conn.fetchval(
        """UPDATE webhook_deliveries SET leased_until = now() + make_interval(secs => $4)
           WHERE tenant_id = $1 AND id = $2 AND leased_until = $3 RETURNING leased_until""",
        tenant_id, delivery_id, lease, lease_seconds)
    return renewed


async def record_attempt(conn: asyncpg.Connection, tenant_id: str, delivery_id: str,
                         lease: datetime, outcome: dict[str, Any], *, heal: bool) -> bool:
    """The attempt's outcome, if the lease is still ours: status, counts, the next attempt.
    A final one releases the next delivery of its record waiting for it; with `heal` (a success
    that counts) the webhook's failing spell ends. One statement: a success is one round trip."""
    done: int = await conn.fetchval(
        """WITH done AS (
               UPDATE webhook_deliveries SET status = $4, attempts = attempts + 1,
                      last_status_code = $5, last_error = $6, duration_ms = $7,
                      next_attempt_at = CASE WHEN $8::float8 IS NULL THEN NULL
                                             ELSE now() + make_interval(secs => $8) END,
                      leased_until = NULL, updated_at = now()
               WHERE tenant_id = $1 AND id = $2 AND leased_until = $3
               RETURNING webhook_id, record_id
           ), released AS (
               UPDATE webhook_deliveries n SET next_attempt_at = now()
               WHERE n.tenant_id = $1 AND $4 <> 'pending' AND n.id = (
                   SELECT q.id FROM webhook_deliveries q, done
                   WHERE q.tenant_id = $1 AND q.webhook_id = done.webhook_id
                     AND q.record_id = done.record_id AND q.status = 'pending'
                     AND q.next_attempt_at IS NULL
                   ORDER BY q.event_seq LIMIT 1)
           ), healed AS (
               UPDATE webhooks w SET failing_since = NULL FROM done
               WHERE $9 AND w.tenant_id = $1 AND w.id = done.webhook_id
                 AND w.failing_since IS NOT NULL
           )
           SELECT count(*) FROM done""",
        tenant_id, delivery_id, lease, outcome["status"], outcome["status_code"],
        outcome["error"], outcome["duration_ms"], outcome["retry_in"], heal)
    return done > 0


async def release_stuck(conn: asyncpg.Connection, tenant_id: str) -> int:
    """Waiting deliveries whose every earlier delivery of their record is final, made due: the
    safety net for a predecessor that became final while the fan-out that made them wait had
    not committed yet (its release looked before they existed)."""
    done = await conn.execute(
        """UPDATE webhook_deliveries n SET next_attempt_at = now()
           WHERE n.tenant_id = $1 AND n.status = 'pending' AND n.next_attempt_at IS NULL
             AND n.record_id IS NOT NULL
             AND NOT EXISTS (
                 SELECT 1 FROM webhook_deliveries p
                 WHERE p.tenant_id = n.tenant_id AND p.webhook_id = n.webhook_id
                   AND p.record_id = n.record_id AND p.status = 'pending'
                   AND p.event_seq < n.event_seq)""", tenant_id)
    return int(done.split()[-1])


async def get_delivery(conn: asyncpg.Connection, tenant_id: str, webhook_id: str,
                       delivery_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"""SELECT {DELIVERY_COLUMNS} {_FROM_DELIVERIES}
            WHERE d.tenant_id = $1 AND d.webhook_id = $2 AND d.id = $3""",
        tenant_id, webhook_id, delivery_id)


async def deliveries_page(conn: asyncpg.Connection, tenant_id: str, webhook_id: str,
                          request: PageRequest) -> list[asyncpg.Record]:
    """Newest first: the cursor is the (created_at, id) of the last delivery seen."""
    after_at, after_id = request.after or (None, None)
    return await conn.fetch(
        f"""SELECT {DELIVERY_COLUMNS} {_FROM_DELIVERIES}
            WHERE d.tenant_id = $1 AND d.webhook_id = $2
              AND ($3::timestamptz IS NULL OR (d.created_at, d.id) < ($3, $4))
            ORDER BY d.created_at DESC, d.id DESC{sqltext.limit(request.limit + 1)}""",
        tenant_id, webhook_id, after_at, after_id)
