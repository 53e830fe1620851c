"""A TCP relay in front of PostgreSQL that counts its clients' round trips to the server.

It reads the frontend protocol as it passes: every simple Query, Sync or Flush ends a batch
the client then waits on, so each is one round trip — exact whatever TCP does to the bytes.
It declines encryption itself (encrypted bytes could not be read), so any client URL works."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

ROUND_TRIP_ENDS = frozenset(b"QSH")  # simple Query, Sync, Flush
_NEGOTIATIONS = {80877103, 80877104}  # SSLRequest, GSSENCRequest


class Counter:
    def __init__(self) -> None:
        self.round_trips = 0


class _FrontendReader:
    """Counts one client connection's round trips from the bytes it sends after its startup
    message (which has no type byte)."""

    def __init__(self, counter: Counter) -> None:
        self._counter = counter
        self._buffer = b""

    def feed(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) >= 5:
            size = 1 + int.from_bytes(self._buffer[1:5], "big")
            if len(self._buffer) < size:
                return
            if self._buffer[0] in ROUND_TRIP_ENDS:
                self._counter.round_trips += 1
            self._buffer = self._buffer[size:]


async def _startup(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> bytes:
    """The client's startup message, after declining any encryption it asks for."""
    while True:
        head = await client_r.readexactly(8)
        message = head + await client_r.readexactly(int.from_bytes(head[:4], "big") - 8)
        if int.from_bytes(head[4:8], "big") not in _NEGOTIATIONS:
            return message
        client_w.write(b"N")


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter,
                reader: _FrontendReader | None) -> None:
    try:
        while data := await source.read(65536):
            if reader is not None:
                reader.feed(data)
            sink.write(data)
            await sink.drain()
    except ConnectionError:
        pass
    finally:
        sink.close()


@asynccontextmanager
async def counting_relay(url: str) -> AsyncIterator[tuple[str, Counter]]:
    """A relay to `url`'s TCP server; yields `url` through it and its Counter."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    socket_dir = query.pop("host", None)  # an embedded server's Unix socket directory
    counter = Counter()

    async def serve(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        if socket_dir is not None:
            server_r, server_w = await asyncio.open_unix_connection(
                f"{socket_dir}/.s.PGSQL.{parts.port or 5432}")
        else:
            server_r, server_w = await asyncio.open_connection(parts.hostname,
                                                               parts.port or 5432)
        server_w.write(await _startup(client_r, client_w))
        await asyncio.gather(_pipe(client_r, server_w, _FrontendReader(counter)),
                             _pipe(server_r, client_w, None))

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    netloc = parts.netloc.rsplit("@", 1)[0] + f"@127.0.0.1:{port}"
    try:
        yield urlunsplit(parts._replace(netloc=netloc, query=urlencode(query))), counter
    finally:
        server.close()
        with contextlib.suppress(Exception):
            await server.wait_closed()
