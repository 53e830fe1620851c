"""Golden tables for the PostgREST grammar: query string → AST, and what must not parse."""

from __future__ import annotations

import contextlib
from urllib.parse import parse_qsl, quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from objectry.records.query.errors import QueryError
from objectry.records.query.nodes import Column, Embed, Filter, Group, Order, Query, Star
from objectry.records.query.operators import OPERATORS
from objectry.records.query.parse import parse_query, parse_records, parse_rest
from objectry.records.query.select import parse_expand, parse_select


def pairs(qs: str) -> list[tuple[str, str]]:
    """Split like a server would, but keep '+' (tests write values unencoded)."""
    return parse_qsl(qs.replace("+", "%2B"), keep_blank_values=True)


def where(qs: str) -> tuple:
    return parse_rest(pairs(qs)).where


F = Filter

# --- top-level filters: the value after the operator is taken verbatim ---------------------
FILTERS = [
    ("name=eq.Paris", F("name", "eq", "Paris")),
    ("name=eq.", F("name", "eq", "")),
    ("name=eq.a.b.c", F("name", "eq", "a.b.c")),
    ("age=eq.1.5", F("age", "eq", "1.5")),
    ("name=eq.\"quoted\"", F("name", "eq", '"quoted"')),
    ("name=eq.a,b(c)", F("name", "eq", "a,b(c)")),
    ("name=eq.  spaced  ", F("name", "eq", "  spaced  ")),
    ("name=eq.Émile", F("name", "eq", "Émile")),
    ("name=eq.o'hara", F("name", "eq", "o'hara")),
    ("name=eq.not.x", F("name", "eq", "not.x")),
    ("name=neq.x", F("name", "neq", "x")),
    ("age=gt.30", F("age", "gt", "30")),
    ("age=gte.30", F("age", "gte", "30")),
    ("age=lt.-1", F("age", "lt", "-1")),
    ("age=lte.1e3", F("age", "lte", "1e3")),
    ("name=like.*ann*", F("name", "like", "*ann*")),
    ("name=ilike.%25ann%25", F("name", "ilike", "%ann%")),
    ("name=match.^a.*$", F("name", "match", "^a.*$")),
    ("name=imatch.^A", F("name", "imatch", "^A")),
    ("age=isdistinct.3", F("age", "isdistinct", "3")),
    ("age=in.(1,2,3)", F("age", "in", ("1", "2", "3"))),
    ("age=in.()", F("age", "in", ())),
    ("name=in.(a)", F("name", "in", ("a",))),
    ("name=in.(\"a,b\",c)", F("name", "in", ("a,b", "c"))),
    ("name=in.(\"a)b\",\"(c\")", F("name", "in", ("a)b", "(c"))),
    ("name=in.(\"say \\\"hi\\\"\")", F("name", "in", ('say "hi"',))),
    ("name=in.(\"back\\\\slash\")", F("name", "in", ("back\\slash",))),
    ("name=in.( a , b )", F("name", "in", ("a", "b"))),
    ("name=in.(\" a \")", F("name", "in", (" a ",))),
    ("name=in.(,)", F("name", "in", ("", ""))),
    ("name=in.(\"\")", F("name", "in", ("",))),
    ("age=is.null", F("age", "is", "null")),
    ("age=is.NULL", F("age", "is", "null")),
    ("age=is.not_null", F("age", "is", "not_null")),
    ("ok=is.true", F("ok", "is", "true")),
    ("ok=is.false", F("ok", "is", "false")),
    ("ok=is.unknown", F("ok", "is", "unknown")),
    ("tags=cs.{a,b}", F("tags", "cs", "{a,b}")),
    ("tags=cs.[\"a\"]", F("tags", "cs", '["a"]')),
    ("tags=cd.{a}", F("tags", "cd", "{a}")),
    ("tags=ov.{a,\"b c\"}", F("tags", "ov", '{a,"b c"}')),
    ("bio=fts.cat", F("bio", "fts", "cat")),
    ("bio=fts(english).cat", F("bio", "fts", "cat", config="english")),
    ("bio=plfts(french).le chat", F("bio", "plfts", "le chat", config="french")),
    ("bio=phfts.fat cat", F("bio", "phfts", "fat cat")),
    ("bio=wfts(simple).\"fat cat\" or dog", F("bio", "wfts", '"fat cat" or dog', config="simple")),
    ("name=not.eq.x", F("name", "eq", "x", negated=True)),
    ("age=not.in.(1,2)", F("age", "in", ("1", "2"), negated=True)),
    ("age=not.is.null", F("age", "is", "null", negated=True)),
    ("bio=not.fts(english).cat", F("bio", "fts", "cat", negated=True, config="english")),
    ("name=not.like.a*", F("name", "like", "a*", negated=True)),
    ("_x1=eq.1", F("_x1", "eq", "1")),
    ("not=eq.1", F("not", "eq", "1")),
]


