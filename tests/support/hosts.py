"""Several `objectry serve` processes ("hosts") over one database, as a deployment scaled out
runs them: the same secret key (a session signed by one is honoured by the others), each its own
data directory and port, started together (migrations run under an advisory lock)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.servers import Server


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
