"""HTTP routes of the records API (DirectRoute endpoints: see objectry/routing.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from objectry.idempotency.guard import KEY_DOC, idempotent
from objectry.records import access, bulk, lifecycle, listing, service
from objectry.records.schemas import BulkWrite, RecordCreate, RecordWrite
from objectry.web.bodies import documented, json_body
from objectry.web.context import Context, Ctx
from objectry.web.openapi import errors
from objectry.web.responses import JSONResponse, rendered
from objectry.web.routing import DirectRoute, bool_param, header_doc, int_param, query_doc

router = APIRouter(prefix="/api/records", route_class=DirectRoute)

_IF_MATCH = {**header_doc("If-Match", "the version the record must still be at (else 412): "
                                        "3, \"3\" or W/\"3\""),
             "schema": {"type": "string", "pattern": r'^[ \t]*(W/)?"?[0-9]{1,18}"?[ \t]*$'}}
_WRITE_DOC = {**documented(RecordWrite), "parameters": [_IF_MATCH]}


def _etag(record: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(record, status_code=status, headers={"ETag": f'"{record["version"]}"'})


async def _may_create(ctx: Context, request: Request) -> None:
    """Before an idempotency key is looked up: the caller may create the body's object's
    records (the check the write itself makes first)."""
    body = await json_body(request)
    ref = body.get("object") if isinstance(body, dict) else None
    _, obj = await service.object_for(ctx, ref, field="object")
    access.authorize(ctx, obj, "create")


@router.post("", status_code=201,
             openapi_extra={**documented(RecordCreate), "parameters": [KEY_DOC]})
@idempotent(_may_create)
async def create_record(ctx: Ctx, request: Request) -> Response:
    body = await json_body(request)
    if not isinstance(body, dict):
        body = {}
    return _etag(await service.create(ctx, body.get("object"), body.get("data")), 201)


@router.post("/bulk", status_code=201,
             openapi_extra={**documented(BulkWrite), "parameters": [KEY_DOC]})
@idempotent(_may_create)
async def bulk_records(ctx: Ctx, request: Request) -> Response:
    result = await bulk.bulk(ctx, await json_body(request))
    return await rendered(result, status_code=201, weight=bulk.PER_RECORD * len(result["items"]))


@router.get("", responses=errors(404), openapi_extra={"parameters": [
    {**query_doc("object", {"type": "string", "minLength": 1}, "the object's id or name"),
     "required": True},
    query_doc("limit", {"type": "integer", "minimum": 1}, "page size"),
    query_doc("cursor", {"type": "string"}, "next_cursor of the previous page"),
    query_doc("order", {"type": "string"}, "e.g. created_at.desc,name.asc"),
    query_doc("q", {"type": "string"}, "search in primary_value"),
    query_doc("count", {"enum": ["exact"]}, "add total"),
    query_doc("view", {"type": "string"}, "a saved view's id: its filter is added, its order "
                                          "used unless order is given"),
    query_doc("trash", {"enum": ["only"]}, "list the trash instead")]})
async def list_records(ctx: Ctx, request: Request) -> Response:
    return JSONResponse(await listing.list_records(ctx, request.query_params.multi_items()))


@router.get("/{record_id}", openapi_extra={"parameters": [
    query_doc("expand", {"type": "string"}, "relationship names, comma-separated")]})
async def get_record(ctx: Ctx, request: Request, record_id: str) -> Response:
    expand = request.query_params.get("expand")
    names = [n.strip() for n in expand.split(",") if n.strip()] if expand else []
    return _etag(await service.get(ctx, record_id, names))


@router.patch("/{record_id}", responses=errors(412), openapi_extra=_WRITE_DOC)
async def patch_record(ctx: Ctx, request: Request, record_id: str) -> Response:
    body = await json_body(request)
    return _etag(await service.update(ctx, record_id, body, request.headers.get("if-match"),
                                      replace=False))


@router.put("/{record_id}", responses=errors(412), openapi_extra=_WRITE_DOC)
async def put_record(ctx: Ctx, request: Request, record_id: str) -> Response:
    body = await json_body(request)
    return _etag(await service.update(ctx, record_id, body, request.headers.get("if-match"),
                                      replace=True))


@router.delete("/{record_id}", status_code=204, openapi_extra={"parameters": [
    query_doc("permanent", {"type": "boolean"}, "delete for good instead of to the trash")]})
async def delete_record(ctx: Ctx, request: Request, record_id: str) -> Response:
    await lifecycle.delete(ctx, record_id, permanent=bool_param(request, "permanent"))
    return Response(status_code=204)


@router.post("/{record_id}/restore")
async def restore_record(ctx: Ctx, request: Request, record_id: str) -> Response:
    row = await lifecycle.restore(ctx, record_id)
    snapshot = await ctx.state.metadata.get(ctx.tenant_id)
    return _etag(access.shown(ctx, snapshot, snapshot.objects_by_id[row["object_id"]], row))


@router.get("/{record_id}/history", openapi_extra={"parameters": [
    query_doc("limit", {"type": "integer", "minimum": 1}, "page size"),
    query_doc("cursor", {"type": "string"}, "next_cursor of the previous page")]})
async def record_history(ctx: Ctx, request: Request, record_id: str) -> Response:
    limit = min(int_param(request, "limit", 50, minimum=1), ctx.state.settings.max_page_size)
    cursor = request.query_params.get("cursor")
    return JSONResponse(await service.history(ctx, record_id, limit, cursor))
