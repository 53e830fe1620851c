"""The statements that keep an object's stored rollups (migration 0022), rendered from the
compiler's own aggregates (computed.py), so what a rollup computes is written once: the one
the triggers run for some records, and the fill for all of them at a schema change.

A statement is kept and run later by PostgreSQL itself, with nothing to bind: a rollup
filter's values (metadata an admin saved, checked like a request's) are rendered as literals
through `sqltext.literal`, as a formula's constants are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

import orjson

from objectry.metadata.model import ObjectDef, Snapshot
from objectry.metadata.value_sql import constant
from objectry.records.query.computed import (
    Row,
    column,
    link_aggregate,
    link_group,
    per_row,
    storable,
)
from objectry.records.query.planned import Computed, Cond, CondGroup, Where
from objectry.records.query.sqlexpr import LinkAggregates, Params, StoredRollups
from objectry.sqltext import literal


@dataclass(frozen=True)
class RollupStatement:
    """What computes an object's stored rollups. `sql`, run by the triggers with `$1` the
    workspace and `$2` some of the object's record ids, sets their rows of `record_rollups`
    (field id → value): an UPDATE with the values as a correlated subquery, the plainest
    statement to plan, which the triggers do on every run (~0.13 ms). `fill`, run with `$1`
    when the statement changes, inserts the row of every record with a link through
    `forward` (the object is their `from` side) or `backward` relationships, the same
    aggregates grouped (one HashAggregate a relationship, not a subquery a record)."""

    sql: str
    fill: str
    forward: tuple[str, ...]
    backward: tuple[str, ...]
    # The linked records' field ids the rollups read (what they aggregate, what their filters
    # test): an update that changes none of them changes no value.
    reads: tuple[str, ...]


def rollup_statement(snapshot: Snapshot, obj: ObjectDef) -> RollupStatement | None:
    """The statement for `obj`'s stored rollups, None if it has none (once per snapshot)."""
    found: tuple[RollupStatement | None] = snapshot.memo(
        "rollup_statement", obj, lambda o: (_render(snapshot, o),))
    return found[0]


def current(snapshot: Snapshot, obj: ObjectDef) -> bool:
    """Whether `obj`'s values were computed by the statement rendered for this snapshot (once
    per snapshot): only then may a read take them."""
    def check(o: ObjectDef) -> bool:
        statement = rollup_statement(snapshot, o)
        return statement is not None and snapshot.rollup_statements.get(o.id) == statement.sql

    found: bool = snapshot.memo("rollups_current", obj, check)
    return found


def _render(snapshot: Snapshot, obj: ObjectDef) -> RollupStatement | None:
    stored = [c for c in (column(snapshot, obj, f) for f in obj.fields if f.type == "rollup")
              if storable(c.computed)]
    if not stored:
        return None
    stored.sort(key=lambda c: c.field_id or "")
    params = Literals(snapshot.tenant_id, obj.id)
    row = Row("r")  # per record: the triggers' statement
    grouped: dict[tuple[str, bool], LinkAggregates | StoredRollups] = {}  # all: the fill
    pairs: list[str] = []
    all_pairs: list[str] = []
    for col in stored:
        computed = col.computed
        assert computed is not None and computed.link is not None
        field_id = col.field_id or ""
        for groups, name, parent, into in ((row.groups, "_c", "r", pairs),
                                           (grouped, "_j", None, all_pairs)):
            group = link_group(groups, computed, f"{name}{len(groups)}", parent)
            aggregate = group.add(field_id, partial(link_aggregate, computed, group.alias, params))
            into.append(f"{literal(field_id)}, {aggregate}")
    assert len(params.args) == 2, "a stored statement binds no value"
    values = per_row(f"jsonb_build_object({', '.join(pairs)})", row)
    of_object = f"r.tenant_id = $1 AND r.object_id = {literal(obj.id)}"
    linked = " OR ".join(f"{g.alias}.id IS NOT NULL" for g in grouped.values())
    links = [c.computed.link for c in stored if c.computed and c.computed.link]
    return RollupStatement(
        f"UPDATE record_rollups r SET rollups = {values} WHERE {of_object}"
        " AND r.id = any($2::text[])",
        "INSERT INTO record_rollups (tenant_id, id, object_id, rollups)"
        f" SELECT r.tenant_id, r.id, r.object_id, jsonb_build_object({', '.join(all_pairs)})"
        f" FROM records r {' '.join(g.grouped() for g in grouped.values())}"
        f" WHERE {of_object} AND ({linked})",
        tuple(sorted({link.relationship.id for link in links if link.forward})),
        tuple(sorted({link.relationship.id for link in links if not link.forward})),
        _reads([c.computed for c in stored if c.computed]))


def _reads(rollups: list[Computed]) -> tuple[str, ...]:
    found: set[str] = set()
    items: list[Where] = [item for computed in rollups for item in computed.where]
    while items:
        item = items.pop()
        if isinstance(item, CondGroup):
            items.extend(item.items)
        elif isinstance(item, Cond) and item.column.field_id is not None:  # storable: always
            found.add(item.column.field_id)
    found.update(c.link.target.id for c in rollups if c.link and c.link.target)
    return tuple(sorted(found))


class Literals(Params):
    """Parameters rendered in place, as `'value'::cast`: each value's text is what PostgreSQL
    reads back as the same value under any DateStyle or TimeZone (ISO dates and datetimes
    with their offset, numbers as Decimal writes them)."""

    def add(self, value: Any, cast: str) -> str:
        if cast == "jsonb":
            return f"{literal(orjson.dumps(value).decode())}::jsonb"
        if cast.endswith("[]"):
            return f"ARRAY[{', '.join(map(_text, value))}]::{cast}"
        return f"{_text(value)}::{cast}"


def _text(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "'true'" if value else "'false'"
    if isinstance(value, dt.date):  # a datetime too: its offset is part of the text
        return literal(value.isoformat())
    if isinstance(value, str | int | Decimal | float):
        return constant(value)  # as a formula's constants
    raise TypeError(f"no literal for a {type(value).__name__}")
