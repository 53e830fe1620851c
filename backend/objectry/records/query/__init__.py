"""The records query compiler (pure: no I/O): PostgREST query string → parse → plan → render.

    query = parse_rest(pairs)                        # grammar only      (parse.py, select.py)
    plan = plan_read(query, obj, snapshot)           # names, types      (plan.py)
    sql, args = render_read(plan)                    # one statement     (render.py)

Its rows are turned into API objects by records/shape.py (field ids → names), the one place
that does so for /api/records and /rest/v1 alike.
"""

from objectry.records.query.cursor import cursor_values, decode_cursor, encode_cursor, next_page
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
    "cursor_values", "decode_cursor", "encode_cursor", "next_page", "parse_expand",
    "parse_query", "parse_records", "parse_rest", "parse_select", "plan_read", "render_count",
    "render_match_ids", "render_match_snapshots", "render_read",
]
