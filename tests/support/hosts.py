"""Several `objectry serve` processes ("hosts") over one database, as a deployment scaled out
runs them: the same secret key (a session signed by one is honoured by the others), each its own
data directory and port, started together (migrations run under an advisory lock)."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.servers import Server

POLL = 0.01  # seconds between two probes of a host
GIVE_UP = 15.0  # a change not in force after this is a failure, not a figure
Probe = Callable[[httpx.AsyncClient], Awaitable[bool]]  # True: the host answers the new way


@contextmanager
def hosts(root: Path, database_url: str, env: dict[str, str], names: str = "abc",
          per_host: dict[str, dict[str, str]] | None = None) -> Iterator[dict[str, Server]]:
    """One started, ready server per name in `names` (root/<name>/data), all with `env` (plus
    `per_host[name]`); each is stopped at the end, or killed if it will not stop in 15 s."""
    started = {name: Server(root / name / "data", database_url,
                            {**env, **(per_host or {}).get(name, {})})
               for name in names}
    for server in started.values():
        server.data_dir.parent.mkdir(parents=True, exist_ok=True)
    try:
        for server in started.values():
            server.start()
        for server in started.values():
            server.wait_ready()
        yield started
    finally:
        for server in started.values():
            if not server.alive():
                continue
            try:
                server.stop(15)
            except subprocess.TimeoutExpired:
                server.kill()


async def in_force(since: float, probe: Probe, *apis: httpx.AsyncClient) -> list[float]:
    """Seconds from `since` until `probe` holds on each of `apis` (polled every POLL s)."""

    async def one(api: httpx.AsyncClient) -> float:
        while True:
            if await probe(api):
                return time.monotonic() - since
            assert time.monotonic() - since < GIVE_UP, f"not in force on {api.base_url}"
            await asyncio.sleep(POLL)

    return list(await asyncio.gather(*(one(api) for api in apis)))


@dataclass(frozen=True)
class Call:
    """One request, sent the same way to any host."""

    method: str
    path: str
    json: object = None
    params: dict[str, str | int] | None = None

    async def send(self, api: httpx.AsyncClient) -> httpx.Response:
        return await api.request(self.method, self.path, json=self.json, params=self.params)


def status_is(expected: int, call: Call) -> Probe:
    """Holds once `call` answers `expected`; any answer but that or the old one fails."""

    async def probe(api: httpx.AsyncClient) -> bool:
        response = await call.send(api)
        assert response.status_code in (expected, *ALSO[expected]), response.text
        return response.status_code == expected

    return probe


async def answers(expected: int, call: Call, *apis: httpx.AsyncClient) -> None:
    """Each api answers `expected` now (the state before a change)."""
    for api in apis:
        response = await call.send(api)
        assert response.status_code == expected, response.text


# What a probe may see before the change is in force (the old answer), per expected answer.
ALSO: dict[int, tuple[int, ...]] = {201: (403, 422), 422: (201,), 403: (201,), 401: (200,),
                                     200: ()}
