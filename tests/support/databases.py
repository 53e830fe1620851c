"""Fresh PostgreSQL databases on the test server: created with a random name, dropped (even
with connections still open) when the test is done with them."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from objectry.db import pool as db_pool

T = TypeVar("T")


def on_database(url: str, name: str) -> str:
    """`url` (a server's) pointed at the database `name`; the rest of the URL is kept, such
    as a socket directory in its query string."""
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


@asynccontextmanager
async def fresh_database(server_url: str, prefix: str = "objectry_test",
                         owner: str | None = None) -> AsyncIterator[str]:
    """A brand-new, empty database (owned by `owner` if given); yields its URL."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    await _execute(server_url, _create(name, owner))
    try:
        yield on_database(server_url, name)
    finally:
        await _execute(server_url, _drop(name))


@contextmanager
def fresh_database_blocking(server_url: str, prefix: str = "objectry_test") -> Iterator[str]:
    """`fresh_database` for synchronous fixtures (the browser tests' server). Each statement runs
    on a private event loop, so the suite's own loop (pytest-asyncio's) is left alone."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    _blocking(_execute(server_url, _create(name, None)))
    try:
        yield on_database(server_url, name)
    finally:
        _blocking(_execute(server_url, _drop(name)))


def _create(name: str, owner: str | None) -> str:
    return f'CREATE DATABASE "{name}"' + (f" OWNER {owner}" if owner else "")


def _drop(name: str) -> str:
    return f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'


async def _execute(server_url: str, sql: str) -> None:
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _blocking(work: Coroutine[Any, Any, T]) -> T:
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(work)
    finally:
        loop.close()


async def runtime_pool(url: str, size: int = 1, acquire_timeout_ms: int = 5_000
                       ) -> asyncpg.Pool:
    """The app's pool of `size` connections on `url` (close it when done)."""
    return await db_pool.create(url, min_size=size, max_size=size, statement_timeout_ms=10_000,
                                acquire_timeout_ms=acquire_timeout_ms)
