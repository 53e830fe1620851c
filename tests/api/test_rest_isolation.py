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

import re
from typing import Any

import pytest

from objectry.db import tenancy
from tests.api.builders import make_record
from tests.api.conftest import client
from tests.api.isolation_plans import (
    COMPARED,
    MODES,
    OURS,
    THEIRS,
    bounded_scans,
    explain,
    indexes_built,
    partial_indexes,
    seed,
    statement,
    workspace,
)


@pytest.fixture(scope="module")
async def hay(app, owner_db):
    theirs, ours = await workspace(app), await workspace(app)
    await indexes_built(owner_db, [s["account"].workspace_id for s in (theirs, ours)])
    await seed(owner_db, [theirs, ours], ["chaff", "needle"], THEIRS + OURS,
               (THEIRS + OURS) // OURS)
    await owner_db.execute("ANALYZE records")
    return {"theirs": theirs, "ours": ours}


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
