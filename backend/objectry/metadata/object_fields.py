"""Attaching fields to objects, with per-object settings, overrides and field indexes."""

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
from objectry.metadata import (
    computed_upkeep,
    field_flags,
    fields,
    indexes,
    option_map,
    primary,
    repo,
)
from objectry.metadata.changes import must_find, raise_if, reading, referenced, schema_change
from objectry.metadata.schemas import (
    FieldAndAttach,
    FieldCreate,
    ObjectFieldCreate,
    ObjectFieldSettings,
    ObjectFieldUpdate,
)
from objectry.web.context import Context
from objectry.web.pagination import PageRequest, page

SETTINGS = tuple(ObjectFieldSettings.model_fields)


def _check_overrides(field: dict[str, Any], overrides: dict[str, Any]) -> None:
    problems = registry.validate_overrides(field["type"], field["config"], overrides)
    if problems:
        raise ValidationFailed(problems)


async def _check_overrides_off_loop(field: dict[str, Any], overrides: dict[str, Any]) -> None:
    """`_check_overrides`, in a worker thread when a JSON Schema is to be checked (seconds of
    CPU for a large one)."""
    await offload.run(lambda: _check_overrides(field, overrides), registry.config_weight(
        field["config"], overrides.get("config")), budget=CHECK_SECONDS)


async def _attach(conn: asyncpg.Connection, ctx: Context, obj: dict[str, Any],
                  field: dict[str, Any], settings: dict[str, Any], ofd_id: str
                  ) -> dict[str, Any]:
    await _check_overrides_off_loop(field, settings["field_overrides"])
    count, last = await repo.attachment_count(conn, ctx.tenant_id, obj["id"])
    if count >= ctx.state.settings.max_fields_per_object:
        raise ValidationFailed([detail("object_id", "too_many_fields",
                                       f"an object has at most "
                                       f"{ctx.state.settings.max_fields_per_object} fields")])
    if settings["display_order"] is None:
        settings["display_order"] = 0 if last is None else last + 1
    values = {"tenant_id": ctx.tenant_id, "id": ofd_id, "object_id": obj["id"],
              "field_id": field["id"], **settings}
    before = await primary.effective_field(conn, ctx.tenant_id, obj["id"])
    await record(conn, ctx, "object_field", "attached", ofd_id, _name(obj, field))
    try:
        async with conn.transaction():
            row = await repo.insert(conn, "object_fields", values)
    except asyncpg.UniqueViolationError:
        raise Conflict(f"field {field['name']!r} is already attached to {obj['name']!r}",
                       [detail("field_id", "taken", "already attached")]) from None
    await primary.refresh_if_moved(conn, ctx.tenant_id, obj["id"], before)
    await computed_upkeep.after_attach(conn, ctx.tenant_id, obj["id"], field)
    return row


def _name(obj: dict[str, Any], field: dict[str, Any]) -> str:
    """How the audit log names an attachment: `object.field`."""
    return f"{obj['name']}.{field['name']}"


async def _attach_refs(conn: asyncpg.Connection, ctx: Context, body: ObjectFieldCreate
                       ) -> tuple[dict[str, Any], dict[str, Any]]:
    problems: list[dict[str, Any]] = []
    obj = await referenced(conn, ctx, "objects", body.object_id, "obj", "object_id", problems)
    field = await referenced(conn, ctx, "fields", body.field_id, "fld", "field_id", problems)
    raise_if(problems)
    assert obj is not None and field is not None
    return obj, field


async def attach(ctx: Context, body: ObjectFieldCreate) -> dict[str, Any]:
    settings = body.model_dump(include=set(SETTINGS))
    ofd_id = new_id("ofd")

    async def prepare() -> field_flags.Change:
        async with reading(ctx) as conn:
            obj, field = await _attach_refs(conn, ctx, body)
        await _check_overrides_off_loop(field, settings["field_overrides"])
        return field_flags.Change(obj["id"], ofd_id, field, {}, settings)

    async def commit() -> dict[str, Any]:
        async with schema_change(ctx) as conn:
            obj, field = await _attach_refs(conn, ctx, body)
            return await _attach(conn, ctx, obj, field, settings, ofd_id)

    if not field_flags.asks_for_index(settings):
        return await commit()
    return await field_flags.apply(ctx, prepare, commit)


