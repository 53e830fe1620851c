"""An open-loop load generator: requests start on a fixed schedule, whatever the server does.

wrk (closed loop) sends the next request when the previous one answers, so a stalled server is
asked less and its stall is hidden (coordinated omission); wrk2's fixed rate is not packaged.
Here request i starts at `i / rate` seconds, and its latency is counted from that intended
start, so a stall shows in full in the percentiles, queueing in the client included. At the
modest rates of a small workspace (tens of requests per second) an asyncio client keeps its
schedule; `late_ms` reports how far behind it ever started a request, to prove it did.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Slot:
    at: float  # seconds after the start
    kind: str


@dataclass(frozen=True)
class Sample:
    kind: str
    latency: float  # seconds from the intended start to the answer
    status: int  # 0: no answer (transport error)


def schedule(rate: float, seconds: float, kinds: Sequence[str]) -> list[Slot]:
    """Evenly spaced starts at `rate` per second for `seconds`, the kinds taken in turn."""
    if rate <= 0 or seconds <= 0 or not kinds:
        return []
    return [Slot(i / rate, kinds[i % len(kinds)]) for i in range(int(rate * seconds))]


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q% of the values at or below it."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summary(samples: Sequence[Sample]) -> dict[str, Any]:
    """p50/p99 in ms and errors (non-2xx or no answer), overall and per kind."""

    def one(group: Sequence[Sample]) -> dict[str, Any]:
        ms = [s.latency * 1000 for s in group]
        return {"requests": len(group), "p50_ms": percentile(ms, 50),
                "p99_ms": percentile(ms, 99), "max_ms": max(ms, default=math.nan),
                "errors": sum(1 for s in group if not 200 <= s.status < 300)}

    kinds = sorted({s.kind for s in samples})
    return {"all": one(samples), **{k: one([s for s in samples if s.kind == k]) for k in kinds}}


async def run(slots: Sequence[Slot], send: Callable[[str, int], Awaitable[int]]
              ) -> tuple[list[Sample], float]:
    """Start `send(kind, i)` at each slot's time (never waiting for earlier answers); the
    samples, and the worst lateness of a start in seconds."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    late = 0.0
    tasks: list[asyncio.Task[Sample]] = []

    async def one(i: int, slot: Slot) -> Sample:
        try:
            status = await send(slot.kind, i)
        except Exception:  # noqa: BLE001 - a transport error is a failed request, not a crash
            status = 0
        return Sample(slot.kind, loop.time() - (start + slot.at), status)

    for i, slot in enumerate(slots):
        delay = start + slot.at - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        late = max(late, loop.time() - (start + slot.at))
        tasks.append(asyncio.create_task(one(i, slot)))
    return list(await asyncio.gather(*tasks)), late
