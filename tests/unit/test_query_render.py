"""Golden tables: query string → (SQL, params); keyset conditions; hostile input; shaping."""

from __future__ import annotations

import ast
import functools
import re
import sqlite3
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import objectry.records.query as query_pkg
from objectry.metadata.model import ObjectDef
from objectry.records.query.cursor import (
    cursor_values,
    decode_cursor,
    encode_cursor,
    next_page,
    typed_values,
)
from objectry.records.query.errors import QueryError
from objectry.records.query.keyset import keyset_sql
from objectry.records.query.operators import OPERATORS, describe
from objectry.records.query.parse import parse_records, parse_rest
from objectry.records.query.plan import plan_read
from objectry.records.query.planned import ReadPlan
from objectry.records.query.render import (
    render_count,
    render_match_ids,
    render_match_snapshots,
    render_read,
)
from objectry.records.query.sqlexpr import Params
from objectry.records.shape import record_out, rest_row
from objectry.sqltext import ident, literal
from tests.support.metadata import (
    COMPANY,
    CONTACT,
    CRM_RELATIONSHIPS,
    DEAL,
    field,
    object_def,
    snapshot,
)

WIDE = object_def(*(field(f"w{i:02}") for i in range(60)), name="wide")
SNAP = snapshot(CONTACT, COMPANY, DEAL, WIDE, relationships=CRM_RELATIONSHIPS)

BASE = ("SELECT r.id, r.object_id, r.data AS data, r.primary_value, r.version, r.created_at, "
        "r.updated_at, r.created_by, r.updated_by")
LIVE = ("FROM records_in_scope r WHERE (CASE WHEN r.tenant_id = $1 THEN TRUE END) IS NOT UNKNOWN"
        " AND r.tenant_id = $1 AND r.object_id = $2"
        " AND r.tenant_id = 'wsp_t' AND r.object_id = 'obj_contact' AND r.deleted_at IS NULL")
# Writes (PATCH/DELETE by filter) lock rows of the table itself, under its RLS.
LIVE_TABLE = LIVE.replace("records_in_scope", "records")
DEFAULT_ORDER = "ORDER BY r.created_at, r.id"


def pairs(qs: str) -> list[tuple[str, str]]:
    return parse_qsl(qs.replace("+", "%2B"), keep_blank_values=True)


def plan(qs: str, obj: ObjectDef = CONTACT, **kw: Any) -> ReadPlan:
    return plan_read(parse_rest(pairs(qs)), obj, SNAP, **kw)


def where_of(qs: str) -> tuple[str, list[Any]]:
    """The filter part of the WHERE (after the live-records prefix) and the params after $2."""
    sql, args = render_read(plan(qs))
    head = f"{BASE} {LIVE} AND "
    assert sql.startswith(head) and sql.endswith(f" {DEFAULT_ORDER}"), sql
    assert args[:2] == ["wsp_t", "obj_contact"]
    return sql[len(head):-len(DEFAULT_ORDER) - 1], args[2:]


AGE, NAME = "(r.data ->> 'fld_age')::numeric", "(r.data ->> 'fld_name')"
TAGS, EXTRA, BIO = "(r.data -> 'fld_tags')", "(r.data -> 'fld_extra')", "(r.data ->> 'fld_bio')"
# `born` has an index: its expression must be the index's, with the IMMUTABLE wrapper; `met` has
# none and is cast directly (the wrapper costs ~4x per row).
ACTIVE, BORN = "(r.data ->> 'fld_active')::boolean", "objectry_date(r.data ->> 'fld_born')"
MET = "(r.data ->> 'fld_met')::timestamptz"
D = Decimal

