"""The data plane's lane: records and /rest/v1 requests answered through the app's own
middlewares but without the layers FastAPI and Starlette stack around every request.

A request to a DirectRoute of the records API or /rest/v1 (web/routing.py) goes through the same
middleware classes, in the same order, as through the full stack (security headers, the
read-replica bookkeeping when configured, the body limit) and the same exception handlers, but
skips FastAPI's telemetry and body-limit layers, the exit-stack middleware, the router's scan of
every route and `request_response`'s two exit stacks: about a quarter of a GET by id's Python
(bench/notes.md, "The data plane's lane"). Everything else — the admin, metadata, auth, a
method a path does not take, a path that matches no data-plane route — takes the full stack.

On the lane a route is found by the request's method first, then its path pattern (the first
route that takes both wins, as in Starlette's router); the request's headers are read into a
dict once, and a query string seen before reuses its parsed form (apps repeat a few queries).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from starlette._exception_handler import _lookup_exception_handler
from starlette._utils import is_async_callable
from starlette.convertors import StringConvertor
from starlette.datastructures import Headers, QueryParams
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from objectry.web.context import context
from objectry.web.routing import DirectRoute

# The routers served on the lane: the requests that carry the load.
PREFIXES = ("/api/records", "/rest/v1/")

Table = dict[str, list[tuple[re.Pattern[str], DirectRoute]]]  # method → (path pattern, route)


class FastLane:
    """Built once the app is complete (its routes, middlewares and exception handlers)."""

    def __init__(self, app: Any) -> None:
        # Each prefix's routes by method, in the app's order (they come first in its table).
        # A route whose parameters are not plain strings is left to the full stack.
        self.tables: dict[str, Table] = {prefix: {} for prefix in PREFIXES}
        for route in app.router.routes:
            if not isinstance(route, DirectRoute) or not all(
                    type(c) is StringConvertor for c in route.param_convertors.values()):
                continue
            for prefix, table in self.tables.items():
                if route.path.startswith(prefix):
                    for method in route.methods or ():
                        table.setdefault(method, []).append((route.path_regex, route))
        self.handlers: dict[Any, Any] = {key: value for key, value in
                                         app.exception_handlers.items()
                                         if key not in (500, Exception)}
        if not all(map(is_async_callable, self.handlers.values())):  # awaited below
            raise TypeError("the data plane's lane needs async exception handlers")
        stack: ASGIApp = self._dispatch
        for cls, args, kwargs in reversed(app.user_middleware):
            stack = cls(stack, *args, **kwargs)
        # As Starlette's outermost layer: a bug answers 500 through the app's handler for
        # Exception, then reaches the server's log.
        self.stack = ServerErrorMiddleware(stack, handler=app.exception_handlers.get(Exception))

    def route(self, scope: Scope) -> Scope | None:
        """The child scope of the data-plane route that takes `scope`'s method and path, else
        None (the full stack answers: other paths, a root path, and methods a path does not
        take, which get 405 there)."""
        path = scope["path"]
        if scope.get("root_path"):
            return None
        for prefix, table in self.tables.items():
            if path.startswith(prefix):
                for pattern, route in table.get(scope["method"], ()):
                    if (match := pattern.match(path)) is not None:
                        return {"endpoint": route.endpoint, "route": route,
                                "path_params": match.groupdict()}
        return None

    async def __call__(self, scope: Scope, child: Scope, receive: Receive, send: Send) -> None:
        scope.update(child)
        await self.stack(scope, receive, send)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = LaneRequest(scope, receive, send)
        try:
            response = await scope["endpoint"](await context(request), request,
                                               **scope["path_params"])
        except Exception as exc:
            # As Starlette's exception layer, for what is raised before the answer starts: the
            # app's handler for it answers; without one, ServerErrorMiddleware's 500.
            handler: Any = _lookup_exception_handler(self.handlers, exc)  # the app's are async
            if handler is None:
                raise
            response = await handler(request, exc)
            exc.__traceback__ = None  # a reused exception instance would keep growing it
        await response(scope, receive, send)


class LaneRequest(Request):
    """Starlette's Request with headers read into a dict once (a lookup is a dict get, not a
    scan of the list) and query strings parsed once per distinct string."""

    @property
    def headers(self) -> Headers:
        if not hasattr(self, "_headers"):
            self._headers = _IndexedHeaders(scope=self.scope)
        return self._headers

    @property
    def query_params(self) -> QueryParams:
        return _parsed_query(self.scope["query_string"])


class _IndexedHeaders(Headers):
    def __init__(self, scope: Scope) -> None:
        super().__init__(scope=scope)
        self._first = dict(reversed(self._list))  # each name's first value, as Headers gives

    def __getitem__(self, key: str) -> str:
        try:
            return str(self._first[key.lower().encode("latin-1")].decode("latin-1"))
        except KeyError:
            raise KeyError(key) from None

    def get(self, key: str, default: Any = None) -> Any:
        value = self._first.get(key.lower().encode("latin-1"))
        return default if value is None else value.decode("latin-1")

    def __contains__(self, key: Any) -> bool:
        return isinstance(key, str) and key.lower().encode("latin-1") in self._first


@lru_cache(maxsize=1024)
def _parsed_query(raw: bytes) -> QueryParams:
    """QueryParams is immutable, so one parsed instance can serve every request that sends the
    same string; the cache holds at most 1,024 of them (request lines are size-bounded)."""
    return QueryParams(raw)
