"""Check a parsed `Query` against one object's metadata: `plan_read(query, obj, snapshot)`.

Names resolve to fields (by name) or system columns, embeds to relationships
(`relations.py`), operators must be ones the column accepts (its field type's, from
objectry.fields, or its cast's for a system column), and values are coerced to their
Python types (`coerce.py`), so everything `render.py` sees is known to be valid.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import replace

from objectry.fields import operators_of
from objectry.fields.comparison import BY_CAST
from objectry.metadata.computed import CAST_DECIDES, is_read_time, stored_cast
from objectry.metadata.model import SYSTEM_COLUMNS, FieldDef, ObjectDef, Snapshot
from objectry.records.query import coerce, computed, relations
from objectry.records.query.errors import QueryError
from objectry.records.query.nodes import (
    Column,
    Condition,
    Embed,
    Filter,
    Order,
    Query,
    SelectItem,
    Star,
)
from objectry.records.query.operators import IS_ANY_TYPE, OPERATORS, allowed
from objectry.records.query.planned import (
    Col,
    Cond,
    CondGroup,
    EmbedPlan,
    Exists,
    Output,
    ReadPlan,
    SortKey,
    Where,
)
from objectry.records.query.types import FTS_CONFIGS, NOT_NULL_SYSTEM, SYSTEM_CASTS
from objectry.sqltext import BOOLEAN, TEXT

MAX_EMBED_DEPTH = 3  # the default of OBJECTRY_MAX_EMBED_DEPTH
# Each embed is a subquery per row, and aliases repeat one (`a:rel(*),b:rel(*),…`): a one-row
# read could ask for any multiple of its data. Together with the answer's byte cap these bound
# what one request makes PostgreSQL build.
MAX_EMBEDS = 20
MAX_OUTPUTS = 2000  # columns in the whole select, `*` counted as the columns it stands for
MAX_FILTERS = 1000  # keeps a statement well under PostgreSQL's 65,535 parameters
SHAPES = ("rest", "record")


class _Budget:
    """Counts what one request asks for, so a huge query is a 400, not a huge statement."""

    def __init__(self, max_depth: int) -> None:
        self.filters = self.embeds = self.outputs = 0
        self.max_depth = max_depth

    def filter(self) -> None:
        self.filters += 1
        if self.filters > MAX_FILTERS:
            raise QueryError("PGRST100", f"a query may have at most {MAX_FILTERS} filters")

    def embed(self, item: Embed, depth: int) -> None:
        if depth > self.max_depth:
            raise QueryError("PGRST100", f"embedding is limited to {self.max_depth} levels",
                             f"'{item.key}' is at level {depth}")
        self.embeds += 1
        if self.embeds > MAX_EMBEDS:
            raise QueryError("PGRST100", f"a query may embed at most {MAX_EMBEDS} resources",
                             hint="each alias is an embed of its own")

    def output(self, count: int = 1) -> None:
        self.outputs += count
        if self.outputs > MAX_OUTPUTS:
            raise QueryError("PGRST100", f"a query may select at most {MAX_OUTPUTS} columns",
                             hint="* counts as every column of its object")


def plan_read(query: Query, obj: ObjectDef, snapshot: Snapshot, *, shape: str = "rest",
              default_limit: int | None = None, max_limit: int | None = None,
              max_bytes: int | None = None, max_embed_depth: int = MAX_EMBED_DEPTH
              ) -> ReadPlan:
    """The checked read. `shape`: "rest" rows (`select` decides the keys) or "record" objects
    (the /api/records form). `limit` falls back to `default_limit` and is capped at
    `max_limit`; `max_bytes` bounds the answer's size (render.py); embeds nest at most
    `max_embed_depth` levels."""
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {SHAPES}")
    budget = _Budget(max_embed_depth)
    outputs, fields, all_fields, embeds = _select(query.select, obj, snapshot, 0, budget)
    labels = iter(range(len(outputs)))
    outputs = tuple(replace(o, label=f"_e{next(labels)}") if o.embed else o for o in outputs)
    limit = query.limit if query.limit is not None else default_limit
    if max_limit is not None and limit is not None:
        limit = min(limit, max_limit)
    return ReadPlan(
        tenant_id=snapshot.tenant_id, obj=obj, shape=shape, outputs=outputs, fields=fields,
        all_fields=all_fields, where=_where(query.where, obj, embeds, budget, snapshot),
        order=sort_keys(query.order, obj, snapshot), limit=limit, offset=query.offset,
        search=coerce.text(query.search) if query.search else None, max_bytes=max_bytes,
        computed=tuple(computed.column(snapshot, obj, f) for f in fields if is_read_time(f)))


def plan_where(conditions: tuple[Condition, ...], obj: ObjectDef) -> tuple[Where, ...]:
    """Conditions on `obj`'s own columns, no embeds (a rollup's filter on its linked records)."""
    return _where(conditions, obj, {}, _Budget(MAX_EMBED_DEPTH), None)


def resolve_column(obj: ObjectDef, name: str, snapshot: Snapshot | None = None) -> Col:
    """A system column (they win over a field of the same name) or a field by name. A computed
    field needs the `snapshot` it is computed in (without one it reads as NULL)."""
    if name in SYSTEM_COLUMNS:
        return Col(name, SYSTEM_CASTS.get(name, TEXT), system=SYSTEM_COLUMNS[name],
                   nullable=name not in NOT_NULL_SYSTEM)
    found = obj.fields_by_name.get(name)
    if found is not None and is_read_time(found) and snapshot is not None:
        return computed.column(snapshot, obj, found)
    if found is not None:
        return Col(name, stored_cast(found), field_id=found.id, field_type=found.type,
                   indexed=found.is_indexed or found.is_unique)
    close = difflib.get_close_matches(name, [*SYSTEM_COLUMNS, *obj.fields_by_name], n=1)
    hint = f'Perhaps you meant to reference the column "{obj.name}.{close[0]}".' if close else None
    raise QueryError("42703", f"column {obj.name}.{name} does not exist", hint=hint)


def sort_keys(orders: tuple[Order, ...], obj: ObjectDef, snapshot: Snapshot | None = None
              ) -> tuple[SortKey, ...]:
    """The complete order: the request's keys (default `created_at`), then `id` unless given.
    The `id` tie-breaker runs in the last key's direction, so that `created_at DESC, id DESC`
    is one index read backwards (an ascending `id` would need a sort of each page's ties)."""
    keys = [SortKey(resolve_column(obj, o.column, snapshot), o.desc, o.nulls_first)
            for o in orders]
    keys = keys or [SortKey(resolve_column(obj, "created_at"))]
    if not any(key.column.system == "id" for key in keys):
        keys.append(SortKey(resolve_column(obj, "id"), desc=keys[-1].desc))
    return tuple(keys)


def system_outputs(obj: ObjectDef, snapshot: Snapshot | None = None) -> list[Output]:
    """What `*` means: the system columns, then every attached field in display order."""
    columns = [resolve_column(obj, name) for name in SYSTEM_COLUMNS]
    columns += [resolve_column(obj, f.name, snapshot) for f in obj.fields
                if f.name not in SYSTEM_COLUMNS]
    return [Output(c.name, column=c) for c in columns]


def _select(items: tuple[SelectItem, ...] | None, obj: ObjectDef, snapshot: Snapshot,
            depth: int, budget: _Budget
            ) -> tuple[tuple[Output, ...], tuple[FieldDef, ...], bool, dict[str, EmbedPlan]]:
    outputs: list[Output] = []
    wanted: dict[str, FieldDef] = {}
    embeds: dict[str, EmbedPlan] = {}
    all_fields = items is None
    for item in items if items is not None else (Star(),):
        if isinstance(item, Star):
            all_fields = True
            outputs.extend(system_outputs(obj, snapshot))
            budget.output(len(SYSTEM_COLUMNS) + len(obj.fields))
        elif isinstance(item, Column):
            budget.output()
            column = resolve_column(obj, item.name, snapshot)
            outputs.append(Output(item.key, column=column))
            if column.field_id:
                wanted[column.field_id] = obj.fields_by_id[column.field_id]
        else:
            embed = _embed(item, obj, snapshot, depth + 1, budget)
            embeds[item.key] = embed
            if item.select:
                outputs.append(Output(item.key, embed=embed))
    fields = obj.fields if all_fields else tuple(wanted.values())
    return tuple(outputs), fields, all_fields, embeds


def _embed(item: Embed, parent: ObjectDef, snapshot: Snapshot, depth: int, budget: _Budget
           ) -> EmbedPlan:
    budget.embed(item, depth)
    relationship, forward = relations.resolve(snapshot, parent, item.name, item.hint)
    target = snapshot.objects_by_id[relationship.to_object_id if forward
                                    else relationship.from_object_id]
    outputs, fields, _, nested = _select(item.select, target, snapshot, depth, budget)
    return EmbedPlan(
        key=item.key, relationship=relationship, forward=forward, target=target,
        to_many=relations.to_many(relationship, forward), outputs=outputs, fields=fields,
        where=_where(item.where, target, nested, budget, snapshot),
        order=sort_keys(item.order, target, snapshot),
        limit=item.limit, offset=item.offset, inner=item.inner)


def _where(conditions: tuple[Condition, ...], obj: ObjectDef, embeds: dict[str, EmbedPlan],
           budget: _Budget, snapshot: Snapshot | None) -> tuple[Where, ...]:
    """The conditions, then an EXISTS for each `!inner` embed."""
    planned = tuple(_condition(c, obj, embeds, budget, snapshot) for c in conditions)
    return planned + tuple(Exists(e) for e in embeds.values() if e.inner)


def _condition(item: Condition, obj: ObjectDef, embeds: dict[str, EmbedPlan], budget: _Budget,
               snapshot: Snapshot | None) -> Where:
    if isinstance(item, Filter):
        budget.filter()
        return _filter(item, obj, embeds, snapshot)
    items = tuple(_condition(c, obj, embeds, budget, snapshot) for c in item.items)
    return CondGroup(item.op, items, item.negated)


def _filter(item: Filter, obj: ObjectDef, embeds: dict[str, EmbedPlan],
            snapshot: Snapshot | None) -> Where:
    known = item.column in SYSTEM_COLUMNS or item.column in obj.fields_by_name
    if not known and item.column in embeds:
        if item.op != "is" or item.value not in IS_ANY_TYPE:
            raise QueryError("PGRST100", f"the embed {item.column} can only be filtered with "
                             "is.null or not.is.null")
        present = (item.value == "not_null") != item.negated
        return Exists(embeds[item.column], negated=not present)
    column = resolve_column(obj, item.column, snapshot)
    op, accepted = OPERATORS[item.op], _accepted(column)
    if item.op not in accepted:
        kind = column.field_type or column.cast
        raise QueryError("PGRST100", f"operator {item.op} cannot be used on column "
                         f"{obj.name}.{column.name} ({kind})",
                         hint="allowed: " + ", ".join(allowed(accepted)))
    config = None
    if item.config is not None:
        config = item.config.lower()
        if config not in FTS_CONFIGS:
            raise QueryError("42704", f'text search configuration "{item.config}" does not exist',
                             hint="e.g. " + ", ".join(sorted(FTS_CONFIGS)[:6]))
    return Cond(column, item.op, _value(op.value, column, item), item.negated, config)


def _accepted(column: Col) -> frozenset[str]:
    """What a filter on this column may use: its field type's operators, or for a system column
    those of its cast."""
    if column.field_type is None or column.field_type in CAST_DECIDES:
        return BY_CAST[column.cast]
    return operators_of(column.field_type)


def _value(kind: str, column: Col, item: Filter) -> object:
    """The request text read as what the operator compares against (see operators.py)."""
    raw = item.value
    if kind == "list":
        return [coerce.scalar(column.cast, v) for v in raw]
    assert isinstance(raw, str)
    if kind == "is":
        if raw not in IS_ANY_TYPE and column.cast != BOOLEAN:
            raise QueryError("PGRST100", f"is.{raw} needs a boolean column; "
                             f"{column.name} is {column.field_type or column.cast}",
                             hint="use is.null or is.not_null")
        return raw
    readers: dict[str, Callable[[], object]]
    readers = {"scalar": lambda: coerce.scalar(column.cast, raw),
               "pattern": lambda: coerce.like_pattern(raw),
               "text": lambda: coerce.text(raw),
               "tsquery": lambda: coerce.tsquery(raw),
               "json": lambda: coerce.contains_value(raw, column.field_type == "multi_select"),
               "strings": lambda: coerce.strings(raw)}
    return readers[kind]()
