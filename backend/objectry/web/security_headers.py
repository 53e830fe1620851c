"""A pure ASGI middleware adding the security headers to every answer: `nosniff` and
`Referrer-Policy` everywhere, a strict Content-Security-Policy on the admin, and
`Cache-Control: no-store` on everything else (record data and credentials must not be cached).

A header the answer already carries is left alone. /docs (Swagger UI from a CDN) gets no CSP.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.responses import Response

# The admin's own files only: no inline script or style (tests/e2e/test_static.py checks the
# files), never framed. index.html repeats it in a <meta> for other servers, except
# frame-ancestors, which a <meta> cannot carry.
ADMIN_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
                "frame-ancestors 'none'")

Headers = tuple[tuple[bytes, bytes], ...]
_EVERYWHERE: Headers = ((b"x-content-type-options", b"nosniff"),
                        (b"referrer-policy", b"no-referrer"))
_ADMIN: Headers = (*_EVERYWHERE, (b"content-security-policy", ADMIN_POLICY.encode()))
_NOT_CACHED: Headers = (*_EVERYWHERE, (b"cache-control", b"no-store"))


def for_path(path: str) -> Headers:
    # The admin's files hold no data and may be cached; every other answer may carry some.
    return _ADMIN if path == "/admin" or path.startswith("/admin/") else _NOT_CACHED


def merged(headers: Iterable[tuple[bytes, bytes]], extra: Headers) -> list[tuple[bytes, bytes]]:
    out = list(headers)
    present = {name.lower() for name, _ in out}
    out.extend(header for header in extra if header[0] not in present)
    return out


def add(response: Response, path: str) -> None:
    """For an answer rendered outside the middleware (Starlette's last-resort 500)."""
    for name, value in for_path(path):
        response.headers.setdefault(name.decode(), value.decode())


class SecurityHeaders:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        extra = for_path(scope["path"])

        async def send_secured(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": merged(message.get("headers") or (), extra)}
            await send(message)

        await self.app(scope, receive, send_secured)
