"""HTTP routes of schema as code: GET /api/schema, diff, apply, and templates."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ConfigDict, Field

from objectry.metadata.schemas import Body
from objectry.schema_code import apply, catalog, diff, document, export
from objectry.web.bodies import body, documented
from objectry.web.context import Ctx
from objectry.web.openapi import errors

router = APIRouter(prefix="/api")


class DiffBody(Body):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)
    schema_: document.Document = Field(alias="schema")


class ApplyBody(DiffBody):
    allow_destructive: bool = False
    dry_run: bool = False


class TemplateApply(Body):
    with_sample_records: bool = False


@router.get("/schema")
async def get_schema(ctx: Ctx) -> Any:
    ctx.principal.require("schema:read")
    return (await export.current(ctx)).document


@router.post("/schema/diff", openapi_extra=documented(DiffBody))
async def diff_schema(ctx: Ctx, request: Request) -> Any:
    ctx.principal.require("schema:write")
    desired = document.checked((await body(request, DiffBody)).schema_, prefix="schema.")
    current = await export.current(ctx)
    return {"changes": [c.as_json() for c in diff.diff(current.document, desired)]}


@router.post("/schema/apply", openapi_extra=documented(ApplyBody), responses=errors(409))
async def apply_schema(ctx: Ctx, request: Request) -> Any:
    ctx.principal.require("schema:write")
    given = await body(request, ApplyBody)
    desired = document.checked(given.schema_, prefix="schema.")
    return await apply.apply(ctx, desired, allow_destructive=given.allow_destructive,
                             dry_run=given.dry_run)


@router.get("/templates")
async def list_templates(ctx: Ctx) -> Any:
    ctx.principal.require("schema:read")
    return catalog.listed()


@router.post("/templates/{name}/apply", openapi_extra=documented(TemplateApply),
             responses=errors(404, 409))
async def apply_template(ctx: Ctx, name: str, request: Request) -> Any:
    ctx.principal.require("schema:write")
    raw = await request.body()
    given = await body(request, TemplateApply) if raw else TemplateApply()
    return await catalog.install(ctx, name, with_sample_records=given.with_sample_records)
