"""HTTP routes of the data API: `/rest/v1/{object}`, errors in PostgREST's shape."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from objectry.idempotency.guard import KEY_DOC, idempotent
from objectry.records.access import authorize
from objectry.records.query import QueryError
from objectry.rest import payload, reads, writes
from objectry.rest.negotiate import negotiate
from objectry.rest.payload import Rows, Values
from objectry.rest.respond import render
from objectry.web.bodies import documented
from objectry.web.context import Context, Ctx
from objectry.web.routing import DirectRoute

router = APIRouter(prefix="/rest/v1", route_class=DirectRoute, tags=["data API"])


@router.head("/{name}", include_in_schema=False)  # HEAD: the same answer without a body
@router.get("/{name}")
async def read_rows(ctx: Ctx, request: Request, name: str) -> Response:
    req = negotiate(request)
    return render(req, await reads.read(ctx, name, req))


async def _may_insert(ctx: Context, request: Request, name: str) -> None:
    """Before an idempotency key is looked up: the caller may insert into this object."""
    _, obj = await reads.table(ctx, name)
    authorize(ctx, obj, "create")


@router.post("/{name}", openapi_extra={**documented(Rows), "parameters": [KEY_DOC]})
@idempotent(_may_insert)
async def insert_rows(ctx: Ctx, request: Request, name: str) -> Response:
    req = negotiate(request)
    body = await payload.read_json(request)
    return render(req, await writes.insert(ctx, name, req, body))


@router.patch("/{name}", openapi_extra=documented(Values))
async def update_rows(ctx: Ctx, request: Request, name: str) -> Response:
    req = negotiate(request)
    body = await payload.read_json(request)
    return render(req, await writes.update(ctx, name, req, body))


@router.delete("/{name}")
async def delete_rows(ctx: Ctx, request: Request, name: str) -> Response:
    req = negotiate(request)
    return render(req, await writes.delete(ctx, name, req))


@router.put("/{name}")
async def put_rows(ctx: Ctx, request: Request, name: str) -> Response:
    raise QueryError("PGRST117", "Unsupported HTTP method: PUT", status=405,
                     hint="insert with POST (upsert: Prefer: resolution=merge-duplicates and "
                          "on_conflict=<unique field>), change with PATCH")
