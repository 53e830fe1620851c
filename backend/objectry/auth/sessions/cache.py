"""Checked sessions, remembered per process so that a signed-in request costs no round trip
for its session check (the role, logout and revocation that `objectry_session_check` reads).

Everything is forgotten when any session may have changed anywhere: triggers NOTIFY
`objectry_sessions` on logout, revocation, a role change, a member removed or an account
deactivated (migration 0017), the listener clears the cache in every process, and the process
that made the change clears it after its commit too, so its own next request sees it at once.
A check that started before a clear does not store what it read (`generation`), a short
lifetime bounds what a lost notification could cost, and nothing is kept while the listener
is away.
"""

from __future__ import annotations

import time
from typing import Any

CHANNEL = "objectry_sessions"
Key = tuple[str, str, str, str]  # workspace, user, jti, refresh family


class SessionCache:
    def __init__(self, ttl_seconds: float = 10.0, max_entries: int = 10_000) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._entries: dict[Key, tuple[float, dict[str, Any]]] = {}
        self._kept = True  # False while the listener is away (see pause)
        self.generation = 0  # moves on every clear

    def get(self, key: Key) -> dict[str, Any] | None:
        entry = self._entries.get(key)
        if entry is None or time.monotonic() - entry[0] > self._ttl:
            return None
        return entry[1]

    def put(self, key: Key, row: dict[str, Any], generation: int) -> None:
        """Remember `row`, read while the cache was at `generation`, unless it was cleared
        since (the row may predate that change)."""
        if not self._kept or generation != self.generation:
            return
        if len(self._entries) >= self._max:
            self._entries.clear()  # crude, but bounded: a cold cache only costs round trips
        self._entries[key] = (time.monotonic(), row)

    def clear(self, payload: str = "") -> None:
        self.generation += 1
        self._entries.clear()

    def pause(self) -> None:
        """Forget everything and remember nothing until `resume`: while the listener is
        disconnected a change's notice would be lost."""
        self._kept = False
        self.clear()

    def resume(self) -> None:
        self.clear()
        self._kept = True
