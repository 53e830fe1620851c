"""PostgreSQL stopped (`pg_ctl stop -m fast`) and started again under a steady load, on a
cluster of the test's own: no request hangs, the only errors while it is down are 503
`unavailable` with Retry-After (both dialects, and every door: records, /rest, sign-in, an API
token), /health/ready answers 503 quickly meanwhile, and everything answers again without
restarting Objectry."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.cluster import Cluster, private_cluster
from tests.support.load import CLIENT_TIMEOUT_SECONDS, Outcome, client, request, summary
from tests.support.servers import PASSWORD, Server, server_env, sign_up

LOAD_CLIENTS = 4
WARM_SECONDS = 2.0
DOWN_SECONDS = 4.0
RECOVERED_AFTER = 40  # consecutive successes after the restart that count as "recovered"
RECOVERY_BOUND_SECONDS = 60.0  # a guard against a test that never ends, not a target


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with private_cluster() as started:
        yield started


@pytest.fixture
def server(tmp_path, cluster: Cluster) -> Iterator[Server]:
    served = Server(tmp_path / "data", cluster.url, server_env(
        OBJECTRY_POOL_MAX="5", OBJECTRY_POOL_ACQUIRE_TIMEOUT_MS="3000")).start()
    try:
        served.wait_ready()
        yield served
    finally:
        served.stop()


async def _prepare(server: Server) -> tuple[dict[str, str], str, str]:
    """An account, an object `tick` with a text field, and an API token: its headers, email…"""
    headers = sign_up(server)
    async with client(server.url, headers) as api:
        assert (await api.post("/api/objects", json={"name": "tick", "label": "Tick"})
                ).status_code == 201
        assert (await api.post("/api/objects/tick/fields", json={
            "name": "label", "label": "Label", "type": "text", "config": {}})).status_code == 201
        token = await api.post("/api/tokens", json={"name": "load", "scopes": ["records:read"]})
        assert token.status_code == 201, token.text
        me = await api.get("/api/auth/me")
    return headers, token.json()["token"], me.json()["email"]


async def _load(api: httpx.AsyncClient, outcomes: list[Outcome], stop: asyncio.Event) -> None:
    """Create a record (/api), read it back (/rest/v1), again and again."""
    n = 0
    while not stop.is_set():
        n += 1
        created = await request(api, "create", "POST", "/api/records",
                                json={"object": "tick", "data": {"label": f"t{n}"}})
        outcomes.append(created)
        params = {"id": f"eq.{created.body['id']}"} if created.succeeded else {"limit": "1"}
        outcomes.append(await request(api, "read", "GET", "/rest/v1/tick", params=params))


async def _probe_while_down(server: Server, token: str, email: str) -> list[Outcome]:
    """Every door while the database is away: readiness, sign-in, an API token."""
    probes: list[Outcome] = []
    deadline = time.monotonic() + DOWN_SECONDS
    async with client(server.url) as anonymous:
        while time.monotonic() < deadline:
            probes.append(await request(anonymous, "ready", "GET", "/health/ready"))
            probes.append(await request(anonymous, "login", "POST", "/api/auth/login",
                                        json={"email": email, "password": PASSWORD}))
            probes.append(await request(anonymous, "token", "GET", "/rest/v1/tick",
                                        headers={"Authorization": f"Bearer {token}"}))
            await asyncio.sleep(0.25)
    return probes


async def _until_recovered(outcomes: list[Outcome], since: float) -> None:
    deadline = time.monotonic() + RECOVERY_BOUND_SECONDS
    while time.monotonic() < deadline:
        after = [o for o in outcomes if o.started >= since]
        if len(after) >= RECOVERED_AFTER and all(o.succeeded for o in after[-RECOVERED_AFTER:]):
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"no recovery: {summary([o for o in outcomes if o.started >= since])}")


async def test_database_stopped_and_restarted_under_load(server: Server, cluster: Cluster):
    headers, token, email = await _prepare(server)
    outcomes: list[Outcome] = []
    stop = asyncio.Event()
    clients = [client(server.url, headers) for _ in range(LOAD_CLIENTS)]
    workers = [asyncio.create_task(_load(api, outcomes, stop)) for api in clients]
    try:
        await asyncio.sleep(WARM_SECONDS)
        down_at = time.monotonic()
        await asyncio.to_thread(cluster.stop, "fast")
        probes = await _probe_while_down(server, token, email)
        await asyncio.to_thread(cluster.start)
        up_at = time.monotonic()
        await _until_recovered(outcomes, up_at)
    finally:
        stop.set()
        await asyncio.gather(*workers)
        for api in clients:
            await api.aclose()
    async with client(server.url) as anonymous:
        ready_after = await request(anonymous, "ready", "GET", "/health/ready")

    _only_unavailable_while_down(outcomes, down_at)
    _every_door_unavailable(probes)
    assert ready_after.status == 200, ready_after
    assert server.alive(), "Objectry was not restarted, and must not have died"
    _report(outcomes, probes, down_at, up_at)


def _only_unavailable_while_down(outcomes: list[Outcome], down_at: float) -> None:
    failed = [o for o in outcomes if not o.succeeded]
    assert failed, "the outage was never seen: " + summary(outcomes)
    assert all(o.status is not None for o in outcomes), "a request hung: " + summary(failed)
    assert max(o.seconds for o in outcomes) < CLIENT_TIMEOUT_SECONDS
    assert {(o.status, o.code, o.retry_after) for o in failed} == {(503, "unavailable", "1")}, \
        summary(failed)
    assert {o.status for o in outcomes if o.succeeded} == {200, 201}
    assert all(o.ended >= down_at for o in failed), "a failure before the database stopped"


def _every_door_unavailable(probes: list[Outcome]) -> None:
    by_label: dict[str, set[Any]] = {}
    for probe in probes:
        by_label.setdefault(probe.label, set()).add((probe.status, probe.code))
    assert by_label == {"ready": {(503, None)}, "login": {(503, "unavailable")},
                        "token": {(503, "unavailable")}}, by_label
    ready = [p for p in probes if p.label == "ready"]
    assert all(p.body == {"status": "unavailable", "database": "unreachable"} for p in ready)


def _report(outcomes: list[Outcome], probes: list[Outcome], down_at: float,
            up_at: float) -> None:
    failed = [o for o in outcomes if not o.succeeded]
    recovered = max(o.ended for o in failed) - up_at
    longest_ready = max(p.seconds for p in probes if p.label == "ready")
    print(f"\n[database loss] {summary(outcomes)}; 503 while down: {len(failed)}; "
          f"down {up_at - down_at:.1f}s; last 503 {recovered:+.2f}s after PostgreSQL was back; "
          f"longest readiness probe while down {longest_ready:.3f}s, "
          f"longest probe {max(p.seconds for p in probes):.3f}s")
