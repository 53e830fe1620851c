"""What a schema change would touch, asked before it is made: how many records hold a field's
values (per option for select and multi_select), and what deleting an object takes along."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from objectry.fields.registry import merged_config
from objectry.metadata import repo, values_repo
from objectry.metadata.changes import must_find, reading
from objectry.web.context import Context

CHOICE_TYPES = frozenset({"select", "multi_select"})


async def _counts(conn: Any, ctx: Context, field: Mapping[str, Any], object_ids: list[str],
                  config: Mapping[str, Any]) -> dict[str, Any]:
    total, held = await values_repo.value_counts(conn, ctx.tenant_id, object_ids, field["id"])
    options = list(config.get("options") or ()) if field["type"] in CHOICE_TYPES else []
    counts = await values_repo.option_counts(conn, ctx.tenant_id, object_ids, field["id"],
                                             [o["value"] for o in options]) if options else {}
    return {"records_with_value": held, "total_records": total,
            "options": [{"value": o["value"], "label": o.get("label", o["value"]),
                         "count": counts.get(o["value"], 0)} for o in options]}


async def of_field(ctx: Context, ref: str) -> dict[str, Any]:
    """GET /api/fields/{ref}/usage: over every object the field is attached to."""
    async with reading(ctx) as conn:
        field = await must_find(conn, ctx, "fields", ref, "fld")
        object_ids = await repo.object_ids_using(conn, ctx.tenant_id, field["id"])
        found = await _counts(conn, ctx, field, object_ids, field["config"] or {})
    return {**found, "objects": len(object_ids)}


async def of_attachment(ctx: Context, ofd_id: str) -> dict[str, Any]:
    """GET /api/object-fields/{id}/usage: one object's records, its own options."""
    async with reading(ctx) as conn:
        attached = await must_find(conn, ctx, "object_fields", ofd_id, "ofd", by_name=False)
        field = await repo.get(conn, "fields", ctx.tenant_id, attached["field_id"])
        assert field is not None
        config = merged_config(field["config"] or {}, attached["field_overrides"])
        return await _counts(conn, ctx, field, [attached["object_id"]], config)


async def of_object(ctx: Context, ref: str) -> dict[str, Any]:
    """GET /api/objects/{ref}/usage: what deleting the object takes along."""
    async with reading(ctx) as conn:
        obj = await must_find(conn, ctx, "objects", ref, "obj")
        return await values_repo.object_reach(conn, ctx.tenant_id, obj["id"])
