"""The application factory: create_app(settings) wires routers, error handlers and lifespan."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from objectry import __version__, bundled, health
from objectry.audit.routes import router as audit_router
from objectry.auth.gotrue.routes import router as gotrue_router
from objectry.auth.members.routes import router as members_router
from objectry.auth.sessions.routes import router as auth_router
from objectry.auth.tokens.routes import router as tokens_router
from objectry.exports.routes import router as exports_router
from objectry.imports.routes import router as imports_router
from objectry.lifespan import lifespan
from objectry.metadata import cache as metadata_cache
from objectry.metadata import changes
from objectry.metadata.routes import router as metadata_router
from objectry.realtime.routes import router as realtime_router
from objectry.records import stored_rollups
from objectry.records.formula_check.routes import router as formula_check_router
from objectry.records.routes import router as records_router
from objectry.records.views.routes import router as views_router
from objectry.rest.routes import router as rest_router
from objectry.schema_code.routes import router as schema_router
from objectry.settings import Settings
from objectry.web import error_handlers
from objectry.web.docs_page import add_docs
from objectry.web.fast_lane import FastLane
from objectry.web.openapi import document
from objectry.web.read_your_writes import ReadYourWrites
from objectry.web.request_limits import BodySizeLimit
from objectry.web.responses import JSONResponse
from objectry.web.security_headers import SecurityHeaders
from objectry.webhooks.routes import router as webhooks_router

# The only API operations that need no credential (sign-up, sign-in, refresh).
PUBLIC_PATHS = {"/api/auth/register", "/api/auth/login", "/api/auth/refresh"}


def _add_routes(app: FastAPI, *routers: APIRouter) -> None:
    """The routers' routes, in the app's own flat table. `include_router` would keep each router
    as a nested node that FastAPI matches twice per request (measured: over a third of a GET's
    time in-process, bench/PROFILE.md); the routes already carry their prefix and settings."""
    for router in routers:
        app.router.routes.extend(router.routes)


class Objectry(FastAPI):
    """FastAPI, with the data plane's requests taken on its lane (web/fast_lane.py)."""

    lane: FastLane | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if self.lane is None:  # the app is complete by its first request
                self.lane = FastLane(self)
            if (child := self.lane.route(scope)) is not None:
                scope["app"] = self
                return await self.lane(scope, child, receive, send)
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    # /docs is served with local assets (web/docs_page.py), so FastAPI's own (CDN) is off.
    app = Objectry(title="Objectry", version=__version__, lifespan=lifespan,
                  default_response_class=JSONResponse, docs_url=None, redoc_url=None)
    app.state.settings = settings
    changes.on_every_change(stored_rollups.refresh)
    metadata_cache.on_every_load(stored_rollups.catch_up)
    error_handlers.install(app)
    # The data plane first: routes are tried in order, and records/rest carry the load.
    _add_routes(app, records_router, rest_router, health.router, auth_router, members_router,
                tokens_router, metadata_router, formula_check_router, views_router,
                gotrue_router, realtime_router, webhooks_router, audit_router, schema_router,
                imports_router, exports_router)
    admin = bundled.admin()
    if admin.is_dir():
        app.mount("/admin", StaticFiles(directory=admin, html=True), name="admin")
        app.add_api_route("/", lambda: RedirectResponse("/admin/"), include_in_schema=False)
    add_docs(app)
    document(app, public=PUBLIC_PATHS)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes,
                       max_upload_bytes=settings.max_import_bytes)
    if settings.database_read_url:  # a read replica: writes answer with their LSN
        app.add_middleware(ReadYourWrites)
    app.add_middleware(SecurityHeaders)  # the last added is the outermost: on every answer
    return app
