"""Golden SQL of computed columns: the lookups and rollups of one relationship in the select
list are one subquery per row over the row's own links, each aggregate once however often
used; filtered or ordered on, one grouped LEFT JOIN per relationship; a rollup's filter is its
aggregate's FILTER; a formula is its SQL over the row's typed values; a lookup an ordered
jsonb_agg; a field that no longer fits reads as a typed NULL."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import pytest

from objectry.metadata.model import ObjectDef, RelationshipDef
from objectry.records.query.parse import parse_rest
from objectry.records.query.plan import plan_read
from objectry.records.query.render import render_count, render_read
from tests.support.metadata import field, object_def, snapshot

REL = RelationshipDef("rel_cd", "company_deals", "1:N", "obj_company", "obj_deal", "Company",
                      "Deals")
WEIGHTED = {"expression": "{amount} * {probability} / 100", "result_type": "number"}
DEAL = object_def(
    field("title"), field("amount", "number"), field("probability", "number"), field("stage"),
    field("weighted", "formula", WEIGHTED),
    field("company_name", "lookup", {"relationship": "company_deals", "field": "cname"}),
    name="deal")
COMPANY = object_def(
    field("cname"),
    field("n", "rollup", {"relationship": "company_deals", "function": "count"}),
    field("open", "rollup", {"relationship": "company_deals", "function": "sum",
                             "field": "amount", "filter": "stage=eq.open"}),
    field("broken", "rollup", {"relationship": "nope", "function": "count"}),
    field("per_open", "formula", {"expression": "{open} / {n}", "result_type": "number"}),
    name="company")
SNAP = snapshot(DEAL, COMPANY, relationships=(REL,))

SYSTEM = "r.primary_value, r.version, r.created_at, r.updated_at, r.created_by, r.updated_by"


def scope(obj: str) -> str:
    return ("(CASE WHEN r.tenant_id = $1 THEN TRUE END) IS NOT UNKNOWN AND r.tenant_id = $1 AND"
            f" r.object_id = $2 AND r.tenant_id = 'wsp_t' AND r.object_id = '{obj}' AND"
            " r.deleted_at IS NULL")


def links(alias: str, far: str) -> str:
    return (f"relationship_records {alias}_l JOIN records {alias}_t ON {alias}_t.tenant_id ="
            f" {alias}_l.tenant_id AND {alias}_t.id = {alias}_l.{far}")


LIVE_LINKS = ("{a}_l.tenant_id = $1 AND {a}_l.relationship_id = 'rel_cd'{near} AND"
              " {a}_t.deleted_at IS NULL")
TO_DEALS = " AND _c0_l.from_record_id = r.id"
TO_COMPANY = " AND _c0_l.to_record_id = r.id"
OPEN = ("sum((_c0_t.data ->> 'fld_amount')::numeric) FILTER (WHERE (_c0_t.data ->> 'fld_stage')"
        " = $3::text)")
ROW_DEALS = (f"FROM {links('_c0', 'to_record_id')} WHERE "
             + LIVE_LINKS.format(a="_c0", near=TO_DEALS) + ") _c0)")
WEIGHTED_SQL = ("trim_scale(div((((r.data ->> 'fld_amount')::numeric) * ((r.data ->> "
                "'fld_probability')::numeric)) * 10000000000, NULLIF(('100'::numeric), 0))"
                " * 0.0000000001)")
GROUPED = (f"LEFT JOIN (SELECT _j0_l.from_record_id AS id, count(*) AS a0{{open}} FROM"
           f" {links('_j0', 'to_record_id')} WHERE "
           + LIVE_LINKS.format(a="_j0", near="")
           + " GROUP BY _j0_l.from_record_id) _j0 ON _j0.id = r.id")
GROUPED_COUNT = GROUPED.format(open="")
GROUPED_COUNT_OPEN = GROUPED.format(open=", " + OPEN.replace("_c0", "_j0").replace("$3", "$4")
                                    + " AS a1")

GOLDEN: list[tuple[ObjectDef, str, str, list[Any]]] = [
    (COMPANY, "select=cname,n",
     "SELECT r.id, r.object_id, (SELECT jsonb_build_object('fld_cname', r.data -> 'fld_cname',"
     " 'fld_n', to_jsonb(trim_scale(COALESCE(_c0.a0, 0)))) FROM (SELECT count(*) AS a0"
     f" {ROW_DEALS} AS data, {SYSTEM} FROM records_in_scope r WHERE"
     f" {scope('obj_company')} ORDER BY r.created_at, r.id", ["wsp_t", "obj_company"]),
    # Two rollups and a formula over both: one subquery, each aggregate once, the filter's
    # value bound once.
    (COMPANY, "select=n,open,per_open",
     "SELECT r.id, r.object_id, (SELECT jsonb_build_object('fld_n', to_jsonb(trim_scale("
     "COALESCE(_c0.a0, 0))), 'fld_open', to_jsonb(trim_scale(COALESCE(_c0.a1, 0))),"
     " 'fld_per_open', to_jsonb(trim_scale(trim_scale(div((COALESCE(_c0.a1, 0)) *"
     " 10000000000, NULLIF((COALESCE(_c0.a0, 0)), 0)) * 0.0000000001))))"
     f" FROM (SELECT count(*) AS a0, {OPEN} AS a1 {ROW_DEALS} AS data, {SYSTEM} FROM"
     f" records_in_scope r WHERE {scope('obj_company')} ORDER BY r.created_at, r.id",
     ["wsp_t", "obj_company", "open"]),
    (COMPANY, "select=cname&n=gt.1&order=open.desc",
     "SELECT r.id, r.object_id, jsonb_build_object('fld_cname', r.data -> 'fld_cname') AS data,"
     f' {SYSTEM}, (COALESCE(_j0.a1, 0))::text AS "_k0" FROM records_in_scope r'
     f" {GROUPED_COUNT_OPEN} WHERE {scope('obj_company')} AND"
     " COALESCE(_j0.a0, 0) > $3::numeric ORDER BY COALESCE(_j0.a1, 0) DESC, r.id DESC",
     ["wsp_t", "obj_company", Decimal(1), "open"]),
    (DEAL, "select=title,weighted&weighted=gt.1000",
     "SELECT r.id, r.object_id, jsonb_build_object('fld_title', r.data -> 'fld_title',"
     f" 'fld_weighted', to_jsonb(trim_scale({WEIGHTED_SQL}))) AS data, {SYSTEM} FROM"
     f" records_in_scope r WHERE {scope('obj_deal')} AND {WEIGHTED_SQL} > $3::numeric"
     " ORDER BY r.created_at, r.id", ["wsp_t", "obj_deal", Decimal(1000)]),
    (DEAL, "select=company_name",
     "SELECT r.id, r.object_id, (SELECT jsonb_build_object('fld_company_name',"
     " COALESCE(_c0.a0, '[]'::jsonb)) FROM (SELECT jsonb_agg(_c0_t.data -> 'fld_cname'"
     " ORDER BY _c0_t.created_at, _c0_t.id) FILTER (WHERE (_c0_t.data ->> 'fld_cname') IS NOT"
     f" NULL) AS a0 FROM {links('_c0', 'from_record_id')} WHERE "
     + LIVE_LINKS.format(a="_c0", near=TO_COMPANY)
     + f") _c0) AS data, {SYSTEM} FROM records_in_scope r WHERE {scope('obj_deal')}"
     " ORDER BY r.created_at, r.id", ["wsp_t", "obj_deal"]),
    (COMPANY, "select=broken",
     "SELECT r.id, r.object_id, jsonb_build_object('fld_broken', to_jsonb(trim_scale("
     f"NULL::numeric))) AS data, {SYSTEM} FROM records_in_scope r WHERE"
     f" {scope('obj_company')} ORDER BY r.created_at, r.id", ["wsp_t", "obj_company"]),
]


def plan(obj: ObjectDef, qs: str) -> Any:
    return plan_read(parse_rest(parse_qsl(qs, keep_blank_values=True)), obj, SNAP)


@pytest.mark.parametrize(("obj", "qs", "sql", "params"), GOLDEN, ids=[g[1] for g in GOLDEN])
def test_computed_golden(obj: ObjectDef, qs: str, sql: str, params: list[Any]) -> None:
    assert render_read(plan(obj, qs)) == (sql, params)


def test_a_count_carries_the_joins_its_filters_need() -> None:
    sql, params = render_count(plan(COMPANY, "n=gt.1"))
    assert sql == (f"SELECT count(*) AS total FROM records_in_scope r {GROUPED_COUNT} WHERE"
                   f' {scope("obj_company")} AND COALESCE(_j0.a0, 0) > $3::numeric')
    assert params == ["wsp_t", "obj_company", Decimal(1)]


def test_casts_and_operators_follow_what_a_field_computes() -> None:
    deal = plan(DEAL, "select=weighted,company_name")
    assert [o.column.cast for o in deal.outputs if o.column] == ["numeric", "jsonb"]
    # A lookup compares as JSON, a rollup as a number: `like` on either is a 400.
    for obj, qs in ((DEAL, "company_name=like.x*"), (COMPANY, "n=like.1*")):
        with pytest.raises(Exception, match="operator like cannot be used"):
            plan(obj, qs)


def test_an_embedded_record_aggregates_its_rollups_once() -> None:
    """Two rollups and a formula over both on embedded companies: one aggregate query over
    the company's links (besides the embed's own link), the rollup filter's value bound once."""
    sql, params = render_read(plan(DEAL, "select=title,company_deals(n,open,per_open)"))
    assert sql.count("relationship_records") == 2
    assert sql.count("count(*)") == 1 and sql.count("sum(") == 1
    assert "_c0_l.from_record_id = r1.id" in sql
    assert params == ["wsp_t", "obj_deal", "rel_cd", "open"]
