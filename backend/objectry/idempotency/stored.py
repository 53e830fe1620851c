"""What a key remembers: the fingerprint of the request it named, and the response it got."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from fastapi import Request, Response

# Recomputed from the body when replayed.
_NOT_KEPT = frozenset({b"content-length"})


def fingerprint(request: Request, body: bytes, caller: str | None) -> bytes:
    """SHA-256 of who sends what: the caller (a key replays only to the user or token that sent
    it), method, path, raw query string and body bytes, each framed by its length so no two
    requests read the same."""
    digest = hashlib.sha256()
    for part in ((caller or "").encode(), request.method.encode(),
                 request.scope["path"].encode(), request.scope["query_string"], body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.digest()


@dataclass(frozen=True, slots=True)
class Stored:
    status: int
    headers: list[list[str]]  # [name, value] pairs as first sent, content-length aside
    body: bytes


def kept(response: Response) -> Stored:
    """The response as a key keeps it. An idempotent endpoint returns its body rendered
    (never a stream), so the bytes sent are the bytes kept."""
    headers = [[name.decode("latin-1"), value.decode("latin-1")]
               for name, value in response.raw_headers if name not in _NOT_KEPT]
    return Stored(response.status_code, headers, bytes(response.body))


def replayed(stored: Stored) -> Response:
    """The first response again, marked `Idempotent-Replayed: true`."""
    response = Response(stored.body, status_code=stored.status)  # sets content-length
    response.raw_headers = [
        *((name.encode("latin-1"), value.encode("latin-1")) for name, value in stored.headers),
        *response.raw_headers, (b"idempotent-replayed", b"true")]
    return response
