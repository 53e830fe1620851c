"""Fixtures of the database-level tests: a fresh database at the current schema, and the app's
pool on it (runtime role, statement timeout) as db/pool.create makes it."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from objectry.db import migrate
from objectry.db import pool as db_pool


@pytest.fixture
async def migrated(new_database: Any) -> str:
    """The URL of a new database migrated to head."""
    url = await new_database()
    await asyncio.to_thread(migrate.upgrade, url)
    return str(url)


async def runtime_pool(url: str, size: int = 1, acquire_timeout_ms: int = 5_000
                       ) -> asyncpg.Pool:
    """The app's pool of `size` connections on `url` (close it when done)."""
    return await db_pool.create(url, min_size=size, max_size=size, statement_timeout_ms=10_000,
                                acquire_timeout_ms=acquire_timeout_ms)
