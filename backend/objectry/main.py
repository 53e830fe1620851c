"""The application factory: create_app(settings) wires routers, error handlers and lifespan."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from objectry import __version__, handlers, health
from objectry.auth.member_routes import router as members_router
from objectry.auth.routes import router as auth_router
from objectry.auth.token_routes import router as tokens_router
from objectry.http import JSONResponse
from objectry.lifespan import lifespan
from objectry.limits import BodySizeLimit
from objectry.metadata.routes import router as metadata_router
from objectry.records.routes import router as records_router
from objectry.rest.routes import router as rest_router
from objectry.settings import Settings

FRONTEND = Path(__file__).resolve().parents[2] / "frontend_static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    app = FastAPI(title="Objectry", version=__version__, lifespan=lifespan,
                  default_response_class=JSONResponse)
    app.state.settings = settings
    handlers.install(app)
    app.include_router(health.router)
    app.include_router(auth_router)
    app.include_router(members_router)
    app.include_router(tokens_router)
    app.include_router(metadata_router)
    app.include_router(records_router)
    app.include_router(rest_router)
    if FRONTEND.is_dir():
        app.mount("/admin", StaticFiles(directory=FRONTEND, html=True), name="admin")
        app.add_api_route("/", lambda: RedirectResponse("/admin/"), include_in_schema=False)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    return app
