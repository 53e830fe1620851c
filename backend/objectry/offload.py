"""CPU-heavy work off the event loop: inline when light, in a worker thread when heavy.

"Heavy" is an estimate (≈ µs) from the field types' weighers. A thread hop costs ~50 µs, so
ordinary records are validated inline (the create hot path is benchmarked), while rich text,
regexes on long text, JSON Schema validation and big batches go to a thread. There nh3 and RE2
release the GIL (measured), and pure Python yields it every 5 ms (sys.getswitchinterval), so
other requests, /health among them, go on. JSON Schema validation in a thread runs within one
CPU budget for the whole request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from objectry.fields.base import HEAVY_WORK
from objectry.fields.json_schema import cpu_budget
from objectry.fields.structured import VALIDATE_SECONDS

T = TypeVar("T")

# A thread that wants the GIL waits up to the interpreter's switch interval (5 ms by default)
# for a busy holder to let go, so each time the event loop woke beside offloaded work (a row
# arriving from PostgreSQL, a request) it could wait that long. At 1 ms, a 10,000-record bulk
# call, whose chunks are written while the next one is validated, took 47 µs a record in
# place of 55 (bench/notes.md); without a second busy thread the interval changes nothing.
SWITCH_INTERVAL = 0.001


def _budgeted(work: Callable[[], T], seconds: float) -> T:
    with cpu_budget(seconds):
        return work()


async def run(work: Callable[[], T], weight: int, *, budget: float = VALIDATE_SECONDS) -> T:
    """`work()`, in a worker thread if `weight` says it is heavy; there, JSON Schema checks
    share `budget` seconds of CPU."""
    if weight < HEAVY_WORK:
        return work()
    return await asyncio.to_thread(_budgeted, work, budget)
