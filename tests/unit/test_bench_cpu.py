"""bench/cpu.py: a process tree's CPU, its exited children's included, another tree's left out."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.cpu import postmaster_pid, tree_seconds

# Burns 0.3 s of CPU, then waits for its stdin to close.
BURN = ("import sys, time\nend = time.process_time() + 0.3\n"
        "while time.process_time() < end: pass\nprint(flush=True)\nsys.stdin.read()")


def test_a_trees_cpu_counts_its_children_and_leaves_out_excluded_ones() -> None:
    child = subprocess.Popen([sys.executable, "-c", BURN], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE)
    assert child.stdout is not None and child.stdin is not None
    child.stdout.readline()  # it has burnt its CPU
    burnt = tree_seconds(child.pid)
    assert burnt is not None and burnt >= 0.25
    with_child = tree_seconds(os.getpid())
    without = tree_seconds(os.getpid(), frozenset({child.pid}))
    assert with_child is not None and without is not None
    assert with_child - without >= 0.25
    child.communicate()  # reaped: its time is now this process's children's time
    assert tree_seconds(child.pid) is None
    after = tree_seconds(os.getpid())
    assert after is not None and after - without >= 0.25


def test_the_postmaster_is_read_from_its_pid_file(tmp_path: Path) -> None:
    (tmp_path / "postmaster.pid").write_text("4242\n/data\n")
    assert postmaster_pid(tmp_path) == 4242
    assert postmaster_pid(tmp_path / "nowhere") is None
