"""Read-your-writes with a read replica (db/replica.py): a pure ASGI middleware, installed only
when DATABASE_READ_URL is set.

Every HTTP request gets a `Needs` (what its reads must see; web/context.py fills in the caller
and the X-Objectry-Min-LSN it sent). A request that may have written (any method but GET, HEAD
and OPTIONS) and succeeded (status below 400) answers with X-Objectry-LSN, the primary's WAL
position once it has committed, which this process also remembers for the caller: its next
reads here wait for the replica to replay it, or go to the primary. A client that reads
through another host sends it back as X-Objectry-Min-LSN.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from objectry.db.replica import Needs, format_lsn, request_needs

LSN = "X-Objectry-LSN"
MIN_LSN = "X-Objectry-Min-LSN"
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


class ReadYourWrites:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        needs = Needs()
        token = request_needs.set(needs)
        try:
            if scope["method"] in _READS:
                await self.app(scope, receive, send)
            else:
                await self.app(scope, receive, _with_lsn(scope, needs, send))
        finally:
            request_needs.reset(token)


def _with_lsn(scope: Scope, needs: Needs, send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] < 400:
            replica = scope["app"].state.objectry.replica
            lsn = await replica.committed(needs.principal)
            if lsn is not None:
                message = {**message, "headers": [*message.get("headers", ()), (
                    LSN.lower().encode(), format_lsn(lsn).encode())]}
        await send(message)
    return sending