# One row per operator (and its variants): the Datasette-style golden table.
GOLDEN = [
    ("eq", "age=eq.30", f"{AGE} = $3::numeric", [D("30")]),
    ("eq", "name=eq.Paris", f"{NAME} = $3::text", ["Paris"]),
    ("eq", "active=eq.true", f"{ACTIVE} = $3::boolean", [True]),
    ("eq", "born=eq.2020-01-02", f"{BORN} = $3::date", [date(2020, 1, 2)]),
    ("eq", "met=eq.2026-01-01T00:00:00Z", f"{MET} = $3::timestamptz",
     [datetime(2026, 1, 1, tzinfo=UTC)]),
    ("eq", "tags=eq.[\"a\"]", f"{TAGS} = $3::jsonb", [["a"]]),
    ("eq", "extra=eq.{\"k\":[1]}", f"{EXTRA} = $3::jsonb", [{"k": [1]}]),
    ("eq", "id=eq.rec_1", "r.id = $3::text", ["rec_1"]),
    ("eq", "version=eq.2", "r.version = $3::integer", [2]),
    ("eq", "primary_value=eq.x", "r.primary_value = $3::text", ["x"]),
    ("neq", "age=neq.1", f"{AGE} <> $3::numeric", [D("1")]),
    ("gt", "age=gt.1.5", f"{AGE} > $3::numeric", [D("1.5")]),
    ("gt", "created_at=gt.2026-01-01", "r.created_at > $3::timestamptz",
     [datetime(2026, 1, 1, tzinfo=UTC)]),
    ("gte", "born=gte.2020-01-01", f"{BORN} >= $3::date", [date(2020, 1, 1)]),
    ("lt", "name=lt.m", f"{NAME} < $3::text", ["m"]),
    ("lte", "updated_at=lte.2026-01-01T00:00:00Z", "r.updated_at <= $3::timestamptz",
     [datetime(2026, 1, 1, tzinfo=UTC)]),
    ("like", "name=like.*an*", f"{NAME} LIKE $3::text", ["%an%"]),
    ("ilike", "name=ilike.AN%25", f"{NAME} ILIKE $3::text", ["AN%"]),
    ("match", "name=match.^a", f"{NAME} ~ $3::text", ["^a"]),
    ("imatch", "name=imatch.^A", f"{NAME} ~* $3::text", ["^A"]),
    ("in", "age=in.(1,2)", f"{AGE} = ANY($3::numeric[])", [[D("1"), D("2")]]),
    ("in", "name=in.(\"a,b\",c)", f"{NAME} = ANY($3::text[])", [["a,b", "c"]]),
    ("in", "id=in.()", "r.id = ANY($3::text[])", [[]]),
    ("in", "born=in.(2020-01-01)", f"{BORN} = ANY($3::date[])", [[date(2020, 1, 1)]]),
    ("in", "active=in.(true)", f"{ACTIVE} = ANY($3::boolean[])", [[True]]),
    ("is", "age=is.null", "(r.data ->> 'fld_age') IS NULL", []),
    ("is", "tags=is.null", "(r.data ->> 'fld_tags') IS NULL", []),
    ("is", "age=is.not_null", "(r.data ->> 'fld_age') IS NOT NULL", []),
    ("is", "created_by=is.null", "r.created_by IS NULL", []),
    ("is", "active=is.true", f"{ACTIVE} IS TRUE", []),
    ("is", "active=is.false", f"{ACTIVE} IS FALSE", []),
    ("is", "active=is.unknown", f"{ACTIVE} IS UNKNOWN", []),
    ("isdistinct", "age=isdistinct.3", f"{AGE} IS DISTINCT FROM $3::numeric", [D("3")]),
    ("cs", "tags=cs.{a,b}", f"{TAGS} @> $3::jsonb", [["a", "b"]]),
    ("cs", "extra=cs.{\"k\":1}", f"{EXTRA} @> $3::jsonb", [{"k": 1}]),
    ("cd", "tags=cd.[\"a\"]", f"{TAGS} <@ $3::jsonb", [["a"]]),
    ("ov", "tags=ov.{a,b}", f"{TAGS} ?| $3::text[]", [["a", "b"]]),
    ("fts", "bio=fts.fat %26 rat", f"to_tsvector({BIO}) @@ to_tsquery($3::text)", ["fat & rat"]),
    ("fts", "bio=fts(english).rat",
     f"to_tsvector($3::text::regconfig, {BIO}) @@ to_tsquery($3::text::regconfig, $4::text)",
     ["english", "rat"]),
    ("plfts", "bio=plfts.fat rats", f"to_tsvector({BIO}) @@ plainto_tsquery($3::text)",
     ["fat rats"]),
    ("phfts", "bio=phfts(french).le chat",
     f"to_tsvector($3::text::regconfig, {BIO}) @@ phraseto_tsquery($3::text::regconfig, "
     "$4::text)", ["french", "le chat"]),
    ("wfts", "bio=wfts.\"fat rat\" -cat",
     f"to_tsvector({BIO}) @@ websearch_to_tsquery($3::text)", ['"fat rat" -cat']),
    ("not", "age=not.eq.3", f"NOT ({AGE} = $3::numeric)", [D("3")]),
    ("not", "age=not.is.null", "NOT ((r.data ->> 'fld_age') IS NULL)", []),
    ("not", "age=not.in.()", f"NOT ({AGE} = ANY($3::numeric[]))", [[]]),
    ("and", "age=gt.1&name=eq.x", f"{AGE} > $3::numeric AND {NAME} = $4::text",
     [D("1"), "x"]),
    ("or", "or=(age.gt.1,name.eq.x)", f"({AGE} > $3::numeric OR {NAME} = $4::text)",
     [D("1"), "x"]),
    ("or", "not.or=(age.gt.1,age.is.null)",
     f"NOT ({AGE} > $3::numeric OR (r.data ->> 'fld_age') IS NULL)", [D("1")]),
    ("or", "or=(age.gt.1,and(name.eq.x,not.or(active.is.true,tags.cs.{a})))",
     f"({AGE} > $3::numeric OR ({NAME} = $4::text AND NOT ({ACTIVE} IS TRUE OR "
     f"{TAGS} @> $5::jsonb)))", [D("1"), "x", ["a"]]),
    ("or", "and=(name.in.(\"x,y\",z),or(age.lt.0,age.gt.9))",
     f"({NAME} = ANY($3::text[]) AND ({AGE} < $4::numeric OR {AGE} > $5::numeric))",
     [["x,y", "z"], D("0"), D("9")]),
]


