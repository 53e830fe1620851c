"""GET /api/objects/{id}/export (CSV, JSONL, XLSX; filters, order, views; every record, no page
cap), `Accept: text/csv` on /rest/v1, and the round trip export → import into another
workspace → the same records by value."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook

from tests.api.builders import add_field, make_object, ok
from tests.api.conftest import client, refused, sign_up
from tests.api.test_import import finished, start


async def deals(api) -> None:
    await deals_schema_only(api)
    rows = [{"data": {"title": f"d{i:04}", "amount": i * 1.5, "won": i % 2 == 0,
                      "closes": "2026-01-31", "tags": ["hot", "big"] if i % 3 == 0 else [],
                      "note": 'two\nlines, "quoted"' if i == 7 else None}} for i in range(1500)]
    for row in rows:
        row["data"] = {k: v for k, v in row["data"].items() if v not in (None, [])}
    await ok(await api.post("/api/records/bulk", json={"object": "deal", "records": rows}), 201)


def parsed_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


async def test_csv_streams_every_record_with_labels_and_order(api):
    await deals(api)
    r = await api.get("/api/objects/deal/export", params={"order": "amount.desc"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == 'attachment; filename="deals.csv"'
    rows = parsed_csv(r.text)
    assert rows[0] == ["Title", "Amount", "Won", "Closes", "Tags", "Note"]
    assert len(rows) == 1501  # past the 1,000-row page cap
    assert rows[1] == ["d1499", "2248.5", "false", "2026-01-31", "", ""]
    assert rows[1500 - 7] == ["d0007", "10.5", "false", "2026-01-31", "", 'two\nlines, "quoted"']
    assert rows[1500][4] == "hot;big"


async def test_filters_names_header_and_views(api):
    await deals(api)
    r = await api.get("/api/objects/deal/export",
                      params={"header": "names", "won": "is.true", "amount": "lt.10",
                              "order": "amount.asc"})
    assert parsed_csv(r.text) == [["title", "amount", "won", "closes", "tags", "note"],
                                  ["d0000", "0", "true", "2026-01-31", "hot;big", ""],
                                  ["d0002", "3", "true", "2026-01-31", "", ""],
                                  ["d0004", "6", "true", "2026-01-31", "", ""],
                                  ["d0006", "9", "true", "2026-01-31", "hot;big", ""]]
    view = await ok(await api.post("/api/views", json={
        "object": "deal", "name": "small", "type": "grid", "filter": "amount=lte.3",
        "order": "amount.desc", "shared": True}), 201)
    r = await api.get("/api/objects/deal/export", params={"view": view["id"]})
    assert [row[0] for row in parsed_csv(r.text)[1:]] == ["d0002", "d0001", "d0000"]


async def test_jsonl_is_the_api_record_per_line(api):
    await deals(api)
    r = await api.get("/api/objects/deal/export?format=jsonl&title=eq.d0003")
    assert r.headers["content-type"] == "application/x-ndjson"
    lines = r.text.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["data"] == {"title": "d0003", "amount": 4.5, "won": False,
                              "closes": "2026-01-31", "tags": ["hot", "big"]}
    assert record["id"].startswith("rec_")


async def test_xlsx_keeps_numbers_booleans_and_dates(api):
    await deals(api)
    r = await api.get("/api/objects/deal/export?format=xlsx&order=amount.asc&amount=lt.2")
    assert r.headers["content-disposition"] == 'attachment; filename="deals.xlsx"'
    sheet = load_workbook(io.BytesIO(r.content), read_only=True).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Title", "Amount", "Won", "Closes", "Tags", "Note"]
    assert rows[1][:3] == ["d0000", 0, True]
    assert rows[1][3].date().isoformat() == "2026-01-31"
    assert rows[2][:3] == ["d0001", 1.5, False]


async def test_refusals(app, api):
    await deals(api)
    refused(await api.get("/api/objects/deal/export?format=pdf"), 400, "bad_request")
    refused(await api.get("/api/objects/deal/export?nope=eq.1"), 400, "bad_request")
    refused(await api.get("/api/objects/nothing/export"), 404, "not_found")
    stranger = await sign_up(app)
    async with client(app, stranger.headers) as other:
        refused(await other.get("/api/objects/deal/export"), 404, "not_found")


async def test_rest_answers_text_csv_as_postgrest(api):
    await deals(api)
    r = await api.get("/rest/v1/deals", params={"select": "title,won,tags,note",
                                                "title": "in.(d0000,d0007)",
                                                "order": "title"},
                      headers={"Accept": "text/csv"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.text == ('title,won,tags,note\nd0000,t,"{hot,big}",\n'
                      'd0007,f,,"two\nlines, ""quoted"""')
    empty = await api.get("/rest/v1/deals?title=eq.none", headers={"Accept": "text/csv"})
    assert (empty.status_code, empty.text) == (200, "\n")


async def round_trip(app, api, fmt: str, compare_as: str) -> tuple[str, str]:
    """The deals exported as `fmt`, imported into a fresh workspace's deal object, and both
    exported again as `compare_as`: (here, there)."""
    await deals(api)
    exported = await api.get(f"/api/objects/deal/export?format={fmt}&order=title.asc")
    stranger = await sign_up(app)
    async with client(app, stranger.headers) as other:
        await deals_schema_only(other)
        answer = await ok(await start(other, exported.content, {}, obj="deal",
                                      name=f"deals.{fmt}"), 202)
        job = await finished(other, answer["id"])
        assert (job["status"], job["created"], job["errors"]) == ("succeeded", 1500, [])
        there = await other.get(f"/api/objects/deal/export?order=title.asc&format={compare_as}")
    here = await api.get(f"/api/objects/deal/export?order=title.asc&format={compare_as}")
    return here.text, there.text


async def test_csv_round_trip_into_a_fresh_workspace(app, api):
    here, there = await round_trip(app, api, "csv", "csv")
    assert there == here


async def test_xlsx_round_trip(app, api):
    here, there = await round_trip(app, api, "xlsx", "jsonl")
    assert [json.loads(line)["data"] for line in there.splitlines()] == [
        json.loads(line)["data"] for line in here.splitlines()]


async def deals_schema_only(api) -> None:
    await make_object(api, "deal", plural_name="deals")
    await add_field(api, "deal", "title")
    await add_field(api, "deal", "amount", "number")
    await add_field(api, "deal", "won", "boolean")
    await add_field(api, "deal", "closes", "date")
    await add_field(api, "deal", "tags", "multi_select",
                    {"options": [{"value": v, "label": v} for v in ("hot", "big")]})
    await add_field(api, "deal", "note", "long_text")


async def test_rest_writes_represent_their_rows_as_csv(api):
    await deals_schema_only(api)
    r = await api.post("/rest/v1/deals?select=title,amount", json=[
        {"title": "a, b", "amount": 1}, {"title": "c"}],
        headers={"Accept": "text/csv", "Prefer": "return=representation"})
    assert (r.status_code, r.headers["content-type"]) == (201, "text/csv; charset=utf-8")
    assert r.text == 'title,amount\n"a, b",1\nc,'
