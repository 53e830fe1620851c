"""Computed fields in the compiler: their columns (`column`, resolved once per snapshot) and
their SQL (`value`), which `sqlexpr.column_expr` hands every computed column to, so select,
filters, order and cursors all read the one expression.

Lookups and rollups follow `relationship_records` to the linked, not-trashed records, and
those over one relationship are aggregated together (`LinkAggregates`: one scan, each field an
aggregate with its own FILTER), each once however often it is used (a formula over two rollups
reads their columns). In the select list (`json_values`) that is one correlated subquery per
row: PostgreSQL evaluates the output of a LIMITed, ordered scan after the limit, so a page of
50 runs it at most 50 times, over the page's own links. Filtered or ordered on (every row of
the object then needs them), they are one grouped aggregate per relationship joined to the
records (`Params.grouped`): one HashAggregate, never a subquery per row of the object.

Rollups are stored (migration 0022): the writes that change them keep each
record's values in `record_rollups` by running the statement rollup_statement.py renders from
this module's aggregates, so what a rollup is stays written once. A read takes a record's
values with one probe of its row (`StoredRollups`) while the stored statement is the one
rendered for the snapshot it reads with; otherwise it aggregates, as for a lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from urllib.parse import parse_qsl

from objectry.metadata import computed as meta
from objectry.metadata.model import FieldDef, ObjectDef, Snapshot
from objectry.metadata.value_sql import value_sql
from objectry.records.query.errors import QueryError
from objectry.records.query.planned import Col, Computed, Cond, CondGroup, Where
from objectry.records.query.sqlexpr import LinkAggregates, Params, StoredRollups
from objectry.sqltext import JSONB, NUMERIC, field_expr, literal

_NONE = {"count": "0", "sum": "0", "lookup": "'[]'::jsonb"}  # the value over no records
_STORED = ("record_rollups", True)  # the key of an object's stored values among its groups


def column(snapshot: Snapshot, obj: ObjectDef, field: FieldDef) -> Col:
    """The column of a formula, lookup or rollup (once per snapshot and field)."""
    return snapshot.memo(f"column:{field.id}", obj, lambda o: _column(snapshot, o, field))


def _column(snapshot: Snapshot, obj: ObjectDef, field: FieldDef) -> Col:
    computed = Computed(obj, field, snapshot)
    try:
        if field.type == "formula":
            meta.checked_formula(snapshot, obj, field)
            computed = replace(computed, usable=not meta.formula_cycle(snapshot, obj, field))
        else:
            link = meta.link(snapshot, obj, field)
            computed = replace(computed, link=link, where=_filter(link))
    except (meta.Unresolved, QueryError):
        computed = replace(computed, usable=False)
    return Col(field.name, meta.value_cast(snapshot, obj, field), field_id=field.id,
               field_type=field.type, computed=computed)


def _filter(link: meta.Link) -> tuple[Where, ...]:
    """A rollup's filter, planned against the linked object's stored fields."""
    if link.filter is None:
        return ()
    # plan.py builds these columns, so it is imported here, where it is needed.
    from objectry.records.query import parse, plan

    query = parse.parse_rest(parse_qsl(link.filter, keep_blank_values=True))
    stored = tuple(f for f in link.other.fields if not meta.is_read_time(f))
    return plan.plan_where(query.where, replace(link.other, fields=stored))


def value(column_: Col, alias: str, params: Params | None, *, join: bool,
          row: Row | None = None) -> str:
    """A computed column's typed SQL on the records aliased `alias`. `join`: it is filtered or
    ordered on, so at the top level (`r`) a lookup or rollup is a grouped join. `row`: the
    per-row aggregates the value may read (`json_values`); without, a lookup or rollup is a
    correlated subquery of its own."""
    computed = column_.computed
    assert computed is not None
    if not computed.usable:
        return f"NULL::{column_.cast}"

    def read_time(field: FieldDef) -> str:
        used = column(computed.snapshot, computed.obj, field)
        if used.computed is None or not used.computed.usable or used.computed.link is None:
            return f"NULL::{used.cast}"
        if params is None:
            raise ValueError("a lookup or rollup needs the statement's parameters")
        return _aggregate(used.computed, alias, params, join=join, row=row)

    try:
        return value_sql(computed.snapshot, computed.obj, computed.field, alias, read_time)
    except meta.Unresolved:
        return f"NULL::{column_.cast}"


def json_value(column_: Col, alias: str, params: Params, row: Row | None = None) -> str:
    """The value as it goes into a response's JSON (numbers without trailing zeros)."""
    sql = value(column_, alias, params, join=False, row=row)
    if column_.cast == JSONB:
        return sql
    if column_.cast == NUMERIC:
        sql = f"trim_scale({sql})"
    return f"to_jsonb({sql})"


class Row:
    """The lookups and rollups one row of the records `alias` reads, one `LinkAggregates` per
    relationship (and one `StoredRollups`): a formula over two rollups and those rollups
    themselves share one scan."""

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.groups: dict[tuple[str, bool], LinkAggregates | StoredRollups] = {}


def json_values(columns: Sequence[Col], alias: str, params: Params,
                build: Callable[[list[tuple[str, str]]], str]) -> str:
    """`build(pairs)`, pairs of a computed field id and its JSON value, each lookup and rollup
    computed once per row. A select list is evaluated after ORDER BY … LIMIT, so this is one
    correlated subquery per row of the page whose FROM holds one aggregate row per
    relationship; a formula reads the aggregates there rather than aggregating again. (A
    LATERAL join in the statement's FROM would sit below the sort and, when no index gives
    the order, run for every row of the object.)"""
    row = Row(alias)
    return per_row(build([(c.field_id or "", json_value(c, alias, params, row))
                          for c in columns]), row)


