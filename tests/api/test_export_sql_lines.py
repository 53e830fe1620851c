"""Exports whose lines PostgreSQL writes (exports/sql_lines.py). A CSV is the bytes formats.py
writes for the same values: every kind of field whose values are scalars or lists of them,
values that need quoting, numbers in every form, absent values and computed fields; an object
with a field whose values nest is formatted in Python, and a lone field's empty cell is `""`.
A JSON Lines file is, line by line, the JSON /api/records answers for the same query, nested
values included, and its times are written as orjson writes them.

The Python side of each comparison is /api/records' answer to the same query (shaped and
encoded in Python), for the CSV through formats.py."""

from __future__ import annotations

import csv
import io
import json
from types import SimpleNamespace
from typing import Any

from objectry.exports import formats
from tests.api.builders import add_field, link, make_object, ok, relate
from tests.api.conftest import client, sign_up

TRICKY_TEXT = ["plain", "a, b", 'say "hi"', "two\nlines", "cr\rhere", "crlf\r\nend",
               "  spaced  ", "é漢字🙂", "=SUM(A1)", "back\\slash", "semi;colon", '"', ",",
               "tab\there"]
NUMBERS = [0, -0.0, 1e-05, 0.30000000000000004, 1e15, 3.0, 12345678901234, -2.5, 1.5e-10,
           98395.75, 7, 4.5e15, 123456789.123]  # within ±2^53, as number fields require
PRICES = [0, 1.5, -2.25, 1e15, 3.0, 0.01, 7]
OPTIONS = ["hot", "x, y", 'q"uote', "semi;", "new\nline"]


def python_csv(header: list[str], names: list[str], records: list[dict[str, Any]]) -> str:
    """What formats.py writes for these records."""
    fields = tuple(SimpleNamespace(name=name) for name in names)
    rows = [formats.csv_row(fields, r["data"]) for r in records]  # type: ignore[arg-type]
    return formats.csv_lines([header, *rows]).decode()


async def api_records(api, obj: str, query: str) -> list[dict[str, Any]]:
    """/api/records' answer to the export's query (every record: the objects here are small)."""
    page = await ok(await api.get(f"/api/records?object={obj}&limit=1000&{query}"))
    assert page["next_cursor"] is None
    return page["items"]


async def both(api, obj: str, names: list[str], query: str = "order=title.asc"
               ) -> tuple[str, str]:
    """(the CSV export, what formats.py writes for the same records)."""
    csv = await api.get(f"/api/objects/{obj}/export?header=names&{query}")
    assert csv.status_code == 200, csv.text
    return csv.text, python_csv(names, names, await api_records(api, obj, query))


async def jsonl_and_api(api, obj: str, query: str) -> tuple[list[Any], list[Any]]:
    """(the JSON Lines export's records, /api/records' for the same query)."""
    jsonl = await api.get(f"/api/objects/{obj}/export?format=jsonl&{query}")
    assert jsonl.status_code == 200, jsonl.text
    assert jsonl.text.endswith("\n") or not jsonl.text
    assert "\r" not in jsonl.text  # a CR only escaped, as \\r
    return ([json.loads(line) for line in jsonl.text.splitlines()],
            await api_records(api, obj, query))


async def every_kind(api) -> tuple[list[str], dict[str, str]]:
    """The deal object with a field of every scalar kind and one record per tricky text:
    (the field names, the record ids by title)."""
    await make_object(api, "deal", plural_name="deals")
    fields: list[tuple[str, str, dict[str, Any]]] = [
        ("title", "text", {}), ("note", "long_text", {}), ("amount", "number", {}),
        ("price", "currency", {}), ("share", "percent", {}),
        ("won", "boolean", {}), ("closes", "date", {}), ("seen", "datetime", {}),
        ("tags", "multi_select", {"options": [{"value": v, "label": v} for v in OPTIONS]}),
        ("stage", "select", {"options": [{"value": v, "label": v} for v in OPTIONS]}),
        ("email", "email", {}), ("site", "url", {}), ("phone", "phone", {}),
        ("stars", "rating", {}),
        ("n", "autonumber", {"prefix": "D-", "digits": 4}),
        ("loud", "formula", {"expression": 'CONCAT({title}, "!")', "result_type": "text"}),
        ("twice", "formula", {"expression": "{amount} * 2", "result_type": "number"}),
        ("deal_won", "formula", {"expression": "{won}", "result_type": "boolean"}),
    ]
    for name, type_, config in fields:
        await add_field(api, "deal", name, type_, config)
    rows = []
    for i, title in enumerate(TRICKY_TEXT):
        data: dict[str, Any] = {"title": f"{i:02} {title}", "note": title}
        if i < len(NUMBERS):
            data |= {"amount": NUMBERS[i], "price": PRICES[i % len(PRICES)] if i % 2 else None,
                     "share": NUMBERS[i]}
        if i % 3 == 0:
            data |= {"won": i % 2 == 0, "closes": "2026-01-31",
                     "seen": "2026-12-06T13:12:44.127062Z"}
        data |= {"tags": OPTIONS[: i % (len(OPTIONS) + 1)], "stage": OPTIONS[i % len(OPTIONS)]}
        if i % 4 == 1:
            data |= {"email": f"a{i}@example.com", "site": "https://example.com/a,b?q=\"1\"",
                     "phone": "+33612351733", "stars": 1 + i % 5}
        rows.append({"data": {k: v for k, v in data.items() if v is not None}})
    made = await ok(await api.post("/api/records/bulk", json={"object": "deal",
                                                               "records": rows}), 201)
    ids = {item["data"]["title"]: item["id"] for item in made["items"]}
    return [name for name, _, _ in fields], ids


