"""Liveness and readiness: /health answers while the process is up; /health/ready checks the
database and that migrations are at head."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request

from objectry.db import migrate
from objectry.web.responses import JSONResponse

router = APIRouter()
READY_WITHIN_SECONDS = 2


@router.get("/health")
async def health() -> Any:
    return {"status": "ok"}


@router.get("/health/ready")
async def ready(request: Request) -> Any:
    state = request.app.state.objectry
    try:
        # One bound for the whole check (a free connection, or a new one, and the query): a
        # load balancer asking must get its answer quickly, above all while the database is down.
        async with asyncio.timeout(READY_WITHIN_SECONDS), state.pool.acquire() as conn:
            current = await conn.fetchval("SELECT version_num FROM alembic_version")
    except Exception:  # noqa: BLE001 - any failure at all means "not ready"
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    head = migrate.head_revision()
    if current != head:
        return JSONResponse({"status": "unavailable", "migrations": current, "head": head},
                            status_code=503)
    return {"status": "ok", "database": "ok", "migrations": current}
