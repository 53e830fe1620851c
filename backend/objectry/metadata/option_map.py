"""Rewriting stored choice values when options change: `option_map` {"old": "new" | null} sent
with a field's (or an attachment's) config change maps every record's value in the same
transaction, as ordinary record updates (version bumped, a history event each, so realtime and
webhooks see them through the record_events trigger)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg

from objectry.errors import ValidationFailed, detail
from objectry.fields.choice import option_values
from objectry.fields.registry import merged_config
from objectry.metadata import primary, repo, values_repo
from objectry.metadata.usage import CHOICE_TYPES
from objectry.web.context import Context

OptionMap = Mapping[str, str | None]


def check(field_type: str, configs: Sequence[Mapping[str, Any]], option_map: OptionMap) -> None:
    """422 listing every target that is not an option of every config it would land in."""
    if field_type not in CHOICE_TYPES:
        raise ValidationFailed([detail("option_map", "not_a_choice",
                                       "only a select or multi_select field has options to map")])
    problems = [detail(f"option_map.{old}", "not_an_option", f"{new!r} is not an option")
                for old, new in option_map.items()
                if new is not None and any(new not in option_values(c) for c in configs)]
    if problems:
        raise ValidationFailed(problems)


def mapped(value: Any, option_map: OptionMap) -> Any:
    """The value after the map; None when nothing is left (the key is then removed)."""
    if isinstance(value, str):
        return option_map.get(value, value)
    if isinstance(value, list):
        out: list[Any] = []
        for item in value:
            new = option_map.get(item, item) if isinstance(item, str) else item
            if new is not None and new not in out:
                out.append(new)
        return out or None
    return value


async def rewrite(conn: asyncpg.Connection, ctx: Context, field_id: str, object_ids: list[str],
                  option_map: OptionMap) -> int:
    """Map the stored values of the objects' records; returns how many records changed."""
    rows = await values_repo.holding_options(conn, ctx.tenant_id, object_ids, field_id,
                                             list(option_map))
    changes = []
    for row in rows:
        old = row["data"].get(field_id)
        new = mapped(old, option_map)
        if new != old:
            changes.append({"id": row["id"], "old": old, "new": new})
    if changes:
        await values_repo.map_values(conn, ctx.tenant_id, field_id, changes, ctx.principal.actor)
        for object_id in object_ids:
            if await primary.effective_field(conn, ctx.tenant_id, object_id) == field_id:
                await repo.rewrite_primary_values(conn, ctx.tenant_id, object_id, field_id)
    return len(changes)


async def for_field(conn: asyncpg.Connection, ctx: Context, field: Mapping[str, Any],
                    option_map: OptionMap) -> int:
    """PATCH /api/fields/{id}: every object the field is attached to, each with its options."""
    attached = await values_repo.attachments_of(conn, ctx.tenant_id, field["id"])
    configs = [merged_config(field["config"] or {}, a["field_overrides"]) for a in attached]
    check(field["type"], configs or [field["config"] or {}], option_map)
    return await rewrite(conn, ctx, field["id"], [a["object_id"] for a in attached], option_map)


async def for_attachment(conn: asyncpg.Connection, ctx: Context, field: Mapping[str, Any],
                         attachment: Mapping[str, Any], option_map: OptionMap) -> int:
    """PATCH /api/object-fields/{id}: one object's records, against its own options."""
    config = merged_config(field["config"] or {}, attachment["field_overrides"])
    check(field["type"], [config], option_map)
    return await rewrite(conn, ctx, field["id"], [attachment["object_id"]], option_map)
