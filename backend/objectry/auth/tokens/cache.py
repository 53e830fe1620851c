"""Verified API tokens, remembered per process so that a token costs no round trip per request.

An entry is dropped when its token changes anywhere: a trigger on api_tokens NOTIFYs
`objectry_tokens` with the token's hash (migration 0004), the listener drops it in every
process, and the revoking process also drops everything at once. A short lifetime bounds what a
lost notification could cost; the listener clears the cache after any reconnect.
"""

from __future__ import annotations

import time
from typing import Any

CHANNEL = "objectry_tokens"


class TokenCache:
    def __init__(self, ttl_seconds: float = 10.0, max_entries: int = 10_000) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._entries: dict[str, tuple[float, dict[str, Any]]] = {}
        self._kept = True  # False while the listener is away (see pause)

    def get(self, digest: str) -> dict[str, Any] | None:
        entry = self._entries.get(digest)
        if entry is None or time.monotonic() - entry[0] > self._ttl:
            return None
        return entry[1]

    def put(self, digest: str, row: dict[str, Any]) -> None:
        if not self._kept:
            return
        if len(self._entries) >= self._max:
            self._entries.clear()  # crude, but bounded: a cold cache only costs round trips
        self._entries[digest] = (time.monotonic(), row)

    def drop(self, digest: str | None = None) -> None:
        """Forget one token, or (no digest) every token."""
        if digest:
            self._entries.pop(digest, None)
        else:
            self._entries.clear()

    def pause(self) -> None:
        """Forget every token and remember none until `resume`: while the listener is
        disconnected a revocation's notice would be lost."""
        self._kept = False
        self._entries.clear()

    def resume(self) -> None:
        self._entries.clear()
        self._kept = True