@pytest.mark.parametrize(("op", "qs", "sql", "params"), GOLDEN, ids=[g[1] for g in GOLDEN])
def test_where_golden(op: str, qs: str, sql: str, params: list[Any]) -> None:
    assert where_of(qs) == (sql, params)


def test_golden_table_covers_every_operator() -> None:
    assert set(OPERATORS) <= {g[0] for g in GOLDEN}


def test_descriptions() -> None:
    assert describe("age", "gt", 30) == "age is greater than 30"
    assert describe("age", "eq", 3, negated=True) == "not (age equals 3)"
    assert all("{col}" in op.description for op in OPERATORS.values())


# --- whole statements ------------------------------------------------------------------------
def _link(depth: int, forward: bool, rel: str, parent: str = "r") -> str:
    near, far = ("from_record_id", "to_record_id") if forward else ("to_record_id",
                                                                     "from_record_id")
    return (f"FROM relationship_records l{depth} JOIN records r{depth} ON r{depth}.tenant_id = "
            f"l{depth}.tenant_id AND r{depth}.id = l{depth}.{far} WHERE l{depth}.tenant_id = $1 "
            f"AND l{depth}.relationship_id = {rel} AND l{depth}.{near} = {parent}.id "
            f"AND r{depth}.deleted_at IS NULL")


STATEMENTS = [
    ("", {}, f"{BASE} {LIVE} {DEFAULT_ORDER}", []),
    ("limit=10&offset=20", {}, f"{BASE} {LIVE} {DEFAULT_ORDER} LIMIT 10 "
     "OFFSET $3::bigint", [20]),
    ("limit=10&offset=0", {"peek": True}, f"{BASE} {LIVE} {DEFAULT_ORDER} LIMIT 11",
     []),
    ("", {"count": True}, f'{BASE}, count(*) OVER () AS "_total" {LIVE} {DEFAULT_ORDER}', []),
    ("select=name,age", {}, BASE.replace(
        "r.data AS data", "jsonb_build_object('fld_name', r.data -> 'fld_name', 'fld_age', "
        "r.data -> 'fld_age') AS data") + f" {LIVE} {DEFAULT_ORDER}", []),
    ("select=id", {}, BASE.replace("r.data AS data", "'{}'::jsonb AS data")
     + f" {LIVE} {DEFAULT_ORDER}", []),
    ("order=age.desc.nullslast,name.nullsfirst", {},
     f'{BASE}, (r.data ->> \'fld_age\') AS "_k0", (r.data ->> \'fld_name\') AS "_k1" {LIVE} '
     f"ORDER BY {AGE} DESC NULLS LAST, {NAME} NULLS FIRST, r.id", []),
    ("order=id.desc", {}, f"{BASE} {LIVE} ORDER BY r.id DESC", []),
    ("order=tags", {}, f"{BASE}, (r.data ->> 'fld_tags') AS \"_k0\" {LIVE} ORDER BY {TAGS}, r.id",
     []),
    ("select=id,employer(cname)", {},
     BASE.replace("r.data AS data", "'{}'::jsonb AS data")
     + ", (SELECT json_build_object('cname', r1.data -> 'fld_cname') "
     + _link(1, False, "$3::text") + ' LIMIT 1) AS "_e0" '
     + f"{LIVE} {DEFAULT_ORDER}", ["rel_works"]),
    ("select=id,d:deals(title)&d.title=like.a*&d.order=title.desc&d.limit=2&d.offset=1", {},
     BASE.replace("r.data AS data", "'{}'::jsonb AS data")
     + ", COALESCE((SELECT json_agg(e1.j ORDER BY e1.n) FROM (SELECT json_build_object("
     "'title', r1.data -> 'fld_title') AS j, row_number() OVER (ORDER BY "
     "(r1.data ->> 'fld_title') DESC, r1.id DESC) AS n " + _link(1, True, "$3::text")
     + " AND (r1.data ->> 'fld_title') LIKE $4::text ORDER BY (r1.data ->> 'fld_title') DESC, "
     "r1.id DESC LIMIT 2 OFFSET $5::bigint) e1), '[]'::json) AS \"_e0\" "
     + f"{LIVE} {DEFAULT_ORDER}", ["rel_deals", "a%", 1]),
    ("select=id,employer!inner()&employer.cname=eq.Acme", {},
     BASE.replace("r.data AS data", "'{}'::jsonb AS data") + f" {LIVE} AND EXISTS (SELECT 1 "
     + _link(1, False, "$3::text") + " AND (r1.data ->> 'fld_cname') = $4::text) "
     + DEFAULT_ORDER, ["rel_works", "Acme"]),
    ("select=id,reports()&reports=is.null", {},
     BASE.replace("r.data AS data", "'{}'::jsonb AS data") + f" {LIVE} AND NOT EXISTS "
     "(SELECT 1 " + _link(1, True, "$3::text") + f") {DEFAULT_ORDER}", ["rel_mgr"]),
]


@pytest.mark.parametrize(("qs", "kw", "sql", "params"), STATEMENTS,
                         ids=[s[0] or "default" for s in STATEMENTS])
