"""Fixtures of the database-level tests: a fresh database at the current schema (the app's pool
on it: tests.support.databases.runtime_pool)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from objectry.db import migrate


@pytest.fixture
async def migrated(new_database: Any) -> str:
    """The URL of a new database migrated to head."""
    url = await new_database()
    await asyncio.to_thread(migrate.upgrade, url)
    return str(url)