async def test_every_scalar_kind_is_the_bytes_python_writes(api, monkeypatch):
    names, _ = await every_kind(api)
    sql, python = await both(api, "deal", names)
    assert sql == python

    def not_here(*_: object) -> None:
        raise AssertionError("a worker formatted a row PostgreSQL should have written")

    monkeypatch.setattr(formats, "csv_row", not_here)
    again = await api.get("/api/objects/deal/export?header=names&order=title.asc")
    assert (again.status_code, again.text) == (200, sql)
    rows = {r["title"]: r for r in parsed(sql)}
    assert len(rows) == len(TRICKY_TEXT)
    # What the numbers look like: decimals, never an exponent, no trailing zeros.
    amounts = [rows[f"{i:02} {t}"]["amount"] for i, t in enumerate(TRICKY_TEXT[:len(NUMBERS)])]
    assert amounts == ["0", "0", "0.00001", "0.30000000000000004", "1000000000000000", "3",
                       "12345678901234", "-2.5", "0.00000000015", "98395.75", "7",
                       "4500000000000000", "123456789.123"]
    assert [rows[f"{i:02} {t}"]["price"] for i, t in enumerate(TRICKY_TEXT[:4])] == \
        ["", "1.5", "", "1000000000000000"]
    assert [rows[t]["tags"] for t in ("00 plain", "01 a, b", "02 say \"hi\"", "03 two\nlines")] \
        == ["", "hot", "hot;x, y", 'hot;x, y;q"uote']
    assert [rows[f"{i:02} {t}"]["note"] for i, t in enumerate(TRICKY_TEXT)] == TRICKY_TEXT
    assert (rows["00 plain"]["loud"], rows["00 plain"]["twice"], rows["00 plain"]["deal_won"],
            rows["00 plain"]["won"], rows["01 a, b"]["won"]) == ("00 plain!", "0", "true",
                                                                 "true", "")
    assert rows["00 plain"]["n"] == "D-0001"


