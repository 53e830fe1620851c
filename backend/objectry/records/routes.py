"""HTTP routes of the records API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response

from objectry.deps import Ctx
from objectry.http import JSONResponse, json_body
from objectry.records import bulk, lifecycle, listing, service
from objectry.records.shape import record_out

router = APIRouter(prefix="/api/records")


def _etag(record: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(record, status_code=status, headers={"ETag": f'"{record["version"]}"'})


@router.post("", status_code=201)
async def create_record(ctx: Ctx, request: Request) -> Any:
    body = await json_body(request)
    if not isinstance(body, dict):
        body = {}
    return _etag(await service.create(ctx, body.get("object"), body.get("data")), 201)


# Handlers return JSONResponse (orjson) themselves: a returned dict would go through
# FastAPI's pydantic serialiser, measured at ~8% of a list request.
@router.post("/bulk", status_code=201)
async def bulk_records(ctx: Ctx, request: Request) -> Any:
    return JSONResponse(await bulk.bulk(ctx, await json_body(request)), status_code=201)


@router.get("")
async def list_records(ctx: Ctx, request: Request) -> Any:
    return JSONResponse(await listing.list_records(ctx, request.query_params.multi_items()))


@router.get("/{record_id}")
async def get_record(ctx: Ctx, record_id: str, expand: str | None = None) -> Any:
    names = [n.strip() for n in expand.split(",") if n.strip()] if expand else []
    return _etag(await service.get(ctx, record_id, names))


@router.patch("/{record_id}")
async def patch_record(ctx: Ctx, record_id: str, request: Request,
                       if_match: Annotated[str | None, Header()] = None) -> Any:
    body = await json_body(request)
    return _etag(await service.update(ctx, record_id, body, if_match, replace=False))


@router.put("/{record_id}")
async def put_record(ctx: Ctx, record_id: str, request: Request,
                     if_match: Annotated[str | None, Header()] = None) -> Any:
    body = await json_body(request)
    return _etag(await service.update(ctx, record_id, body, if_match, replace=True))


@router.delete("/{record_id}", status_code=204)
async def delete_record(ctx: Ctx, record_id: str, permanent: bool = False) -> Response:
    await lifecycle.delete(ctx, record_id, permanent=permanent)
    return Response(status_code=204)


@router.post("/{record_id}/restore")
async def restore_record(ctx: Ctx, record_id: str) -> Any:
    row = await lifecycle.restore(ctx, record_id)
    snapshot = await ctx.state.metadata.get(ctx.tenant_id)
    return _etag(record_out(snapshot, snapshot.objects_by_id[row["object_id"]], row))


@router.get("/{record_id}/history")
async def record_history(ctx: Ctx, record_id: str,
                         limit: Annotated[int, Query(ge=1)] = 50,
                         cursor: str | None = None) -> Any:
    limit = min(limit, ctx.state.settings.max_page_size)
    return JSONResponse(await service.history(ctx, record_id, limit, cursor))