async def create_and_attach(ctx: Context, object_ref: str, body: FieldAndAttach
                            ) -> dict[str, Any]:
    """POST /api/objects/{id}/fields: the field and its attachment commit together or not at all."""
    created = FieldCreate.model_validate(body.model_dump(include=set(FieldCreate.model_fields)))
    settings = body.model_dump(include=set(SETTINGS))
    field_id, ofd_id = new_id("fld"), new_id("ofd")

    async def prepare() -> field_flags.Change:
        await offload.run(lambda: fields.check_definition(created.name, created.type,
                                                          created.config),
                          registry.config_weight(created.config), budget=CHECK_SECONDS)
        async with reading(ctx) as conn:
            obj = await must_find(conn, ctx, "objects", object_ref, "obj")
        field = {"id": field_id, **created.model_dump()}
        await _check_overrides_off_loop(field, settings["field_overrides"])
        return field_flags.Change(obj["id"], ofd_id, field, {}, settings)

    async def commit() -> dict[str, Any]:
        async with schema_change(ctx) as conn:
            obj = await must_find(conn, ctx, "objects", object_ref, "obj")
            field = await fields.insert(conn, ctx, created, field_id=field_id)
            row = await _attach(conn, ctx, obj, field, settings, ofd_id)
        return {**field, "object_field": row}

    if not field_flags.asks_for_index(settings):
        return await commit()
    return await field_flags.apply(ctx, prepare, commit)


async def update(ctx: Context, ofd_id: str, body: ObjectFieldUpdate) -> dict[str, Any]:
    values = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    remap = values.pop("option_map", None)

    async def prepare() -> field_flags.Change:
        async with reading(ctx) as conn:
            before = await must_find(conn, ctx, "object_fields", ofd_id, "ofd", by_name=False)
            field = await repo.get(conn, "fields", ctx.tenant_id, before["field_id"])
        assert field is not None
        return field_flags.Change(before["object_id"], before["id"], field, before,
                                  {**before, **values})

    if not field_flags.touches(values):
        return await _update(ctx, ofd_id, values, remap)
    return await field_flags.apply(ctx, prepare, lambda: _update(ctx, ofd_id, values, remap))


async def _update(ctx: Context, ofd_id: str, values: dict[str, Any],
                  remap: option_map.OptionMap | None = None) -> dict[str, Any]:
    async with schema_change(ctx) as conn:
        before = await must_find(conn, ctx, "object_fields", ofd_id, "ofd", by_name=False,
                                 for_update=True)
        field = await repo.get(conn, "fields", ctx.tenant_id, before["field_id"])
        assert field is not None
        if "field_overrides" in values:
            await _check_overrides_off_loop(field, values["field_overrides"])
        primary_before = await primary.effective_field(conn, ctx.tenant_id, before["object_id"])
        await record(conn, ctx, "object_field", "updated", ofd_id,
                     await _named(conn, ctx, before), changed(before, values))
        row = await repo.update(conn, "object_fields", ctx.tenant_id, ofd_id, values) or before
        if field["type"] in COMPUTED_TYPES:  # its overrides or index flags may not fit
            await computed_upkeep.refuse_unfit(conn, ctx.tenant_id, field["id"],
                                               [row["object_id"]])
        await primary.refresh_if_moved(conn, ctx.tenant_id, row["object_id"], primary_before)
        if remap:
            await option_map.for_attachment(conn, ctx, field, row, remap)
    return row


async def detach(ctx: Context, ofd_id: str) -> None:
    """Records keep the values; they are no longer exposed or validated."""
    async with schema_change(ctx) as conn:
        row = await must_find(conn, ctx, "object_fields", ofd_id, "ofd", by_name=False,
                              for_update=True)
        primary_before = await primary.effective_field(conn, ctx.tenant_id, row["object_id"])
        await record(conn, ctx, "object_field", "detached", row["id"],
                     await _named(conn, ctx, row))
        await repo.delete(conn, "object_fields", ctx.tenant_id, row["id"])
        await primary.refresh_if_moved(conn, ctx.tenant_id, row["object_id"], primary_before)
    await indexes.drop(ctx.state.database_url, row["id"])


async def _named(conn: asyncpg.Connection, ctx: Context, attachment: dict[str, Any]) -> str:
    obj = await repo.get(conn, "objects", ctx.tenant_id, attachment["object_id"])
    field = await repo.get(conn, "fields", ctx.tenant_id, attachment["field_id"])
    assert obj is not None and field is not None
    return _name(obj, field)


async def get(ctx: Context, ofd_id: str) -> dict[str, Any]:
    async with reading(ctx) as conn:
        return await must_find(conn, ctx, "object_fields", ofd_id, "ofd", by_name=False)


async def list_(ctx: Context, request: PageRequest, object_ref: str | None) -> dict[str, Any]:
    async with reading(ctx) as conn:
        where = {}
        if object_ref is not None:
            where["object_id"] = (await must_find(conn, ctx, "objects", object_ref, "obj"))["id"]
        rows = await repo.list_page(conn, "object_fields", ctx.tenant_id, request, where=where,
                                    key="display_order")
    return page(rows, request, key="display_order")
