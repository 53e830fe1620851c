"""A pure ASGI middleware adding the security headers to every answer: `nosniff` and
`Referrer-Policy` everywhere, a strict Content-Security-Policy on the admin (which lets it open
the realtime socket of its own host), and `Cache-Control: no-store` on everything else (record
data and credentials must not be cached).

A header the answer already carries is left alone. /docs (Swagger UI from a CDN) gets no CSP.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from operator import itemgetter
from typing import Any

from starlette.responses import Response

# The admin's own files only: no inline script or style (tests/e2e/test_static.py checks the
# files), never framed. index.html repeats it in a <meta> for other servers, except
# frame-ancestors, which a <meta> cannot carry, and the host, which it cannot know (its
# connect-src allows `ws: wss:`; both policies apply, so this header's host is what holds).
ADMIN_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                "connect-src 'self'{sockets}; object-src 'none'; base-uri 'none'; "
                "form-action 'none'; frame-ancestors 'none'")
# A host[:port] as browsers send it, so that nothing else can reach the policy's text.
_HOST = re.compile(r"(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")


def admin_policy(host: str | None) -> str:
    """The admin's policy for a page loaded from `host`. The realtime socket (js/realtime.js) is
    same-origin, but 'self' matches ws: and wss: only in browsers that follow CSP Level 3
    (older Safari refuses the socket), so the socket's own origins are named too."""
    sockets = f" ws://{host} wss://{host}" if host and _HOST.fullmatch(host) else ""
    return ADMIN_POLICY.format(sockets=sockets)


Headers = tuple[tuple[bytes, bytes], ...]
_EVERYWHERE: Headers = ((b"x-content-type-options", b"nosniff"),
                        (b"referrer-policy", b"no-referrer"))
_NOT_CACHED: Headers = (*_EVERYWHERE, (b"cache-control", b"no-store"))


def is_admin(path: str) -> bool:
    return path == "/admin" or path.startswith("/admin/")


def for_path(path: str, host: str | None) -> Headers:
    # The admin's files hold no data and may be cached; every other answer may carry some.
    if is_admin(path):
        return (*_EVERYWHERE, (b"content-security-policy", admin_policy(host).encode()))
    return _NOT_CACHED


def merged(headers: Iterable[tuple[bytes, bytes]], extra: Headers) -> list[tuple[bytes, bytes]]:
    out = list(headers)
    present = set(map(bytes.lower, map(itemgetter(0), out)))  # in C: every answer passes here
    out += [header for header in extra if header[0] not in present]
    return out


def add(response: Response, path: str, host: str | None) -> None:
    """For an answer rendered outside the middleware (Starlette's last-resort 500)."""
    for name, value in for_path(path, host):
        response.headers.setdefault(name.decode(), value.decode())


class SecurityHeaders:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        extra = for_path(path, _host(scope) if is_admin(path) else None)

        async def send_secured(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": merged(message.get("headers") or (), extra)}
            await send(message)

        await self.app(scope, receive, send_secured)


def _host(scope: Any) -> str | None:
    for name, value in scope.get("headers") or ():
        if name == b"host":
            return str(value.decode("latin-1"))
    return None
