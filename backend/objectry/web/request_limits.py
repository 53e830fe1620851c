"""A pure ASGI middleware guarding the door: bodies over the configured size get 413 (without
buffering them), and a NUL character in the path or query string gets 400 (PostgreSQL text
cannot hold one). Both answer in the dialect of the path (error_dialects.answer)."""

from __future__ import annotations

import re
from typing import Any

from starlette.datastructures import Headers

from objectry.errors import APIError, PayloadTooLarge, UnstorableText
from objectry.web.error_dialects import answer

# Uploads spooled to disk as they arrive (imports/upload.py) may be larger than a JSON body.
_UPLOAD = re.compile(r"^/api/objects/[^/]+/import$")


class BodySizeLimit:
    def __init__(self, app: Any, max_bytes: int, max_upload_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes or max_bytes

    def _error(self, limit: int) -> PayloadTooLarge:
        return PayloadTooLarge(f"the body is over the limit of {limit} bytes")

    async def _refuse(self, exc: APIError, scope: Any, receive: Any, send: Any) -> None:
        await answer(exc, scope["path"], Headers(scope=scope))(scope, receive, send)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b"").lower():
            nul = UnstorableText("the path and query cannot contain the NUL character")
            return await self._refuse(nul, scope, receive, send)
        limit = self.max_upload_bytes if _UPLOAD.match(scope["path"]) else self.max_bytes
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            return await self._refuse(self._error(limit), scope, receive, send)
        seen = 0

        async def limited_receive() -> Any:
            # A body without Content-Length (chunked) is counted as it arrives; the error
            # raised here reaches the app's APIError handler like any other.
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise self._error(limit)
            return message

        await self.app(scope, limited_receive, send)
