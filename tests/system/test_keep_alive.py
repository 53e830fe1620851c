"""An idle keep-alive connection stays open longer than clients keep theirs (`objectry serve`,
cli.py KEEP_ALIVE_SECONDS). httpx and Node's fetch drop an idle connection after 5 s, uvicorn's
own default: a client reusing one it kept for just under that could meet the server closing it,
and a request sent then is lost with "Server disconnected without sending a response" (seen
once in CI, in test_hosts_pgbouncer.py's read-back under load)."""

from __future__ import annotations

import asyncio
import socket
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


def _get(sock: socket.socket) -> bytes:
    """One `GET /health` on the connection; the response's status line (b"" once closed)."""
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: objectry\r\n\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(4096)
        if not chunk:
            break
        answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        body += sock.recv(4096)
    return head.split(b"\r\n")[0]


async def test_an_idle_connection_outlives_the_clients_idle_expiry(served: Server) -> None:
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
        assert _get(sock) == b"HTTP/1.1 200 OK"
        await asyncio.sleep(CLIENT_EXPIRY + 1)  # idle past what a client keeps: still open
        assert _get(sock) == b"HTTP/1.1 200 OK"
