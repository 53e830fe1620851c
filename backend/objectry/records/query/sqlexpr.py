"""SQL text for the small pieces: bound parameters, column expressions, one filter, ORDER BY,
and JSON objects. Values only ever appear as `$n`; names and field expressions only through
`objectry.sqltext`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from objectry.records.query.operators import IS_ANY_TYPE, IS_VALUES, OPERATORS
from objectry.records.query.planned import Col, Cond, SortKey
from objectry.sqltext import TEXT, field_expr, literal
from objectry.sqltext import limit as sqltext_limit

# jsonb_build_object takes at most 100 arguments; wider objects are built in chunks and joined.
_PAIRS_PER_CALL = 50


class Params:
    """The statement's arguments: `$1` is always the tenant id, `$2` the object id."""

    def __init__(self, tenant_id: str, object_id: str) -> None:
        self.args: list[Any] = [tenant_id, object_id]
        self._shared: dict[tuple[str, str], str] = {}
        self.cap: str | None = None  # the answer's byte cap, when the read is bounded
        # Lookups and rollups filtered or ordered on: computed field id → its column in a
        # grouped aggregate joined to the FROM, one per relationship (computed.py).
        self.joins: dict[str, str] = {}
        self.grouped: dict[tuple[str, bool], LinkAggregates | StoredRollups] = {}

    @property
    def join_sql(self) -> list[str]:
        """The LEFT JOINs the statement's FROM must carry for `joins`."""
        return [group.grouped() for group in self.grouped.values()]

    def add(self, value: Any, cast: str) -> str:
        self.args.append(value)
        return f"${len(self.args)}::{cast}"

    def shared(self, value: str, cast: str = TEXT) -> str:
        """One parameter for a text used many times (a relationship id)."""
        key = (cast, value)
        if key not in self._shared:
            self._shared[key] = self.add(value, cast)
        return self._shared[key]


@dataclass
class LinkAggregates:
    """The lookups and rollups over one relationship (one direction) as one aggregate query:
    one scan of the links and linked records however many of them a statement uses, each an
    aggregate (with its own FILTER) named `a<i>` (computed.py fills it)."""

    alias: str  # the derived table's alias
    source: str  # FROM: the links joined to the live linked records
    near: str  # the links' column holding the record the aggregates belong to
    conditions: list[str]  # the live links (of the correlated record, for a per-row one)
    columns: list[str] = dc_field(default_factory=list)
    by_field: dict[str, str] = dc_field(default_factory=dict)  # field id → `alias.a<i>`

    def add(self, field_id: str, aggregate: Callable[[], str]) -> str:
        """The column holding `aggregate()` for `field_id`, rendered once however often used
        (rendering binds a filter's values: a second rendering would leave unused `$n`)."""
        if field_id not in self.by_field:
            self.by_field[field_id] = f"{self.alias}.a{len(self.columns)}"
            self.columns.append(f"{aggregate()} AS a{len(self.columns)}")
        return self.by_field[field_id]

    def per_row(self) -> str:
        """One row of aggregates over the correlated record's links (a FROM item)."""
        return (f"(SELECT {', '.join(self.columns)} FROM {self.source} "
                f"WHERE {' AND '.join(self.conditions)}) {self.alias}")

    def grouped(self) -> str:
        """Every record's aggregates, grouped, joined to the records `r`."""
        return (f"LEFT JOIN (SELECT {self.near} AS id, {', '.join(self.columns)} "
                f"FROM {self.source} WHERE {' AND '.join(self.conditions)} "
                f"GROUP BY {self.near}) {self.alias} ON {self.alias}.id = r.id")


@dataclass
class StoredRollups:
    """An object's stored rollup values (`record_rollups`, migration 0022) in place of their
    aggregates: one probe of the record's row however many of them a statement reads."""

    alias: str
    parent: str | None  # the records whose values these are, for a per-row one

    def add(self, field_id: str, cast: str) -> str:
        return f"({self.alias}.rollups ->> {literal(field_id)})::{cast}"

    def probe(self) -> str:
        """The values of the record `parent` (NULL without a row: no linked record ever
        counted), as a scalar subquery."""
        values = f"{self.alias}_v"
        return (f"(SELECT {values}.rollups FROM record_rollups {values} "
                f"WHERE {values}.tenant_id = $1 AND {values}.id = {self.parent}.id)")

    def per_row(self) -> str:
        """The correlated record's values as a FROM item. OFFSET 0 keeps PostgreSQL from
        pulling the probe up into each expression that reads it: one probe per record, not one
        per use."""
        return f"(SELECT {self.probe()} AS rollups OFFSET 0) {self.alias}"

    def grouped(self) -> str:
        """Every record's values, joined to the records `r`."""
        return (f"LEFT JOIN record_rollups {self.alias} ON {self.alias}.tenant_id = $1 "
                f"AND {self.alias}.id = r.id")


