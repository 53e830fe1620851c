"""Two workspaces' records at a realistic size, and reading EXPLAIN plans: whether every scan
of `records` is bounded by the workspace before any condition of the caller (used by
test_rest_isolation.py)."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from objectry.db import tenancy
from objectry.records import query
from tests.api.builders import add_field, make_object
from tests.api.conftest import client, sign_up

THEIRS, OURS = 28_000, 4_000
FIELDS = (("name", "text", {}), ("n", "number", {"is_indexed": True}), ("day", "date", {}),
          ("note", "long_text", {}))
# Planner settings for the three ways a scan of records can go.
MODES = {
    "chosen": (),
    "bitmap": ("enable_indexscan", "enable_indexonlyscan", "enable_seqscan"),
    "sequential": ("enable_indexscan", "enable_indexonlyscan", "enable_bitmapscan"),
}


async def workspace(app: Any) -> dict[str, Any]:
    account = await sign_up(app)
    async with client(app, account.headers) as api:
        obj = await make_object(api, "hay")
        for name, type_, flags in FIELDS:
            await add_field(api, "hay", name, type_, **flags)
    snapshot = await app.state.objectry.metadata.get(account.workspace_id)
    fields = snapshot.object("hay").fields_by_name
    return {"account": account, "object_id": obj["id"], "snapshot": snapshot,
            "ids": [fields[name].id for name, _, _ in FIELDS]}


async def seed(owner_db: Any, sides: list[dict[str, Any]], words: list[str], rows: int,
               every: int, start: int = 0) -> None:
    """`rows` records, every `every`-th one the second side's and the others the first's (so
    their rows share heap pages): named "<word> <g>", n = g % 1000, a day of 2020, a note."""
    def each(key: str) -> list[Any]:
        return [side[key] for side in sides]

    await owner_db.execute(
        """INSERT INTO records (tenant_id, id, object_id, data, primary_value)
           SELECT ($1::text[])[k], 'rec_' || substr(md5(($1::text[])[k] || w || g), 1, 16),
                  ($2::text[])[k],
                  jsonb_build_object(($3::text[])[k], w || ' ' || g, ($4::text[])[k], g % 1000,
                                     ($5::text[])[k], (date '2020-01-01' + g % 365)::text,
                                     ($6::text[])[k], 'a note about ' || w || ' number ' || g),
                  w || ' ' || g
           FROM generate_series($7::int + 1, $7::int + $8::int) AS g,
                LATERAL (SELECT CASE WHEN g % $9::int = 0 THEN 2 ELSE 1 END AS k) AS side,
                LATERAL (SELECT ($10::text[])[k] AS w) AS word""",
        [s["account"].workspace_id for s in sides], each("object_id"),
        *[[side["ids"][i] for side in sides] for i in range(4)], start, rows, every, words)


async def indexes_built(owner_db: Any, workspace_ids: list[str]) -> None:
    """Field indexes may be built in the background: wait until they are valid."""
    for _ in range(600):
        built = await owner_db.fetchval(
            """SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               WHERE i.indisvalid AND i.indrelid = 'records'::regclass
                 AND pg_get_expr(i.indpred, i.indrelid) LIKE ANY($1::text[])""",
            [f"%{w}%" for w in workspace_ids])
        if built >= len(workspace_ids):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("field indexes were not built")


def statement(side: dict[str, Any], params: list[tuple[str, str]], *, dialect: str = "rest",
              trashed: bool = False, count: bool = False) -> tuple[str, list[Any]]:
    """The statement GET /rest/v1/hay (or /api/records, or the count) runs for `params`."""
    snapshot = side["snapshot"]
    parse = query.parse_rest if dialect == "rest" else query.parse_records
    plan = query.plan_read(parse(params), snapshot.object("hay"), snapshot,
                           shape="rest" if dialect == "rest" else "record",
                           default_limit=50, max_limit=1000)
    return query.render_count(plan, trashed=trashed) if count else \
        query.render_read(plan, trashed=trashed)


async def explain(app: Any, side: dict[str, Any], sql: str, args: list[Any], mode: str
                  ) -> dict[str, Any]:
    """EXPLAIN as the runtime role, in the workspace's scope, with `mode`'s planner settings."""
    async with tenancy.transaction(app.state.objectry.pool, side["account"].workspace_id) as conn:
        for setting in MODES[mode]:
            await conn.execute(f"SET LOCAL {setting} = off")
        plan = await conn.fetchval("EXPLAIN (FORMAT JSON) " + sql, *args)
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    found, stack = [], [plan]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(node.get("Plans", []))
    return found


def conditions(text: str, joiner: str = " AND ") -> list[str]:
    """The top-level items of an EXPLAIN condition joined by `joiner`, in evaluation order."""
    if not (text.startswith("(") and text.endswith(")")):
        return [text]
    items, depth, start = [], 0, 1
    for i, char in enumerate(text[1:-1], start=1):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and text.startswith(joiner, i):
            items.append(text[start:i])
            start = i + len(joiner)
    return [*items, text[start:-1]] if items else [text]


_HARMLESS = re.compile(r"\(?\w+ IS (NOT )?NULL\)?")  # no operator: nothing to raise or to time
# A comparison of a system column with a constant: these operators are LEAKPROOF (checked in
# test_comparisons_before_the_scope_are_leakproof), the conditions PostgreSQL's own row-level
# security lets run before its policy.
_COMPARISON = re.compile(r"\((created_at|updated_at|version|id|primary_value|created_by|"
                         r"updated_by) (=|<>|<|<=|>|>=) ('[^']*'::[a-z ]+|-?[0-9]+)\)")
COMPARED = {"text": "text", "timestamptz": "timestamp with time zone", "int4": "integer"}


def scope_first(text: str, side: dict[str, Any]) -> bool:
    """The workspace is tested before any condition that could raise or take time on another
    workspace's row. Only these may come first: null tests (they cost nothing, so the planner
    runs them first); leakproof comparisons; and conditions on this workspace's own fields,
    NULL on every other row (they hold no key of these fields: field ids are never shared)."""
    scope = re.compile(r"\(?(CASE WHEN \()?tenant_id = '" + side["account"].workspace_id + "'")
    for item in conditions(text):
        branches = conditions(item, " OR ")
        if scope.match(item) or len(branches) > 1 and all(scope_first(b, side) for b in branches):
            return True  # (an OR in which every branch tests the workspace first tests it)
        if not (_HARMLESS.fullmatch(item) or _COMPARISON.fullmatch(item)
                or _own_field_only(item, side)):
            return False
    return False


def _own_field_only(item: str, side: dict[str, Any]) -> bool:
    named = set(re.findall(r"'(fld_\w+)'", item))
    columns = re.findall(r"\b(primary_value|created_at|updated_at|version|id|created_by|"
                         r"updated_by|tenant_id|object_id)\b", item)
    return bool(named) and named <= set(side["ids"]) and not columns


def bounded_scans(plan: dict[str, Any], side: dict[str, Any], partial: set[str]) -> int:
    """Assert every scan of records in `plan` is bounded by the workspace; count them."""
    scans = 0
    for node in nodes(plan):
        if node.get("Relation Name") != "records":
            continue
        scans += 1
        indexes = [n for n in nodes(node) if "Index Name" in n]
        for index in indexes:  # partial on one of our objects, or led by our workspace
            assert index["Index Name"] in partial or scope_first(index["Index Cond"], side), \
                index
        if "Recheck Cond" in node:  # lossy bitmap pages hold other workspaces' rows too
            assert scope_first(node["Recheck Cond"], side), node
        if not indexes:  # a sequential scan: its filter alone must test the workspace first
            assert scope_first(node["Filter"], side), node
    return scans


async def partial_indexes(owner_db: Any, side: dict[str, Any]) -> set[str]:
    """The field indexes of this workspace: partial on its own object's live records."""
    rows = await owner_db.fetch(
        """SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           WHERE i.indrelid = 'records'::regclass
             AND pg_get_expr(i.indpred, i.indrelid) LIKE '%' || $1 || '%'""",
        f"tenant_id = '{side['account'].workspace_id}'")
    return {r["relname"] for r in rows}
