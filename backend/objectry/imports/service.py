"""Imports: the checks before a job starts (object, rights, options, the file's header against
the fields), the job's row, and reading it back."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from fastapi import Request

from objectry.db.tenancy import one
from objectry.errors import NotFound, ValidationFailed, detail
from objectry.ids import new_id
from objectry.imports import job, plan, repo, sources, upload
from objectry.records.access import authorize
from objectry.records.service import object_for
from objectry.web.context import Context


async def check(ctx: Context, request: Request, object_id: str) -> None:
    """The caller may write this object's records (before an Idempotency-Key is looked up)."""
    _, obj = await object_for(ctx, object_id)
    authorize(ctx, obj, "create")


def _planned(path: str, obj: Any, options: plan.Options) -> plan.Plan:
    try:
        with open(path, "rb") as file:
            header, _ = sources.header_and_rows(file, options.delimiter)
    except sources.Unreadable as exc:
        raise ValidationFailed([detail("file", "unreadable", str(exc))]) from None
    return plan.plan_for(header, obj, options)


async def start(ctx: Context, request: Request, object_ref: str) -> job.Job:
    """Checks everything that can be checked before reading the rows (422 listing each
    problem), writes the job's row, and returns the job to start once that row commits."""
    snapshot, obj = await object_for(ctx, object_ref)
    authorize(ctx, obj, "create")
    path = (await upload.received(request)).path
    try:
        options = plan.options_from((await upload.received(request)).options)
        if options.mode == "upsert":
            authorize(ctx, obj, "update")
        planned = await asyncio.to_thread(_planned, path, obj, options)
        job_id = new_id("imp")
        async with one(ctx) as conn:
            await repo.insert(conn, ctx.tenant_id, job_id, obj.id, options.as_json(),
                              planned.described(), ctx.principal.actor)
    except BaseException:
        os.remove(path)
        raise
    return job.Job(ctx, job_id, obj, snapshot, options, planned, path)


async def get(ctx: Context, job_id: str) -> dict[str, Any]:
    async with one(ctx) as conn:
        row = await repo.get(conn, ctx.tenant_id, job_id, ctx.state.settings.import_lease_seconds)
    if row is None:
        raise NotFound(f"no import {job_id!r} in this workspace")
    snapshot = await ctx.state.metadata.get(ctx.tenant_id)
    obj = snapshot.objects_by_id.get(row["object_id"])
    options = row["options"]
    return {"id": row["id"], "object": obj.name if obj is not None else None,
            "object_id": row["object_id"], "status": row["status"], "reason": row["reason"],
            "mode": options.get("mode", "insert"), "on_error": options.get("on_error", "abort"),
            "dry_run": options.get("dry_run", False), "columns": row["columns"],
            "rows_total": row["rows_total"],
            "rows_done": row["rows_done"], "created": row["created"],
            "updated": row["updated"], "skipped": row["skipped"], "errors": row["errors"],
            "created_at": row["created_at"], "finished_at": row["finished_at"]}
