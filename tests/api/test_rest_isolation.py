"""Isolation before predicates: inside PostgreSQL a record read is limited to the caller's
workspace before any condition of the caller is evaluated (docs/ARCHITECTURE.md, "Tenant
isolation"), so no status, error, timing or count depends on another workspace's rows.

One module, two workspaces at a realistic size, both with an object `hay`: "theirs" (28,000
records) and "ours" (4,000, on the same heap pages), statistics gathered. EXPLAIN as the
runtime role shows the workspace bounding every scan of `records` for each kind of caller
condition, with the planner's choice, with bitmap scans only and with a sequential scan
forced; the statements run with a pattern the compiler would refuse; an oracle compares our
answers before and after their workspace holds matches.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest

from objectry.db import tenancy
from objectry.records import query
from tests.api.builders import add_field, make_object, make_record
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


async def _workspace(app: Any) -> dict[str, Any]:
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


async def _indexes_built(owner_db: Any, workspace_ids: list[str]) -> None:
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


@pytest.fixture(scope="module")
async def hay(app, owner_db):
    theirs, ours = await _workspace(app), await _workspace(app)
    await _indexes_built(owner_db, [s["account"].workspace_id for s in (theirs, ours)])
    await seed(owner_db, [theirs, ours], ["chaff", "needle"], THEIRS + OURS,
               (THEIRS + OURS) // OURS)
    await owner_db.execute("ANALYZE records")
    return {"theirs": theirs, "ours": ours}


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


async def test_every_index_on_records_is_bounded_by_a_workspace(owner_db, hay):
    """What a caller's condition can use leads with tenant_id, or holds one workspace's rows."""
    rows = await owner_db.fetch(
        """SELECT c.relname, a.attname AS first, pg_get_expr(i.indpred, i.indrelid) AS pred
           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
           WHERE i.indrelid = 'records'::regclass""")
    assert len(rows) > 6
    for row in rows:
        assert row["first"] == "tenant_id" or re.search(r"tenant_id = 'wsp_\w+'::text",
                                                        row["pred"] or ""), dict(row)


async def test_comparisons_before_the_scope_are_leakproof(owner_db):
    leaky = await owner_db.fetch(
        """SELECT o.oprname, t.typname FROM pg_operator o JOIN pg_proc p ON p.oid = o.oprcode
           JOIN pg_type t ON t.oid = o.oprleft
           WHERE t.typname = ANY($1::text[]) AND o.oprright = o.oprleft
             AND o.oprname IN ('=', '<>', '<', '<=', '>', '>=') AND NOT p.proleakproof""",
        list(COMPARED))
    assert leaky == []


CASES = {
    "like": [("primary_value", "like.*needle 12*")],
    "ilike": [("primary_value", "ilike.*NEEDLE 12*")],
    "ilike on a field": [("name", "ilike.*NEEDLE 12*")],
    "match": [("primary_value", "match.^needle 12")],
    "fts": [("primary_value", "fts.needle")],
    "fts on a field": [("note", "fts(english).needle & number")],
    "eq": [("primary_value", "eq.needle 12")],
    "eq on an indexed field": [("n", "eq.12")],
    "eq on a field": [("name", "eq.needle 12")],
    "in": [("n", "in.(1,2,3)")],
    "id": [("id", "eq.rec_0123456789abcdef")],
    "created_at range": [("created_at", "gt.2020-01-01"), ("created_at", "lt.2100-01-01")],
    "version range": [("version", "gte.1"), ("version", "lte.3")],
    "range on an indexed field": [("n", "gt.990")],
    "range on a date field": [("day", "gte.2020-12-01"), ("day", "lt.2020-12-05")],
    "or": [("or", "(n.eq.5,primary_value.like.*needle 7*)")],
    "ordered by a field": [("order", "n.desc"), ("n", "lt.10")],
}


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("case", list(CASES))
async def test_the_workspace_bounds_every_scan(app, owner_db, hay, case, mode):
    ours = hay["ours"]
    partial = await partial_indexes(owner_db, ours)
    for dialect, count in (("rest", False), ("rest", True), ("records", False)):
        sql, args = statement(ours, CASES[case], dialect=dialect, count=count)
        plan = await explain(app, ours, sql, args, mode)
        assert bounded_scans(plan, ours, partial) == 1, plan


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("params", [[("q", "needle 12")], [("q", "needle 12"), ("n", "lt.50")]])
async def test_the_workspace_bounds_searches_and_the_trash(app, owner_db, hay, params, mode):
    ours = hay["ours"]
    partial = await partial_indexes(owner_db, ours)
    for trashed in (False, True):
        sql, args = statement(ours, params, dialect="records", trashed=trashed)
        plan = await explain(app, ours, sql, args, mode)
        assert bounded_scans(plan, ours, partial) == 1, plan


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("column", ["primary_value", "name"])
async def test_a_pattern_is_never_run_on_another_workspaces_rows(app, hay, column, mode):
    """Defence in depth: run our read with a pattern the compiler refuses (it would raise
    reaching its end on their "chaff 1…" rows), with small work_mem so bitmap pages go lossy
    and mix their rows with ours: no error, whichever way the scan goes."""
    ours = hay["ours"]
    for op in ("like", "ilike"):
        sql, args = statement(ours, [(column, f"{op}.*chaff 1*")])
        args = [("%chaff 1\\" if a == "%chaff 1%" else a) for a in args]
        async with tenancy.transaction(app.state.objectry.pool,
                                       ours["account"].workspace_id) as conn:
            await conn.execute("SET LOCAL work_mem = '64kB'")
            for setting in MODES[mode]:
                await conn.execute(f"SET LOCAL {setting} = off")
            assert await conn.fetch(sql, *args) == []


ORACLE = [
    [("primary_value", "like.*needle 12*")],
    [("primary_value", "ilike.*NEEDLE 12*"), ("order", "primary_value.desc")],
    [("name", "like.*needle 12*")],
    [("primary_value", "match.^needle 1[23]$")],
    [("primary_value", "fts.needle"), ("limit", "5")],
    [("note", "fts(english).needle & 12")],
    [("primary_value", "eq.needle 16")],
    [("n", "eq.16")],
    [("n", "gt.990"), ("order", "n.desc")],
    [("day", "gte.2020-12-25")],
    [("created_at", "gt.2000-01-01"), ("limit", "3")],
    [("version", "eq.1"), ("offset", "3990")],
    [("or", "(n.eq.5,primary_value.like.*needle 7*)")],
    [("not.and", "(n.gte.2,primary_value.not.ilike.*needle 1*)")],
]
COUNTS = ["count=exact", "count=planned", "count=estimated", None]


async def answers(api: Any) -> list[tuple[Any, ...]]:
    """Our answers to every oracle query: status, Content-Range and body, on both APIs."""
    out = []
    for params in ORACLE:
        for count in COUNTS:
            headers = {"Prefer": count} if count else {}
            got = await api.get("/rest/v1/hay", params=[("select", "id,name,n,day"), *params],
                                headers=headers)
            out.append((params, count, got.status_code, got.headers.get("content-range"),
                        got.json()))
        got = await api.get("/api/records", params=[("object", "hay"), ("count", "exact"),
                                                    *params])
        out.append((params, "api", got.status_code, None, got.json()))
    got = await api.get("/api/records", params={"object": "hay", "q": "needle 12",
                                                "count": "exact"})
    out.append(("q", "api", got.status_code, None, got.json()))
    return out


async def test_answers_do_not_depend_on_another_workspaces_rows(app, owner_db, hay):
    """The oracle: their workspace gains 10,000 records matching every query (statistics
    refreshed); our status, Content-Range and body stay exactly the same."""
    async with client(app, hay["ours"]["account"].headers) as api:
        before = await answers(api)
        await seed(owner_db, [hay["theirs"], hay["theirs"]], ["needle", "needle"], 10_000,
                   10_001, start=100_000)
        await owner_db.execute("ANALYZE records")
        after = await answers(api)
    assert [a[2] for a in before] == [a[2] for a in after]
    for was, now in zip(before, after, strict=True):
        assert was == now, (was[:4], now[:4])
    assert {a[2] for a in before} >= {200, 206}


async def test_a_like_pattern_ending_in_a_backslash_is_refused_whatever_others_hold(app, hay):
    """The reported leak: their workspace stores "needle code 4417 more"; we ask for
    `like.*code 4417\\`. PostgreSQL raised (a 500) only when a row of any workspace continued
    the pattern's prefix; now the compiler refuses the pattern (22025) before any SQL."""
    theirs, ours = hay["theirs"]["account"], hay["ours"]["account"]
    async with client(app, ours.headers) as api, client(app, theirs.headers) as them:
        before = await refusals(api)
        await make_record(them, "hay", name="needle code 4417 more")
        after = await refusals(api)
    assert before == after
    rest, records = before
    assert rest == (400, {"code": "22025", "message": "LIKE pattern must not end with escape "
                          "character", "details": None,
                          "hint": "a literal backslash is written \\\\ in a pattern"})
    assert records[0] == 400 and records[1]["error"]["code"] == "bad_request"


async def refusals(api: Any) -> tuple[tuple[int, Any], tuple[int, Any]]:
    rest = await api.get("/rest/v1/hay?primary_value=like.*code%204417%5C")
    records = await api.get("/api/records?object=hay&primary_value=ilike.*code%204417%5C")
    return (rest.status_code, rest.json()), (records.status_code, records.json())
