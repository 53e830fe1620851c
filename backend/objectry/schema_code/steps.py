"""One change of a schema diff made through the service the /api endpoint of that thing uses,
so every rule of theirs holds (config checks, computed field checks, audit entries); its body
is parsed as the endpoint parses it (a 422 listing every problem). Index flags are left out
here: apply.py turns them on or off after the commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel

from objectry.metadata import applications, fields, object_fields, objects, relationships
from objectry.metadata import schemas as m
from objectry.metadata.field_flags import FLAGS
from objectry.records.views import schemas as v
from objectry.records.views import service as views
from objectry.schema_code.diff import Change
from objectry.web.bodies import parse
from objectry.web.context import Context

_SETTINGS = ("display_order", "is_required", "is_visible", "is_readonly", "field_overrides")
_OBJECT_BODY = ("name", "label", "plural_name", "plural_label", "description", "icon",
                "permissions", "views")


def _changed(change: Change, keys: tuple[str, ...]) -> dict[str, Any]:
    """The keys whose value the change moves."""
    before, after = change.before or {}, change.after or {}
    return {k: after[k] for k in keys if k in after and before.get(k) != after[k]}


def _only(entry: dict[str, Any] | None, keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in (entry or {}).items() if k in keys}


async def delete(ctx: Context, change: Change, ref: str) -> None:
    doors: dict[str, Callable[[Context, str], Awaitable[None]]] = {
        "application": applications.delete, "view": views.delete,
        "object_field": object_fields.detach, "relationship": relationships.delete,
        "object": objects.delete, "field": fields.delete}
    await doors[change.kind](ctx, ref)


async def create(ctx: Context, change: Change) -> dict[str, Any]:
    after = change.after or {}
    if change.kind == "object":  # its primary field once its fields are attached (apply.py)
        return await objects.create(ctx, parse(m.ObjectCreate, _only(after, _OBJECT_BODY)))
    if change.kind == "field":
        return await fields.create(ctx, parse(m.FieldCreate, after))
    if change.kind == "relationship":
        body = {**_only(after, ("name", "type", "from_label", "to_label", "on_delete")),
                "from_object_id": after["from_object"], "to_object_id": after["to_object"]}
        return await relationships.create(ctx, parse(m.RelationshipCreate, body))
    if change.kind == "object_field":
        return await object_fields.attach(ctx, parse(m.ObjectFieldCreate, {
            **_only(after, _SETTINGS), "object_id": after["object"],
            "field_id": after["field"]}))
    if change.kind == "view":
        return await views.create(ctx, parse(v.ViewCreate, {**after, "shared": True}))
    return await applications.create(ctx, parse(m.ApplicationCreate, after))


# What an update may change of each kind (name is identity: a new name is a new thing),
# with the body and the service of its /api PATCH.
_UPDATES: dict[str, tuple[tuple[str, ...], type[BaseModel], Any]] = {
    "object": (_OBJECT_BODY, m.ObjectUpdate, objects.update),
    "field": (("label", "type", "config", "description", "category"), m.FieldUpdate,
              fields.update),
    "relationship": (("from_label", "to_label", "on_delete"), m.RelationshipUpdate,
                     relationships.update),
    "object_field": (_SETTINGS, m.ObjectFieldUpdate, object_fields.update),
    "view": (("type", "filter", "order", "fields", "group_by", "date_field"), v.ViewUpdate,
             views.update),
    "application": (("label", "description", "icon", "config"), m.ApplicationUpdate,
                    applications.update),
}


async def update(ctx: Context, change: Change, ref: str) -> None:
    keys, model, service = _UPDATES[change.kind]
    body = _changed(change, keys)
    if body:  # e.g. only the primary field or an index flag moved: apply.py does those
        await service(ctx, ref, parse(model, body))


def flags(change: Change) -> dict[str, bool]:
    """The index flags an attached field's change turns on or off."""
    before, after = change.before or {}, change.after or {}
    return {f: after[f] for f in FLAGS if after and bool(before.get(f)) != bool(after[f])}


async def set_primary(ctx: Context, object_name: str, field_name: str | None) -> None:
    await objects.update(ctx, object_name, parse(m.ObjectUpdate,
                                                 {"primary_field_id": field_name}))


async def set_flags(ctx: Context, ref: str, wanted: dict[str, bool]) -> None:
    await object_fields.update(ctx, ref, parse(m.ObjectFieldUpdate, wanted))
