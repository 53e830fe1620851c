"""Per-workspace metadata snapshots, loaded on first use and dropped when the schema moves.

Writers bump `workspaces.schema_version` and NOTIFY in the same transaction; the listener (and
the writing process itself, right after commit) calls `invalidate`. Requests never query the
metadata tables except to rebuild a dropped snapshot.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import asyncpg

from objectry.db import tenancy
from objectry.metadata import loader
from objectry.metadata.model import Snapshot

Loaded = Callable[["MetadataCache", Snapshot], None]
_on_load: list[Loaded] = []


def on_every_load(hook: Loaded) -> None:
    """Call `hook(cache, snapshot)` for every snapshot loaded from the database: for what
    another layer checks once per schema version (the stored rollups' catch-up,
    records/stored_rollups.py, registered by `create_app`). It must not block: it may start a
    task."""
    if hook not in _on_load:
        _on_load.append(hook)


class MetadataCache:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._snapshots: dict[str, Snapshot] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        # False while the listener is disconnected: a notice sent then is lost, so nothing
        # loaded meanwhile may be kept (listener.py pauses and resumes it).
        self._kept = True

    async def get(self, tenant_id: str) -> Snapshot:
        if not self._kept:
            return await self._load(tenant_id)
        snapshot = self._snapshots.get(tenant_id)
        if snapshot is not None:
            return snapshot
        lock = self._locks.setdefault(tenant_id, asyncio.Lock())
        async with lock:  # one load per workspace, however many requests wait for it
            snapshot = self._snapshots.get(tenant_id)
            if snapshot is None:
                snapshot = await self._load(tenant_id)
                if self._kept:  # not paused while it loaded
                    self._snapshots[tenant_id] = snapshot
            return snapshot

    async def _load(self, tenant_id: str) -> Snapshot:
        async with tenancy.transaction(self._pool, tenant_id) as conn:
            snapshot = await loader.load_snapshot(conn, tenant_id)
        snapshot = replace(snapshot, loaded_at=datetime.now(UTC))
        for hook in _on_load:
            hook(self, snapshot)
        return snapshot

    @property
    def pool(self) -> asyncpg.Pool:
        return self._pool

    def invalidate(self, tenant_id: str | None = None) -> None:
        """Drop one workspace's snapshot, or all of them (after a lost listener connection)."""
        if tenant_id is None:
            self._snapshots.clear()
        else:
            self._snapshots.pop(tenant_id, None)

    def pause(self) -> None:
        """Drop everything and keep nothing loaded until `resume` (the listener is away)."""
        self._kept = False
        self._snapshots.clear()

    def resume(self) -> None:
        """Keep snapshots again, starting empty: anything may have changed meanwhile."""
        self._snapshots.clear()
        self._kept = True
