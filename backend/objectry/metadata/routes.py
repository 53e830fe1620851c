"""HTTP routes of the metadata API: parse, check the principal's right, call the service."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from objectry.metadata import (
    applications,
    fields,
    object_fields,
    objects,
    plurals,
    relationships,
    usage,
)
from objectry.metadata import schemas as s
from objectry.web import pagination as pages
from objectry.web.bodies import body, documented
from objectry.web.context import Ctx
from objectry.web.openapi import errors
from objectry.web.pagination import Cursor, Limit, PageRequest

router = APIRouter(prefix="/api")



def paging(ctx: Ctx, limit: int | None, cursor: str | None, key: str = "created_at"
           ) -> PageRequest:
    return pages.paging(ctx.state.settings, limit, cursor, key)


def reads(ctx: Ctx) -> Ctx:
    ctx.principal.require("schema:read")
    return ctx


def counts(ctx: Ctx) -> Ctx:
    """Usage counts describe the schema and the records: both read rights."""
    ctx.principal.require("records:read")
    return reads(ctx)


def writes(ctx: Ctx) -> Ctx:
    ctx.principal.require("schema:write")
    return ctx


# --- objects --------------------------------------------------------------------------------
@router.get("/objects")
async def list_objects(ctx: Ctx, limit: Limit = None, cursor: Cursor = None) -> Any:
    return await objects.list_(reads(ctx), paging(ctx, limit, cursor))


@router.post("/objects", status_code=201, openapi_extra=documented(s.ObjectCreate))
async def create_object(ctx: Ctx, request: Request) -> Any:
    return await objects.create(writes(ctx), plurals.filled(await body(request, s.ObjectCreate)))


@router.get("/objects/{ref}")
async def get_object(ctx: Ctx, ref: str) -> Any:
    return await objects.get(reads(ctx), ref)


@router.patch("/objects/{ref}", openapi_extra=documented(s.ObjectUpdate))
async def update_object(ctx: Ctx, ref: str, request: Request) -> Any:
    return await objects.update(writes(ctx), ref, await body(request, s.ObjectUpdate))


@router.delete("/objects/{ref}", status_code=204)
async def delete_object(ctx: Ctx, ref: str) -> Response:
    await objects.delete(writes(ctx), ref)
    return Response(status_code=204)


@router.get("/objects/{ref}/usage")
async def object_usage(ctx: Ctx, ref: str) -> Any:
    return await usage.of_object(counts(ctx), ref)


@router.get("/objects/{ref}/schema")
async def object_schema(ctx: Ctx, ref: str) -> Any:
    return await objects.schema(reads(ctx), ref)


@router.post("/objects/{ref}/fields", status_code=201, openapi_extra=documented(s.FieldAndAttach))
async def create_object_field(ctx: Ctx, ref: str, request: Request) -> Any:
    return await object_fields.create_and_attach(writes(ctx), ref,
                                                 await body(request, s.FieldAndAttach))


# --- fields ---------------------------------------------------------------------------------
@router.get("/fields")
async def list_fields(ctx: Ctx, limit: Limit = None, cursor: Cursor = None,
                      type: str | None = None, category: str | None = None) -> Any:
    return await fields.list_(reads(ctx), paging(ctx, limit, cursor), type_=type,
                              category=category)


@router.post("/fields", status_code=201, openapi_extra=documented(s.FieldCreate))
async def create_field(ctx: Ctx, request: Request) -> Any:
    return await fields.create(writes(ctx), await body(request, s.FieldCreate))


@router.get("/fields/{ref}")
async def get_field(ctx: Ctx, ref: str) -> Any:
    return await fields.get(reads(ctx), ref)


@router.get("/fields/{ref}/usage")
async def field_usage(ctx: Ctx, ref: str) -> Any:
    return await usage.of_field(counts(ctx), ref)


@router.patch("/fields/{ref}", openapi_extra=documented(s.FieldUpdate))
async def update_field(ctx: Ctx, ref: str, request: Request) -> Any:
    return await fields.update(writes(ctx), ref, await body(request, s.FieldUpdate))


@router.delete("/fields/{ref}", status_code=204)
async def delete_field(ctx: Ctx, ref: str) -> Response:
    await fields.delete(writes(ctx), ref)
    return Response(status_code=204)


# --- object-fields --------------------------------------------------------------------------
@router.get("/object-fields", responses=errors(404))
async def list_object_fields(ctx: Ctx, limit: Limit = None, cursor: Cursor = None,
                             object_id: str | None = None) -> Any:
    return await object_fields.list_(reads(ctx), paging(ctx, limit, cursor, "display_order"),
                                     object_id)


@router.post("/object-fields", status_code=201, openapi_extra=documented(s.ObjectFieldCreate))
async def attach_field(ctx: Ctx, request: Request) -> Any:
    return await object_fields.attach(writes(ctx), await body(request, s.ObjectFieldCreate))


@router.get("/object-fields/{ofd_id}")
async def get_object_field(ctx: Ctx, ofd_id: str) -> Any:
    return await object_fields.get(reads(ctx), ofd_id)


@router.get("/object-fields/{ofd_id}/usage")
async def object_field_usage(ctx: Ctx, ofd_id: str) -> Any:
    return await usage.of_attachment(counts(ctx), ofd_id)


@router.patch("/object-fields/{ofd_id}", openapi_extra=documented(s.ObjectFieldUpdate))
async def update_object_field(ctx: Ctx, ofd_id: str, request: Request) -> Any:
    return await object_fields.update(writes(ctx), ofd_id,
                                      await body(request, s.ObjectFieldUpdate))


@router.delete("/object-fields/{ofd_id}", status_code=204)
async def detach_field(ctx: Ctx, ofd_id: str) -> Response:
    await object_fields.detach(writes(ctx), ofd_id)
    return Response(status_code=204)


# --- relationships and links ----------------------------------------------------------------
@router.get("/relationships", responses=errors(404))
async def list_relationships(ctx: Ctx, limit: Limit = None, cursor: Cursor = None,
                             object_id: str | None = None) -> Any:
    return await relationships.list_(reads(ctx), paging(ctx, limit, cursor), object_id)


@router.post("/relationships", status_code=201, openapi_extra=documented(s.RelationshipCreate))
async def create_relationship(ctx: Ctx, request: Request) -> Any:
    return await relationships.create(writes(ctx), await body(request, s.RelationshipCreate))


@router.get("/relationships/{ref}")
async def get_relationship(ctx: Ctx, ref: str) -> Any:
    return await relationships.get(reads(ctx), ref)


@router.patch("/relationships/{ref}", openapi_extra=documented(s.RelationshipUpdate))
async def update_relationship(ctx: Ctx, ref: str, request: Request) -> Any:
    return await relationships.update(writes(ctx), ref,
                                      await body(request, s.RelationshipUpdate))


@router.delete("/relationships/{ref}", status_code=204)
async def delete_relationship(ctx: Ctx, ref: str) -> Response:
    await relationships.delete(writes(ctx), ref)
    return Response(status_code=204)


@router.get("/relationship-records", responses=errors(404))
async def list_links(ctx: Ctx, limit: Limit = None, cursor: Cursor = None,
                     relationship_id: str | None = None, from_record_id: str | None = None,
                     to_record_id: str | None = None) -> Any:
    ctx.principal.require("records:read")
    filters = {k: v for k, v in (("relationship_id", relationship_id),
                                 ("from_record_id", from_record_id),
                                 ("to_record_id", to_record_id)) if v is not None}
    return await relationships.list_links(ctx, paging(ctx, limit, cursor), filters)


@router.post("/relationship-records", status_code=201, openapi_extra=documented(s.LinkCreate))
async def link_records(ctx: Ctx, request: Request) -> Any:
    ctx.principal.require("records:write")
    return await relationships.link(ctx, await body(request, s.LinkCreate))


@router.get("/relationship-records/{link_id}")
async def get_link(ctx: Ctx, link_id: str) -> Any:
    ctx.principal.require("records:read")
    return await relationships.get_link(ctx, link_id)


@router.delete("/relationship-records/{link_id}", status_code=204)
async def unlink_records(ctx: Ctx, link_id: str) -> Response:
    ctx.principal.require("records:write")
    await relationships.unlink(ctx, link_id)
    return Response(status_code=204)


# --- applications ---------------------------------------------------------------------------
@router.get("/applications")
async def list_applications(ctx: Ctx, limit: Limit = None, cursor: Cursor = None) -> Any:
    return await applications.list_(reads(ctx), paging(ctx, limit, cursor))


@router.post("/applications", status_code=201, openapi_extra=documented(s.ApplicationCreate))
async def create_application(ctx: Ctx, request: Request) -> Any:
    return await applications.create(writes(ctx), await body(request, s.ApplicationCreate))


@router.get("/applications/{app_id}")
async def get_application(ctx: Ctx, app_id: str) -> Any:
    return await applications.get(reads(ctx), app_id)


@router.patch("/applications/{app_id}", openapi_extra=documented(s.ApplicationUpdate))
async def update_application(ctx: Ctx, app_id: str, request: Request) -> Any:
    return await applications.update(writes(ctx), app_id,
                                     await body(request, s.ApplicationUpdate))


@router.post("/applications/{app_id}/publish")
async def publish_application(ctx: Ctx, app_id: str) -> Any:
    return await applications.publish(writes(ctx), app_id)


@router.delete("/applications/{app_id}", status_code=204)
async def delete_application(ctx: Ctx, app_id: str) -> Response:
    await applications.delete(writes(ctx), app_id)
    return Response(status_code=204)
