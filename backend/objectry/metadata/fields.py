"""The field library: reusable typed fields, their configs validated by the type registry."""

from __future__ import annotations

from typing import Any

import asyncpg

from objectry import offload
from objectry.audit.recorder import changed, record
from objectry.errors import Conflict, ValidationFailed, detail
from objectry.fields import registry
from objectry.fields.computed import COMPUTED_TYPES
from objectry.fields.structured import CHECK_SECONDS
from objectry.ids import new_id
from objectry.metadata import computed_upkeep, option_map, repo
from objectry.metadata.changes import (
    insert_named,
    must_find,
    reading,
    schema_change,
    update_named,
)
from objectry.metadata.schemas import FieldCreate, FieldUpdate
from objectry.web.context import Context
from objectry.web.pagination import PageRequest, page

# Names a field may not take: they are system columns or PostgREST query keywords.
RESERVED_NAMES = frozenset({
    "id", "object", "object_id", "data", "primary_value", "version", "created_at", "updated_at",
    "created_by", "updated_by", "deleted_at", "select", "order", "limit", "offset", "or", "and",
    "not", "on_conflict", "columns", "cursor", "count", "q", "expand",
})


def check_definition(name: str | None, type_name: str, config: dict[str, Any]) -> None:
    problems = []
    if name in RESERVED_NAMES:
        problems.append(detail("name", "reserved", f"{name!r} is reserved for a system column"))
    if (unknown := registry.unknown_type(type_name)) is not None:
        problems.append(unknown)
    else:
        problems.extend(registry.get(type_name).validate_config(config))
    if problems:
        raise ValidationFailed(problems)


async def insert(conn: asyncpg.Connection, ctx: Context, body: FieldCreate,
                 field_id: str | None = None) -> dict[str, Any]:
    await offload.run(lambda: check_definition(body.name, body.type, body.config),
                      registry.config_weight(body.config), budget=CHECK_SECONDS)
    field_id = field_id or new_id("fld")
    values = {"tenant_id": ctx.tenant_id, "id": field_id, "name": body.name,
              "label": body.label, "type": body.type, "config": body.config,
              "description": body.description, "category": body.category,
              "created_by": ctx.principal.actor}
    await record(conn, ctx, "field", "created", field_id, body.name)
    return await insert_named(conn, "fields", values)


async def create(ctx: Context, body: FieldCreate) -> dict[str, Any]:
    async with schema_change(ctx) as conn:
        return await insert(conn, ctx, body)


async def _check_type_change(conn: asyncpg.Connection, ctx: Context, row: dict[str, Any]) -> None:
    """A type may change only while no object uses the field and no record holds a value."""
    if await repo.objects_using(conn, ctx.tenant_id, row["id"]) or \
            await repo.field_has_values(conn, ctx.tenant_id, row["id"]):
        raise ValidationFailed([detail("type", "immutable",
                                       "the type of a field in use cannot change;"
                                       " create a new field instead")])


async def update(ctx: Context, ref: str, body: FieldUpdate) -> dict[str, Any]:
    values = {k: v for k, v in body.model_dump(exclude_unset=True).items()
              if v is not None or k in ("description", "category")}
    remap = values.pop("option_map", None)
    async with schema_change(ctx) as conn:
        row = await must_find(conn, ctx, "fields", ref, "fld", for_update=True)
        if values.get("type", row["type"]) != row["type"]:
            await _check_type_change(conn, ctx, row)
        config = values.get("config", row["config"])
        await offload.run(lambda: check_definition(values.get("name"),
                                                   values.get("type", row["type"]), config),
                          registry.config_weight(config), budget=CHECK_SECONDS)
        await record(conn, ctx, "field", "updated", row["id"], values.get("name", row["name"]),
                     changed(row, values))
        updated = await update_named(conn, ctx, "fields", row, values)
        if updated["type"] in COMPUTED_TYPES:
            await computed_upkeep.refuse_unfit(
                conn, ctx.tenant_id, row["id"],
                await repo.object_ids_using(conn, ctx.tenant_id, row["id"]))
        if remap:
            await option_map.for_field(conn, ctx, updated, remap)
        return updated


async def delete(ctx: Context, ref: str) -> None:
    async with schema_change(ctx) as conn:
        row = await must_find(conn, ctx, "fields", ref, "fld", for_update=True)
        used_by = await repo.objects_using(conn, ctx.tenant_id, row["id"])
        if used_by:
            raise Conflict(
                f"field {row['name']!r} is attached to {', '.join(used_by)}; detach it first",
                [detail("objects", "in_use", name) for name in used_by])
        await record(conn, ctx, "field", "deleted", row["id"], row["name"])
        await repo.delete(conn, "fields", ctx.tenant_id, row["id"])


async def get(ctx: Context, ref: str) -> dict[str, Any]:
    async with reading(ctx) as conn:
        return await must_find(conn, ctx, "fields", ref, "fld")


async def list_(ctx: Context, request: PageRequest, *, type_: str | None,
                category: str | None) -> dict[str, Any]:
    where = {k: v for k, v in (("type", type_), ("category", category)) if v is not None}
    async with reading(ctx) as conn:
        rows = await repo.list_page(conn, "fields", ctx.tenant_id, request, where=where)
    return page(rows, request)