def test_statement_golden(qs: str, kw: dict[str, bool], sql: str, params: list[Any]) -> None:
    assert render_read(plan(qs), **kw) == (sql, ["wsp_t", "obj_contact", *params])


def test_nested_embeds_reference_their_parent_alias() -> None:
    sql, args = render_read(plan("select=id,reports(name,reports(name,deals(title)))"))
    assert "l1.from_record_id = r.id" in sql
    assert "l2.from_record_id = r1.id" in sql
    assert "l3.from_record_id = r2.id" in sql
    assert args == ["wsp_t", "obj_contact", "rel_mgr", "rel_deals"]  # rel ids shared


def test_both_directions_of_a_relationship() -> None:
    forward, _ = render_read(plan("select=cname,employees(name)", COMPANY))
    reverse, _ = render_read(plan("select=name,employer(cname)"))
    assert "r1.id = l1.to_record_id" in forward and "l1.from_record_id = r.id" in forward
    assert "COALESCE((SELECT json_agg" in forward
    assert "r1.id = l1.from_record_id" in reverse and "l1.to_record_id = r.id" in reverse
    assert "LIMIT 1) AS" in reverse


def test_record_shape_embeds_are_records() -> None:
    sql, _ = render_read(plan("select=*,employer(cname)", shape="record"))
    assert ("json_build_object('id', r1.id, 'object_id', r1.object_id, 'object', 'company', "
            "'data', json_build_object('cname', r1.data -> 'fld_cname'), 'primary_value', "
            "r1.primary_value, 'created_at', r1.created_at") in sql


def test_wide_objects_are_built_in_chunks() -> None:
    sql, _ = render_read(plan("select=" + ",".join(f"w{i:02}" for i in range(60)), WIDE))
    assert sql.count("jsonb_build_object(") == 2 and " || jsonb_build_object(" in sql
    embed_sql, _ = render_read(plan("select=id", WIDE))
    assert "'{}'::jsonb" in embed_sql


def test_count_and_match_ids() -> None:
    p = plan("age=gt.3")
    assert render_count(p) == (
        f"SELECT count(*) AS total {LIVE} AND {AGE} > $3::numeric",
        ["wsp_t", "obj_contact", D("3")])
    assert render_match_ids(p) == (
        f"SELECT r.id, r.data, r.version {LIVE_TABLE} AND {AGE} > $3::numeric ORDER BY r.id "
        "FOR UPDATE", ["wsp_t", "obj_contact", D("3")])
    sql, args = render_match_ids(plan("age=gt.3&order=age.desc&limit=2"))
    assert sql.endswith(f"ORDER BY {AGE} DESC, r.id DESC LIMIT 2 FOR UPDATE")
    assert args == ["wsp_t", "obj_contact", D("3")]


def test_match_snapshots_filters_record_copies_not_the_table() -> None:
    rows = [{"id": "rec_1", "data": {}}]
    assert render_match_snapshots(plan("age=gt.3"), rows) == (
        "SELECT s.n FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS s(j, n),"
        " jsonb_populate_record(NULL::records, s.j) AS r WHERE r.tenant_id = $1 AND"
        f" r.object_id = $2 AND {AGE} > $4::numeric", ["wsp_t", "obj_contact", rows, D("3")])


@pytest.mark.parametrize(("text", "param"), [
    ("ann", "ann"), ("50%", "50\\%"), ("a_b", "a\\_b"), ("back\\slash", "back\\\\slash"),
    ("'; DROP TABLE records; --", "'; DROP TABLE records; --"), ("*", "*")])
def test_search_escapes_like_metacharacters(text: str, param: str) -> None:
    p = plan_read(parse_records([("q", text)]), CONTACT, SNAP, shape="record")
    sql, args = render_read(p)
    assert f"{LIVE} AND r.primary_value ILIKE '%' || $3::text || '%' ORDER BY" in sql
    assert args[2] == param


