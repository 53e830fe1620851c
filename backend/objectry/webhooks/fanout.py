"""Outbox events → deliveries, in one transaction per batch, one process per workspace at a
time (a transaction's advisory lock: a record's deliveries are written in event order): the
events are matched against the workspace's active webhooks, given their webhook-id and body,
and a pending delivery is written per matching webhook. A process that dies midway rolls all
of it back, and the events wait for the next one."""

from __future__ import annotations

import asyncpg

from objectry.db import tenancy
from objectry.ids import new_id
from objectry.metadata.cache import MetadataCache
from objectry.webhooks import payload, repo
from objectry.webhooks.matching import matching

BATCH = 500


async def fan_out(pool: asyncpg.Pool, cache: MetadataCache, tenant_id: str) -> int:
    """One batch of the workspace's events fanned out; how many events it took."""
    snapshot = await cache.get(tenant_id)  # before the transaction: it may need a connection
    async with tenancy.transaction(pool, tenant_id) as conn:
        if not await repo.lock_fan_out(conn, tenant_id):
            return 0  # another process is at it
        events = await repo.undispatched(conn, tenant_id, BATCH)
        if not events:
            return 0
        targets: dict[int, list[str]] = {e["seq"]: [] for e in events}
        for webhook in await repo.active(conn, tenant_id):
            for event in await matching(conn, snapshot, webhook, events):
                targets[event["seq"]].append(webhook["id"])
        seqs = [e["seq"] for e in events]
        bodies = [payload.record_event(snapshot, e) if targets[e["seq"]] else None
                  for e in events]
        deliveries = [(new_id("dlv"), hook, e["seq"], e["record_id"])
                      for e in events for hook in targets[e["seq"]]]
        if deliveries:
            ids, hooks, event_seqs, records = map(list, zip(*deliveries, strict=True))
            await repo.insert_deliveries(conn, tenant_id, ids, hooks, event_seqs, records)
        await repo.dispatched(conn, tenant_id, seqs, [new_id("evt") for _ in seqs], bodies)
    return len(events)
