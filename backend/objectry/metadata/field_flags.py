"""Turning an attachment's `is_unique` / `is_indexed` on or off, all or nothing.

A change that touches a flag runs under its workspace's index lock (indexes.workspace_lock), so
the flag changes of one workspace happen one at a time, in every process, each seeing what the
previous one left. Turning a flag on checks the workspace's cap and the values already stored,
builds the index (valid, or dropped and refused), and only then commits the metadata; if that
commit fails, what was built is dropped. A flag turned off drops its index after the commit. So
the flags, and schema_version, move only together with their indexes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from objectry.errors import ValidationFailed, detail
from objectry.fields.computed import COMPUTED_TYPES, autonumber_cast
from objectry.fields.index_size import MAX_BYTES
from objectry.fields.registry import merged_config
from objectry.metadata import computed, indexes, repo, value_sql
from objectry.metadata.changes import reading
from objectry.metadata.model import FieldDef
from objectry.sqltext import field_expr
from objectry.web.context import Context

FLAGS = ("is_unique", "is_indexed")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Change:
    """One attachment's settings before and after a request (`before` empty for a new one)."""

    object_id: str
    object_field_id: str
    field: Mapping[str, Any]  # the field's row: id, name, type
    before: Mapping[str, Any]
    after: Mapping[str, Any]

    @property
    def on(self) -> list[str]:
        return [f for f in FLAGS if self.after.get(f) and not self.before.get(f)]

    @property
    def off(self) -> list[str]:
        return [f for f in FLAGS if self.before.get(f) and not self.after.get(f)]

    def index(self, tenant_id: str, flag: str, value_sql: str | None = None
              ) -> indexes.FieldIndex:
        return indexes.FieldIndex(tenant_id, self.object_id, self.object_field_id,
                                  self.field["id"], self.field["type"], self.field["name"],
                                  unique=flag == "is_unique", value_sql=value_sql)


def touches(values: Mapping[str, Any]) -> bool:
    """Whether a request's settings may turn a flag on or off."""
    return any(values.get(flag) is not None for flag in FLAGS)


def asks_for_index(settings: Mapping[str, Any]) -> bool:
    """Whether a new attachment's settings turn a flag on (off is what it starts as). One that
    does not needs neither the index lock nor its owner connection — nor, inside a schema
    apply's transaction, a lock a concurrent index build may hold while it waits for that
    very transaction to end."""
    return any(settings.get(flag) for flag in FLAGS)


async def apply(ctx: Context, prepare: Callable[[], Awaitable[Change]],
                commit: Callable[[], Awaitable[T]]) -> T:
    """Under the workspace's index lock: `prepare` reads the change, its indexes are checked
    and built, then `commit` writes the metadata (in a transaction of its own)."""
    async with indexes.workspace_lock(ctx.state.database_url, ctx.tenant_id) as ddl:
        change = await prepare()
        value_sql = None
        if change.on:
            await _check(ctx, change)
            value_sql = await _value_sql(ctx, change)
        built: list[str] = []
        try:
            for flag in change.on:
                index = change.index(ctx.tenant_id, flag, value_sql)
                await indexes.build(ddl, index)
                built.append(index.name)
            result = await commit()
        except BaseException:
            await indexes.undo(ddl, built)
            raise
        await indexes.drop_on(ddl, [change.index(ctx.tenant_id, f).name for f in change.off])
    return result


async def _check(ctx: Context, change: Change) -> None:
    """The workspace's cap, and values too long for an index: one 422 listing both."""
    problems = []
    async with reading(ctx) as conn:
        if not any(change.before.get(flag) for flag in FLAGS):  # one more indexed attachment
            most = ctx.state.settings.max_indexed_fields
            if await repo.indexed_attachments(conn, ctx.tenant_id) >= most:
                problems += [detail(flag, "too_many_indexed_fields", f"a workspace has at most "
                                    f"{most} indexed or unique fields") for flag in change.on]
        long = await repo.values_longer_than(conn, ctx.tenant_id, change.object_id,
                                             change.field["id"], MAX_BYTES)
    if long:
        name = change.field["name"]
        problems += [detail(flag, "too_long", f"{long} record(s) of this object (the trash "
                            f"included) hold a {name} longer than the {MAX_BYTES} bytes an "
                            "indexed value may have") for flag in change.on]
    if problems:
        raise ValidationFailed(problems)


async def _value_sql(ctx: Context, change: Change) -> str | None:
    """What an index on this field is built on when its type alone does not say: a text
    autonumber's value, or a formula's SQL (422 unless it is deterministic over stored
    fields); None for every other type."""
    field = change.field
    config = merged_config(field.get("config") or {}, change.after.get("field_overrides"))
    if field["type"] == "autonumber":
        return f"({field_expr(field['id'], autonumber_cast(config), None)})"
    if field["type"] not in COMPUTED_TYPES:
        return None
    snapshot = await ctx.state.metadata.get(ctx.tenant_id)
    defined = FieldDef(id=field["id"], name=field["name"], label=field["name"],
                       type=field["type"], config=config)
    obj = snapshot.objects_by_id[change.object_id]
    # As the change will leave it: the field attached (again) with this config.
    obj = replace(obj, fields=(*(f for f in obj.fields if f.id != defined.id), defined))
    if not computed.indexable(snapshot, obj, defined):
        raise ValidationFailed([detail(flag, "not_indexable", f"a {field['type']} field can "
                                       "only be indexed when it is a deterministic formula "
                                       "over stored fields") for flag in change.on])
    return f"({value_sql.value_sql(snapshot, obj, defined, None, _never)})"


def _never(field: FieldDef) -> str:
    raise AssertionError("an indexable formula reads no lookup or rollup")
