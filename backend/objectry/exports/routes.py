"""HTTP route of exports: a streamed file of an object's records."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from objectry.exports import formats, service
from objectry.web.context import Ctx
from objectry.web.openapi import errors
from objectry.web.routing import DirectRoute, query_doc

router = APIRouter(route_class=DirectRoute)


_FILE = {"type": "string", "format": "binary"}
_STREAMED: dict[int | str, dict[str, Any]] = {200: {
    "description": "every matching record, streamed",
    "content": {media.split(";")[0]: {"schema": _FILE} for media in formats.MEDIA.values()}}}


@router.get("/api/objects/{object_id}/export", response_class=StreamingResponse,
            responses={**_STREAMED, **errors(404)}, openapi_extra={
    "parameters": [
        query_doc("format", {"enum": ["csv", "jsonl", "xlsx"]}, "the file's format (csv)"),
        query_doc("header", {"enum": ["labels", "names"]}, "CSV/XLSX header: field labels "
                  "(default) or names"),
        query_doc("order", {"type": "string"}, "e.g. created_at.desc,name.asc"),
        query_doc("view", {"type": "string"}, "a saved view's id: its filter and order")]})
async def export_records(ctx: Ctx, request: Request, object_id: str) -> Response:
    export = await service.prepare(ctx, object_id, request.query_params.multi_items())
    disposition = f'attachment; filename="{export.filename}"'
    return StreamingResponse(service.stream(export), media_type=formats.MEDIA[export.format],
                             headers={"Content-Disposition": disposition})
