"""Credential checks remembered per process, so that a request's credential costs no round trip:
verified API tokens (auth/tokens/cache.py) and checked sessions (auth/sessions/cache.py).

An entry is forgotten when a NOTIFY says it may have changed (the metadata listener), and by
the process that made the change right after its commit, so its own next request sees it at
once. A check that started before a forget does not store what it read (`generation`: the row
may predate the change), a short lifetime bounds what a lost notification could cost, and
nothing is kept while the listener is away (`pause` … `resume`).
"""

from __future__ import annotations

import time
from collections.abc import Hashable
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class Remembered(Generic[K]):
    def __init__(self, ttl_seconds: float = 10.0, max_entries: int = 10_000) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._entries: dict[K, tuple[float, dict[str, Any]]] = {}
        self._kept = True  # False while the listener is away (see pause)
        self.generation = 0  # moves on every forget: read it before the check's round trip

    def get(self, key: K) -> dict[str, Any] | None:
        entry = self._entries.get(key)
        if entry is None or time.monotonic() - entry[0] > self._ttl:
            return None
        return entry[1]

    def put(self, key: K, row: dict[str, Any], generation: int) -> None:
        """Remember `row`, read while the cache was at `generation`, unless something was
        forgotten since (the row may predate that change)."""
        if not self._kept or generation != self.generation:
            return
        if len(self._entries) >= self._max:
            self._entries.clear()  # crude, but bounded: a cold cache only costs round trips
        self._entries[key] = (time.monotonic(), row)

    def forget(self, key: K | None = None) -> None:
        """Forget one entry, or (no key) every entry."""
        self.generation += 1
        if key is None:
            self._entries.clear()
        else:
            self._entries.pop(key, None)

    def pause(self) -> None:
        """Forget everything and remember nothing until `resume`: while the listener is
        disconnected a change's notice would be lost."""
        self._kept = False
        self.forget()

    def resume(self) -> None:
        self.forget()
        self._kept = True
