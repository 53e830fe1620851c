"""Behind a real PgBouncer in transaction mode (tests/support/pgbouncer.py): two workspaces
interleaving on server connections they share see exactly their own data, through /api and
/rest/v1, single statements and transactions alike; and the old session-scoped door, behind
the same pooler, answers one workspace with another's records."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from objectry.db import pool as db_pool
from objectry.db import tenancy
from objectry.records.bulk import COPY_FROM
from objectry.settings import DIRECT, TRANSACTION
from tests.api.builders import add_field, make_object, make_record, ok
from tests.api.conftest import Account, client, sign_up
from tests.api.rest_seed import schema
from tests.conftest import running_app, settings_for
from tests.support.pgbouncer import BINARY, pgbouncer
from tests.support.round_trips import counting_relay

pytestmark = pytest.mark.skipif(BINARY is None, reason="pgbouncer is not installed")

ROUNDS = 12  # per workspace, all at once: 2 × 12 request chains on 2 server connections
REPRESENT = {"Prefer": "return=representation"}


@pytest.fixture(scope="module")
async def bouncer(database_url: str, tmp_path_factory: pytest.TempPathFactory
                  ) -> AsyncIterator[str]:
    async with pgbouncer(database_url, tmp_path_factory.mktemp("pgbouncer")) as url:
        yield url


@pytest.fixture(scope="module")
async def pooled_app(bouncer: str, database_url: str) -> AsyncIterator[Any]:
    """The app with its pool behind PgBouncer (more clients than server connections) and its
    direct URL (migrations, LISTEN, field-index DDL) on the server itself."""
    settings = settings_for(bouncer, database_pooler=TRANSACTION, pool_max_size=6,
                            direct_database_url=database_url, open_signup=True)
    async with running_app(settings) as application:
        yield application


def mine(label: str, names: list[str]) -> None:
    assert names and all(name.startswith(label) for name in names), (label, names)


async def _chain(api: httpx.AsyncClient, label: str, i: int) -> None:
    """One client's writes and reads, each checked for the workspace's own data only."""
    name = f"{label}-{i}"
    kept = await make_record(api, "person", full_name=name, email=f"{name}@x.io")
    rest = await ok(await api.post("/rest/v1/people", json={"full_name": f"{name}-rest"},
                                   headers=REPRESENT), 201)
    mine(label, [row["full_name"] for row in rest])
    bulk = await ok(await api.post("/api/records/bulk", json={"object": "person", "records": [
        {"data": {"full_name": f"{name}-bulk{j}"}} for j in range(COPY_FROM)]}), 201)
    assert bulk["created"] == COPY_FROM  # staged by COPY in a temp table of the transaction
    patched = await ok(await api.patch(f"/api/records/{kept['id']}",
                                       json={"data": {"age": i}}))
    assert (patched["data"]["full_name"], patched["data"]["age"]) == (name, i)
    page = await ok(await api.get("/api/records", params={"object": "person", "limit": 200}))
    mine(label, [item["data"]["full_name"] for item in page["items"]])
    rows = await ok(await api.get("/rest/v1/people", params={"select": "full_name"}))
    mine(label, [row["full_name"] for row in rows])
    gone = await api.delete("/rest/v1/people", params={"id": f"eq.{rest[0]['id']}"})
    assert gone.status_code == 204, gone.text
    assert (await api.get(f"/api/records/{kept['id']}")).status_code == 200


async def test_two_workspaces_interleaving_through_pgbouncer_see_only_their_own(
        pooled_app: Any, owner_db: asyncpg.Connection) -> None:
    accounts = [await sign_up(pooled_app), await sign_up(pooled_app)]
    apis = [client(pooled_app, account.headers) for account in accounts]
    async with apis[0], apis[1]:
        await asyncio.gather(*(schema(api) for api in apis))
        await asyncio.gather(*(_chain(api, f"w{w}", i)
                               for i in range(ROUNDS) for w, api in enumerate(apis)))
        for w, (api, account) in enumerate(zip(apis, accounts, strict=True)):
            await _only_its_own(api, account, f"w{w}", owner_db)


async def _only_its_own(api: httpx.AsyncClient, account: Account, label: str,
                        owner_db: asyncpg.Connection) -> None:
    """Per chain: the kept record and COPY_FROM bulk ones live, the /rest/v1 one deleted."""
    live = (1 + COPY_FROM) * ROUNDS
    page = await ok(await api.get("/api/records", params={"object": "person", "limit": 1000,
                                                          "count": "exact"}))
    assert page["total"] == len(page["items"]) == live
    mine(label, [item["data"]["full_name"] for item in page["items"]])
    counted = await api.get("/rest/v1/people", params={"select": "full_name"},
                            headers={"Prefer": "count=exact"})
    assert counted.headers["content-range"] == f"0-{live - 1}/{live}"
    objects = await ok(await api.get("/api/objects"))
    assert sorted(o["name"] for o in objects["items"]) == ["company", "deal", "person"]
    stored = await owner_db.fetch(
        "SELECT count(*) FILTER (WHERE deleted_at IS NULL) AS live, count(*) AS all"
        " FROM records WHERE tenant_id = $1", account.workspace_id)
    assert (stored[0]["live"], stored[0]["all"]) == (live, live + ROUNDS)


async def _note(app: Any) -> Account:
    """A workspace with one record of an object `note`."""
    account = await sign_up(app)
    async with client(app, account.headers) as api:
        await make_object(api, "note")
        await add_field(api, "note", "title")
        await make_record(api, "note", title=account.workspace_id)
    return account


async def noted_with_token(app: Any, scopes: list[str]) -> tuple[Account, str]:
    """`_note`'s workspace and an API token of its owner with these scopes."""
    account = await _note(app)
    async with client(app, account.headers) as api:
        token = await ok(await api.post("/api/tokens", json={"name": "t", "scopes": scopes}),
                         201)
    return account, str(token["token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_session_scope_behind_pgbouncer_answers_with_another_workspace(
        pooled_app: Any, database_url: str, tmp_path: Path) -> None:
    """With one server connection behind the pooler, the old door (a session setting, kept
    per client connection) reads the workspace the other client set last; the door of
    transaction mode reads its own."""
    a, b = await _note(pooled_app), await _note(pooled_app)
    async with pgbouncer(database_url, tmp_path, pool_size=1) as url:
        first, second = [await asyncpg.connect(url, statement_cache_size=0,
                                               connection_class=db_pool.ScopedConnection)
                         for _ in range(2)]
        try:
            await first.scope_to(a.workspace_id)
            await second.scope_to(b.workspace_id)
            seen = await first.fetch("SELECT tenant_id FROM records_in_scope")
            assert [row["tenant_id"] for row in seen] == [b.workspace_id]  # a wrong answer
        finally:
            await first.close()
            await second.close()
        pool = await db_pool.create(url, min_size=2, max_size=2, statement_timeout_ms=5000,
                                    acquire_timeout_ms=5000,
                                    pooler=TRANSACTION)
        try:
            for account in (a, b, a):
                async with tenancy.connection(pool, account.workspace_id) as conn:
                    row = await conn.fetchrow(
                        "SELECT current_user AS role, array_agg(tenant_id) AS seen,"
                        " current_setting('statement_timeout') AS timeout FROM records")
                assert tuple(row) == ("objectry_app", [account.workspace_id], "5s")
        finally:
            await pool.close()


# Per request with a (cached) API token: direct, the statement itself; behind the pooler,
# BEGIN with the scope, Parse/Describe, Parse/Bind/Execute (nothing is prepared under a name),
# COMMIT.
ROUND_TRIPS = {DIRECT: 1, TRANSACTION: 4}


@pytest.mark.parametrize("pooler", [DIRECT, TRANSACTION])
async def test_a_read_costs_one_round_trip_direct_and_four_behind_the_pooler(
        pooler: str, bouncer: str, database_url: str) -> None:
    async with counting_relay(bouncer if pooler == TRANSACTION else database_url) as (
            url, counter):
        settings = settings_for(url, database_pooler=pooler, direct_database_url=database_url,
                                open_signup=True)
        async with running_app(settings) as app:
            account, token = await noted_with_token(app, ["records:read"])
            async with client(app, account.headers) as api:
                record = (await ok(await api.get("/api/records",
                                                 params={"object": "note"})))["items"][0]
            async with client(app, bearer(token)) as api:
                for path, params in ((f"/api/records/{record['id']}", {}),
                                     ("/api/records", {"object": "note"}),
                                     ("/rest/v1/note", {"id": f"eq.{record['id']}"})):
                    await ok(await api.get(path, params=params))  # the token is cached now
                    before = counter.round_trips
                    for _ in range(5):
                        await ok(await api.get(path, params=params))
                    assert (counter.round_trips - before) / 5 == ROUND_TRIPS[pooler], path
