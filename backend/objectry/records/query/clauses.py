"""WHERE trees and embedded resources, which need each other: an embed has its own filters,
and a filter (`embed=not.is.null`, `!inner`) can ask whether an embed has rows.

Embeds are correlated subqueries through `relationship_records`, one statement for the whole
read (no N+1). Aliases are per depth (`l1`/`r1` under `r`, `l2`/`r2` under `r1`, …).
"""

from __future__ import annotations

from objectry.metadata.model import SYSTEM_COLUMNS
from objectry.records.query.bounded import capped_embed
from objectry.records.query.computed import Row, json_value, per_row
from objectry.records.query.planned import Cond, CondGroup, EmbedPlan, Where
from objectry.records.query.sqlexpr import (
    Params,
    condition,
    json_object,
    order_by,
    page,
    value_expr,
)
from objectry.sqltext import literal


def where_item(item: Where, alias: str, depth: int, params: Params) -> str:
    """One condition on the records aliased `alias` (at embedding depth `depth`)."""
    if isinstance(item, Cond):
        return condition(item, alias, params)
    if isinstance(item, CondGroup):
        joiner = " AND " if item.op == "and" else " OR "
        sql = "(" + joiner.join(where_item(i, alias, depth, params) for i in item.items) + ")"
    else:
        source, conditions = _link(item.embed, alias, depth + 1, params)
        sql = f"EXISTS (SELECT 1 FROM {source} WHERE {' AND '.join(conditions)})"
    return f"NOT {sql}" if item.negated else sql


def embed_sql(embed: EmbedPlan, parent: str, depth: int, params: Params, shape: str) -> str:
    """The embed as one `json` value: an array (to-many) or an object or NULL (to-one)."""
    source, conditions = _link(embed, parent, depth, params)
    alias = f"r{depth}"
    row = row_json(embed, alias, depth, params, shape)
    where = " AND ".join(conditions)
    if not embed.to_many:
        # No ORDER BY: a to-one side has at most one link (the unique indexes
        # uq_relationship_records_one_from/_one_to), and sorting it cost a sort per row.
        return f"(SELECT {row} FROM {source} WHERE {where} LIMIT 1)"
    order = order_by(embed.order, alias, params)
    e = f"e{depth}"
    # row_number carries the order through json_agg, which would not keep a subquery's order.
    rows = (f"(SELECT {row} AS j, row_number() OVER (ORDER BY {order}) AS n FROM {source} "
            f"WHERE {where} ORDER BY {order}{page(embed.limit, embed.offset, params)})")
    if params.cap is not None:
        rows = capped_embed(rows, params.cap)
    return f"COALESCE((SELECT json_agg({e}.j ORDER BY {e}.n) FROM {rows} {e}), '[]'::json)"


def row_json(embed: EmbedPlan, alias: str, depth: int, params: Params, shape: str) -> str:
    """One related record: keyed by the select's names ("rest"), or the /api record form."""
    pairs: list[tuple[str, str]] = []
    nested: list[tuple[str, str]] = []
    row = Row(alias)  # its lookups and rollups, each computed once per related record
    for output in embed.outputs:
        column = output.column
        if output.embed is not None:
            sql = embed_sql(output.embed, alias, depth + 1, params, shape)
            (pairs if shape == "rest" else nested).append((output.key, sql))
        elif shape == "rest" and column is not None and column.computed is not None:
            pairs.append((output.key, json_value(column, alias, params, row)))
        elif shape == "rest" and column is not None:
            pairs.append((output.key, value_expr(column, alias, params)))
    if shape == "rest":
        return per_row(json_object(pairs), row)
    data = [(f.name, f"{alias}.data -> {literal(f.id)}") for f in embed.fields]
    pairs = [("id", f"{alias}.id"), ("object_id", f"{alias}.object_id"),
             ("object", literal(embed.target.name)), ("data", json_object(data))]
    pairs += [(name, f"{alias}.{column}") for name, column in SYSTEM_COLUMNS.items()
              if name != "id"]
    if nested:
        pairs.append(("related", json_object(nested)))
    return json_object(pairs)


def _link(embed: EmbedPlan, parent: str, depth: int, params: Params) -> tuple[str, list[str]]:
    """FROM and WHERE reaching the parent's live related records through its links."""
    alias = f"r{depth}"
    source, _, conditions = live_links(embed.forward, f"l{depth}", alias,
                                       params.shared(embed.relationship.id), parent)
    conditions += [where_item(item, alias, depth, params) for item in embed.where]
    return source, conditions


def live_links(forward: bool, link: str, alias: str, relationship: str,
               parent: str | None = None) -> tuple[str, str, list[str]]:
    """Links of one relationship (`relationship`: its id as SQL) joined to the live records on
    their far side: FROM, the near end's column, and the conditions — with `parent`, only the
    links of that record (embeds, correlated lookups and rollups); without, all of them
    (a grouped rollup)."""
    near, far = (("from_record_id", "to_record_id") if forward
                 else ("to_record_id", "from_record_id"))
    source = (f"relationship_records {link} JOIN records {alias} "
              f"ON {alias}.tenant_id = {link}.tenant_id AND {alias}.id = {link}.{far}")
    conditions = [f"{link}.tenant_id = $1", f"{link}.relationship_id = {relationship}"]
    if parent is not None:
        conditions.append(f"{link}.{near} = {parent}.id")
    return source, f"{link}.{near}", [*conditions, f"{alias}.deleted_at IS NULL"]
