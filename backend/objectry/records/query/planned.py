"""The checked query (the plan): every name resolved against metadata, every value coerced.

`plan.py` builds these; `render.py` turns them into SQL and `shape.py` turns result rows into
response objects. Nothing here holds request text that has not been checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import cached_property
from typing import Any

from objectry.metadata.computed import Link
from objectry.metadata.model import FieldDef, ObjectDef, RelationshipDef, Snapshot


@dataclass(frozen=True, slots=True)
class Col:
    """A resolved column: a field (by id) or a system column (a real `records` column)."""

    name: str  # the API name
    cast: str  # types.CASTS
    field_id: str | None = None
    system: str | None = None  # the records column, for a system column
    nullable: bool = True
    field_type: str | None = None  # FieldDef.type, for a field
    indexed: bool = False  # the field has an expression index on this object
    computed: Computed | None = None  # a formula, lookup or rollup: computed.py renders it


@dataclass(frozen=True)
class Computed:
    """A read-time field as the compiler renders it (records/query/computed.py)."""

    obj: ObjectDef
    field: FieldDef
    snapshot: Snapshot = dc_field(compare=False, repr=False)
    link: Link | None = None  # a lookup or rollup
    where: tuple[Where, ...] = ()  # a rollup's filter on the linked records
    usable: bool = True  # False: it no longer fits the workspace, and reads as NULL


@dataclass(frozen=True, slots=True)
class Cond:
    column: Col
    op: str
    value: Any  # coerced: Decimal, date, list, JSON value, or an IS keyword
    negated: bool = False
    config: str | None = None  # a text search configuration from types.FTS_CONFIGS


@dataclass(frozen=True, slots=True)
class CondGroup:
    op: str  # "and" | "or"
    items: tuple[Where, ...]
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Exists:
    """`embed=not.is.null` / `!inner`: the parent has at least one matching related record."""

    embed: EmbedPlan
    negated: bool = False


Where = Cond | CondGroup | Exists


@dataclass(frozen=True, slots=True)
class SortKey:
    column: Col
    desc: bool = False
    nulls_first: bool | None = None


@dataclass(frozen=True, slots=True)
class Output:
    """One key of a response object: a column, or an embed (then `label` is its SQL column)."""

    key: str
    column: Col | None = None
    embed: EmbedPlan | None = None
    label: str | None = None


@dataclass(frozen=True)
class EmbedPlan:
    key: str  # the output name (alias or name)
    relationship: RelationshipDef
    forward: bool  # True: the parent is the relationship's `from` side
    target: ObjectDef
    to_many: bool
    outputs: tuple[Output, ...]  # () for an embed used only to filter (`name()`)
    fields: tuple[FieldDef, ...]  # the fields whose values the response needs
    where: tuple[Where, ...] = ()
    order: tuple[SortKey, ...] = ()  # complete: ends with id
    limit: int | None = None
    offset: int | None = None
    inner: bool = False

    @property
    def cardinality(self) -> str:
        return "to-many" if self.to_many else "to-one"


@dataclass(frozen=True)
class ReadPlan:
    tenant_id: str
    obj: ObjectDef
    shape: str  # "rest" (flat PostgREST rows) | "record" (the /api/records object)
    outputs: tuple[Output, ...]
    fields: tuple[FieldDef, ...]  # the fields whose values the response needs
    all_fields: bool  # fetch `r.data` whole rather than only `fields`
    where: tuple[Where, ...] = ()
    order: tuple[SortKey, ...] = ()  # complete: the request's keys, then id as tie-breaker
    limit: int | None = None
    offset: int | None = None
    search: str | None = None
    max_bytes: int | None = None  # the answer's cap (OBJECTRY_MAX_RESPONSE_BYTES)
    computed: tuple[Col, ...] = ()  # the computed fields among `fields`, rendered into `data`

    # Computed once per plan (plans are kept per snapshot: records/query/memo.py).
    @cached_property
    def embeds(self) -> tuple[EmbedPlan, ...]:
        return tuple(o.embed for o in self.outputs if o.embed is not None)

    @property
    def has_filters(self) -> bool:
        """PATCH/DELETE without a filter are refused (PostgREST's safe-update rule)."""
        return bool(self.where)

    @cached_property
    def object_ids(self) -> frozenset[str]:
        """Every object this read touches, for per-object permission checks."""
        found = {self.obj.id}
        stack = list(self.embeds) + [w.embed for w in _flat(self.where) if isinstance(w, Exists)]
        while stack:
            embed = stack.pop()
            found.add(embed.target.id)
            stack.extend(o.embed for o in embed.outputs if o.embed is not None)
            stack.extend(w.embed for w in _flat(embed.where) if isinstance(w, Exists))
        return frozenset(found)


def _flat(items: tuple[Where, ...]) -> list[Where]:
    out: list[Where] = []
    stack = list(items)
    while stack:
        item = stack.pop()
        out.append(item)
        if isinstance(item, CondGroup):
            stack.extend(item.items)
    return out
