"""Heavy work leaves the event loop's thread; light work stays on it. nh3 and RE2 let other
threads run while they work (they release the GIL): the premise of running them in a thread."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any

import nh3

from objectry import offload
from objectry.fields.base import HEAVY_WORK
from objectry.fields.regex import compile_regex


async def test_light_work_runs_inline_and_heavy_work_in_a_thread():
    here = threading.current_thread()
    assert await offload.run(threading.current_thread, HEAVY_WORK - 1) is here
    assert await offload.run(threading.current_thread, HEAVY_WORK) is not here


def longest_pause(work: Callable[[], Any]) -> tuple[float, float]:
    """(how long `work` took in a thread, the longest this thread waited to run meanwhile).

    Work that holds the GIL stops this thread for all of its time; work that releases it lets
    this thread run in between. Half the time is the line: robust on a loaded machine, where
    the OS may also pause this thread for a while."""
    done = threading.Event()
    worker = threading.Thread(target=lambda: (work(), done.set()))
    started = last = time.perf_counter()
    worker.start()
    longest = 0.0
    while not done.is_set():
        sum(range(1000))  # Python code: it runs only while this thread holds the GIL
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    worker.join()
    return time.perf_counter() - started, longest


def test_nh3_releases_the_gil_while_it_sanitises():
    took, pause = longest_pause(lambda: nh3.clean("<div>" * 20_000))
    assert took > 0.2 and pause < took / 2, (took, pause)


def test_re2_releases_the_gil_while_it_matches():
    rng = random.Random(1)
    text = "".join(rng.choice("ab") for _ in range(1_000_000))
    regex = compile_regex("[ab]*a[ab]{60}c")  # RE2's slow path (its NFA): ~0.3 s here
    took, pause = longest_pause(lambda: regex.search(text))
    assert took > 0.1 and pause < took / 2, (took, pause)
