"""The records query compiler (pure: no I/O): PostgREST query string → parse → plan → render.

    query = parse_rest(pairs)                        # grammar only      (parse.py, select.py)
    plan = plan_read(query, obj, snapshot)           # names, types      (plan.py)
    sql, args = render_read(plan)                    # one statement     (render.py)

    sql, args = render_json(plan)                    # the page as JSON  (as_json.py)

PostgreSQL writes the responses' JSON (`render_json`: field ids → names, the /api record and
the /rest/v1 row), which the handlers send as bytes.
"""

from objectry.records.query.as_json import render_json
from objectry.records.query.cursor import (
    cursor_values,
    decode_cursor,
    encode_cursor,
    next_cursor,
)
from objectry.records.query.errors import QueryError
from objectry.records.query.nodes import Column, Embed, Filter, Group, Order, Query, Star
from objectry.records.query.parse import parse_query, parse_records, parse_rest
from objectry.records.query.plan import plan_read
from objectry.records.query.planned import ReadPlan
from objectry.records.query.render import (
    render_count,
    render_match_ids,
    render_match_snapshots,
    render_read,
)
from objectry.records.query.select import parse_expand, parse_select

__all__ = [
    "Column", "Embed", "Filter", "Group", "Order", "Query", "QueryError", "ReadPlan", "Star",
    "cursor_values", "decode_cursor", "encode_cursor", "next_cursor", "parse_expand",
    "parse_query", "parse_records", "parse_rest", "parse_select", "plan_read", "render_count",
    "render_json", "render_match_ids", "render_match_snapshots", "render_read",
]
