"""Applications: named bundles of objects and navigation, published when ready."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg

from objectry.audit.recorder import changed, record
from objectry.errors import ValidationFailed, detail
from objectry.ids import new_id
from objectry.metadata import repo
from objectry.metadata.changes import (
    find,
    insert_named,
    must_find,
    reading,
    schema_change,
    update_named,
)
from objectry.metadata.schemas import ApplicationCreate, ApplicationUpdate
from objectry.web.context import Context
from objectry.web.pagination import PageRequest, page


async def _check_objects(conn: asyncpg.Connection, ctx: Context, config: dict[str, Any]) -> None:
    problems = []
    for i, ref in enumerate(config.get("objects", [])):
        if await find(conn, ctx, "objects", ref, "obj") is None:
            problems.append(detail(f"config.objects.{i}", "not_found", f"no object {ref!r}"))
    if problems:
        raise ValidationFailed(problems)


async def create(ctx: Context, body: ApplicationCreate) -> dict[str, Any]:
    values = {**body.model_dump(), "tenant_id": ctx.tenant_id, "id": new_id("app"),
              "created_by": ctx.principal.actor}
    async with schema_change(ctx) as conn:
        await _check_objects(conn, ctx, values["config"])
        await record(conn, ctx, "application", "created", values["id"], values["name"])
        return await insert_named(conn, "applications", values)


async def update(ctx: Context, app_id: str, body: ApplicationUpdate) -> dict[str, Any]:
    values = {k: v for k, v in body.model_dump(exclude_unset=True).items()
              if v is not None or k in ("description", "icon")}
    async with schema_change(ctx) as conn:
        row = await must_find(conn, ctx, "applications", app_id, "app", for_update=True)
        if "config" in values:
            await _check_objects(conn, ctx, values["config"])
        await record(conn, ctx, "application", "updated", row["id"],
                     values.get("name", row["name"]), changed(row, values))
        return await update_named(conn, ctx, "applications", row, values)


async def publish(ctx: Context, app_id: str) -> dict[str, Any]:
    async with schema_change(ctx) as conn:
        row = await must_find(conn, ctx, "applications", app_id, "app", for_update=True)
        published = {"published_at": datetime.now(UTC)}
        await record(conn, ctx, "application", "published", row["id"], row["name"],
                     changed(row, published))
        return await repo.update(conn, "applications", ctx.tenant_id, row["id"], published) or row


async def delete(ctx: Context, app_id: str) -> None:
    async with schema_change(ctx) as conn:
        row = await must_find(conn, ctx, "applications", app_id, "app", for_update=True)
        await record(conn, ctx, "application", "deleted", row["id"], row["name"])
        await repo.delete(conn, "applications", ctx.tenant_id, row["id"])


async def get(ctx: Context, app_id: str) -> dict[str, Any]:
    async with reading(ctx) as conn:
        return await must_find(conn, ctx, "applications", app_id, "app")


async def list_(ctx: Context, request: PageRequest) -> dict[str, Any]:
    async with reading(ctx) as conn:
        rows = await repo.list_page(conn, "applications", ctx.tenant_id, request)
    return page(rows, request)
