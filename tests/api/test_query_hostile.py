"""Hostile query strings on both read APIs: each input that gave a 500 answers its documented
4xx, huge limits and offsets are read, and a fuzzer over the grammar never finds a 5xx."""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.builders import add_field, make_object, make_record, ok, relate
from tests.api.conftest import client, sign_up

OPTIONS = {"options": [{"value": v, "label": v.upper()} for v in ("a", "b")]}


@pytest.fixture(scope="module")
async def things(app, owner_db):
    """A workspace with `thing` (every kind of field, linked to itself) and 1,005 records."""
    account = await sign_up(app)
    async with client(app, account.headers) as api:
        await make_object(api, "thing", plural_name="things")
        for name, type_, config in (("title", "text", {}), ("n", "number", {}),
                                    ("tags", "multi_select", OPTIONS), ("extra", "json", {}),
                                    ("seen", "datetime", {}), ("day", "date", {}),
                                    ("ok", "boolean", {}), ("bio", "long_text", {})):
            await add_field(api, "thing", name, type_, config)
        await relate(api, "parts", "thing", "thing", "N:N")
        await make_record(api, "thing", title="first", n=1, tags=["a"], extra={"k": 1},
                          seen="2026-01-01T00:00:00Z", day="2026-01-01", ok=True, bio="hello")
        await owner_db.execute(
            """INSERT INTO records (tenant_id, id, object_id, data, primary_value)
               SELECT $1, 'rec_' || substr(md5($1 || g::text), 1, 16), o.id, '{}', 'r' || g
               FROM generate_series(1, 1004) AS g, objects o
               WHERE o.tenant_id = $1 AND o.name = 'thing'""", account.workspace_id)
        yield api


# (query string, SQLSTATE /rest/v1 answers with): each a 500 before.
REFUSED = [
    ("extra=eq.%22%5Cud800%22", "22P02"),  # a json field's value holding a lone surrogate
    ("tags=cs.%5B%22%5Cud800%22%5D", "22P02"),
    ("extra=cs.%7B%22k%22%3A%22%5Cudfff%22%7D", "22P02"),
    ("extra=cd.%5B%7B%22%5Cud800%22%3A1%7D%5D", "22P02"),
    ("tags=ov.%5B%22%5Cud800%22%5D", "22P02"),
    ("or=(extra.eq.%22%5Cud800%22,n.eq.1)", "22P02"),
    ("created_at=gt.0001-01-01T00:00:00%2B14:00", "22008"),  # before year 1 once in UTC
    ("updated_at=lt.9999-12-31T23:59:59-14:00", "22008"),  # after year 9999
    ("seen=gte.0001-01-01T00:00:00%2B00:01", "22008"),
    ("seen=in.(2026-01-01T00:00:00Z,0001-01-01T09:59:59%2B10:00)", "22008"),
    ("day=gt.0001-01-01T00:00:00%2B14:00", "22007"),  # a date field takes a date
    ("title=like.*code%204417%5C", "22025"),  # a pattern ending in an escape
    ("primary_value=ilike.%5C%5C%5C", "22025"),
    ("not.or=(title.ilike.abc%5C)", "22025"),
]


@pytest.mark.parametrize(("qs", "code"), REFUSED, ids=[q for q, _ in REFUSED])
async def test_inputs_that_were_500s_are_400s(things, qs, code):
    rest = await things.get(f"/rest/v1/thing?{qs}")
    assert rest.status_code == 400, rest.text
    assert rest.json()["code"] == code and set(rest.json()) == {"code", "message", "details",
                                                                 "hint"}
    api = await things.get(f"/api/records?object=thing&{qs}")
    assert api.status_code == 400, api.text
    assert api.json()["error"]["code"] == "bad_request"
    assert api.json()["error"]["details"][0]["code"] == code


async def test_a_braced_value_is_a_postgresql_array_literal(things):
    """`{…}` that is not JSON reads as PostgreSQL reads an array literal: a backslash in
    quotes escapes the next character, so `{"\\ud800"}` is the text "ud800"."""
    for field in ("tags", "extra"):
        got = await things.get(f"/rest/v1/thing?{field}=cs.%7B%22%5Cud800%22%7D&select=id")
        assert (got.status_code, got.json()) == (200, [])


async def test_search_text_is_literal_even_with_a_trailing_backslash(things):
    got = await ok(await things.get("/api/records", params={"object": "thing", "q": "abc\\"}))
    assert got == {"items": [], "next_cursor": None}


