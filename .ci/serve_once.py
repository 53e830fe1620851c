"""Start an installed `objectry serve` once, as a user would after `pip install .`: on a free
port, against DATABASE_URL's server when set (in a database of its own, dropped afterwards) or
the embedded default; /health/ready and /admin/ must answer 200; then stop it. Run it with the
wheel venv's Python: it needs nothing but the wheel's own dependencies.

    <venv>/bin/python .ci/serve_once.py <venv>/bin/objectry
"""

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def wait_ready(base: str, server: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"objectry serve exited with {server.returncode}")
        if status(base + "/health/ready") == 200:
            return
        time.sleep(0.5)
    raise SystemExit("objectry serve did not become ready")


async def _admin(server_url: str, statement: str) -> None:
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@contextlib.contextmanager
def environment() -> Iterator[dict[str, str]]:
    """The server's environment: a fresh database on DATABASE_URL's server, or none (embedded)."""
    server_url = os.environ.get("DATABASE_URL")
    if not server_url:
        yield dict(os.environ)
        return
    name = "objectry_wheel_" + secrets.token_hex(4)
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    try:
        url = urlunsplit(urlsplit(server_url)._replace(path="/" + name))
        yield {**os.environ, "DATABASE_URL": url}
    finally:
        asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main(objectry: str) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="objectry-wheel-") as tmp, environment() as env:
        log = Path(tmp, "serve.log")
        with log.open("wb") as out:
            server = subprocess.Popen([objectry, "serve", "--port", str(port), "--data-dir",
                                       str(Path(tmp, "data"))], cwd=tmp, env=env,
                                      stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_ready(base, server)
            admin = status(base + "/admin/")
            if admin != 200:
                raise SystemExit(f"/admin/ answered {admin}")
            print(f"wheel: objectry serve is ready and serves /admin/ ({base})")
        except SystemExit:
            print(log.read_text(), file=sys.stderr)
            raise
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)


if __name__ == "__main__":
    main(sys.argv[1])