@pytest.mark.parametrize(("qs", "expected"), FILTERS, ids=[q for q, _ in FILTERS])
def test_filter(qs: str, expected: Filter) -> None:
    assert where(qs) == (expected,)


def test_every_operator_parses() -> None:
    for name in OPERATORS:
        value = "(1)" if name == "in" else "null" if name == "is" else "1"
        assert where(f"col={name}.{value}")[0].op == name


def test_repeated_filters_are_all_kept_in_order() -> None:
    assert where("age=gt.1&age=lt.9&name=eq.x") == (
        F("age", "gt", "1"), F("age", "lt", "9"), F("name", "eq", "x"))


# --- logic trees: values may be quoted; nesting allowed ---------------------------------------
G = Group
LOGIC = [
    ("or=(a.eq.1,b.gt.2)", G("or", (F("a", "eq", "1"), F("b", "gt", "2")))),
    ("and=(a.eq.1,b.gt.2)", G("and", (F("a", "eq", "1"), F("b", "gt", "2")))),
    ("not.or=(a.eq.1,b.gt.2)", G("or", (F("a", "eq", "1"), F("b", "gt", "2")), True)),
    ("not.and=(a.eq.1)", G("and", (F("a", "eq", "1"),), True)),
    ("or=(a.eq.1,and(c.lt.3,d.is.null))",
     G("or", (F("a", "eq", "1"), G("and", (F("c", "lt", "3"), F("d", "is", "null")))))),
    ("or=(a.eq.1,not.and(c.lt.3,d.is.null))",
     G("or", (F("a", "eq", "1"), G("and", (F("c", "lt", "3"), F("d", "is", "null")), True)))),
    ("or=(and(a.eq.1,or(b.eq.2,c.eq.3)),d.eq.4)",
     G("or", (G("and", (F("a", "eq", "1"), G("or", (F("b", "eq", "2"), F("c", "eq", "3"))))),
              F("d", "eq", "4")))),
    ("or=(a.not.eq.1,b.not.is.null)",
     G("or", (F("a", "eq", "1", True), F("b", "is", "null", True)))),
    ("or=(a.eq.\"x,y\",b.eq.\"(z)\")", G("or", (F("a", "eq", "x,y"), F("b", "eq", "(z)")))),
    ("or=(a.eq.\"q\\\"t\")", G("or", (F("a", "eq", 'q"t'),))),
    ("or=(a.in.(1,2),b.in.(\"x,y\"))", G("or", (F("a", "in", ("1", "2")),
                                                F("b", "in", ("x,y",))))),
    ("or=(tags.cs.{a,b},tags.cd.{c})", G("or", (F("tags", "cs", "{a,b}"),
                                                F("tags", "cd", "{c}")))),
    ("or=(tags.cs.[\"a\",\"b\"],x.eq.1)", G("or", (F("tags", "cs", '["a","b"]'),
                                                   F("x", "eq", "1")))),
    ("or=(a.eq.1.5,b.eq.a.b)", G("or", (F("a", "eq", "1.5"), F("b", "eq", "a.b")))),
    ("or=(a.eq.,b.eq.)", G("or", (F("a", "eq", ""), F("b", "eq", "")))),
    ("or=( a.eq.1, b.eq.2)", G("or", (F("a", "eq", "1"), F("b", "eq", "2")))),
    ("or=(a.IS.null)", None),
    ("or=(bio.fts(english).cat,bio.wfts.dog)",
     G("or", (F("bio", "fts", "cat", config="english"), F("bio", "wfts", "dog")))),
    ("or=(a.is.NULL)", G("or", (F("a", "is", "null"),))),
    ("or=(a.eq.x(y)", G("or", (F("a", "eq", "x(y"),))),
    ("or=(a.eq.x(y))", None),
    ("or=(a.eq.1)", G("or", (F("a", "eq", "1"),))),
]


