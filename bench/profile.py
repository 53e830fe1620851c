"""Profile Objectry's workers with py-spy while the load generator drives one operation, and
turn the collapsed stacks into hot spots: self and inclusive % of samples per function, and
self % per package. Needs `py-spy` (pip install py-spy, the `bench` extra)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>.*?)(?::\d+)?\)$")
# Leaves of helper threads that only wait (uvicorn's ping thread, idle executor threads).
IDLE = ("(multiprocessing/connection.py", "_worker (concurrent/futures/thread.py",
        "(threading.py")


def py_spy() -> str | None:
    return shutil.which("py-spy") or (str(p) if (p := Path(sys.executable).with_name(
        "py-spy")).exists() else None)


def start(pids: list[int], seconds: float, workdir: Path, name: str) -> list[tuple[Any, Path]]:
    """One `py-spy record --format raw` per worker, running in the background."""
    exe = py_spy()
    if exe is None:
        return []
    out = []
    for pid in pids:
        path = workdir / f"profile-{name}-{pid}.txt"
        proc = subprocess.Popen([exe, "record", "--pid", str(pid), "--duration",
                                 str(max(1, int(seconds))), "--rate", "250", "--format", "raw",
                                 "-o", str(path)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        out.append((proc, path))
    return out


def finish(recorders: list[tuple[Any, Path]]) -> list[str]:
    lines: list[str] = []
    for proc, path in recorders:
        proc.wait(timeout=120)
        if path.exists():
            lines += path.read_text().splitlines()
    return lines


def _where(frame: str) -> tuple[str, str]:
    match = FRAME.match(frame)
    if not match:
        return frame, ""
    file = match["file"]
    for marker in ("site-packages/", "backend/", "/lib/python3"):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    return match["func"], file


def package(file: str) -> str:
    """objectry.records, fastapi, asyncpg, … (the first two path parts for objectry)."""
    parts = file.split("/")
    if parts[0] == "objectry" and len(parts) > 2:
        return f"objectry.{parts[1]}"
    if file.startswith(".") or parts[0].endswith(".py"):
        return "stdlib:" + parts[0].removesuffix(".py")
    return parts[0].removesuffix(".py")


def hot_spots(lines: list[str], top: int = 25) -> dict[str, Any]:
    """Self and inclusive shares of samples for the busiest functions and packages."""
    total = 0
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    for line in lines:
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        if any(marker in stack.rsplit(";", 1)[-1] for marker in IDLE):
            continue
        n = int(count)
        total += n
        frames = [_where(f) for f in stack.split(";") if f]
        if not frames:
            continue
        func, file = frames[-1]
        self_time[f"{func} ({file})"] += n
        packages[package(file)] += n
        for key in {f"{fn} ({fl})" for fn, fl in frames}:
            inclusive[key] += n

    def share(counter: Counter[str], n: int = top) -> list[tuple[str, float]]:
        return [(k, 100 * v / total) for k, v in counter.most_common(n)] if total else []

    return {"samples": total, "self": share(self_time), "inclusive": share(inclusive, 2 * top),
            "packages": share(packages, 15)}
