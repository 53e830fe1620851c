"""Computed fields in the compiler: their columns (`column`, resolved once per snapshot) and
their SQL (`value`), which `sqlexpr.column_expr` hands every computed column to, so select,
filters, order and cursors all read the one expression.

Lookups and rollups follow `relationship_records` to the linked, not-trashed records. In the
select list they are correlated subqueries: PostgreSQL evaluates the output of a LIMITed,
ordered scan after the limit, so a page of 50 runs each at most 50 times, over the page's own
links. Filtered or ordered on (every row of the object then needs one), each becomes one
grouped aggregate over the relationship joined to the records (`Params.joins`): one
HashAggregate, never a subquery per row of the object.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qsl

from objectry.metadata import computed as meta
from objectry.metadata.model import FieldDef, ObjectDef, Snapshot
from objectry.metadata.value_sql import value_sql
from objectry.records.query.errors import QueryError
from objectry.records.query.planned import Col, Computed, Where
from objectry.records.query.sqlexpr import Params
from objectry.sqltext import JSONB, NUMERIC, field_expr, ident, literal

_NONE = {"count": "0", "sum": "0", "lookup": "'[]'::jsonb"}  # the value over no records


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


def value(column_: Col, alias: str, params: Params | None, *, join: bool) -> str:
    """A computed column's typed SQL on the records aliased `alias`. `join`: it is filtered or
    ordered on, so at the top level (`r`) a lookup or rollup is a grouped join."""
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
        return _aggregate(used.computed, alias, params, join=join)

    try:
        return value_sql(computed.snapshot, computed.obj, computed.field, alias, read_time)
    except meta.Unresolved:
        return f"NULL::{column_.cast}"


def json_value(column_: Col, alias: str, params: Params) -> str:
    """The value as it goes into a response's JSON (numbers without trailing zeros)."""
    sql = value(column_, alias, params, join=False)
    if column_.cast == JSONB:
        return sql
    if column_.cast == NUMERIC:
        sql = f"trim_scale({sql})"
    return f"to_jsonb({sql})"


def _aggregate(computed: Computed, alias: str, params: Params, *, join: bool) -> str:
    link = computed.link
    assert link is not None
    key = computed.field.id
    if alias == "r" and (join or key in params.joins):
        if key not in params.joins:
            name = ident(f"_j{len(params.joins)}")
            params.joins[key] = name
            params.join_sql.append(
                f"LEFT JOIN ({_grouped(computed, params)}) {name} ON {name}.id = r.id")
        found = f"{params.joins[key]}.v"
    else:
        found = f"({_correlated(computed, alias, params)})"
    fallback = _NONE.get(link.function)
    return f"COALESCE({found}, {fallback})" if fallback else found


def _source(computed: Computed, alias: str, params: Params, parent: str | None
            ) -> tuple[str, str, list[str]]:
    """FROM, the near end's link column, and the conditions reaching the live linked records
    (of `parent` only, when given) that the lookup or rollup reads."""
    from objectry.records.query.clauses import live_links, where_item  # they render via sqlexpr

    link = computed.link
    assert link is not None
    far_alias = f"{alias}_t"
    source, near, conditions = live_links(link.forward, f"{alias}_l", far_alias,
                                          literal(link.relationship.id), parent)
    if link.function == "lookup" and link.target is not None:
        conditions.append(f"({far_alias}.data ->> {literal(link.target.id)}) IS NOT NULL")
    conditions += [where_item(item, far_alias, 0, params) for item in computed.where]
    return source, near, conditions


def _function(computed: Computed, far_alias: str) -> str:
    link = computed.link
    assert link is not None
    target = link.target
    if link.function == "lookup":
        assert target is not None
        return (f"jsonb_agg({far_alias}.data -> {literal(target.id)} "
                f"ORDER BY {far_alias}.created_at, {far_alias}.id)")
    if target is None:
        return "count(*)"
    expr = field_expr(target.id, meta.stored_cast(target), far_alias, indexed=False)
    return f"{link.function}({expr})"


def _correlated(computed: Computed, alias: str, params: Params) -> str:
    source, _, conditions = _source(computed, alias, params, alias)
    return (f"SELECT {_function(computed, f'{alias}_t')} FROM {source} "
            f"WHERE {' AND '.join(conditions)}")


def _grouped(computed: Computed, params: Params) -> str:
    source, near, conditions = _source(computed, "j", params, None)
    return (f"SELECT {near} AS id, {_function(computed, 'j_t')} AS v FROM {source} "
            f"WHERE {' AND '.join(conditions)} GROUP BY {near}")
