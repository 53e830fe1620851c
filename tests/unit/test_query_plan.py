"""Planning against metadata: names, operators per type, value coercion, relationships."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import pytest

from objectry.fields import REGISTRY, cast_of
from objectry.metadata.model import SYSTEM_COLUMNS, ObjectDef
from objectry.records.query.errors import QueryError
from objectry.records.query.nodes import Embed, Query
from objectry.records.query.operators import OPERATORS
from objectry.records.query.parse import parse_rest
from objectry.records.query.plan import plan_read
from objectry.records.query.planned import Cond, CondGroup, Exists, ReadPlan
from objectry.records.query.types import SYSTEM_CASTS
from tests.support.metadata import (
    CEO_OF,
    COMPANY,
    CONTACT,
    CRM_RELATIONSHIPS,
    DEAL,
    field,
    object_def,
    snapshot,
)

TYPES = [*REGISTRY, "uuid"]  # "uuid": a type the registry does not know → text
THING = object_def(*(field(f"f_{t}", t) for t in TYPES), name="thing")
SNAP = snapshot(THING, CONTACT, COMPANY, DEAL, relationships=(*CRM_RELATIONSHIPS, CEO_OF))


def plan(qs: str, obj: ObjectDef = CONTACT, **kw: Any) -> ReadPlan:
    return plan_read(parse_rest(parse_qsl(qs, keep_blank_values=True)), obj, SNAP, **kw)


def refused(qs: str, obj: ObjectDef = CONTACT, **kw: Any) -> QueryError:
    with pytest.raises(QueryError) as err:
        plan(qs, obj, **kw)
    return err.value


# --- operators × column types: written out independently of operators.py -------------------
ORDERED = {"eq", "neq", "gt", "gte", "lt", "lte", "in", "is", "isdistinct"}
EXPECTED = {
    "text": ORDERED | {"like", "ilike", "match", "imatch", "fts", "plfts", "phfts", "wfts"},
    "numeric": ORDERED, "integer": ORDERED, "date": ORDERED, "timestamptz": ORDERED,
    "boolean": {"eq", "neq", "in", "is", "isdistinct"},
    "jsonb": {"eq", "neq", "is", "isdistinct", "cs", "cd", "ov"},
}
SAMPLE = {"text": "x", "numeric": "1.5", "integer": "2", "boolean": "true",
          "date": "2020-01-02", "timestamptz": "2020-01-02T03:04:05Z", "jsonb": '{"a":1}'}


def sample(cast: str, op: str) -> str:
    if op == "in":
        return f"({SAMPLE[cast]})"
    return {"is": "null", "cs": "{a,b}", "cd": "{a}", "ov": "{a}"}.get(op, SAMPLE[cast])


COLUMNS = [(f"f_{t}", cast_of(t)) for t in TYPES] + list(SYSTEM_CASTS.items())
MATRIX = [(col, cast, op) for col, cast in COLUMNS for op in OPERATORS]


@pytest.mark.parametrize(("column", "cast", "op"), MATRIX,
                         ids=[f"{c}-{o}" for c, _, o in MATRIX])
def test_operator_type_matrix(column: str, cast: str, op: str) -> None:
    qs = f"{column}={op}.{sample(cast, op)}"
    if op in EXPECTED[cast]:
        cond = plan(qs, THING).where[0]
        assert isinstance(cond, Cond)
        assert (cond.column.cast, cond.op) == (cast, op)
    else:
        err = refused(qs, THING)
        assert err.rest_code == "PGRST100"
        assert f"operator {op} cannot be used on column thing.{column}" in err.message
        assert err.hint and err.hint.startswith("allowed: eq, neq")


def test_system_columns_table_matches_model() -> None:
    assert set(SYSTEM_CASTS) == set(SYSTEM_COLUMNS)


# --- value coercion ------------------------------------------------------------------------
UTC2 = timezone(timedelta(hours=2))
GOOD = [
    ("f_number", "eq", "1.50", Decimal("1.50")),
    ("f_number", "eq", "-3", Decimal("-3")),
    ("f_number", "eq", "+2", Decimal("2")),
    ("f_number", "eq", ".5", Decimal(".5")),
    ("f_number", "eq", " 7 ", Decimal("7")),
    ("f_number", "gt", "1e3", Decimal("1E+3")),
    ("f_currency", "lt", "19.99", Decimal("19.99")),
    ("f_percent", "gte", "0", Decimal("0")),
    ("f_rating", "lte", "5", Decimal("5")),
    ("f_number", "in", "(1,2.5)", [Decimal("1"), Decimal("2.5")]),
    ("f_number", "in", "()", []),
    ("version", "eq", "3", 3),
    ("version", "in", "(1,-2)", [1, -2]),
    ("f_boolean", "eq", "true", True),
    ("f_boolean", "eq", "FALSE", False),
    ("f_boolean", "in", "(true,false)", [True, False]),
    ("f_date", "eq", "2026-02-28", date(2026, 2, 28)),
    ("f_date", "in", "(2024-02-29)", [date(2024, 2, 29)]),
    ("f_datetime", "eq", "2026-01-01T10:00:00Z", datetime(2026, 1, 1, 10, tzinfo=UTC)),
    ("f_datetime", "eq", "2026-01-01T10:00:00+02:00", datetime(2026, 1, 1, 10, tzinfo=UTC2)),
    ("f_datetime", "eq", "2026-01-01T10:00:00 02:00", datetime(2026, 1, 1, 10, tzinfo=UTC2)),
    ("f_datetime", "eq", "2026-01-01 10:00:00+00:00", datetime(2026, 1, 1, 10, tzinfo=UTC)),
    ("f_datetime", "eq", "2026-01-01", datetime(2026, 1, 1, tzinfo=UTC)),
    ("created_at", "gt", "2026-01-01T00:00:00.5Z",
     datetime(2026, 1, 1, 0, 0, 0, 500000, tzinfo=UTC)),
    ("f_text", "eq", "it's", "it's"),
    ("f_text", "eq", "", ""),
    ("f_email", "in", '("a,b",c)', ["a,b", "c"]),
    ("f_text", "like", "*a*b", "%a%b"),
    ("f_text", "like", "a\\\\", "a\\\\"),  # an escaped backslash ends it: a literal one
    ("f_datetime", "eq", "0001-01-01T10:00:00+02:00", datetime(1, 1, 1, 8, tzinfo=UTC)),
    ("f_text", "ilike", "a%", "a%"),
    ("f_text", "match", "^a(b|c)*$", "^a(b|c)*$"),
    ("f_text", "fts", "fat & !(rat | cat)", "fat & !(rat | cat)"),
    ("f_text", "fts", "'fat':* <-> rat:AB", "'fat':* <-> rat:AB"),
    ("f_text", "fts", "a <2> b", "a <2> b"),
    ("f_text", "plfts", "a b & c", "a b & c"),
    ("f_json", "eq", '{"a":1}', {"a": 1}),
    ("f_json", "eq", "[1,2]", [1, 2]),
    ("f_json", "eq", '"s"', "s"),
    ("f_json", "eq", "null", None),
    ("f_json", "eq", "1.5", 1.5),
    ("f_json", "cs", '{"a":1}', {"a": 1}),
    ("f_json", "cs", "{a,b}", ["a", "b"]),
    ("f_json", "cd", "[1,2]", [1, 2]),
    ("f_multi_select", "eq", '["b"]', ["b"]),
    ("f_multi_select", "cs", "{a,b}", ["a", "b"]),
    ("f_multi_select", "cs", '{"a b",c}', ["a b", "c"]),
    ("f_multi_select", "cs", '{"x,y", z }', ["x,y", "z"]),
    ("f_multi_select", "cs", '["a"]', ["a"]),
    ("f_multi_select", "cs", "{}", []),
    ("f_multi_select", "cs", "[]", []),
    ("f_multi_select", "cd", '{"q\\"t"}', ['q"t']),
    ("f_multi_select", "ov", "{a,b}", ["a", "b"]),
    ("f_multi_select", "ov", '["a"]', ["a"]),
]


@pytest.mark.parametrize(("column", "op", "raw", "expected"), GOOD,
                         ids=[f"{c}-{o}-{r}" for c, o, r, _ in GOOD])
def test_values_are_coerced(column: str, op: str, raw: str, expected: Any) -> None:
    cond = plan_read(Query(where=(_filter(column, op, raw),)), THING, SNAP).where[0]
    assert isinstance(cond, Cond)
    assert cond.value == expected
    assert type(cond.value) is type(expected)


def _filter(column: str, op: str, raw: str):  # type: ignore[no-untyped-def]
    return parse_rest([(column, f"{op}.{raw}")]).where[0]


BAD_VALUES = [
    ("f_number", "eq", "abc", "22P02"), ("f_number", "eq", "1,5", "22P02"),
    ("f_number", "eq", "NaN", "22P02"), ("f_number", "eq", "Infinity", "22P02"),
    ("f_number", "eq", "1_000", "22P02"), ("f_number", "eq", "0x10", "22P02"),
    ("f_number", "eq", "", "22P02"), ("f_number", "eq", "1.2.3", "22P02"),
    ("f_number", "eq", "--1", "22P02"), ("f_number", "eq", "1e", "22P02"),
    ("f_number", "eq", "1e99999", "22P02"), ("f_number", "eq", "1e2000", "22003"),
    ("f_number", "eq", "9" * 1001, "22003"), ("f_number", "in", "(1,x)", "22P02"),
    ("f_number", "gt", "１２", "22P02"), ("version", "eq", "1.5", "22P02"),
    ("version", "eq", "x", "22P02"), ("version", "eq", "9999999999", "22003"),
    ("f_boolean", "eq", "yes", "22P02"), ("f_boolean", "eq", "1", "22P02"),
    ("f_boolean", "eq", "t", "22P02"), ("f_boolean", "eq", "", "22P02"),
    ("f_date", "eq", "2026-02-30", "22007"), ("f_date", "eq", "2026-2-1", "22007"),
    ("f_date", "eq", "20260101", "22007"), ("f_date", "eq", "2026-W01-1", "22007"),
    ("f_date", "eq", "yesterday", "22007"), ("f_date", "eq", "", "22007"),
    ("f_date", "eq", "2026-01-01T00:00:00Z", "22007"),
    ("f_datetime", "eq", "2026-01-01T10:00:00", "22007"),
    ("f_datetime", "eq", "now", "22007"), ("f_datetime", "eq", "2026-13-01T00:00:00Z", "22007"),
    ("f_datetime", "eq", "2026-01-01T25:00:00Z", "22007"), ("f_datetime", "eq", "", "22007"),
    ("f_datetime", "eq", "infinity", "22007"), ("updated_at", "lt", "1700000000", "22007"),
    ("f_json", "eq", "abc", "22P02"), ("f_json", "eq", "{a}", "22P02"),
    ("f_json", "eq", "NaN", "22P02"), ("f_json", "eq", "1e400", "22P02"),
    ("f_json", "eq", "[" * 65 + "]" * 65, "22P02"), ("f_json", "eq", "[" * 5000, "22P02"),
    ("f_json", "eq", "123456789012345678901234567890", "22P02"),
    ("f_multi_select", "cs", '{"a":1}', "22P02"), ("f_multi_select", "cs", "[1]", "22P02"),
    ("f_multi_select", "cs", "{a,{b}}", "PGRST100"), ("f_multi_select", "cs", '"a"', "22P02"),
    ("f_multi_select", "cs", "abc", "22P02"), ("f_multi_select", "cs", "{a", "PGRST100"),
    ("f_multi_select", "cs", '{"a}', "PGRST100"), ("f_multi_select", "cs", "{a}b", "PGRST100"),
    ("f_multi_select", "ov", "[1]", "22P02"), ("f_multi_select", "ov", '{"a":1}', "22P02"),
    ("f_multi_select", "eq", "{a,b}", "22P02"), ("f_json", "cd", "{a", "PGRST100"),
    ("f_text", "fts", "a b", "PGRST100"), ("f_text", "fts", "a &", "PGRST100"),
    ("f_text", "fts", "(a", "PGRST100"), ("f_text", "fts", "a)", "PGRST100"),
    ("f_text", "fts", "!", "PGRST100"), ("f_text", "fts", "a:q", "PGRST100"),
    ("f_text", "fts", "a\\b", "PGRST100"), ("f_text", "fts", "", "PGRST100"),
    ("f_text", "fts", "& a", "PGRST100"), ("f_text", "fts", "a <-", "PGRST100"),
    ("f_text", "fts", "'a", "PGRST100"), ("f_text", "fts", "(" * 40 + "a" + ")" * 40, "PGRST100"),
    ("f_text", "eq", "a\x00b", "22021"), ("f_text", "in", "(a,\x00)", "22021"),
    ("f_text", "eq", "\ud800", "22021"), ("f_text", "like", "\x00", "22021"),
    ("f_text", "like", "a\\", "22025"), ("f_text", "ilike", "*b\\\\\\", "22025"),
    ("primary_value", "like", "*code 4417\\", "22025"), ("id", "ilike", "\\", "22025"),
    ("f_json", "eq", '"\\ud800"', "22P02"), ("f_json", "cs", '["\\ud800"]', "22P02"),
    ("f_json", "cs", '{"\\udfff": 1}', "22P02"), ("f_json", "eq", '"\\u0000"', "22P02"),
    ("f_multi_select", "cs", '["a", "\\ud800"]', "22P02"),
    ("f_multi_select", "ov", '["\\ud800"]', "22P02"),
    ("f_datetime", "eq", "0001-01-01T00:00:00+14:00", "22008"),
    ("created_at", "gt", "0001-01-01T00:00:00+14:00", "22008"),
    ("updated_at", "lt", "9999-12-31T23:59:59-14:00", "22008"),
    ("f_boolean", "is", "unknown", None), ("f_text", "is", "true", "PGRST100"),
    ("f_number", "is", "false", "PGRST100"), ("f_json", "is", "unknown", "PGRST100"),
]


@pytest.mark.parametrize(("column", "op", "raw", "code"), BAD_VALUES,
                         ids=[f"{c}-{o}-{r[:20]!r}" for c, o, r, _ in BAD_VALUES])
def test_bad_values_are_400(column: str, op: str, raw: str, code: str | None) -> None:
    query = Query(where=(_filter(column, op, raw),))  # the parser passes NUL on; plan refuses
    if code is None:
        plan_read(query, THING, SNAP)
        return
    with pytest.raises(QueryError) as err:
        plan_read(query, THING, SNAP)
    e = err.value
    assert (e.rest_code, e.rest_status, e.code) == (code, 400, "bad_request")


def test_bad_value_message_reads_like_postgresql() -> None:
    err = refused("age=gt.abc")
    assert err.message == 'invalid input syntax for type numeric: "abc"'


def test_fts_config_must_be_known() -> None:
    cond = plan("bio=fts(English).cat").where[0]
    assert isinstance(cond, Cond) and cond.config == "english"
    err = refused("bio=fts(klingon).cat")
    assert err.rest_code == "42704" and "klingon" in err.message


# --- columns -------------------------------------------------------------------------------
def test_unknown_column_is_42703_with_a_suggestion() -> None:
    err = refused("nme=eq.x")
    assert (err.rest_code, err.rest_status) == ("42703", 400)
    assert err.message == "column contact.nme does not exist"
    assert err.hint == 'Perhaps you meant to reference the column "contact.name".'
    assert refused("zzzzzz=eq.1").hint is None


@pytest.mark.parametrize("qs", ["data=eq.x", "tenant_id=eq.x", "deleted_at=is.null",
                                "object_id=eq.x", "trash_batch=eq.x", "order=data",
                                "order=tenant_id", "select=deleted_at", "select=data",
                                "order=nope.desc", "select=name,nope", "select=employer(nope)",
                                "select=employer(*)&employer.nope=eq.1",
                                "select=employer(*)&employer.order=nope",
                                "select=employer(*)&employer.or=(nope.eq.1)"])
def test_internal_and_unknown_columns_are_not_reachable(qs: str) -> None:
    assert refused(qs).rest_code == "42703"


def test_star_outputs_system_columns_then_fields() -> None:
    p = plan("select=*")
    assert [o.key for o in p.outputs] == [*SYSTEM_COLUMNS, *(f.name for f in CONTACT.fields)]
    assert p.all_fields and p.fields == CONTACT.fields


def test_select_columns_and_aliases() -> None:
    p = plan("select=id,n:name,age,name")
    assert [o.key for o in p.outputs] == ["id", "n", "age", "name"]
    assert [f.name for f in p.fields] == ["name", "age"]
    assert not p.all_fields


def test_no_select_is_every_column() -> None:
    p = plan("")
    assert p.all_fields and len(p.outputs) == len(SYSTEM_COLUMNS) + len(CONTACT.fields)


# --- order and limits -----------------------------------------------------------------------
def test_default_order_is_created_at_then_id() -> None:
    assert [(k.column.name, k.desc) for k in plan("").order] == [("created_at", False),
                                                                 ("id", False)]


def test_id_is_appended_once() -> None:
    assert [k.column.name for k in plan("order=age.desc,name").order] == ["age", "name", "id"]
    assert [k.column.name for k in plan("order=id.desc,age").order] == ["id", "age"]


@pytest.mark.parametrize(("qs", "kw", "limit"), [
    ("", {}, None), ("limit=5", {}, 5), ("", {"default_limit": 50}, 50),
    ("limit=5000", {"max_limit": 1000}, 1000), ("", {"default_limit": 50, "max_limit": 10}, 10),
    ("limit=0", {"default_limit": 50}, 0)])
def test_limits(qs: str, kw: dict[str, int], limit: int | None) -> None:
    assert plan(qs, **kw).limit == limit


def test_unknown_shape_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        plan("", shape="xml")


def test_budget_limits() -> None:
    plan("or=(" + ",".join(["age.eq.1"] * 1000) + ")")
    assert "at most 1000 filters" in refused("or=(" + ",".join(["age.eq.1"] * 1001) + ")").message
    plan("select=" + ",".join(f"e{i}:employer(cname)" for i in range(20)))
    many = ",".join(f"e{i}:employer(cname)" for i in range(21))
    err = refused(f"select={many}")
    assert (err.rest_code, err.message) == ("PGRST100", "a query may embed at most 20 resources")
    nested = "select=" + ",".join(f"r{i}:reports(e:employer(cname))" for i in range(11))
    assert "at most 20" in refused(nested).message  # every level counts


def test_the_whole_select_is_bounded_stars_by_what_they_stand_for() -> None:
    top, full = ",".join(["name"] * 998), ",".join(["name"] * 1000)  # 1,000 items a level
    plan(f"select={top},manager({full}),employer(cname,id)")
    err = refused(f"select={top},manager({full}),employer(cname,id,cname)")
    assert (err.rest_code, err.message) == ("PGRST100", "a query may select at most 2000 columns")
    plan(f"select=id,{top},manager({full})")  # 1,999 columns
    assert "at most 2000 columns" in refused(f"select=*,{top},manager({full})").message


@pytest.mark.parametrize(("depth", "select"), [
    (0, "select=name"), (1, "select=reports(name)"), (2, "select=reports(reports(name))")])
def test_embed_depth_follows_the_setting(depth: int, select: str) -> None:
    plan(select, max_embed_depth=depth)
    deeper = select.replace("name", "reports(name)", 1) if depth else "select=reports(name)"
    err = refused(deeper, max_embed_depth=depth)
    assert (err.rest_code, err.message) == ("PGRST100", f"embedding is limited to {depth} levels")


# --- relationships ---------------------------------------------------------------------------
RESOLVE = [
    (CONTACT, "works_at", None, "rel_works", False, False),
    (CONTACT, "employer", None, "rel_works", False, False),
    (CONTACT, "Employer", None, "rel_works", False, False),
    (COMPANY, "works_at", None, "rel_works", True, True),
    (COMPANY, "employees", None, "rel_works", True, True),
    (COMPANY, "contacts", "works_at", "rel_works", True, True),
    (COMPANY, "contacts", "rel_works", "rel_works", True, True),
    (COMPANY, "contact", "ceo_of", "rel_ceo", False, False),
    (COMPANY, "ceo", None, "rel_ceo", False, False),
    (COMPANY, "CEO", None, "rel_ceo", False, False),
    (CONTACT, "led_company", None, "rel_ceo", True, False),
    (CONTACT, "ceo_of", None, "rel_ceo", True, False),
    (CONTACT, "company", "ceo_of", "rel_ceo", True, False),
    (CONTACT, "companies", "works_at", "rel_works", False, False),
    (CONTACT, "deals", None, "rel_deals", True, True),
    (CONTACT, "deal", None, "rel_deals", True, True),
    (CONTACT, "contact_deals", None, "rel_deals", True, True),
    (DEAL, "contacts", None, "rel_deals", False, True),
    (DEAL, "contact", None, "rel_deals", False, True),
    (DEAL, "contact_deals", None, "rel_deals", False, True),
    (CONTACT, "manages", None, "rel_mgr", True, True),
    (CONTACT, "reports", None, "rel_mgr", True, True),
    (CONTACT, "manager", None, "rel_mgr", False, False),
    (CONTACT, "Manager", "manages", "rel_mgr", False, False),
]


@pytest.mark.parametrize(("parent", "name", "hint", "rel", "forward", "many"), RESOLVE,
                         ids=[f"{p.name}-{n}-{h}" for p, n, h, *_ in RESOLVE])
def test_embed_resolution(parent: ObjectDef, name: str, hint: str | None, rel: str,
                          forward: bool, many: bool) -> None:
    embed = plan_read(Query(select=(Embed(name, hint=hint),)), parent, SNAP).embeds[0]
    assert (embed.relationship.id, embed.forward, embed.to_many) == (rel, forward, many)
    expected_target = embed.relationship.to_object_id if forward else \
        embed.relationship.from_object_id
    assert embed.target.id == expected_target


@pytest.mark.parametrize(("parent", "name", "hint"), [
    (COMPANY, "contacts", None), (COMPANY, "contact", None), (CONTACT, "company", None),
    (CONTACT, "companies", None), (CONTACT, "contacts", None), (CONTACT, "contact", "manages")])
def test_ambiguous_embed_is_pgrst201_status_300(parent: ObjectDef, name: str,
                                                 hint: str | None) -> None:
    with pytest.raises(QueryError) as err:
        plan_read(Query(select=(Embed(name, hint=hint),)), parent, SNAP)
    e = err.value
    assert (e.rest_code, e.rest_status, e.code) == ("PGRST201", 300, "bad_request")
    details = e.rest_details
    assert len(details) == 2 and {"cardinality", "embedding", "relationship"} <= set(details[0])
    assert e.hint and e.hint.startswith(f"Try changing '{name}' to one of the following")


def test_self_relationship_suggests_labels() -> None:
    with pytest.raises(QueryError) as err:
        plan_read(Query(select=(Embed("contacts"),)), CONTACT, SNAP)
    assert "'reports'" in (err.value.hint or "") and "'manager'" in (err.value.hint or "")


@pytest.mark.parametrize(("parent", "name", "hint"), [
    (CONTACT, "nothing", None), (CONTACT, "company", "nope"), (DEAL, "company", None),
    (COMPANY, "deal", None), (CONTACT, "Works at", None), (DEAL, "deals", None),
    (CONTACT, "employees", None), (COMPANY, "employer", None), (CONTACT, "rel_works", None)])
def test_unknown_embed_is_pgrst200(parent: ObjectDef, name: str, hint: str | None) -> None:
    with pytest.raises(QueryError) as err:
        plan_read(Query(select=(Embed(name, hint=hint),)), parent, SNAP)
    assert (err.value.rest_code, err.value.rest_status) == ("PGRST200", 400)


def test_embed_depth_three_is_allowed_four_is_not() -> None:
    plan("select=reports(reports(reports(name)))")
    err = refused("select=reports(reports(reports(reports(name))))")
    assert "limited to 3 levels" in err.message


def test_embed_outputs_and_options() -> None:
    p = plan("select=name,boss:manager(name,age),reports(*)&reports.age=gt.3"
             "&reports.order=age.desc&reports.limit=2&reports.offset=1")
    boss, reports = p.embeds
    assert [o.key for o in boss.outputs] == ["name", "age"]
    assert [o.label for o in p.outputs if o.embed] == ["_e0", "_e1"]
    assert reports.limit == 2 and reports.offset == 1
    assert [k.column.name for k in reports.order] == ["age", "id"]
    assert isinstance(reports.where[0], Cond) and reports.where[0].value == Decimal("3")
    assert boss.cardinality == "to-one" and reports.cardinality == "to-many"


def test_hidden_embed_filters_only() -> None:
    p = plan("select=name,employer!inner()&employer.cname=eq.Acme")
    assert p.embeds == ()
    assert isinstance(p.where[0], Exists) and not p.where[0].negated
    assert isinstance(p.where[0].embed.where[0], Cond)


@pytest.mark.parametrize(("value", "negated"), [
    ("is.null", True), ("not.is.null", False), ("is.not_null", False),
    ("not.is.not_null", True)])
def test_embed_null_filters_become_exists(value: str, negated: bool) -> None:
    p = plan(f"select=name,employer(cname)&employer={value}")
    assert isinstance(p.where[0], Exists) and p.where[0].negated is negated


def test_embed_can_only_be_null_tested() -> None:
    assert refused("select=employer(cname)&employer=eq.x").rest_code == "PGRST100"


def test_logic_groups_are_planned_recursively() -> None:
    group = plan("or=(age.gt.1,and(name.eq.x,active.is.true))").where[0]
    assert isinstance(group, CondGroup) and group.op == "or"
    assert isinstance(group.items[1], CondGroup) and group.items[1].op == "and"
    assert refused("or=(age.gt.1,and(name.eq.x,nope.is.true))").rest_code == "42703"


def test_object_ids_and_has_filters() -> None:
    p = plan("select=name,deals(title),employer()&employer=not.is.null")
    assert p.object_ids == {"obj_contact", "obj_deal", "obj_company"}
    assert p.has_filters and not plan("select=name").has_filters


def test_search_text_is_checked() -> None:
    assert plan_read(Query(search="ann"), CONTACT, SNAP).search == "ann"
    with pytest.raises(QueryError):
        plan_read(Query(search="a\x00"), CONTACT, SNAP)