def parsed(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


async def test_filters_order_and_the_trash_apply(api):
    names, ids = await every_kind(api)
    trashed = ids["09 back\\slash"]
    await ok(await api.delete(f"/api/records/{trashed}"), 204)
    sql, python = await both(api, "deal", names, "amount=gt.0&order=amount.desc")
    assert sql == python
    # amount > 0, largest first; 09 (98395.75) is in the trash
    assert [row["title"][:2] for row in parsed(sql)] == ["11", "04", "06", "12", "10", "05",
                                                          "03", "02", "08"]


async def test_a_lone_field_and_absent_values(api):
    await make_object(api, "tag", plural_name="tags")
    await add_field(api, "tag", "title")
    for data in ({"title": "a"}, {}, {"title": "b"}):  # one by one: created_at orders them
        await ok(await api.post("/api/records", json={"object": "tag", "data": data}), 201)
    sql, python = await both(api, "tag", ["title"], "order=created_at.asc")
    assert sql == python
    assert sql.split("\r\n")[1:] == ["a", '""', "b", ""]


async def acme_with_a_deal(api, profile: dict[str, Any]) -> None:
    """company (title, profile: json, deal_tags: a lookup of its deals' tags) and Acme with
    `profile` and one deal tagged a and b."""
    await make_object(api, "company", plural_name="companies")
    await add_field(api, "company", "title")
    await add_field(api, "company", "profile", "json")
    await make_object(api, "deal", plural_name="deals")
    await add_field(api, "deal", "label")
    await add_field(api, "deal", "tags", "multi_select",
                    {"options": [{"value": v, "label": v} for v in ("a", "b")]})
    rel = await relate(api, "company_deals", "company", "deal", "1:N")
    await add_field(api, "company", "deal_tags", "lookup",
                    {"relationship": "company_deals", "field": "tags"})
    company = await ok(await api.post("/api/records", json={"object": "company", "data": {
        "title": "Acme", "profile": profile}}), 201)
    deal = await ok(await api.post("/api/records", json={"object": "deal", "data": {
        "label": "d1", "tags": ["a", "b"]}}), 201)
    await link(api, rel["id"], company["id"], deal["id"])


async def test_an_object_with_a_field_that_nests_is_written_by_python(api):
    """A JSON field's objects and a lookup's lists keep formats.py's compact JSON and joins."""
    await acme_with_a_deal(api, {"size": 3, "tags": ["x", "y"], "note": "a, b"})
    sql, python = await both(api, "company", ["title", "profile", "deal_tags"])
    assert sql == python
    assert sql.split("\r\n")[1] == \
        'Acme,"{""note"":""a, b"",""size"":3,""tags"":[""x"",""y""]}",a;b'


async def test_another_workspace_exports_only_its_own_lines(app, api):
    await make_object(api, "tag", plural_name="tags")
    await add_field(api, "tag", "title")
    await ok(await api.post("/api/records", json={"object": "tag", "data": {"title": "ours"}}),
             201)
    stranger = await sign_up(app)
    async with client(app, stranger.headers) as theirs:
        await make_object(theirs, "tag", plural_name="tags")
        await add_field(theirs, "tag", "title")
        await ok(await theirs.post("/api/records", json={"object": "tag",
                                                         "data": {"title": "theirs"}}), 201)
        there = await theirs.get("/api/objects/tag/export?header=names")
    here = await api.get("/api/objects/tag/export?header=names")
    assert (here.status_code, here.text) == (200, "title\r\nours\r\n")
    assert (there.status_code, there.text) == (200, "title\r\ntheirs\r\n")


async def test_jsonl_is_the_api_records_line_by_line(api):
    names, ids = await every_kind(api)
    trashed = ids["02 say \"hi\""]
    await ok(await api.delete(f"/api/records/{trashed}"), 204)
    for query in ("order=title.asc", "amount=gt.0&order=amount.desc", "title=eq.nobody"):
        lines, records = await jsonl_and_api(api, "deal", query)
        assert lines == records
    lines, _ = await jsonl_and_api(api, "deal", "order=title.asc")
    assert len(lines) == len(TRICKY_TEXT) - 1 and trashed not in {r["id"] for r in lines}
    assert {r["data"]["note"] for r in lines} == set(TRICKY_TEXT) - {'say "hi"'}
    assert set(lines[0]) == {"id", "object_id", "object", "data", "primary_value", "version",
                             "created_at", "updated_at", "created_by", "updated_by"}


async def test_jsonl_of_values_that_nest(api):
    profile = {"size": 3, "tags": ["x", "y"], "note": 'a, "b"\n\u00e9', "deep": {"n": None,
                                                                              "f": 1.5}}
    await acme_with_a_deal(api, profile)
    await ok(await api.post("/api/records", json={"object": "company", "data": {}}), 201)
    lines, records = await jsonl_and_api(api, "company", "order=created_at.asc")
    assert lines == records
    assert lines[0]["data"] == {"title": "Acme", "profile": profile, "deal_tags": [["a", "b"]]}
    assert lines[1]["data"] == {"deal_tags": []}


async def test_times_are_written_as_orjson_writes_them(database_url):
    import datetime as dt

    import asyncpg

    from objectry.exports import sql_lines
    from objectry.web.responses import dumps

    times = [dt.datetime(2026, 12, 6, 13, 12, 44, 127062, tzinfo=dt.UTC),
             dt.datetime(2026, 12, 6, 13, 12, 44, tzinfo=dt.UTC),
             dt.datetime(1999, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC),
             dt.datetime(2026, 6, 30, 23, 59, 59, 999999,
                         tzinfo=dt.timezone(dt.timedelta(hours=-7)))]
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("SET TIME ZONE 'Asia/Kolkata'")  # the session's zone plays no part
        written = [await conn.fetchval(f"SELECT {sql_lines._utc('$1::timestamptz')}", t)
                   for t in times]
    finally:
        await conn.close()
    # asyncpg reads a timestamptz as a UTC datetime, which the API's dumps writes
    assert written == [dumps(t.astimezone(dt.UTC)).decode() for t in times]
    assert written[1] == '"2026-12-06T13:12:44Z"'  # no microseconds: none written