@pytest.mark.parametrize(("qs", "expected"), LOGIC, ids=[q for q, _ in LOGIC])
def test_logic(qs: str, expected: Group | None) -> None:
    if expected is None:
        with pytest.raises(QueryError) as err:
            where(qs)
        assert err.value.rest_code == "PGRST100"
    else:
        assert where(qs) == (expected,)


def test_deep_but_allowed_nesting() -> None:
    depth = 16  # the top group plus 15 nested ones
    group = where("or=" + "(" + "and(" * (depth - 1) + "a.eq.1" + ")" * depth)[0]
    for _ in range(depth - 1):
        group = group.items[0]
    assert group.items == (F("a", "eq", "1"),)


@pytest.mark.parametrize("depth", [17, 50, 1000, 100_000])
def test_too_deep_logic_is_a_query_error(depth: int) -> None:
    text = "(" + "and(" * depth + "a.eq.1" + ")" * (depth + 1)
    with pytest.raises(QueryError, match="failed to parse"):
        parse_rest([("or", text)])


# --- order ---------------------------------------------------------------------------------
O = Order  # noqa: E741 - a table of Orders reads better short
ORDERS = [
    ("name", (O("name"),)),
    ("name.asc", (O("name"),)),
    ("name.desc", (O("name", True),)),
    ("name.nullsfirst", (O("name", False, True),)),
    ("name.nullslast", (O("name", False, False),)),
    ("name.asc.nullsfirst", (O("name", False, True),)),
    ("name.desc.nullslast", (O("name", True, False),)),
    ("name.desc.nullsfirst", (O("name", True, True),)),
    ("a,b.desc,c.nullsfirst", (O("a"), O("b", True), O("c", False, True))),
    (" a , b.desc ", (O("a"), O("b", True))),
]


@pytest.mark.parametrize(("text", "expected"), ORDERS, ids=[t for t, _ in ORDERS])
def test_order(text: str, expected: tuple[Order, ...]) -> None:
    assert parse_rest([("order", text)]).order == expected


def test_repeated_order_params_concatenate() -> None:
    assert parse_rest([("order", "a"), ("order", "b.desc")]).order == (O("a"), O("b", True))


# --- select --------------------------------------------------------------------------------
C, E = Column, Embed
SELECTS = [
    ("*", (Star(),)),
    ("", (Star(),)),
    ("id", (C("id"),)),
    ("id,name", (C("id"), C("name"))),
    ("full:full_name", (C("full_name", "full"),)),
    ("id, name ,*", (C("id"), C("name"), Star())),
    ("company(*)", (E("company"),)),
    ("company()", (E("company", select=()),)),
    ("company(name,domain)", (E("company", select=(C("name"), C("domain"))),)),
    ("co:company(name)", (E("company", "co", select=(C("name"),)),)),
    ("company!works_at(name)", (E("company", hint="works_at", select=(C("name"),)),)),
    ("company!inner(name)", (E("company", inner=True, select=(C("name"),)),)),
    ("company!left(name)", (E("company", select=(C("name"),)),)),
    ("company!works_at!inner(*)", (E("company", hint="works_at", inner=True),)),
    ("company!inner!works_at(*)", (E("company", hint="works_at", inner=True),)),
    ("co:company!works_at!inner(n:name)",
     (E("company", "co", "works_at", True, (C("name", "n"),)),)),
    ("a(b(c(d(*))))", (E("a", select=(E("b", select=(E("c", select=(E("d"),)),)),)),)),
    ("id,company(name,contacts(email)),*",
     (C("id"), E("company", select=(C("name"), E("contacts", select=(C("email"),)))), Star())),
    ("x( * )", (E("x"),)),
]


@pytest.mark.parametrize(("text", "expected"), SELECTS, ids=[t or "empty" for t, _ in SELECTS])
def test_select(text: str, expected: tuple) -> None:
    assert parse_select(text) == expected
    assert parse_rest([("select", text)]).select == expected


