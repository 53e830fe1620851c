"""An idle keep-alive connection stays open longer than clients keep theirs (`objectry serve`,
cli.py KEEP_ALIVE_SECONDS). httpx and Node's fetch drop an idle connection after 5 s, uvicorn's
own default: a client reusing one it kept for just under that could meet the server closing it,
and a request sent then is lost with "Server disconnected without sending a response" (seen
once in CI, in test_hosts_pgbouncer.py's read-back under load)."""

from __future__ import annotations

import asyncio
import http.client
from collections.abc import AsyncIterator

import pytest

from tests.support.databases import fresh_database
from tests.support.servers import Server, server_env

CLIENT_EXPIRY = 5  # seconds: httpx's keepalive_expiry, undici's keepAliveTimeout is 4


@pytest.fixture(scope="module")
async def served(server_url: str, tmp_path_factory: pytest.TempPathFactory
                 ) -> AsyncIterator[Server]:
    async with fresh_database(server_url, "objectry_keep_alive") as url:
        server = Server(tmp_path_factory.mktemp("keep-alive") / "data", url,
                        server_env()).start()
        try:
            server.wait_ready()
            yield server
        finally:
            server.stop()


async def test_an_idle_connection_outlives_the_clients_idle_expiry(served: Server) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    try:
        connection.request("GET", "/health")
        first = connection.getresponse()
        assert first.status == 200 and first.read()
        kept = connection.sock
        await asyncio.sleep(CLIENT_EXPIRY + 1)  # idle past what a client keeps: still open
        # On the same socket (http.client reconnects only when it knows it is closed; a
        # connection the server closed answers nothing: RemoteDisconnected).
        connection.request("GET", "/health")
        assert connection.getresponse().status == 200 and connection.sock is kept
    finally:
        connection.close()
