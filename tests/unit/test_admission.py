"""db/admission.py on its own: FIFO turns, lanes dropped when idle, the wait bounded, a turn
passed on when its waiter gives up, re-entrancy within a task."""

from __future__ import annotations

import asyncio

import pytest

from objectry.db.admission import Admission


async def hold(gate: Admission, tenant: str, order: list[str], name: str,
               release: asyncio.Event) -> None:
    slot, _ = await gate.enter(tenant)
    order.append(name)
    try:
        await release.wait()
    finally:
        gate.exit(slot)


async def test_turns_come_in_fifo_order_and_the_lane_goes_when_idle():
    gate, order, release = Admission(2, timeout=5), [], asyncio.Event()
    tasks = [asyncio.create_task(hold(gate, "a", order, f"a{i}", release)) for i in range(5)]
    other = asyncio.create_task(hold(gate, "b", order, "b0", release))
    await asyncio.sleep(0.01)
    assert (order, gate.running("a"), gate.running("b")) == (["a0", "a1", "b0"], 2, 1)
    release.set()
    await asyncio.gather(*tasks, other)
    assert order == ["a0", "a1", "b0", "a2", "a3", "a4"]
    assert gate._lanes == {}  # nothing kept for idle workspaces


async def test_a_wait_past_the_timeout_is_a_timeout_error_and_leaves_no_trace():
    gate, release = Admission(1, timeout=0.05), asyncio.Event()
    holder = asyncio.create_task(hold(gate, "a", [], "a0", release))
    await asyncio.sleep(0)
    with pytest.raises(TimeoutError):
        await gate.enter("a")
    assert (gate.running("a"), len(gate._lanes["a"].waiters)) == (1, 0)
    release.set()
    await holder
    assert gate._lanes == {}


async def test_a_cancelled_waiter_gives_its_turn_to_the_next():
    gate, order, release = Admission(1, timeout=5), [], asyncio.Event()
    first = asyncio.create_task(hold(gate, "a", order, "a0", release))
    await asyncio.sleep(0)
    gone = asyncio.create_task(hold(gate, "a", order, "gone", release))
    last = asyncio.create_task(hold(gate, "a", order, "a2", release))
    await asyncio.sleep(0)
    gone.cancel()
    release.set()
    await asyncio.gather(first, last)
    assert gone.cancelled() and order == ["a0", "a2"] and gate._lanes == {}


async def test_a_task_holding_a_slot_is_not_made_to_wait_for_itself():
    gate = Admission(1, timeout=0.05)
    outer, left = await gate.enter("a")
    assert left is None
    inner, _ = await gate.enter("a")  # the same task: its own slot, not a second one
    assert inner is None and gate.running("a") == 1
    gate.exit(inner)
    gate.exit(outer)
    assert gate._lanes == {}
    again, _ = await gate.enter("a")  # the finished slot is not shared any more
    assert again is not None and gate.running("a") == 1
    gate.exit(again)


async def test_a_waited_turn_reports_what_is_left_of_the_timeout():
    gate, release = Admission(1, timeout=5), asyncio.Event()
    holder = asyncio.create_task(hold(gate, "a", [], "a0", release))
    await asyncio.sleep(0)
    asyncio.get_running_loop().call_later(0.05, release.set)
    slot, left = await gate.enter("a")
    assert left is not None and 0 < left < 5
    gate.exit(slot)
    await holder