# --- keyset pagination -------------------------------------------------------------------------
KEYSET = [
    ("", ["2026-01-01T00:00:00+00:00", "rec_1"],
     "(r.created_at, r.id) > ($3::timestamptz, $4::text)",
     [datetime(2026, 1, 1, tzinfo=UTC), "rec_1"]),
    ("order=created_at.desc,id.desc", ["2026-01-01T00:00:00+00:00", "rec_1"],
     "(r.created_at, r.id) < ($3::timestamptz, $4::text)",
     [datetime(2026, 1, 1, tzinfo=UTC), "rec_1"]),
    ("order=version.desc", [3, "rec_1"],  # id follows the last key's direction: a row compare
     "(r.version, r.id) < ($3::integer, $4::text)", [3, "rec_1"]),
    ("order=age", ["5", "rec_1"],
     f"((({AGE} > $3::numeric OR {AGE} IS NULL)) OR ({AGE} = $3::numeric AND r.id > $4::text))",
     [D("5"), "rec_1"]),
    ("order=age", [None, "rec_1"], f"(({AGE} IS NULL AND r.id > $3::text))", ["rec_1"]),
    ("order=age.nullsfirst", ["5", "rec_1"],
     f"(({AGE} > $3::numeric) OR ({AGE} = $3::numeric AND r.id > $4::text))",
     [D("5"), "rec_1"]),
    ("order=age.nullsfirst", [None, "rec_1"],
     f"(({AGE} IS NOT NULL) OR ({AGE} IS NULL AND r.id > $3::text))", ["rec_1"]),
    ("order=age.desc", ["5", "rec_1"],
     f"(({AGE} < $3::numeric) OR ({AGE} = $3::numeric AND r.id < $4::text))",
     [D("5"), "rec_1"]),
    ("order=age.desc", [None, "rec_1"],
     f"(({AGE} IS NOT NULL) OR ({AGE} IS NULL AND r.id < $3::text))", ["rec_1"]),
    ("order=age.desc.nullslast", ["5", "rec_1"],
     f"((({AGE} < $3::numeric OR {AGE} IS NULL)) OR ({AGE} = $3::numeric AND r.id < $4::text))",
     [D("5"), "rec_1"]),
    ("order=age.desc.nullslast", [None, "rec_1"], f"(({AGE} IS NULL AND r.id < $3::text))",
     ["rec_1"]),
    ("order=id", ["rec_9"], "(r.id) > ($3::text)", ["rec_9"]),
    ("order=name,id.desc", ["ann", "rec_9"],
     f"((({NAME} > $3::text OR {NAME} IS NULL)) OR ({NAME} = $3::text AND r.id < $4::text))",
     ["ann", "rec_9"]),
    ("order=active,born.desc", ["true", "2020-01-01", "rec_1"],
     f"((({ACTIVE} > $3::boolean OR {ACTIVE} IS NULL)) OR ({ACTIVE} = $3::boolean AND "
     f"{BORN} < $4::date) OR ({ACTIVE} = $3::boolean AND {BORN} = $4::date AND "
     "r.id < $5::text))", [True, date(2020, 1, 1), "rec_1"]),
]


@pytest.mark.parametrize(("qs", "cursor", "sql", "params"), KEYSET,
                         ids=[f"{k[0]}-{k[1][0]}" for k in KEYSET])
def test_keyset_golden(qs: str, cursor: list[Any], sql: str, params: list[Any]) -> None:
    p = plan(qs)
    full, args = render_read(p, after=decode_cursor(encode_cursor(cursor)))
    assert f" AND {sql} ORDER BY" in full
    assert args[2:] == params


def test_keyset_after_the_last_possible_row_is_false() -> None:
    p = plan("order=age.desc.nullslast,name.nullslast")
    params = Params("t", "o")
    keys = p.order[:2]
    assert keyset_sql(keys, [None, None], "r", params) == "FALSE"


# Keyset semantics, checked exhaustively: for every order over (a, b) and every row as the
# cursor, the condition must select exactly the rows after it. SQLite (in-process, 3-valued
# NULL logic like PostgreSQL) evaluates the boolean condition; the SQL itself is checked
# against PostgreSQL separately.
SEMANTIC = object_def(field("a", "number"), field("b"), name="s")
ROWS = [(f"rec_{i:02}", a, b, v)
        for i, (a, b, v) in enumerate((a, b, v) for a in (None, 1, 2) for b in (None, "x", "y")
                                      for v in (1, 2))]
MODS = ["", ".desc", ".nullsfirst", ".nullslast", ".desc.nullsfirst", ".desc.nullslast"]
SPECS = ([f"a{m}" for m in MODS] + [f"a{m},b{n}" for m in MODS for n in MODS]
         + ["version", "version.desc", "version.desc,id.desc", "version,id.desc",
            "id.desc", "b.desc,version,a.nullsfirst", "version.desc,a.desc,id.desc"])


def _pg_order(spec: str) -> list[tuple[int, bool, bool]]:
    """(row index, desc, nulls_first) per key, as PostgreSQL orders; then id, in the last
    key's direction."""
    index = {"id": 0, "a": 1, "b": 2, "version": 3}
    keys = []
    for item in spec.split(","):
        name, *mods = item.split(".")
        desc = "desc" in mods
        nulls_first = True if "nullsfirst" in mods else False if "nullslast" in mods else desc
        keys.append((index[name], desc, nulls_first))
    if not any(k[0] == 0 for k in keys):
        keys.append((0, keys[-1][1], False))
    return keys


def _compare(keys: list[tuple[int, bool, bool]], x: tuple, y: tuple) -> int:
    for i, desc, nulls_first in keys:
        a, b = x[i], y[i]
        if a == b:
            continue
        if a is None or b is None:
            return (-1 if a is None else 1) * (1 if nulls_first else -1)
        return (-1 if a < b else 1) * (-1 if desc else 1)
    return 0


def _to_sqlite(sql: str) -> str:
    sql = sql.replace("(r.data ->> 'fld_a')::numeric", "a").replace("(r.data ->> 'fld_b')", "b")
    sql = sql.replace("r.id", "id").replace("r.version", "version")
    return re.sub(r"\$(\d+)::\w+", r"?\1", sql)


@pytest.fixture(scope="module")
def sqlite_rows() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (id TEXT, a NUMERIC, b TEXT, version INTEGER)")
    db.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", ROWS)
    return db


