"""SQL of /realtime/v1 (record changes are loaded through records/repo.py)."""

from __future__ import annotations

import asyncpg


async def notify(conn: asyncpg.Connection, channel: str, payload: str) -> None:
    await conn.execute("SELECT pg_notify($1, $2)", channel, payload)


async def listening(conn: asyncpg.Connection, tenant_id: str, seconds: float) -> None:
    """The workspace has a channel joined here for at least `seconds` more (never shortened:
    another process may have promised longer)."""
    await conn.execute(
        "INSERT INTO realtime_listeners (tenant_id, until)"
        " VALUES ($1, now() + make_interval(secs => $2))"
        " ON CONFLICT (tenant_id) DO UPDATE"
        " SET until = greatest(realtime_listeners.until, excluded.until)",
        tenant_id, seconds)
