"""One attempt of one delivery: sign, connect to the checked address, POST, keep the outcome.
Redirects are not followed (a 3xx is a failure): a redirect could lead past the SSRF guard."""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from objectry.webhooks import addresses, signing

MAX_ERROR = 500  # characters of an error kept in the delivery log


@dataclass(frozen=True, slots=True)
class Attempt:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


async def send(client: httpx.AsyncClient, url: str, secret: str, event_id: str, body: str, *,
               allow_private: bool, timeout: float) -> Attempt:
    started = time.monotonic()

    def outcome(status_code: int | None, error: str | None) -> Attempt:
        elapsed = int((time.monotonic() - started) * 1000)
        return Attempt(status_code, error[:MAX_ERROR] if error else None, elapsed)

    try:
        target = await addresses.resolve(url, allow_private=allow_private)
    except addresses.Refused as refused:
        return outcome(None, f"refused: {refused}")
    data = body.encode()
    headers = signing.headers(secret, event_id, int(time.time()), data)
    headers["host"] = urlsplit(url).netloc
    headers["user-agent"] = "Objectry-Webhooks/1"
    try:
        async with client.stream("POST", _pinned(url, target), content=data, headers=headers,
                                 timeout=timeout,
                                 extensions={"sni_hostname": target.host}) as response:
            code = response.status_code
    except httpx.TimeoutException:
        return outcome(None, f"timed out after {timeout:g} s")
    except httpx.HTTPError as exc:
        return outcome(None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    return outcome(code, None if 200 <= code < 300 else f"HTTP {code}")


def _pinned(url: str, target: addresses.Target) -> str:
    """The URL with its host replaced by the checked address (Host and SNI keep the name)."""
    parts = urlsplit(url)
    host = f"[{target.address}]" if ":" in target.address else target.address
    return urlunsplit(parts._replace(netloc=f"{host}:{target.port}"))