@pytest.mark.parametrize("spec", SPECS)
def test_keyset_semantics(spec: str, sqlite_rows: sqlite3.Connection) -> None:
    p = plan_read(parse_rest([("order", spec)]), SEMANTIC, SNAP)
    ordered = sorted(ROWS, key=functools.cmp_to_key(
        functools.partial(_compare, _pg_order(spec))))
    for position, row in enumerate(ordered):
        fake = {"id": row[0], "version": row[3], "_k0": None, "_k1": None, "_k2": None}
        for i, key in enumerate(p.order):
            if key.column.field_id:
                value = row[1] if key.column.name == "a" else row[2]
                fake[f"_k{i}"] = None if value is None else str(value)
        values = typed_values(p.order, decode_cursor(encode_cursor(cursor_values(p, fake))))
        params = Params("t", "o")
        condition = _to_sqlite(keyset_sql(p.order, values, "r", params))
        args = [float(a) if isinstance(a, Decimal) else a for a in params.args]
        got = [r[0] for r in sqlite_rows.execute(f"SELECT id FROM t WHERE {condition}", args)]
        want = {r[0] for r in ordered[position + 1:]}
        assert set(got) == want, (spec, row, condition)


# --- cursors -----------------------------------------------------------------------------------
def test_cursor_round_trip_and_next_page() -> None:
    values = ["30.50", None, "Émile", 3, "rec_1"]
    assert decode_cursor(encode_cursor(values)) == values
    p = plan("order=age.desc&limit=2")
    rows = [{"id": f"rec_{i}", "_k0": str(i), "created_at": None} for i in range(3)]
    page, cursor = next_page(p, rows)
    assert [r["id"] for r in page] == ["rec_0", "rec_1"]
    assert cursor is not None and decode_cursor(cursor) == ["1", "rec_1"]
    assert next_page(p, rows[:2]) == (rows[:2], None)
    assert next_page(plan(""), rows) == (rows, None)


def test_cursor_values_for_system_columns() -> None:
    when = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    p = plan("order=created_at.desc,version")
    values = cursor_values(p, {"created_at": when, "version": 4, "id": "rec_1"})
    assert values == ["2026-01-02T03:04:05.000006+00:00", 4, "rec_1"]
    assert typed_values(p.order, values) == [when, 4, "rec_1"]


BAD_CURSORS = [
    "", "!!!", "a" * 5000, encode_cursor([])[:0] + "e30",  # {} (not a list)
    encode_cursor(["x"]), encode_cursor(["x", "y", "z"]), encode_cursor([1.5, "rec"]),
    encode_cursor([True, "rec"]), encode_cursor([["nested"], "rec"]),
    encode_cursor([{"a": 1}, "rec"]), encode_cursor(["not a time", "rec"]),
    encode_cursor(["2026-01-01T00:00:00", "rec"]), "bm90IGpzb24", "W1s=", "WyJhIiwgMV0",
]


@pytest.mark.parametrize("cursor", BAD_CURSORS, ids=range(len(BAD_CURSORS)))
def test_bad_cursor_is_bad_request(cursor: str) -> None:
    with pytest.raises(QueryError) as err:
        render_read(plan(""), after=decode_cursor(cursor))
    assert (err.value.rest_status, err.value.code) == (400, "bad_request")


def test_cursor_cannot_order_by_json() -> None:
    with pytest.raises(QueryError, match="cannot page with a cursor"):
        render_read(plan("order=tags"), after=["[]", "rec_1"])


def test_cursor_type_mismatch_for_field_keys() -> None:
    with pytest.raises(QueryError, match="invalid cursor"):
        render_read(plan("order=age"), after=["abc", "rec_1"])


# --- shaping -----------------------------------------------------------------------------------
ROW = {"id": "rec_1", "object_id": "obj_contact", "primary_value": "Ann", "version": 2,
       "created_at": datetime(2026, 1, 1, tzinfo=UTC), "updated_at": None,
       "created_by": "usr_1", "updated_by": None,
       "data": {"fld_name": "Ann", "fld_age": 30, "fld_gone": "detached"}}


def test_shape_rest_row() -> None:
    p = plan("select=id,full:name,age,bio,employer(cname),deals(title)")
    row = {**ROW, "_e0": {"cname": "Acme"}, "_e1": '[{"title": "d"}]'}
    assert rest_row(p, row) == {"id": "rec_1", "full": "Ann", "age": 30, "bio": None,
                                "employer": {"cname": "Acme"}, "deals": [{"title": "d"}]}
    assert list(rest_row(p, row)) == ["id", "full", "age", "bio", "employer", "deals"]


def test_shape_record_leaves_absent_and_detached_values_out() -> None:
    """/api `data` holds what the record has; /rest/v1 rows carry every selected column."""
    out = record_out(SNAP, CONTACT, {**ROW, "data": {"fld_name": "Ann", "fld_gone": "x"}})
    assert out["object"] == "contact" and out["version"] == 2
    assert out["data"] == {"name": "Ann"}
    assert rest_row(plan("select=name,bio"), ROW) == {"name": "Ann", "bio": None}


