"""The delivery queue's worker, one per server process: wakes on `objectry_webhooks` (sent by
the outbox trigger) or every OBJECTRY_WEBHOOK_POLL_SECONDS, asks which workspaces have work,
fans their events out (fanout.py) and sends their due deliveries in tasks of their own, so a
slow receiver holds only its own deliveries, never a request.

A delivery is leased before it is sent (`leased_until`, OBJECTRY_WEBHOOK_LEASE_SECONDS) and its
outcome written only while the lease is still ours: a process killed mid-send leaves a lease
that expires, and the delivery is sent again (at least once)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx

from objectry.db import tenancy
from objectry.metadata.cache import MetadataCache
from objectry.settings import Settings
from objectry.webhooks import addresses, repo, sender
from objectry.webhooks.fanout import fan_out

log = logging.getLogger("objectry.webhooks")
CHANNEL = "objectry_webhooks"
MAX_IN_FLIGHT = 64  # deliveries being sent by one process at once
JITTER = 0.1  # up to 10% of a retry's delay is added at random (no thundering herd)


def retry_in(attempts: int, schedule: tuple[float, ...]) -> float | None:
    """Seconds before the next attempt once `attempts` were made; None when none is left."""
    if attempts > len(schedule):
        return None
    delay = schedule[attempts - 1]
    return delay + random.uniform(0, delay * JITTER)


class Worker:
    def __init__(self, pool: asyncpg.Pool, cache: MetadataCache, settings: Settings) -> None:
        self._pool, self._cache, self.settings = pool, cache, settings
        self._client = httpx.AsyncClient(follow_redirects=False, trust_env=False,
                                         limits=httpx.Limits(max_connections=MAX_IN_FLIGHT))
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._in_flight: set[asyncio.Task[Any]] = set()
        self._per_url: dict[str, asyncio.Semaphore] = {}

    def notified(self, payload: str) -> None:
        self._wake.set()

    async def start(self) -> None:
        """The queue's loop, if this process sends deliveries (OBJECTRY_WEBHOOK_WORKER); a test
        ping and a manual retry are sent by the request itself either way."""
        if self.settings.webhook_worker:
            self._task = asyncio.create_task(self._run(), name="objectry-webhooks")

    async def stop(self, grace_seconds: float) -> None:
        """Stop claiming; sends in flight get `grace_seconds` to finish (the rest keep their
        lease, which expires: another process, or this one restarted, sends them again)."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
        if self._in_flight:
            _, late = await asyncio.wait(set(self._in_flight), timeout=grace_seconds)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        await self._client.aclose()

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                busy = await self._round()
            except Exception as exc:  # the database away, mostly: try again after a pause
                log.warning("webhook deliveries paused: %s", exc)
                busy = False
            if not busy and not self._stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.settings.webhook_poll_seconds)

    async def _round(self) -> bool:
        """One look at every workspace with work; True when there may be more right away."""
        async with tenancy.unscoped(self._pool) as conn:
            workspaces = await repo.due_workspaces(conn)
        busy = False
        for tenant_id in workspaces:
            if self._stopping:
                break
            worked = await fan_out(self._pool, self._cache, tenant_id) > 0
            worked |= await self._send_due(tenant_id) > 0
            if not worked:  # only waiting deliveries here: is one waiting for nothing?
                async with tenancy.connection(self._pool, tenant_id) as conn:
                    worked = await repo.release_stuck(conn, tenant_id) > 0
            busy |= worked
        return busy

    async def _send_due(self, tenant_id: str) -> int:
        free = MAX_IN_FLIGHT - len(self._in_flight)
        if free <= 0:
            return 0
        async with tenancy.connection(self._pool, tenant_id) as conn:
            claimed = await repo.claim_due(conn, tenant_id, free,
                                           self.settings.webhook_lease_seconds)
        for delivery in claimed:
            task = asyncio.create_task(self._background(tenant_id, delivery))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        return len(claimed)

    async def _background(self, tenant_id: str, delivery: Mapping[str, Any]) -> None:
        try:
            await self.attempt(tenant_id, delivery)
        except Exception:  # the lease expires and the delivery is tried again
            log.exception("a webhook delivery attempt failed unexpectedly")
        finally:
            self._wake.set()  # a record's next event may be due now

    async def attempt(self, tenant_id: str, delivery: Mapping[str, Any], *, retries: bool = True,
                      health: bool = True) -> sender.Attempt | None:
        """One attempt of a leased delivery and its outcome written; None when the lease was
        lost meanwhile. `retries`: a failure schedules the next attempt (else it is final);
        `health`: the outcome counts toward the webhook's deactivation."""
        settings = self.settings
        async with self._limit(delivery["url"]):
            lease = await self._still_ours(tenant_id, delivery)
            if lease is None:
                return None
            result = await sender.send(self._client, delivery["url"], delivery["secret"],
                                       delivery["event_id"], delivery["body"],
                                       allow_private=settings.webhook_allow_private,
                                       timeout=settings.webhook_timeout_seconds)
        attempts = delivery["attempts"] + 1
        later = None if result.ok or not retries else retry_in(
            attempts, settings.webhook_retry_schedule)
        status = "succeeded" if result.ok else "pending" if later is not None else "failed"
        outcome = {"status": status, "status_code": result.status_code, "error": result.error,
                   "duration_ms": result.duration_ms, "retry_in": later}
        if result.ok or not health:
            async with tenancy.connection(self._pool, tenant_id) as conn:
                kept = await repo.record_attempt(conn, tenant_id, delivery["id"], lease, outcome,
                                                 heal=health)
            return result if kept else None
        async with tenancy.transaction(self._pool, tenant_id) as conn:
            if not await repo.record_attempt(conn, tenant_id, delivery["id"], lease, outcome,
                                             heal=False):
                return None
            await repo.after_failure(conn, tenant_id, delivery["webhook_id"],
                                     settings.webhook_disable_after_seconds)
        return result

    async def _still_ours(self, tenant_id: str, delivery: Mapping[str, Any]) -> datetime | None:
        """The lease to send under: the claim's while most of it is left, else renewed (a wait
        for the URL's turn ate it; None if it ran out and another process took the delivery)."""
        lease: datetime = delivery["leased_until"]
        seconds = self.settings.webhook_lease_seconds
        if (lease - datetime.now(UTC)).total_seconds() > seconds / 2:
            return lease
        async with tenancy.connection(self._pool, tenant_id) as conn:
            return await repo.renew(conn, tenant_id, delivery["id"], lease, seconds)

    def _limit(self, url: str) -> asyncio.Semaphore:
        """Per target (scheme, host, port): at most OBJECTRY_WEBHOOK_CONCURRENCY_PER_URL."""
        try:
            scheme, host, port = addresses.split(url)
            key = f"{scheme}://{host}:{port}"
        except addresses.Refused:
            key = url
        limit = self._per_url.get(key)
        if limit is None:
            limit = self._per_url[key] = asyncio.Semaphore(
                self.settings.webhook_concurrency_per_url)
        return limit