def per_row(sql: str, row: Row) -> str:
    """`sql`, which reads `row`'s aggregates, as the subquery that computes them."""
    if not row.groups:  # no lookup or rollup: no subquery
        return sql
    return f"(SELECT {sql} FROM {', '.join(g.per_row() for g in row.groups.values())})"


def _aggregate(computed: Computed, alias: str, params: Params, *, join: bool,
               row: Row | None) -> str:
    link = computed.link
    assert link is not None
    key = computed.field.id
    if alias == "r" and (join or key in params.joins):
        if key not in params.joins:
            params.joins[key] = _in_group(params.grouped, computed, f"_j{len(params.grouped)}",
                                          None, params)
        found = params.joins[key]
    elif row is not None and row.alias == alias:
        found = _in_group(row.groups, computed, f"_c{len(row.groups)}", alias, params)
    elif _reads_stored(computed):  # a filter on an embedded record's column: a probe of its own
        found = (f"({StoredRollups(alias, alias).probe()} ->> {literal(key)})"
                 f"::{meta.value_cast(computed.snapshot, computed.obj, computed.field)}")
    else:  # the same, aggregated: a subquery of its own
        group = link_group({}, computed, alias, alias)
        found = (f"(SELECT {link_aggregate(computed, alias, params)} FROM {group.source} "
                 f"WHERE {' AND '.join(group.conditions)})")
    fallback = _NONE.get(link.function)
    return f"COALESCE({found}, {fallback})" if fallback else found


def link_group(groups: dict[tuple[str, bool], LinkAggregates | StoredRollups],
               computed: Computed, name: str, parent: str | None) -> LinkAggregates:
    """The aggregates over `computed`'s relationship in `groups`, made on first use: the live
    linked records (of `parent` only, when given), aliased `<name>_l` and `<name>_t`."""
    from objectry.records.query.clauses import live_links  # it renders via sqlexpr

    link = computed.link
    assert link is not None
    key = (link.relationship.id, link.forward)
    if key not in groups:
        source, near, conditions = live_links(link.forward, f"{name}_l", f"{name}_t",
                                              literal(link.relationship.id), parent)
        groups[key] = LinkAggregates(name, source, near, conditions)
    group = groups[key]
    assert isinstance(group, LinkAggregates)
    return group


def storable(computed: Computed | None) -> bool:
    """A rollup whose values are stored: one that fits its workspace and whose filter, if it
    has one, reads only the linked records' own fields, so that the updates that change those
    are the ones that recompute it (rollup_statement.RollupStatement.reads). A condition on
    their links would need the writes of other links to recompute it too, and one on a system
    column every update."""
    return (computed is not None and computed.usable and computed.field.type == "rollup"
            and computed.link is not None and all(map(_own_fields, computed.where)))


def _own_fields(item: Where) -> bool:
    if isinstance(item, CondGroup):
        return all(map(_own_fields, item.items))
    return isinstance(item, Cond) and item.column.field_id is not None


def _reads_stored(computed: Computed) -> bool:
    """Whether this rollup is read from its stored value: the values of its object were
    computed by the statement rendered for this snapshot."""
    from objectry.records.query.rollup_statement import current  # it renders via this module

    snapshot, obj = computed.snapshot, computed.obj
    if obj.id not in snapshot.rollup_statements or not storable(computed):
        return False
    return current(snapshot, obj)


def _in_group(groups: dict[tuple[str, bool], LinkAggregates | StoredRollups],
              computed: Computed, name: str, parent: str | None, params: Params) -> str:
    """The lookup's or rollup's column in `groups` (made on first use, named `name`): the
    stored value, typed as its aggregate would be (NULL: no row, no records), or else the
    aggregate in its relationship's group."""
    key = computed.field.id
    if _reads_stored(computed):
        stored = groups.setdefault(_STORED, StoredRollups(name, parent))
        assert isinstance(stored, StoredRollups)
        return stored.add(key, meta.value_cast(computed.snapshot, computed.obj, computed.field))
    group = link_group(groups, computed, name, parent)
    return group.add(key, lambda: link_aggregate(computed, group.alias, params))


def link_aggregate(computed: Computed, group: str, params: Params) -> str:
    """The aggregate over the group's linked records (`<group>_t`), with the field's own
    conditions (a rollup's filter, a lookup's present values) as its FILTER, so aggregates
    with different conditions still share the group's one scan."""
    from objectry.records.query.clauses import where_item  # it renders via sqlexpr

    link = computed.link
    assert link is not None
    target = link.target
    far = f"{group}_t"
    conditions = [where_item(item, far, 0, params) for item in computed.where]
    if link.function == "lookup":
        assert target is not None
        conditions.insert(0, f"({far}.data ->> {literal(target.id)}) IS NOT NULL")
        sql = (f"jsonb_agg({far}.data -> {literal(target.id)} "
               f"ORDER BY {far}.created_at, {far}.id)")
    elif target is None:
        sql = "count(*)"
    else:
        expr = field_expr(target.id, meta.stored_cast(target), far, indexed=False)
        sql = f"{link.function}({expr})"
    return f"{sql} FILTER (WHERE {' AND '.join(conditions)})" if conditions else sql
