"""Shared by the webhook API tests: an app that may call 127.0.0.1 with a short retry
schedule, a receiver, and waits on the delivery log."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from standardwebhooks import Webhook

from tests.api.builders import ok
from tests.support.receiver import Received

FAST = {"webhook_worker": True, "webhook_allow_private": True, "webhook_retry_schedule": (0.2, 0.4),
        "webhook_poll_seconds": 0.1, "webhook_lease_seconds": 30}
ALL_EVENTS = ["record.created", "record.updated", "record.deleted", "record.restored"]


async def make_webhook(api: httpx.AsyncClient, url: str, **extra: Any) -> dict[str, Any]:
    body = {"name": "hook", "url": url, "events": ALL_EVENTS, **extra}
    return await ok(await api.post("/api/webhooks", json=body), 201)


def verified(secret: str, received: Received) -> Any:
    """The body as the standardwebhooks verifier accepts it (raises if it does not)."""
    return Webhook(secret).verify(received.body, received.headers)


async def deliveries(api: httpx.AsyncClient, webhook_id: str) -> list[dict[str, Any]]:
    return (await ok(await api.get(f"/api/webhooks/{webhook_id}/deliveries",
                                   params={"limit": 1000})))["items"]


async def settled(api: httpx.AsyncClient, webhook_id: str, count: int,
                  seconds: float = 20) -> list[dict[str, Any]]:
    """The webhook's deliveries once `count` exist and none is pending (newest first)."""
    for _ in range(int(seconds / 0.05)):
        items = await deliveries(api, webhook_id)
        if len(items) >= count and all(d["status"] != "pending" for d in items):
            return items
        await asyncio.sleep(0.05)
    raise AssertionError(f"deliveries did not settle: {await deliveries(api, webhook_id)}")


async def wait_received(receiver: Any, count: int, seconds: float = 20) -> list[Received]:
    return await asyncio.to_thread(receiver.wait_for, count, seconds)
