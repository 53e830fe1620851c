"""A `ReadPlan` → one SQL statement and its arguments (`$1` tenant id, `$2` object id).

    [SELECT q.*, <running size, checked> AS "_bytes" FROM (]
    SELECT r.id, r.object_id, <data> AS data, r.primary_value, r.version, r.created_at,
           r.updated_at, r.created_by, r.updated_by [, <sort key> AS "_k<i>"]
           [, <embed json> AS "_e<i>"] [, count(*) OVER () AS "_total"]
    FROM records_in_scope r
    WHERE <IN_SCOPE> AND r.tenant_id = $1 AND r.object_id = $2 AND r.tenant_id = '<wsp>' AND
          r.object_id = '<obj>' AND r.deleted_at IS NULL [AND …]
    ORDER BY <keys>, r.id LIMIT $n OFFSET $m
    [) q]                               -- with max_bytes: bounded.py

`shape.py` turns such rows into response objects; `cursor.py` reads `_k<i>` for cursors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from objectry.records.query import coerce
from objectry.records.query.bounded import capped_rows, shared_rows
from objectry.records.query.clauses import embed_sql, where_item
from objectry.records.query.computed import json_values
from objectry.records.query.cursor import typed_values
from objectry.records.query.keyset import keyset_sql
from objectry.records.query.planned import ReadPlan
from objectry.records.query.sqlexpr import Params, jsonb_object, order_by, page, raw_expr
from objectry.sqltext import ident, literal

Statement = tuple[str, list[Any]]


# Reads go through this view (migration 0003): the workspace's records, filtered so that field
# expression indexes stay usable under row-level security. Writes use the table itself.
SCOPED_RECORDS = "records_in_scope"

# Isolation before predicates, where no index bounds the scan (a sequential scan; docs/
# ARCHITECTURE.md, "Tenant isolation"). PostgreSQL evaluates a scan's conditions cheapest
# first, keeping the written order among equals, but its own `tenant_id = …` comes from an
# equivalence class and is appended after every condition of the query, so a caller's
# one-operator condition (`primary_value LIKE …`) ran on every workspace's rows first. This
# guard costs one operator too, is written first, is never merged into an equivalence class,
# and is estimated true for 99.5% of rows (IS NOT UNKNOWN), so it bends no row estimate.
IN_SCOPE = "(CASE WHEN r.tenant_id = $1 THEN TRUE END) IS NOT UNKNOWN"


def render_read(plan: ReadPlan, *, count: bool = False, after: Sequence[Any] | None = None,
                peek: bool = False, trashed: bool = False, share: bool = False) -> Statement:
    """The page. `after`: a decoded cursor (keyset pagination); `peek`: fetch one row more
    than the limit so `cursor.next_page` can tell whether another page exists; `count`: add
    `_total`, the number of rows matching the filters (and the cursor, when given);
    `trashed`: read the records in the trash instead of the live ones. A plan with
    `max_bytes` is bounded by its answer's size (bounded.py: SQLSTATE OB413 beyond it); with
    `share`, each row by its share of it when the page is limited (bounded.capped_rows: an
    OB413 then only means "read again without `share`", repo.page_rows)."""
    params = Params(plan.tenant_id, plan.obj.id)
    if plan.max_bytes is not None:
        params.cap = params.add(plan.max_bytes, "bigint")
    # WHERE and ORDER BY first: a lookup or rollup they use becomes a join of the FROM, which
    # the select list then reads too.
    where = _where(plan, params, trashed)
    if after is not None:
        where += " AND " + keyset_sql(plan.order, typed_values(plan.order, after), "r", params)
    order = order_by(plan.order, "r", params)
    columns = [f"r.id, r.object_id, {_data(plan, params)} AS data, r.primary_value, r.version, "
               "r.created_at, r.updated_at, r.created_by, r.updated_by"]
    columns += [f"{raw_expr(key.column, 'r', params)} AS {ident(f'_k{i}')}"
                for i, key in enumerate(plan.order) if key.column.field_id]
    columns += [f"{embed_sql(o.embed, 'r', 1, params, plan.shape)} AS {ident(o.label or '')}"
                for o in plan.outputs if o.embed is not None]
    if count:
        columns.append(f"count(*) OVER () AS {ident('_total')}")
    sql = f"SELECT {', '.join(columns)} FROM {_source(params)} WHERE {where} ORDER BY {order}"
    limit = None if plan.limit is None else plan.limit + (1 if peek else 0)
    sql += page(limit, plan.offset, params)
    if params.cap is not None and plan.max_bytes is not None:
        rows = shared_rows(plan.max_bytes, limit) if share else None
        sql = capped_rows(sql, [o.label or "" for o in plan.outputs if o.embed], params.cap,
                          rows=rows)
    return sql, params.args


def render_count(plan: ReadPlan, *, trashed: bool = False) -> Statement:
    """`count=exact`: the rows matching the filters (no cursor, order or limit)."""
    params = Params(plan.tenant_id, plan.obj.id)
    where = _where(plan, params, trashed)
    return f"SELECT count(*) AS total FROM {_source(params)} WHERE {where}", params.args


def render_match_ids(plan: ReadPlan) -> Statement:
    """PATCH/DELETE by filter: the matching live records, locked. Without limit/offset they are
    locked in id order, so two such statements cannot deadlock on each other."""
    params = Params(plan.tenant_id, plan.obj.id)
    paged = plan.limit is not None or bool(plan.offset)
    where = _where(plan, params)
    order = order_by(plan.order, "r", params) if paged else "r.id"
    source = f"records r {' '.join(params.join_sql)}".rstrip()
    sql = f"SELECT r.id, r.data, r.version FROM {source} WHERE {where} ORDER BY {order}"
    lock = " FOR UPDATE OF r" if params.join_sql else " FOR UPDATE"  # not the grouped joins
    return sql + page(plan.limit, plan.offset, params) + lock, params.args


def render_match_snapshots(plan: ReadPlan, snapshots: list[Any]) -> Statement:
    """Which of these records, each a `records` row as JSON (a copy taken when it changed, not
    the table), the plan's filter accepts: their 1-based positions. Webhooks match an event's
    record as it was after its write, whatever happened to it since."""
    params = Params(plan.tenant_id, plan.obj.id)
    rows = params.add(snapshots, "jsonb")
    conditions = ["r.tenant_id = $1", "r.object_id = $2"]
    conditions += [where_item(item, "r", 0, params) for item in plan.where]
    sql = (f"SELECT s.n FROM jsonb_array_elements({rows}) WITH ORDINALITY AS s(j, n),"
           f" jsonb_populate_record(NULL::records, s.j) AS r WHERE {' AND '.join(conditions)}")
    return sql, params.args


def _where(plan: ReadPlan, params: Params, trashed: bool = False) -> str:
    live = "r.deleted_at IS NOT NULL" if trashed else "r.deleted_at IS NULL"
    # The ids also as literals (from the principal and the metadata, never from the request):
    # a field index is partial on them, and only literals let PostgreSQL prove its predicate
    # in a generic plan, which it switches to after five runs of a prepared statement.
    parts = [IN_SCOPE, "r.tenant_id = $1", "r.object_id = $2",
             f"r.tenant_id = {literal(plan.tenant_id)}", f"r.object_id = {literal(plan.obj.id)}",
             live]
    if plan.search:
        pattern = params.add(coerce.escape_like(plan.search), "text")
        parts.append(f"r.primary_value ILIKE '%' || {pattern} || '%'")
    parts += [where_item(item, "r", 0, params) for item in plan.where]
    return " AND ".join(parts)


def _source(params: Params) -> str:
    """The records in scope, with the grouped lookups and rollups filtered or ordered on."""
    return " ".join([f"{SCOPED_RECORDS} r", *params.join_sql])


def _data(plan: ReadPlan, params: Params) -> str:
    """`r.data` whole, or only the selected fields (still keyed by field id), with the values of
    the computed fields among them (a null one left out, as an absent stored value is)."""
    if plan.all_fields and not plan.computed:
        return "r.data"

    def build(computed: list[tuple[str, str]]) -> str:
        if plan.all_fields:
            return f"(r.data || jsonb_strip_nulls({jsonb_object(computed)}))"
        values = dict(computed)
        return jsonb_object([(f.id, values.get(f.id, f"r.data -> {literal(f.id)}"))
                             for f in plan.fields])

    return json_values(plan.computed, "r", params, build)

