"""Facts about the machine and the code measured, for RESULTS.md."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _first(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout.strip()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "-"


def facts(postgres_version: str) -> dict[str, str]:
    kib = _first("/proc/meminfo", "MemTotal").split()[0]
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    dirty = _git("status", "--porcelain", "--", "backend", "alembic")
    return {
        "cpu": _first("/proc/cpuinfo", "model name"),
        "nproc": str(os.cpu_count()),
        "memory": f"{int(kib) / 1024 / 1024:.1f} GiB" if kib.isdigit() else "?",
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": postgres_version,
        "wrk": (wrk.stdout or wrk.stderr).splitlines()[0] if (wrk.stdout or wrk.stderr) else "-",
        "packages": ", ".join(f"{p} {_version(p)}" for p in (
            "fastapi", "starlette", "uvicorn", "uvloop", "httptools", "asyncpg", "orjson")),
        "backend commit": _git("log", "--oneline", "-1"),
        "backend working tree": (f"{len(dirty.splitlines())} uncommitted change(s) under "
                                 "backend/ and alembic/ (measured as they were)")
                                if dirty else "clean",
    }
