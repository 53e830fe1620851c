"""A workspace's metadata as a schema document (GET /api/schema), and the ids behind its names
(what an apply changes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import asyncpg

from objectry.db import tenancy
from objectry.schema_code import repo
from objectry.schema_code.document import FORMAT, normal, view_key
from objectry.web.context import Context


@dataclass(frozen=True)
class Current:
    """The workspace's schema as a document, and the id of each named thing in it
    (`ids[kind][name]`; an attached field's name is `object.field`, a view's `object.name`)."""

    document: dict[str, Any]
    ids: dict[str, dict[str, str]] = field(default_factory=dict)


async def current(ctx: Context) -> Current:
    async with tenancy.tx(ctx) as conn:
        return await current_on(conn, ctx.tenant_id)


async def current_on(conn: asyncpg.Connection, tenant_id: str) -> Current:
    return from_rows(await repo.metadata_rows(conn, tenant_id))


def _field_entry(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("name", "label", "type", "config", "description", "category")}


def _attached(row: dict[str, Any], field_names: dict[str, str]) -> dict[str, Any]:
    return {"field": field_names[row["field_id"]],
            **{k: row[k] for k in ("display_order", "is_required", "is_visible", "is_readonly",
                                   "is_unique", "is_indexed", "field_overrides")}}


def from_rows(rows: dict[str, list[dict[str, Any]]]) -> Current:
    field_names = {r["id"]: r["name"] for r in rows["fields"]}
    object_names = {r["id"]: r["name"] for r in rows["objects"]}
    attached: dict[str, list[dict[str, Any]]] = {}
    ids: dict[str, dict[str, str]] = {"field": {}, "object": {}, "object_field": {},
                                      "relationship": {}, "view": {}, "application": {}}
    for row in rows["object_fields"]:
        entry = _attached(row, field_names)
        attached.setdefault(row["object_id"], []).append(entry)
        ids["object_field"][f"{object_names[row['object_id']]}.{entry['field']}"] = row["id"]
    objects = [{**{k: row[k] for k in ("name", "label", "plural_name", "plural_label",
                                       "description", "icon", "permissions", "views")},
                "primary_field": field_names.get(row["primary_field_id"] or ""),
                "fields": attached.get(row["id"], [])} for row in rows["objects"]]
    relationships = [{"name": r["name"], "from_object": object_names[r["from_object_id"]],
                      "to_object": object_names[r["to_object_id"]],
                      **{k: r[k] for k in ("type", "from_label", "to_label", "on_delete")}}
                     for r in rows["relationships"]]
    views = []
    for r in rows["views"]:  # oldest first: of two shared views of one name, the first
        view = {"object": object_names[r["object_id"]], "name": r["name"], "type": r["type"],
                "filter": r["filter"], "order": r["order_by"], "fields": _columns(r["fields"]),
                "group_by": r["group_by"], "date_field": r["date_field"]}
        if view_key(view) not in ids["view"]:
            ids["view"][view_key(view)] = r["id"]
            views.append(view)
    applications = [{**{k: r[k] for k in ("name", "label", "description", "icon")},
                     "config": _app_config(r["config"], object_names)}
                    for r in rows["applications"]]
    for kind, table in (("field", "fields"), ("object", "objects"),
                        ("relationship", "relationships"), ("application", "applications")):
        ids[kind] = {r["name"]: r["id"] for r in rows[table]}
    document = normal({"format": FORMAT, "fields": [_field_entry(r) for r in rows["fields"]],
                       "objects": objects, "relationships": relationships, "views": views,
                       "applications": applications})
    return Current(document, ids)


def _columns(stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A view's columns as a document writes them: every key, `width` null when unset."""
    return [{"name": c["name"], "width": c.get("width"), "hidden": c.get("hidden", False)}
            for c in stored]


def _app_config(config: dict[str, Any], object_names: dict[str, str]) -> dict[str, Any]:
    """An application's config with its objects named (the API accepts ids or names)."""
    objects = [object_names.get(ref, ref) for ref in config.get("objects", [])]
    return {**config, "objects": objects, "navigation": config.get("navigation", [])}