# --- hostile input: always a QueryError, and never text in the SQL ------------------------------
INJECTION = "'; DROP TABLE records; --"
HOSTILE = [
    f"name{INJECTION}=eq.1", f"order=name{INJECTION}", f"order=name.desc{INJECTION}",
    f"select=name,{INJECTION}", f"select={INJECTION}", f"select=employer({INJECTION})",
    f"select=x:employer!{INJECTION}(*)", f"or=(name.eq.1){INJECTION}", f"limit=1{INJECTION}",
    f"offset={INJECTION}", f"bio=fts({INJECTION}).x", "bio=fts(english;drop).x",
    "name=eq(any).1", "select=name::text", "select=(select 1)", "select=records(*)",
    "select=relationship_records(*)", "select=pg_user(*)", "order=1", "order=(r.data)",
    "order=random()", "order=name collate \"C\"", "data->>fld_name=eq.x", "select=data",
    "tenant_id=eq.other", "deleted_at=not.is.null", "r.tenant_id=eq.x", "contact.name=eq.x",
    "name=eq.x&select=name&name.limit=1", "age=gt.1 OR 1=1", "age=in.(1) OR TRUE",
    "version=eq.1;", "created_at=gt.now()", "met=gt.'2020-01-01'::timestamptz",
    "born=eq.2020-01-01' OR '1'='1", "active=eq.1=1", "tags=cs.{a}'||'", "tags=ov.(a,b)",
    "extra=cs.{\"a\":1", "bio=fts.a' | 'b", "bio=fts.a;b c", "name=zz.x", "name=eq.x&or=(",
    "or=(" * 1000, "select=" + "a(" * 1000, "and=" + "(" * 5000 + ")" * 5000,
    "or=(" + ",".join(["age.eq.1"] * 1001) + ")", "select=employer(employer(x))",
    "select=reports(reports(reports(reports(*))))", "select=company!nope(*)", "select=employees(*)",
    "id=in.(" + ",".join(["x"] * 10_001) + ")", "age=gt.1e99999", "age=eq." + "9" * 2000,
    "name=eq.\x00", "tags=cs.[" * 100, "age=eq.NaN",
    "select=*&*=eq.1", "select=*,*(*)", "select=name!inner", "employer=eq.x",
]


@pytest.mark.parametrize("qs", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_is_a_query_error(qs: str) -> None:
    with pytest.raises(QueryError) as err:
        p = plan_read(parse_rest(pairs(qs) if "=" in qs else [(qs, "")]), CONTACT, SNAP)
        render_read(p)
    assert err.value.rest_status in (300, 400)


HOSTILE_VALUES = [
    INJECTION, "1; DROP TABLE records", "$1", "$$ text $$", "') OR ('1'='1", "\\", "'",
    "\"", "E'\\x41'", "fld_name", "r.data", "*/", "/*", "--", "\u202e", "ÿ" * 100,
]


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=range(len(HOSTILE_VALUES)))
@pytest.mark.parametrize("op", ["eq", "neq", "like", "ilike", "match", "gt", "plfts", "wfts"])
def test_hostile_values_are_only_parameters(value: str, op: str) -> None:
    if op in ("like", "ilike") and value.endswith("\\"):
        return  # refused: test_a_pattern_ending_in_an_escape_is_refused
    sql, args = render_read(plan_read(parse_rest([("name", f"{op}.{value}")]), CONTACT, SNAP))
    benign, _ = render_read(plan_read(parse_rest([("name", f"{op}.x")]), CONTACT, SNAP))
    assert sql == benign  # the statement's text never depends on a value
    assert args[2] in (value, value.replace("*", "%"))


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=range(len(HOSTILE_VALUES)))
def test_hostile_values_in_lists_and_logic(value: str) -> None:
    quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    for qs in (f"name=in.({quoted},x)", f"or=(name.eq.{quoted},age.is.null)"):
        sql, args = render_read(plan_read(parse_rest([tuple(qs.split("=", 1))]), CONTACT,
                                          SNAP))
        benign = qs.replace(quoted, "x")
        assert sql == render_read(plan_read(parse_rest([tuple(benign.split("=", 1))]), CONTACT,
                                            SNAP))[0]
        assert value in (args[2] if isinstance(args[2], list) else [args[2]])


KEYS = ["name", "age", "active", "born", "met", "tags", "extra", "bio", "id", "version",
        "created_at", "or", "and", "not.or", "order", "select", "limit", "employer.cname",
        "nope"]
VALUES = st.one_of(
    st.text(max_size=30),
    st.builds(lambda op, v: f"{op}.{v}", st.sampled_from([*OPERATORS, "not.eq", "not.in"]),
              st.text(alphabet='abc019.,()"{}[]*:-+ ZT&|!\\', max_size=25)),
    st.builds(lambda v: f"({v})", st.text(alphabet='abc01.,()"', max_size=30)),
    st.sampled_from(["employer(cname)", "*,deals(*)", "age.desc.nullslast", "5"]))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(KEYS), VALUES), max_size=4))
