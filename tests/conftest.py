"""Test harness: one real PostgreSQL per run (embedded, or the server in DATABASE_URL), a
fresh database on it, and the app served in-process over a real ASGI/HTTP stack.

Every API test works in a workspace of its own, so tests never see each other's data. Every
test is marked with its layer (`unit`, `db`, `e2e`: tests/support/layers.py); the server is
started only for a test that needs it, so `pytest -m unit` runs without any database.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

import asyncpg
import pytest

from objectry.settings import Settings
from tests.support.databases import fresh_database
from tests.support.layers import layer_of

TESTS = Path(__file__).parent


class NewDatabase(Protocol):
    """The `new_database` fixture: `await new_database()` gives the URL of a fresh database."""

    async def __call__(self, prefix: str = ...) -> str: ...


# Files that run for minutes on their own: collected first, so that under `--dist loadfile` (with
# `--no-loadscope-reorder`: files handed out in this order) one process starts on each while the
# others share the rest, instead of one being the suite's tail with the other processes idle
# (schemathesis: ~3 of a 12-minute suite's minutes on 2 cores).
LONGEST_FIRST = (TESTS / "system" / "test_schemathesis.py",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(TESTS):
            directory = item.path.relative_to(TESTS).parts[0]
            item.add_marker(layer_of(directory, getattr(item, "fixturenames", ())))
    items.sort(key=lambda item: item.path not in LONGEST_FIRST)  # stable: the rest keep order


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """A PostgreSQL server: DATABASE_URL's, else an embedded one in a temporary directory."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    from objectry.db import embedded

    with tempfile.TemporaryDirectory(prefix="objectry-test-") as tmp:
        url = embedded.start(Path(tmp))
        try:
            yield url
        finally:
            embedded.stop(Path(tmp))


@pytest.fixture(scope="session")
async def database_url(server_url: str) -> AsyncIterator[str]:
    """A brand-new database for this run, dropped at the end."""
    async with fresh_database(server_url) as url:
        yield url


@pytest.fixture
async def new_database(server_url: str) -> AsyncIterator[NewDatabase]:
    """Makes more brand-new databases on demand (`await new_database(prefix)` gives a URL),
    dropped when the test ends: for a fresh install, or a migration from an old revision."""
    async with AsyncExitStack() as stack:

        async def make(prefix: str = "objectry_test") -> str:
            return await stack.enter_async_context(fresh_database(server_url, prefix))

        yield make


def settings_for(database_url: str, **overrides: Any) -> Settings:
    """Settings for an app under test: a small pool, a fresh secret, the server left running,
    no sign-up throttle to speak of (the whole suite signs up from 127.0.0.1), and no webhook
    worker (apps share the database: only the webhook tests' app sends deliveries)."""
    return Settings(**{"database_url": database_url, "pool_min_size": 1, "pool_max_size": 2,
                       "stop_embedded_on_exit": False, "secret_key": secrets.token_hex(32),
                       "signup_limit": 100_000, "webhook_worker": False, **overrides})


@asynccontextmanager
async def running_app(settings: Settings) -> AsyncIterator[Any]:
    """The app with its lifespan running (migrations, pool, metadata cache, listener)."""
    from objectry.main import create_app

    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    # The suite signs up hundreds of users from 127.0.0.1; the sign-up throttle is tested on
    # apps of its own (tests/api/test_auth_hygiene.py).
    return settings_for(database_url, pool_max_size=5, open_signup=True)


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[object]:
    async with running_app(settings) as application:
        yield application


@pytest.fixture(scope="session")
async def owner_db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection as the schema owner (RLS does not apply): for asserting what is stored."""
    conn = await asyncpg.connect(database_url)
    yield conn
    await conn.close()