def column_expr(column: Col, alias: str, params: Params | None = None) -> str:
    """`r.created_at` for a system column, `field_expr` for a stored field, the computed SQL
    of a formula, lookup or rollup (filtered or ordered on: a grouped join at the top)."""
    if column.system:
        return f"{alias}.{column.system}"
    if column.computed is not None:
        return _computed().value(column, alias, params, join=True)
    return field_expr(column.field_id or "", column.cast, alias, indexed=column.indexed)


def raw_expr(column: Col, alias: str, params: Params | None = None) -> str:
    """The uncast text (`->>`): NULL both when the key is missing and when it holds JSON null."""
    if column.system:
        return f"{alias}.{column.system}"
    if column.computed is not None:
        return f"({column_expr(column, alias, params)})::text"
    return f"({alias}.data ->> {literal(column.field_id or '')})"


def value_expr(column: Col, alias: str, params: Params | None = None) -> str:
    """A column's value as it goes into a JSON object: the stored JSON value for a field (a
    computed one's is `computed.json_value`)."""
    if column.system:
        return f"{alias}.{column.system}"
    return f"{alias}.data -> {literal(column.field_id or '')}"


def _computed() -> Any:
    # computed.py renders its subqueries with clauses.py, which renders through this module.
    from objectry.records.query import computed

    return computed


def condition(cond: Cond, alias: str, params: Params) -> str:
    op = OPERATORS[cond.op]
    column = column_expr(cond.column, alias, params)
    if op.value == "is":
        if cond.value in IS_ANY_TYPE:
            column = raw_expr(cond.column, alias, params)
        sql = op.template.format(col=column, val=IS_VALUES[cond.value])
    else:
        # Bound as text then cast: the name is from types.FTS_CONFIGS, but still a parameter.
        config = f"{params.add(cond.config, 'text')}::regconfig, " if cond.config else ""
        sql = op.template.format(col=column, val=_value(op.value, cond, params), cfg=config)
    return f"NOT ({sql})" if cond.negated else sql


def _value(kind: str, cond: Cond, params: Params) -> str:
    cast = cond.column.cast
    if kind == "scalar":
        return params.add(cond.value, cast)
    if kind == "list":
        return params.add(cond.value, f"{cast}[]")
    if kind == "json":
        return params.add(cond.value, "jsonb")
    if kind == "strings":
        return params.add(cond.value, "text[]")
    return params.add(cond.value, "text")  # pattern, text, tsquery


def order_by(keys: tuple[SortKey, ...], alias: str, params: Params | None = None) -> str:
    return ", ".join(sort_item(key, alias, params) for key in keys)


def sort_item(key: SortKey, alias: str, params: Params | None = None) -> str:
    sql = column_expr(key.column, alias, params) + (" DESC" if key.desc else "")
    if key.nulls_first is not None:
        sql += " NULLS FIRST" if key.nulls_first else " NULLS LAST"
    return sql


def page(limit: int | None, offset: int | None, params: Params) -> str:
    """LIMIT as a literal (sqltext.limit: a prepared list was otherwise planned again on every
    run, which took longer than reading its 50 rows), OFFSET as a parameter: it does not stop
    the generic plan, and keeps one statement for every page."""
    sql = "" if limit is None else sqltext_limit(limit)
    return sql + (f" OFFSET {params.add(offset, 'bigint')}" if offset else "")


def json_object(pairs: list[tuple[str, str]]) -> str:
    """A `json` object from (key, SQL expression) pairs, keys in order (json keeps order)."""
    if len(pairs) <= _PAIRS_PER_CALL:
        return _build("json_build_object", pairs)
    return f"({jsonb_object(pairs)})::json"  # over 50 keys: jsonb chunks (key order lost)


def jsonb_object(pairs: list[tuple[str, str]]) -> str:
    chunks = [pairs[i:i + _PAIRS_PER_CALL] for i in range(0, len(pairs), _PAIRS_PER_CALL)]
    return " || ".join(_build("jsonb_build_object", chunk) for chunk in chunks) \
        if chunks else "'{}'::jsonb"


def _build(function: str, pairs: list[tuple[str, str]]) -> str:
    return f"{function}(" + ", ".join(f"{literal(k)}, {v}" for k, v in pairs) + ")"