def test_pipeline_raises_only_query_errors(pairs_: list[tuple[str, str]]) -> None:
    try:
        p = plan_read(parse_rest(pairs_), CONTACT, SNAP)
        sql, args = render_read(p)
        render_count(p)
        render_match_ids(p)
    except QueryError:
        return
    assert sql.count("$") >= len(args) - 1


# --- sqltext -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "sql"), [
    ("fld_x", "'fld_x'"), ("o'x", "'o''x'"), ("''", "''''''"), ("a\\b", "E'a\\\\b'"),
    ("\\'", "E'\\\\'''"), ("", "''"), ("é", "'é'")])
def test_literal(text: str, sql: str) -> None:
    assert literal(text) == sql


@pytest.mark.parametrize(("name", "sql"), [("_e0", '"_e0"'), ('a"b', '"a""b"'),
                                           ("x" * 63, '"' + "x" * 63 + '"')])
def test_ident(name: str, sql: str) -> None:
    assert ident(name) == sql


@pytest.mark.parametrize("bad", ["", "x" * 64, "a\x00", "é" * 32])
def test_ident_refuses(bad: str) -> None:
    with pytest.raises(ValueError):
        ident(bad)


def test_literal_refuses_nul() -> None:
    with pytest.raises(ValueError):
        literal("a\x00")


# --- the package's shape --------------------------------------------------------------------------
def test_public_api() -> None:
    assert sorted(query_pkg.__all__) == sorted([
        "Column", "Embed", "Filter", "Group", "Order", "Query", "QueryError", "ReadPlan", "Star",
        "cursor_values", "decode_cursor", "encode_cursor", "next_page", "parse_expand",
        "parse_query", "parse_records", "parse_rest", "parse_select", "plan_read",
        "render_count", "render_match_ids", "render_match_snapshots", "render_read"])


PACKAGE = Path(query_pkg.__file__).parent
MODULES = sorted(PACKAGE.glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_module_is_small_and_pure(path: Path) -> None:
    source = path.read_text()
    assert len(source.splitlines()) <= 300
    assert source.startswith('"""'), "a module docstring says its one job"
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    # objectry.errors (standard library only, test_error_tree.py) and objectry.fields (field
    # types are the one source of casts and operators) are allowed.
    forbidden = ("fastapi", "starlette", "asyncpg", "sqlalchemy", "objectry.db", "objectry.web")
    assert not [m for m in imported if m.startswith(forbidden)]


@pytest.mark.parametrize(("value", "refused"), [
    ("a\\", True), ("\\", True), ("a\\\\\\", True), ("a\\\\", False), ("\\\\", False),
    ("*\\*", False), ("a\\b", False), ("\\%", False)])
def test_a_pattern_ending_in_an_escape_is_refused(value: str, refused: bool) -> None:
    """PostgreSQL raises 22025 only when a row's text reaches the pattern's end, so the error
    would say something about the rows: the compiler refuses such a pattern before any SQL."""
    for op in ("like", "ilike"):
        query = parse_rest([("name", f"{op}.{value}")])
        if not refused:
            plan_read(query, CONTACT, SNAP)
            continue
        with pytest.raises(QueryError) as err:
            plan_read(query, CONTACT, SNAP)
        assert (err.value.rest_code, err.value.rest_status) == ("22025", 400)
        assert err.value.message == "LIKE pattern must not end with escape character"


def test_a_bounded_read_adds_up_its_rows_and_each_embeds_rows_in_sql() -> None:
    """`max_bytes`: the page is wrapped in a running sum of the rows' sizes, and every to-many
    embed in one of its embedded rows' sizes; past the cap (`$3`) objectry_answer_bytes
    raises. Without `max_bytes` (every golden row above) nothing changes."""
    p = plan("select=name,reports(name)&limit=5", max_bytes=1000)
    sql, args = render_read(p)
    assert args == ["wsp_t", "obj_contact", 1000, "rel_mgr"]
    running = ("sum(240 + CASE WHEN pg_column_compression(q.data) IS NULL AND "
               "pg_column_size(q.data) < 2048 THEN pg_column_size(q.data) ELSE "
               "octet_length(q.data::text) END + coalesce(octet_length(q.primary_value), 0) + "
               "coalesce(octet_length(q.\"_e0\"::text), 0)) OVER (ROWS UNBOUNDED PRECEDING)")
    assert sql.startswith(f"SELECT q.*, CASE WHEN {running} > $3::bigint THEN "
                          f"objectry_answer_bytes({running}, $3::bigint) ELSE {running} END "
                          'AS "_bytes" FROM (SELECT r.id, ')
    assert sql.endswith(f"{DEFAULT_ORDER} LIMIT 5) q")
    embedded = "sum(octet_length(d.j::text)) OVER (ROWS UNBOUNDED PRECEDING)"
    assert (f"FROM (SELECT d.j, d.n, CASE WHEN {embedded} > $3::bigint THEN "
            f"objectry_answer_bytes({embedded}, $3::bigint) ELSE {embedded} END AS b FROM "
            "(SELECT json_build_object('name', r1.data -> 'fld_name') AS j") in sql
    assert render_count(p)[0] == render_count(plan("select=name,reports(name)"))[0]