def test_no_select_means_none() -> None:
    assert parse_rest([]).select is None


def test_expand() -> None:
    assert parse_expand("company, deals,") == (E("company"), E("deals"))
    with pytest.raises(QueryError):
        parse_expand("company;drop")


# --- embed options -------------------------------------------------------------------------
def test_embed_filters_order_limit_attach_by_alias_and_path() -> None:
    query = parse_rest(pairs(
        "select=name,co:company(name,contacts(email))&co.name=eq.Acme&co.order=name.desc"
        "&co.limit=5&co.offset=2&co.or=(name.eq.a,name.eq.b)&co.contacts.email=like.*@x*"
        "&co.contacts.limit=1&co.not.and=(name.is.null)"))
    company = query.select[1]
    assert company.where == (F("name", "eq", "Acme"),
                             G("or", (F("name", "eq", "a"), F("name", "eq", "b"))),
                             G("and", (F("name", "is", "null"),), True))
    assert (company.order, company.limit, company.offset) == ((O("name", True),), 5, 2)
    contacts = company.select[1]
    assert contacts.where == (F("email", "like", "*@x*"),)
    assert contacts.limit == 1
    assert query.where == ()


def test_embed_option_without_that_embed_is_pgrst108() -> None:
    for qs in ("company.name=eq.x", "select=name&company.name=eq.x",
               "select=co:company(*)&company.limit=1", "select=a(b(*))&b.name=eq.1"):
        with pytest.raises(QueryError) as err:
            parse_rest(pairs(qs))
        assert err.value.rest_code == "PGRST108"


# --- limit, offset, reserved keys ----------------------------------------------------------
def test_limit_offset() -> None:
    query = parse_rest(pairs("limit=10&offset=0"))
    assert (query.limit, query.offset) == (10, 0)
    assert parse_rest([]).limit is None


@pytest.mark.parametrize(("text", "value"), [
    ("9" * 18, 10**18 - 1), ("9" * 19, 10**18), ("9" * 5000, 10**18), ("0" * 30 + "7", 7),
    ("000", 0), (" 12 ", 12)])
def test_a_limit_or_offset_of_any_size_reads_as_a_bigint(text: str, value: int) -> None:
    """However large: "everything" (capped at the page size later) or "past the end"."""
    query = parse_rest([("limit", text), ("offset", text)])
    assert (query.limit, query.offset) == (value, value)


def test_reserved_keys_by_dialect() -> None:
    rest = parse_rest(pairs("on_conflict=email&columns=a,b&name=eq.x"))
    assert rest.where == (F("name", "eq", "x"),)
    records = parse_records(pairs("object=contact&cursor=abc&count=exact&expand=co&q=ann"
                                  "&city=eq.Paris"))
    assert records == Query(where=(F("city", "eq", "Paris"),), search="ann")
    custom = parse_query(pairs("a=eq.1&b=eq.2"), ignore={"b"})
    assert custom.where == (F("a", "eq", "1"),)


