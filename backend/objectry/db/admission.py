"""Per-workspace admission control (issue 18, item 4): in one server process, a workspace has at
most `limit` units of database work (a door of db/tenancy.py: one statement, or one
transaction) running at once, so that one busy workspace can never hold every pooled
connection while the others wait for one. Past the limit, its requests queue for their turn in
FIFO order, for at most the pool's acquire timeout: then a TimeoutError, which every path
answers with the documented 503 `unavailable` (db/pool.unreachable), as when the pool itself is
exhausted.

A workspace's lane exists only while it has work running, so memory follows the busy
workspaces, not all of them. Re-entrant: a door opened while the same task (or a task it
started) already holds a slot for that workspace uses that slot, so a request that opens one
door inside another never waits for itself (a held idempotent transaction does not reach the
gate at all: tenancy hands out its connection)."""

from __future__ import annotations

import asyncio
from collections import deque
from contextvars import ContextVar


class _Slot:
    """A unit of work admitted for a workspace; `open` until that unit ends (a task started
    meanwhile still sees the object, but no longer a slot it may share)."""

    __slots__ = ("tenant_id", "open")

    def __init__(self, tenant_id: str) -> None:
        self.tenant_id, self.open = tenant_id, True


class _Lane:
    __slots__ = ("running", "waiters")

    def __init__(self) -> None:
        self.running = 0
        self.waiters: deque[asyncio.Future[None]] = deque()


# The slot the running task holds. Never reset by token: a door may be closed from another
# context than it was opened in (a response body's task), so a finished slot is marked closed.
_admitted: ContextVar[_Slot | None] = ContextVar("objectry_admitted", default=None)


class Admission:
    def __init__(self, limit: int, timeout: float) -> None:
        self.limit, self.timeout = limit, timeout
        self._lanes: dict[str, _Lane] = {}

    def running(self, tenant_id: str) -> int:
        """Units of work the workspace has admitted now (tests, diagnostics)."""
        lane = self._lanes.get(tenant_id)
        return 0 if lane is None else lane.running

    async def enter(self, tenant_id: str) -> tuple[_Slot | None, float | None]:
        """A slot for the workspace (None: the task holds one already), and the seconds left
        of the acquire timeout when the slot had to be waited for (None: it did not)."""
        held = _admitted.get()
        if held is not None and held.open and held.tenant_id == tenant_id:
            return None, None
        lane = self._lanes.get(tenant_id)
        if lane is None:
            lane = self._lanes[tenant_id] = _Lane()
        left = None
        if lane.running < self.limit and not lane.waiters:
            lane.running += 1
        else:
            left = await self._wait(tenant_id, lane)
        slot = _Slot(tenant_id)
        _admitted.set(slot)
        return slot, left

    async def _wait(self, tenant_id: str, lane: _Lane) -> float:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        turn: asyncio.Future[None] = loop.create_future()
        lane.waiters.append(turn)
        try:
            async with asyncio.timeout_at(deadline):
                await turn
        except BaseException as exc:
            if turn.done() and not turn.cancelled():
                self._leave(tenant_id, lane)  # handed a slot just as it gave up: pass it on
            else:
                lane.waiters.remove(turn)
            if isinstance(exc, TimeoutError):
                raise TimeoutError("no turn came for the workspace's database work within "
                                   "the pool's acquire timeout") from None
            raise
        return max(deadline - loop.time(), 0.001)

    def exit(self, slot: _Slot | None) -> None:
        if slot is None:
            return
        slot.open = False
        self._leave(slot.tenant_id, self._lanes[slot.tenant_id])

    def _leave(self, tenant_id: str, lane: _Lane) -> None:
        while lane.waiters:
            turn = lane.waiters.popleft()
            if not turn.done():
                turn.set_result(None)  # the slot goes to the longest waiter: `running` stays
                return
        lane.running -= 1
        if lane.running == 0:
            del self._lanes[tenant_id]
