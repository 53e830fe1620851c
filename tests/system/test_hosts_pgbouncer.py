"""Three `objectry serve` hosts through ONE PgBouncer in transaction mode (issue 19, item 3):
their pools hold 200 client connections to PgBouncer (OBJECTRY_POOL_MIN = OBJECTRY_POOL_MAX,
67 + 67 + 66), which keeps at most 20 server connections to PostgreSQL. Under concurrent
writes on all three, a write on A is read on B and C, a token revoked on A is refused on B, and
PostgreSQL never sees more than the pooler's 20 plus each host's direct LISTEN connection.

A PostgreSQL cluster of the test's own (tests/support/cluster.py), so that the connections
counted are these hosts' only."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import httpx
import pytest

from objectry.settings import TRANSACTION
from tests.support.cluster import private_cluster
from tests.support.hosts import Call, answers, hosts, in_force, status_is
from tests.support.pgbouncer import BINARY, pgbouncer, pools
from tests.support.servers import Server, server_env, sign_up

pytestmark = [pytest.mark.skipif(BINARY is None, reason="pgbouncer is not installed"),
              pytest.mark.skipif(shutil.which("psql") is None,
                                 reason="psql (PgBouncer's admin console) is not installed")]

POOLS = {"a": 67, "b": 67, "c": 66}  # client connections per host: 200 in all
SERVER_CONNECTIONS = 20  # PgBouncer's default_pool_size
WRITERS = 30  # concurrent writers per host: more than the server connections, all at once


@dataclass
class Pooled:
    servers: dict[str, Server]
    pooled_url: str  # PgBouncer
    direct_url: str  # PostgreSQL

    def api(self, name: str, headers: dict[str, str]) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.servers[name].url, headers=headers, timeout=30)


@pytest.fixture(scope="module")
async def pooled(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Pooled]:
    root = tmp_path_factory.mktemp("pooled-hosts")
    with private_cluster() as cluster:
        async with pgbouncer(cluster.url, root, pool_size=SERVER_CONNECTIONS,
                             max_client_conn=250) as pooled_url:
            env = server_env(OBJECTRY_DATABASE_POOLER=TRANSACTION,
                             OBJECTRY_DIRECT_DATABASE_URL=cluster.url)
            sizes = {name: {"OBJECTRY_POOL_MIN": str(n), "OBJECTRY_POOL_MAX": str(n)}
                     for name, n in POOLS.items()}
            with hosts(root, pooled_url, env, per_host=sizes) as servers:
                yield Pooled(servers, pooled_url, cluster.url)


def counted(pooled_url: str) -> tuple[int, int]:
    """Client connections to PgBouncer and its server connections, for the hosts' database."""
    row = next(r for r in pools(pooled_url) if r["database"] == "postgres")
    clients = int(row["cl_active"]) + int(row["cl_waiting"])
    servers = sum(int(row[k]) for k in ("sv_active", "sv_idle", "sv_used", "sv_tested",
                                        "sv_login"))
    return clients, servers


async def sample(direct_url: str, sessions: list[int]) -> None:
    """Count PostgreSQL's client sessions (but this one) every 20 ms until cancelled."""
    conn = await asyncpg.connect(direct_url)
    try:
        while True:
            sessions.append(int(await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
                " AND pid <> pg_backend_pid()")))
            await asyncio.sleep(0.02)
    finally:
        await conn.close()


async def test_three_hosts_work_through_one_pgbouncer_on_20_server_connections(
        pooled: Pooled) -> None:
    clients, servers = counted(pooled.pooled_url)
    assert clients >= sum(POOLS.values()), clients  # every host's pool is open
    assert servers <= SERVER_CONNECTIONS
    owner = sign_up(pooled.servers["a"])
    apis = {name: pooled.api(name, owner) for name in POOLS}
    try:
        a, b, c = apis["a"], apis["b"], apis["c"]
        assert (await a.post("/api/objects", json={
            "name": "deal", "label": "Deal", "plural_name": "deals"})).status_code == 201
        assert (await a.post("/api/objects/deal/fields", json={
            "name": "title", "label": "Title", "type": "text", "config": {}})).status_code == 201

        async def write(name: str, n: int) -> dict[str, object]:
            made = await apis[name].post("/api/records", json={
                "object": "deal", "data": {"title": f"{name}-{n}"}})
            assert made.status_code == 201, made.text
            return dict(made.json())

        sessions: list[int] = []
        counting = asyncio.create_task(sample(pooled.direct_url, sessions))
        written: list[dict[str, object]] = []
        try:
            for _ in range(3):  # rounds of WRITERS × 3 writes at once
                written += await asyncio.gather(*(write(name, n) for name in POOLS
                                                  for n in range(WRITERS)))
        finally:
            counting.cancel()
        peak = max(sessions)
        # PgBouncer's 20, each host's LISTEN connection, and nothing else.
        assert peak <= SERVER_CONNECTIONS + len(POOLS)
        assert counted(pooled.pooled_url)[1] <= SERVER_CONNECTIONS

        # Every write, whichever host took it, is read back on the others.
        async def read_back(record: dict[str, object], api: httpx.AsyncClient) -> None:
            read = await api.get(f"/api/records/{record['id']}")
            assert read.status_code == 200, read.text
            assert read.json()["data"] == record["data"]

        await asyncio.gather(*(read_back(record, api) for record in written for api in (b, c)))
        page = await c.get("/api/records", params={"object": "deal", "limit": 500,
                                                   "count": "exact"})
        assert page.status_code == 200 and page.json()["total"] == len(written), page.text

        # A token revoked on A is refused on B (which had it cached).
        token = await a.post("/api/tokens", json={"name": "app", "scopes": ["records:read"]})
        assert token.status_code == 201, token.text
        read = Call("GET", "/api/records", params={"object": "deal", "limit": 1})
        async with pooled.api("b", {"Authorization": f"Bearer {token.json()['token']}"}) as app:
            await answers(200, read, app)
            gone = await a.delete(f"/api/tokens/{token.json()['id']}")
            assert gone.status_code == 204, gone.text
            seconds = await in_force(time.monotonic(), status_is(401, read), app)
        print(f"\n[hosts via pgbouncer] {len(written)} writes over A, B, C on "
              f"{SERVER_CONNECTIONS} server connections (peak {peak} PostgreSQL sessions in "
              f"{len(sessions)} samples), "
              f"{clients} pooler clients; token revoked on A refused on B after "
              f"{seconds[0] * 1000:.0f} ms")
    finally:
        for api in apis.values():
            await api.aclose()
