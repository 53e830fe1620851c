"""Steady HTTP load for fault tests: client tasks that record every request's outcome (when it
started, how long it took, its status and error code), so a test can say what clients saw
before, during and after a fault."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

# A request slower than this is a hung request: the client gives up and records no status.
CLIENT_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Outcome:
    label: str
    started: float  # time.monotonic()
    seconds: float
    status: int | None  # None: no answer (a transport error, a timeout)
    code: str | None  # the error code in either dialect's body, or the transport error
    retry_after: str | None
    body: Any = None

    @property
    def ended(self) -> float:
        return self.started + self.seconds

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def client(base_url: str, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, headers=headers or {},
                             timeout=CLIENT_TIMEOUT_SECONDS)


async def request(api: httpx.AsyncClient, label: str, method: str, path: str,
                  **kwargs: Any) -> Outcome:
    started = time.monotonic()
    try:
        response = await api.request(method, path, **kwargs)
    except httpx.TransportError as exc:
        return Outcome(label, started, time.monotonic() - started, None, type(exc).__name__, None)
    seconds = time.monotonic() - started
    body = response.json() if response.content else None
    return Outcome(label, started, seconds, response.status_code, _error_code(body),
                   response.headers.get("retry-after"), body)


def _error_code(body: Any) -> str | None:
    """`{"error": {"code"}}` on /api, `{"code"}` on /rest."""
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, dict):
        return str(error.get("code"))
    return str(body["code"]) if "code" in body and "message" in body else None


def summary(outcomes: list[Outcome]) -> str:
    statuses: dict[object, int] = {}
    for outcome in outcomes:
        key = (outcome.status, outcome.code) if not outcome.succeeded else outcome.status
        statuses[key] = statuses.get(key, 0) + 1
    longest = max((o.seconds for o in outcomes), default=0.0)
    return f"{len(outcomes)} requests, {statuses}, longest {longest:.2f}s"
