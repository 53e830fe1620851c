"""The import jobs running in this process (a field of lifespan.State): started outside any
request's context, cancelled at shutdown so each records why it ended."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Coroutine
from typing import Any

STOP_SECONDS = 5.0  # at shutdown, for running jobs to record why they end


class Runner:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()  # strong references: a bare task may go

    def start(self, job: Coroutine[Any, Any, None]) -> None:
        """Run the job in its own task, in a fresh context: never in a request's held
        transaction (an idempotent POST), which has committed by the time this runs."""
        task = asyncio.get_running_loop().create_task(job, context=contextvars.Context())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        """Every running job is cancelled and records `failed` (why) before the pool closes; a
        job killed with its process is ended on its next read instead (imports/repo.get)."""
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=STOP_SECONDS)
