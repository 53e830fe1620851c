"""SQL of /realtime/v1 (record changes are loaded through records/repo.py)."""

from __future__ import annotations

import asyncpg


async def notify(conn: asyncpg.Connection, channel: str, payload: str) -> None:
    await conn.execute("SELECT pg_notify($1, $2)", channel, payload)
