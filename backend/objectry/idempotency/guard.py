"""`@idempotent(check)` makes a DirectRoute write endpoint safe to retry with `Idempotency-Key`.

Without the header the endpoint runs as it always did (one header lookup more). With it, in
one transaction: the key's advisory lock, then its row (→ the first response again, or 422 when
the key named another request); no row and the lock held elsewhere → 409 at once (the first
request is still running); else the endpoint runs on
that same transaction (db/tenancy.held_transaction: its services' `one`/`tx` hand it out) and
a 2xx response is stored before the commit. A write and its key therefore commit together or
not at all, and a refused request stores nothing: its retry is evaluated again.

`check(ctx, request, **path_params)` raises unless the caller may make this write now; it runs
before the key is looked up, so a replay is answered only to a caller allowed to write.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request, Response

from objectry.db import tenancy
from objectry.errors import BadRequest, IdempotencyKeyInFlight, IdempotencyKeyReused, detail
from objectry.idempotency import repo
from objectry.idempotency.stored import fingerprint, kept, replayed
from objectry.web.context import Context
from objectry.web.routing import header_doc

Endpoint = Callable[..., Awaitable[Response]]
Check = Callable[..., Awaitable[None]]

HEADER = "idempotency-key"
MAX_LENGTH = 255
KEY_DOC = {**header_doc("Idempotency-Key", "the same key and request within 24 hours answers "
                        "the first response again (with Idempotent-Replayed: true) without "
                        "writing; another request under the key is a 422, and one while the "
                        "first still runs a 409"),
           "schema": {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH,
                      "pattern": "^[ -~]+$"}}


async def _whole_body(request: Request) -> bytes:
    return await request.body()


def idempotent(check: Check, body: Callable[[Request], Awaitable[bytes]] = _whole_body
               ) -> Callable[[Endpoint], Endpoint]:
    """`body` gives what the fingerprint hashes as the body: by default the bytes themselves;
    an upload spooled to disk gives their digest instead (imports/upload.py)."""
    def wrap(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)  # DirectRoute and OpenAPI read the endpoint's signature
        async def guarded(ctx: Context, request: Request, **path: Any) -> Response:
            key = request.headers.get(HEADER)
            if key is None:
                return await endpoint(ctx, request, **path)
            _check_key(key)
            await check(ctx, request, **path)
            sent = fingerprint(request, await body(request), ctx.principal.actor)
            return await _once(ctx, key, sent, lambda: endpoint(ctx, request, **path))

        return guarded

    return wrap


def _check_key(key: str) -> None:
    """Visible ASCII and spaces only: what every client sends (UUIDs, hashes) and what reads
    the same in every header encoding."""
    if not 1 <= len(key) <= MAX_LENGTH or not all(" " <= c <= "~" for c in key):
        raise BadRequest("Idempotency-Key must be 1 to 255 visible ASCII characters", [detail(
            "Idempotency-Key", "invalid", f"1 to {MAX_LENGTH} characters from ' ' to '~'")])


class _Unstored(Exception):
    """Unwinds the transaction of a response that is not kept (not 2xx): nothing it wrote
    may stay without its key."""

    def __init__(self, response: Response) -> None:
        self.response = response


async def _once(ctx: Context, key: str, sent: bytes,
                run: Callable[[], Awaitable[Response]]) -> Response:
    try:
        async with tenancy.held_transaction(ctx.state.pool, ctx.tenant_id) as conn:
            # Looked up even when the lock is taken: its holder may be another replay.
            locked = await repo.try_lock(conn, ctx.tenant_id, key)
            if (first := await repo.find(conn, ctx.tenant_id, key)) is not None:
                first_sent, response = first
                if first_sent != sent:
                    raise IdempotencyKeyReused()
                return replayed(response)
            if not locked:  # and not stored yet: the first request is still running
                raise IdempotencyKeyInFlight()
            answer = await run()
            if not 200 <= answer.status_code < 300:
                raise _Unstored(answer)
            if not await repo.store(conn, ctx.tenant_id, key, sent, kept(answer)):
                raise IdempotencyKeyInFlight()  # cannot happen under the lock: roll back
            return answer
    except _Unstored as unstored:
        return unstored.response