@pytest.mark.parametrize("huge", ["99999999999999999999999", "1" + "0" * 5000])
async def test_a_huge_limit_is_capped_on_every_records_list(things, huge):
    rest = await things.get("/rest/v1/thing", params={"limit": huge, "select": "id"},
                            headers={"Prefer": "count=exact"})
    assert (rest.status_code, rest.headers["content-range"]) == (206, "0-999/1005")
    assert len(rest.json()) == 1000
    page = await ok(await things.get("/api/records", params={"object": "thing",
                                                              "limit": huge}))
    assert len(page["items"]) == 1000 and page["next_cursor"]
    embedded = await ok(await things.get("/rest/v1/thing", params={
        "select": "id,parts(id)", "parts.limit": huge, "limit": "1"}))
    assert embedded[0]["parts"] == []


@pytest.mark.parametrize("huge", ["99999999999999999999999", "1" + "0" * 5000])
async def test_a_huge_offset_is_past_the_end(things, huge):
    rest = await things.get("/rest/v1/thing", params={"offset": huge})
    assert (rest.status_code, rest.json(), rest.headers["content-range"]) == (200, [], "*/*")
    counted = await things.get("/rest/v1/thing", params={"offset": huge},
                               headers={"Prefer": "count=exact"})
    assert (counted.status_code, counted.json()["code"]) == (416, "PGRST103")
    assert counted.headers["content-range"] == "*/1005"
    page = await ok(await things.get("/api/records", params={"object": "thing",
                                                              "offset": huge}))
    assert page == {"items": [], "next_cursor": None}


# --- a fuzzer over the grammar -----------------------------------------------------------
COLUMNS = ["title", "n", "tags", "extra", "seen", "day", "ok", "bio", "id", "primary_value",
           "created_at", "version", "parts", "nope", "näme", "ti\u0301tle", "x" * 70]
OPERATORS = ["eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "match", "imatch", "in",
             "is", "isdistinct", "cs", "cd", "ov", "fts", "plfts", "phfts", "wfts",
             "fts(english)", "fts(klingon)", "not.eq", "not.like", "zz"]
ODD = ["\\", "\\\\", "\\ud800", "\"", "'", "*", "%", "(", ")", ",", ".", "{", "}", "[", "]",
       "9" * 30, "-0", "1e400", "NaN", "null", "\u202e", "\U0001f600", "\ufffd", "\u00a0",
       "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2026-02-30", "{\"k\":",
       "[\"a\"]", "{a,\"b c\"}", "\"\\ud800\"", "&", "|", "!", "<->", ":*", " "]
VALUE = st.sampled_from(ODD) | st.lists(
    st.sampled_from(ODD) | st.text(string.ascii_letters + string.digits, max_size=4),
    max_size=4).map("".join)


@st.composite
def condition(draw: Any, depth: int = 0) -> str:
    """One item of a logic group: `col.op.value` or a nested `[not.]or(…)`."""
    if depth < 3 and draw(st.integers(0, 4)) == 0:
        return draw(st.sampled_from(["or", "and", "not.or"])) + draw(group(depth + 1))
    column, op = draw(st.sampled_from(COLUMNS)), draw(st.sampled_from(OPERATORS))
    return f"{column}.{op}.{draw(value(op))}"


@st.composite
def group(draw: Any, depth: int = 0) -> str:
    return "(" + ",".join(draw(st.lists(condition(depth), min_size=1, max_size=3))) + ")"


def value(op: str) -> Any:
    if op == "in":
        return st.lists(VALUE, max_size=4).map(lambda items: "(" + ",".join(items) + ")")
    return VALUE


@st.composite
def query(draw: Any) -> list[tuple[str, str]]:
    pairs = []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            pairs.append((draw(st.sampled_from(["or", "and", "not.or", "not.and"])),
                          draw(group())))
        else:
            op = draw(st.sampled_from(OPERATORS))
            pairs.append((draw(st.sampled_from(COLUMNS)), f"{op}.{draw(value(op))}"))
    extra = st.sampled_from([
        ("select", "*,parts(*,parts(id))"), ("select", "id,a:parts(id),b:parts!inner(title)"),
        ("order", "n.desc.nullslast,title"), ("order", "extra"), ("limit", "0"),
        ("offset", "999999999999999999999"), ("parts.n", "gt.1"), ("select", "näme"),
        ("limit", "-1"), ("select", "x" * 64), ("parts.title", "like.a\\")])
    return pairs + draw(st.lists(extra, max_size=2))


# Derandomized, so a run is repeatable; exploring with more examples and random seeds (4,000
# and more) found nothing further once the compiler refused the inputs above.
@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(params=query())
async def test_no_query_string_is_a_server_error(things, params):
    rest = await things.get("/rest/v1/thing", params=params, headers={"Prefer": "count=exact"})
    assert rest.status_code < 500, (params, rest.text)
    api = await things.get("/api/records", params=[("object", "thing"), *params])
    assert api.status_code < 500, (params, api.text)