# --- what must not parse ---------------------------------------------------------------------
BAD = [
    "name=Paris", "name=", "name=eq", "name=EQ.x", "name=equals.x", "name=not.x",
    "name=not.not.eq.x", "name=eq(any).x", "name=like(all).{a}", "name=in.1,2", "name=in.(1,2",
    "name=in.(\"a)", "name=in.(a)b", "name=in.(\"a\"b)", "ok=is.maybe", "ok=is.", "ok=is.nul",
    "a->>b=eq.1", "a->b=eq.1", "na me=eq.1", "name;drop=eq.1", "=eq.1", ".=eq.1", "a..b=eq.1",
    "a.=eq.1", "1abc=eq.1", "na-me=eq.1", "näme=eq.1", "a" * 64 + "=eq.1",
    "bio=fts().x", "bio=fts(english.x", "bio=fts(eng lish).x", "bio=fts(english)x",
    "or=", "or=()", "or=a.eq.1", "or=(a.eq.1", "or=(a.eq.1))", "or=(a.eq.1,)", "or=(,a.eq.1)",
    "or=(a)", "or=(a.eq)", "or=(a.zz.1)", "or=(a.eq.\"x)", "or=(a.eq.\"x\"y)", "or=(a.eq.{x)",
    "or=(a.eq.[x)", "or=(and(a.eq.1)", "or=(nand(a.eq.1))", "or=(a.in.(1,2)", "or=(a.is.maybe)",
    "or=(a->b.eq.1)", "and=[a.eq.1]", "not.or=a.eq.1", "or=(a.eq.1)x",
    "order=", "order=,", "order=a,", "order=a.up", "order=a.desc.asc", "order=a.nullsfirst.desc",
    "order=a.desc.nullslast.x", "order=a->b", "order=company(name).desc", "order=a b",
    "order=a;drop", "limit=-1", "limit=x", "limit=1.5", "limit=", "limit=1e3", "limit=１",
    "offset=-5", "offset=ten", "limit=1&limit=2", "select=a&select=b",
    "select=a::text", "select=a->b", "select=a->>b", "select=...company(*)", "select=a,",
    "select=,a", "select=a,,b", "select=a(", "select=a(b", "select=a)", "select=a(b))",
    "select=a!inner", "select=a!x!y(*)", "select=a:b:c", "select=a:", "select=:a", "select=**",
    "select=a b", "select=a;drop", "select=a(*", "select=-a", "select=a.b",
    "select=" + "a(" * 9 + "*" + ")" * 9, "co.limit=x&select=co(*)", "co.offset=-1&select=co(*)",
    "co.limit=1&co.limit=2&select=co(*)", "co.order=up.up&select=co(*)",
]


@pytest.mark.parametrize("qs", BAD, ids=range(len(BAD)))
def test_bad_query_strings_are_pgrst100(qs: str) -> None:
    with pytest.raises(QueryError) as err:
        parse_rest(pairs(qs))
    assert err.value.rest_code == "PGRST100"
    assert err.value.rest_status == 400
    assert err.value.code == "bad_request"


def test_huge_in_list_is_capped() -> None:
    parse_rest([("id", "in.(" + ",".join(["x"] * 10_000) + ")")])
    with pytest.raises(QueryError, match="more than 10000"):
        parse_rest([("id", "in.(" + ",".join(["x"] * 10_001) + ")")])


def test_too_many_order_keys() -> None:
    with pytest.raises(QueryError):
        parse_rest([("order", ",".join(["a"] * 33))])
    with pytest.raises(QueryError):
        parse_rest([("order", ",".join(["a"] * 20))] * 2)


def test_too_many_select_items_and_deep_select() -> None:
    with pytest.raises(QueryError):
        parse_select(",".join(["a"] * 1001))
    with pytest.raises(QueryError):
        parse_select("a(" * 1000 + ")" * 1000)


def test_long_values_are_shortened_in_messages() -> None:
    with pytest.raises(QueryError) as err:
        parse_rest([("name", "zz." + "x" * 10_000)])
    assert len(err.value.message) < 200


# --- property: any text either parses or is a QueryError --------------------------------------
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
GRAMMAR = st.text(alphabet='abc.,()"\\{}[]!:*-> eqinotrl0123', max_size=40)


@settings(max_examples=300, deadline=None)
@given(key=st.one_of(TEXT, GRAMMAR, st.sampled_from(["or", "and", "not.or", "select", "order",
                                                     "limit", "a.b", "a.order", "x.or"])),
       value=st.one_of(TEXT, GRAMMAR))
def test_any_pair_parses_or_raises_query_error(key: str, value: str) -> None:
    with contextlib.suppress(QueryError):
        parse_rest([(key, value)])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a.eq.1", "b.in.(1,\"2,3\")", "and(", "or(", "not.and(", ")",
                                 ",", "c.is.null", "\"", "(", "d.cs.{x,y}"]), max_size=30))
def test_logic_fragments_parse_or_raise_query_error(parts: list[str]) -> None:
    with contextlib.suppress(QueryError):
        parse_rest([("or", "(" + "".join(parts) + ")")])


def test_url_encoded_round_trip() -> None:
    value = 'in.("a,b",c)'
    assert parse_rest(pairs("name=" + quote(value))).where == (F("name", "in", ("a,b", "c")),)
