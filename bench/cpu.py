"""CPU time a process tree used: where a request's machine time goes (the app's workers or
its PostgreSQL), which req/s alone cannot tell on cores both share.

A tree's time is every live member's user + system time plus what its members' reaped
children used (a PostgreSQL backend that exited is counted in its postmaster's), so the
difference between two readings is the tree's CPU in between."""

from __future__ import annotations

import contextlib
from pathlib import Path

import psutil


def tree_seconds(root: int, exclude: frozenset[int] = frozenset()) -> float | None:
    """CPU seconds used so far by `root` and the processes under it, leaving out the trees
    under `exclude` (an embedded PostgreSQL its app started). None: `root` is gone."""
    try:
        top = psutil.Process(root)
        members = [top, *top.children(recursive=True)]
    except psutil.NoSuchProcess:
        return None
    left_out = set(exclude)
    for pid in exclude:
        with contextlib.suppress(psutil.NoSuchProcess):
            left_out.update(p.pid for p in psutil.Process(pid).children(recursive=True))
    total = 0.0
    for process in members:
        if process.pid in left_out:
            continue
        try:
            t = process.cpu_times()
        except psutil.NoSuchProcess:  # exited meanwhile: its parent's children_* has it
            continue
        total += t.user + t.system + t.children_user + t.children_system
    return total


def postmaster_pid(pgdata: Path) -> int | None:
    """The server running in `pgdata` (the first line of its postmaster.pid)."""
    try:
        return int((pgdata / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None
