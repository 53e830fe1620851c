"""Every statement on the runtime pool runs under OBJECTRY_STATEMENT_TIMEOUT_MS; one it cancels
answers 503 `query_timeout` with Retry-After, in the dialect of its path, and the server goes
on. Owner connections (migrations, field-index DDL) are not bound by it.

The slow query is made slow on purpose: another session holds an exclusive lock on `records`,
so a read waits, and waiting counts against statement_timeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest

from objectry.db.pool import connect_owner
from objectry.settings import Settings
from tests.api.builders import add_field, make_object, make_record, ok
from tests.api.conftest import client, refused, sign_up
from tests.conftest import running_app, settings_for

TIMEOUT_MS = 300


@pytest.fixture(scope="module")
async def impatient(database_url: str) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    settings = settings_for(database_url, statement_timeout_ms=TIMEOUT_MS, open_signup=True)
    async with running_app(settings) as application:
        account = await sign_up(application)
        async with client(application, account.headers) as api:
            await make_object(api, "note")
            await add_field(api, "note", "title")
            await make_record(api, "note", title="kept")
            yield application, api


@asynccontextmanager
async def records_locked(database_url: str) -> AsyncIterator[None]:
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute("LOCK TABLE records IN ACCESS EXCLUSIVE MODE")
            yield
    finally:
        await conn.close()


async def test_a_cancelled_query_is_a_503_with_retry_after(impatient, database_url):
    _, api = impatient
    # Without the timeout the reads would wait for the lock for ever: give up after 10 s.
    async with records_locked(database_url), asyncio.timeout(10):
        listed = await api.get("/api/records", params={"object": "note"})
        rest = await api.get("/rest/v1/note")
    error = refused(listed, 503, "query_timeout")
    assert "timeout" in error["message"]
    assert int(listed.headers["retry-after"]) > 0
    assert rest.status_code == 503, rest.text
    assert set(rest.json()) == {"code", "message", "details", "hint"}
    assert rest.json()["code"] == "query_timeout"
    assert rest.headers["proxy-status"] == "PostgREST; error=query_timeout"
    assert int(rest.headers["retry-after"]) > 0
    # The server goes on: the same reads answer once the lock is gone.
    again = await ok(await api.get("/api/records", params={"object": "note"}))
    assert [r["data"]["title"] for r in again["items"]] == ["kept"]
    assert await ok(await api.get("/rest/v1/note", params={"select": "title"})) == [
        {"title": "kept"}]


async def test_the_runtime_pool_has_it_and_owner_connections_do_not(impatient, database_url):
    application, _ = impatient
    pool = application.state.objectry.pool
    assert await pool.fetchval("SHOW statement_timeout") == f"{TIMEOUT_MS}ms"
    owner = await connect_owner(database_url)
    try:
        assert await owner.fetchval("SHOW statement_timeout") == "0"
    finally:
        await owner.close()


def test_the_default_and_the_environment(monkeypatch):
    assert Settings().statement_timeout_ms == 15_000
    monkeypatch.setenv("OBJECTRY_STATEMENT_TIMEOUT_MS", "2500")
    assert Settings.from_env().statement_timeout_ms == 2500
