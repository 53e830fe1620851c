"""Objects: create, change, delete (cascading to fields' attachments, records and links), schema."""

from __future__ import annotations

import dataclasses
from typing import Any

import asyncpg

from objectry.audit.recorder import changed, record
from objectry.fields.computed import SERVER_MADE
from objectry.ids import new_id
from objectry.metadata import computed, indexes, primary, record_schema, repo
from objectry.metadata.changes import (
    insert_named,
    must_find,
    raise_if,
    reading,
    referenced,
    schema_change,
    update_named,
)
from objectry.metadata.schemas import ObjectCreate, ObjectUpdate
from objectry.web.context import Context
from objectry.web.pagination import PageRequest, page


async def _check_refs(conn: asyncpg.Connection, ctx: Context, values: dict[str, Any]) -> None:
    problems: list[dict[str, Any]] = []
    if values.get("primary_field_id"):
        row = await referenced(conn, ctx, "fields", values["primary_field_id"], "fld",
                               "primary_field_id", problems)
        if row:
            values["primary_field_id"] = row["id"]
    raise_if(problems)


async def create(ctx: Context, body: ObjectCreate) -> dict[str, Any]:
    values = body.model_dump()
    async with schema_change(ctx) as conn:
        await _check_refs(conn, ctx, values)
        values.update(tenant_id=ctx.tenant_id, id=new_id("obj"), created_by=ctx.principal.actor)
        # Entries are written before the statement that may still refuse the change (a taken
        # name): the refusal rolls the entry back with it (tests/api/test_audit.py).
        await record(conn, ctx, "object", "created", values["id"], values["name"])
        return await insert_named(conn, "objects", values)


async def update(ctx: Context, ref: str, body: ObjectUpdate) -> dict[str, Any]:
    values = body.model_dump(exclude_unset=True)
    for required in ("name", "label"):
        if required in values and values[required] is None:
            values.pop(required)
    async with schema_change(ctx) as conn:
        row = await must_find(conn, ctx, "objects", ref, "obj", for_update=True)
        await _check_refs(conn, ctx, values)
        before = await primary.effective_field(conn, ctx.tenant_id, row["id"])
        await record(conn, ctx, "object", "updated", row["id"], values.get("name", row["name"]),
                     changed(row, values))
        updated = await update_named(conn, ctx, "objects", row, values)
        await primary.refresh_if_moved(conn, ctx.tenant_id, row["id"], before)
        return updated


async def delete(ctx: Context, ref: str) -> None:
    async with schema_change(ctx) as conn:
        row = await must_find(conn, ctx, "objects", ref, "obj", for_update=True)
        attached = await repo.attachment_ids(conn, ctx.tenant_id, row["id"])
        await record(conn, ctx, "object", "deleted", row["id"], row["name"])
        await repo.delete(conn, "objects", ctx.tenant_id, row["id"])
    for ofd_id in attached:
        await indexes.drop(ctx.state.database_url, ofd_id)


async def get(ctx: Context, ref: str) -> dict[str, Any]:
    async with reading(ctx) as conn:
        return await must_find(conn, ctx, "objects", ref, "obj")


async def list_(ctx: Context, request: PageRequest) -> dict[str, Any]:
    async with reading(ctx) as conn:
        rows = await repo.list_page(conn, "objects", ctx.tenant_id, request)
    return page(rows, request)


async def schema(ctx: Context, ref: str) -> dict[str, Any]:
    """The object, its attached fields (merged with their settings, and the operators a filter
    on each may use), relationships both ways, and the JSON Schema its records are validated
    against."""
    async with reading(ctx) as conn:
        row = await must_find(conn, ctx, "objects", ref, "obj")
        extra = await repo.attachment_settings(conn, ctx.tenant_id, row["id"])
    snapshot = await ctx.state.metadata.get(ctx.tenant_id)
    obj = snapshot.objects_by_id.get(row["id"])
    attached = obj.fields if obj else ()
    # A computed or autonumber field reads as read-only, whatever its attachment says: no
    # client writes its values.
    fields = [{**dataclasses.asdict(f), **extra.get(f.id, {}),
               "operators": sorted(computed.operators(snapshot, obj, f)),
               **({"is_readonly": True} if f.type in SERVER_MADE else {})}
              for f in attached if obj]
    return {
        "object": row,
        "fields": fields,
        "relationships": [dataclasses.asdict(r) for r in snapshot.relationships_of(row["id"])],
        "json_schema": record_schema.json_schema(snapshot, obj) if obj else {},
    }
