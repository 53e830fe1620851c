"""HTTP routes of the data API: `/rest/v1/{object}`, errors in PostgREST's shape."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from objectry.idempotency.guard import KEY_DOC, idempotent
from objectry.records.access import authorize
from objectry.records.query import QueryError
from objectry.rest import openapi, payload, reads, writes
from objectry.rest.negotiate import negotiate
from objectry.rest.payload import Rows, Values
from objectry.rest.respond import render
from objectry.web.bodies import documented
from objectry.web.context import Context, Ctx
from objectry.web.openapi import errors
from objectry.web.responses import JSONResponse
from objectry.web.routing import DirectRoute

router = APIRouter(prefix="/rest/v1", route_class=DirectRoute, tags=["data API"])

Responses = dict[int | str, dict[str, Any]]
# What a path of the data API takes (PUT is answered 405 with it, as PostgREST does), as
# web/error_handlers.py lists it for any other method.
ALLOW = "DELETE, GET, HEAD, PATCH, POST"
_ROWS = {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
         "application/vnd.pgrst.object+json": {"schema": {"type": "object"}},
         "text/csv": {"schema": {"type": "string"}}}
_CONTENT_RANGE = {"Content-Range": {"description": "rows sent / total (PostgREST's)",
                                    "schema": {"type": "string"}}}
_READ: Responses = {200: {"description": "the rows", "content": _ROWS, "headers": _CONTENT_RANGE},
         206: {"description": "part of the rows (Range, limit, offset with a known total)",
               "content": _ROWS, "headers": _CONTENT_RANGE},
         **errors(416)}
_CHANGED: Responses = {200: {"description": "the rows changed (Prefer: return=representation)",
                  "content": _ROWS},
            204: {"description": "done (Prefer: return=minimal, the default)"}}
# No content declared: a body comes only with Prefer: return=representation.
_CREATED: Responses = {201: {"description": "created; the rows with Prefer: return=representation"}}


# Accept values the description answers (PostgREST's, and any JSON).
_DESCRIPTION_TYPES = frozenset({"application/openapi+json", "application/json", "application/*",
                                "*/*"})
_DESCRIPTION: Responses = {200: {
    "description": "PostgREST's OpenAPI (Swagger 2.0) of the objects the caller may read",
    "content": {"application/openapi+json": {"schema": {"type": "object"}}}}}


@router.get("/", responses=_DESCRIPTION, response_class=Response)
async def describe_objects(ctx: Ctx, request: Request) -> Response:
    _accepts_description(request.headers.get("accept"))
    snapshot = await ctx.state.metadata.get(ctx.tenant_id)
    host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
    document = openapi.describe(ctx, snapshot, host, request.url.scheme)
    return JSONResponse(document, media_type="application/openapi+json; charset=utf-8")


def _accepts_description(accept: str | None) -> None:
    offered = [part.split(";")[0].strip().lower() for part in (accept or "").split(",")]
    if accept and accept.strip() and not _DESCRIPTION_TYPES.intersection(offered):
        raise QueryError("PGRST107", "None of these media types are available: "
                         + ", ".join(o[:60] for o in offered), status=406)


@router.head("/{name}", include_in_schema=False)  # HEAD: the same answer without a body
@router.get("/{name}", responses=_READ)
async def read_rows(ctx: Ctx, request: Request, name: str) -> Response:
    req = negotiate(request)
    return render(req, await reads.read(ctx, name, req))


async def _may_insert(ctx: Context, request: Request, name: str) -> None:
    """Before an idempotency key is looked up: the caller may insert into this object."""
    _, obj = await reads.table(ctx, name)
    authorize(ctx, obj, "create")


# 422: only an Idempotency-Key reused with another request (a refused row is a 400 23514 here).
@router.post("/{name}", status_code=201, responses={**_CREATED, **errors(422)},
             response_class=Response,
             openapi_extra={**documented(Rows), "parameters": [KEY_DOC]})
@idempotent(_may_insert)
async def insert_rows(ctx: Ctx, request: Request, name: str) -> Response:
    req = negotiate(request)
    body = await payload.read_json(request)
    return render(req, await writes.insert(ctx, name, req, body, len(await request.body())))


@router.patch("/{name}", status_code=204, responses=_CHANGED,
              openapi_extra=documented(Values))
async def update_rows(ctx: Ctx, request: Request, name: str) -> Response:
    req = negotiate(request)
    body = await payload.read_json(request)
    return render(req, await writes.update(ctx, name, req, body))


@router.delete("/{name}", status_code=204, responses=_CHANGED)
async def delete_rows(ctx: Ctx, request: Request, name: str) -> Response:
    req = negotiate(request)
    return render(req, await writes.delete(ctx, name, req))


@router.put("/{name}", include_in_schema=False)
async def put_rows(ctx: Ctx, request: Request, name: str) -> Response:
    raise QueryError("PGRST117", "Unsupported HTTP method: PUT", status=405,
                     hint="insert with POST (upsert: Prefer: resolution=merge-duplicates and "
                          "on_conflict=<unique field>), change with PATCH",
                     headers={"Allow": ALLOW})
