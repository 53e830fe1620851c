"""HTTP routes of /api/views (rules in views/service.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from objectry.records.views import service as views
from objectry.records.views.schemas import ViewCreate, ViewUpdate
from objectry.web.bodies import body, documented
from objectry.web.context import Ctx
from objectry.web.openapi import errors
from objectry.web.pagination import Cursor, Limit, paging

router = APIRouter(prefix="/api/views", tags=["views"])
ObjectRef = Annotated[str | None, Query(description="the object's id or name", min_length=1)]


@router.get("", responses=errors(404))
async def list_views(ctx: Ctx, object: ObjectRef = None, limit: Limit = None,
                     cursor: Cursor = None) -> Any:
    return await views.list_(ctx, object, paging(ctx.state.settings, limit, cursor))


@router.post("", status_code=201, openapi_extra=documented(ViewCreate))
async def create_view(ctx: Ctx, request: Request) -> Any:
    return await views.create(ctx, await body(request, ViewCreate))


@router.get("/{view_id}", responses=errors(404))
async def get_view(ctx: Ctx, view_id: str) -> Any:
    return await views.get(ctx, view_id)


@router.patch("/{view_id}", responses=errors(404), openapi_extra=documented(ViewUpdate))
async def update_view(ctx: Ctx, request: Request, view_id: str) -> Any:
    return await views.update(ctx, view_id, await body(request, ViewUpdate))


@router.delete("/{view_id}", status_code=204, responses=errors(404))
async def delete_view(ctx: Ctx, view_id: str) -> Response:
    await views.delete(ctx, view_id)
    return Response(status_code=204)
