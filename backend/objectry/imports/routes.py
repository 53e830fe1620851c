"""HTTP routes of imports: start one (202), read its progress."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.background import BackgroundTask

from objectry.idempotency.guard import KEY_DOC, idempotent
from objectry.imports import job, service, upload
from objectry.web.context import Ctx
from objectry.web.openapi import errors
from objectry.web.responses import JSONResponse
from objectry.web.routing import DirectRoute

router = APIRouter(route_class=DirectRoute)

_FORM = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary", "description": "CSV (UTF-8) or XLSX"},
        "options": {"type": "string", "description": "JSON: {mapping?, mode, match_on?, "
                    "on_error, dry_run?, delimiter?, date_format?, decimal?}"}}}}}},
    "parameters": [KEY_DOC]}


@router.post("/api/objects/{object_id}/import", status_code=202, openapi_extra=_FORM,
             responses=errors(404, 413, 415))
@idempotent(service.check, body=upload.body_digest)
async def start_import(ctx: Ctx, request: Request, object_id: str) -> Response:
    started = await service.start(ctx, request, object_id)
    # The job starts once the response is sent: after the job's row (and the key) committed.
    return JSONResponse({"id": started.id, "status": "running"}, status_code=202,
                        headers={"Location": f"/api/imports/{started.id}"},
                        background=BackgroundTask(job.start, started))


@router.get("/api/imports/{import_id}", responses=errors(404))
async def get_import(ctx: Ctx, request: Request, import_id: str) -> Response:
    return JSONResponse(await service.get(ctx, import_id))
