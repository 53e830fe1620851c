"""The data plane's lane: records and /rest/v1 requests answered through the app's own
middlewares but without the layers FastAPI and Starlette stack around every request.

A request to a DirectRoute of the records API or /rest/v1 (web/routing.py) goes through the same
middleware classes, in the same order, as through the full stack (security headers, the
read-replica bookkeeping when configured, the body limit) and the same exception handlers, but
skips FastAPI's telemetry and body-limit layers, the exit-stack middleware, the router's scan of
every route and `request_response`'s two exit stacks: about a quarter of a GET by id's Python
(bench/notes.md, "The data plane's lane"). Everything else — the admin, metadata, auth, a
method a path does not take, a path that matches no data-plane route — takes the full stack.
"""

from __future__ import annotations

from typing import Any

from starlette._exception_handler import wrap_app_handling_exceptions
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.requests import Request
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from objectry.web.context import context
from objectry.web.routing import DirectRoute

# The routers served on the lane: the requests that carry the load.
PREFIXES = ("/api/records", "/rest/v1/")


class FastLane:
    """Built once the app is complete (its routes, middlewares and exception handlers)."""

    def __init__(self, app: Any) -> None:
        # Each prefix's routes in the app's order (they come first in its table).
        self.routes = {prefix: [route for route in app.router.routes
                                if isinstance(route, DirectRoute) and route.path.startswith(prefix)]
                       for prefix in PREFIXES}
        handlers = {key: value for key, value in app.exception_handlers.items()
                    if key not in (500, Exception)}
        self.handlers: tuple[dict[Any, Any], dict[int, Any]] = (handlers, {})
        stack: ASGIApp = self._dispatch
        for cls, args, kwargs in reversed(app.user_middleware):
            stack = cls(stack, *args, **kwargs)
        # As Starlette's outermost layer: a bug answers 500 through the app's handler for
        # Exception, then reaches the server's log.
        self.stack = ServerErrorMiddleware(stack, handler=app.exception_handlers.get(Exception))

    def route(self, scope: Scope) -> Scope | None:
        """The child scope of the data-plane route `scope` fully matches, else None (the full
        stack answers: other paths, and methods a path does not take, which get 405 there)."""
        path = scope["path"]
        for prefix, routes in self.routes.items():
            if path.startswith(prefix):
                for route in routes:
                    match, child = route.matches(scope)
                    if match is Match.FULL:
                        return child
        return None

    async def __call__(self, scope: Scope, child: Scope, receive: Receive, send: Send) -> None:
        scope.update(child)
        scope["starlette.exception_handlers"] = self.handlers
        await self.stack(scope, receive, send)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        endpoint = scope["endpoint"]

        async def answer(scope: Scope, receive: Receive, send: Send) -> None:
            response = await endpoint(await context(request), request, **scope["path_params"])
            await response(scope, receive, send)

        await wrap_app_handling_exceptions(answer, request)(scope, receive, send)
