"""The application factory: create_app(settings) wires routers, error handlers and lifespan."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from objectry import __version__, handlers, health
from objectry.http import JSONResponse
from objectry.lifespan import lifespan
from objectry.limits import BodySizeLimit
from objectry.metadata.routes import router as metadata_router
from objectry.records.routes import router as records_router
from objectry.settings import Settings

FRONTEND = Path(__file__).resolve().parents[2] / "frontend_static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    app = FastAPI(title="Objectry", version=__version__, lifespan=lifespan,
                  default_response_class=JSONResponse)
    app.state.settings = settings
    handlers.install(app)
    app.include_router(health.router)
    app.include_router(metadata_router)
    app.include_router(records_router)
    if FRONTEND.is_dir():
        app.mount("/admin", StaticFiles(directory=FRONTEND, html=True), name="admin")
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    return app
