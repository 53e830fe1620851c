"""POST /api/objects/{id}/import and GET /api/imports/{id}: CSV (delimiters, BOM, quoting) and
XLSX files written here, coercion per type, abort vs skip vs dry run (rows counted in the
database), upsert, idempotent replay, progress while running, and two workspaces."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import date, datetime
from typing import Any

import httpx
from openpyxl import Workbook

from tests.api.builders import add_field, codes, make_object, make_record, ok
from tests.api.conftest import client, join, refused, sign_up


async def contact(api: httpx.AsyncClient) -> None:
    await make_object(api, "contact")
    await add_field(api, "contact", "name", is_required=True)
    await add_field(api, "contact", "email", "email", is_unique=True)
    await add_field(api, "contact", "age", "number")
    await add_field(api, "contact", "born", "date")
    await add_field(api, "contact", "vip", "boolean")
    await add_field(api, "contact", "tags", "multi_select",
                    {"options": [{"value": v, "label": v} for v in "abc"]})


async def start(api: httpx.AsyncClient, content: bytes | str, options: dict[str, Any] | None = None,
                obj: str = "contact", name: str = "people.csv", **headers: str) -> httpx.Response:
    raw = content.encode() if isinstance(content, str) else content
    data = {"options": json.dumps(options)} if options is not None else {}
    return await api.post(f"/api/objects/{obj}/import", files={"file": (name, raw)}, data=data,
                          headers=headers)


async def finished(api: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
    for _ in range(600):
        job = await ok(await api.get(f"/api/imports/{job_id}"))
        if job["status"] != "running":
            return job  # type: ignore[no-any-return]
        await asyncio.sleep(0.05)
    raise AssertionError(f"import {job_id} still running")


async def run(api: httpx.AsyncClient, content: bytes | str,
              options: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    started = await start(api, content, options, **kw)
    answer = await ok(started, 202)
    assert answer == {"id": answer["id"], "status": "running"}
    assert answer["id"].startswith("imp_")
    assert started.headers["location"] == f"/api/imports/{answer['id']}"
    return await finished(api, answer["id"])


async def stored(owner_db: Any, workspace_id: str) -> list[dict[str, Any]]:
    rows = await owner_db.fetch(
        "SELECT r.data, o.name FROM records r JOIN objects o ON o.tenant_id = r.tenant_id"
        " AND o.id = r.object_id WHERE r.tenant_id = $1 ORDER BY r.created_at, r.id",
        workspace_id)
    return [r["data"] for r in rows]


async def listed(api: httpx.AsyncClient, obj: str = "contact") -> list[dict[str, Any]]:
    page = await ok(await api.get(f"/api/records?object={obj}&limit=1000&order=name.asc"))
    return [r["data"] for r in page["items"]]


async def test_csv_with_bom_semicolons_quotes_and_newlines(api):
    await contact(api)
    csv = ('\ufeffName;E-mail address;Age;Born;VIP;Tags\r\n'
           '"Doe; Jane";jane@example.com;"1.234,5";2001-02-03;yes;a;\r\n'
           '"Said ""hi""\nthen left";said@example.com;42;;no;"b;c"\r\n'
           '\r\n;;;;;\r\n')
    await add_field(api, "contact", "email2", "text")  # an unrelated field stays absent
    job = await run(api, csv, {"mode": "insert", "on_error": "abort",
                               "mapping": {"E-mail address": "email", "Name": "name",
                                           "Age": "age", "Born": "born", "VIP": "vip",
                                           "Tags": "tags"}})
    assert (job["status"], job["rows_total"], job["rows_done"], job["created"],
            job["skipped"], job["errors"]) == ("succeeded", 2, 2, 2, 0, [])
    assert await listed(api) == [
        {"name": "Doe; Jane", "email": "jane@example.com", "age": 1234.5,
         "born": "2001-02-03", "vip": True, "tags": ["a"]},
        {"name": 'Said "hi"\nthen left', "email": "said@example.com", "age": 42,
         "vip": False, "tags": ["b", "c"]}]


async def test_tab_and_pipe_delimiters_and_labels_any_case(api):
    await contact(api)
    job = await run(api, "NAME\tAGE\nAda\t36\n")
    assert job["created"] == 1
    job = await run(api, "name|age|unknown column\nBob|1,5|x\n", {"mode": "insert",
                                                               "on_error": "abort"})
    assert job["created"] == 1
    assert await listed(api) == [{"name": "Ada", "age": 36}, {"name": "Bob", "age": 1.5}]


async def test_dates_as_day_month_year_when_the_options_say_so(api):
    await contact(api)
    job = await run(api, "name,born\nAda,31/12/1990\n", {"date_format": "DD/MM/YYYY"})
    assert job["status"] == "succeeded"
    job = await run(api, "name,born\nBob,31/12/1990\n")
    assert job["status"] == "failed"
    assert job["errors"] == [{"row": 1, "field": "born", "code": "format",
                              "message": "'31/12/1990' is not a date as ISO 8601 (YYYY-MM-DD)"}]
    assert await listed(api) == [{"name": "Ada", "born": "1990-12-31"}]


async def test_xlsx_made_by_a_spreadsheet(api):
    await contact(api)
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Age", "Born", "VIP", "Email"])
    sheet.append(["Ada", 36.0, datetime(1990, 12, 31), True, "ada@example.com"])
    sheet.append([None, None, None, None, None])
    sheet.append(["Bob", 2.5, date(2000, 1, 2), "no", None])
    buffer = io.BytesIO()
    book.save(buffer)
    job = await run(api, buffer.getvalue(), name="people.xlsx")
    assert (job["status"], job["created"], job["rows_total"]) == ("succeeded", 2, 2)
    assert await listed(api) == [
        {"name": "Ada", "age": 36, "born": "1990-12-31", "vip": True,
         "email": "ada@example.com"},
        {"name": "Bob", "age": 2.5, "born": "2000-01-02", "vip": False}]


BAD = ("name,email,age,vip\nAda,ada@example.com,36,yes\n,x@example.com,1,no\n"
       "Cy,not-mail,z,maybe\nDi,,,\n")


async def test_abort_commits_nothing_and_lists_every_error(api, owner_db, workspace_id):
    await contact(api)
    job = await run(api, BAD, {"on_error": "abort"})
    assert (job["status"], job["created"], job["rows_total"], job["rows_done"]) == (
        "failed", 0, 4, 4)
    assert job["reason"] == "rows failed: nothing was imported"
    assert [(e["row"], e["field"], e["code"]) for e in job["errors"]] == [
        (2, "name", "required"), (3, "email", "format"), (3, "age", "type"), (3, "vip", "type")]
    assert await stored(owner_db, workspace_id) == []


async def test_skip_commits_the_good_rows(api, owner_db, workspace_id):
    await contact(api)
    job = await run(api, BAD, {"on_error": "skip"})
    assert (job["status"], job["created"], job["skipped"]) == ("succeeded", 2, 2)
    assert sorted(e["row"] for e in job["errors"]) == [2, 3, 3, 3]
    assert [d["name"] for d in await listed(api)] == ["Ada", "Di"]
    events = await owner_db.fetchval("SELECT count(*) FROM record_events WHERE tenant_id = $1"
                                     " AND op = 'create'", workspace_id)
    assert events == 2  # history written as for any create


async def test_dry_run_reports_the_same_and_writes_nothing(api, owner_db, workspace_id):
    await contact(api)
    skip = await run(api, BAD, {"on_error": "skip", "dry_run": True})
    assert (skip["status"], skip["created"], skip["skipped"], skip["dry_run"]) == (
        "succeeded", 2, 2, True)
    good = await run(api, "name\nA\nB\n", {"dry_run": True})
    assert (good["status"], good["created"]) == ("succeeded", 2)
    assert await stored(owner_db, workspace_id) == []


async def test_a_taken_unique_value_fails_its_row_only_with_skip(api):
    await contact(api)
    await make_record(api, "contact", name="Old", email="old@example.com")
    job = await run(api, "name,email\nA,a@example.com\nB,old@example.com\nC,c@example.com\n",
                    {"on_error": "skip"})
    assert (job["created"], job["skipped"]) == (2, 1)
    assert [(e["row"], e["field"], e["code"]) for e in job["errors"]] == [(2, "email", "unique")]


async def test_upsert_on_a_unique_field(api):
    await contact(api)
    await make_record(api, "contact", name="Old", email="old@example.com", age=1)
    job = await run(api, "name,email,age\nNew,old@example.com,2\nAda,ada@example.com,3\n",
                    {"mode": "upsert", "match_on": "email", "on_error": "abort"})
    assert (job["status"], job["created"], job["updated"]) == ("succeeded", 1, 1)
    assert await listed(api) == [{"name": "Ada", "email": "ada@example.com", "age": 3},
                                 {"name": "New", "email": "old@example.com", "age": 2}]


async def test_refusals_before_the_job_starts(api):
    await contact(api)
    r = await start(api, "name\nA\n", {"mode": "upsert", "match_on": "name", "colour": 1,
                                       "on_error": "sometimes"})
    assert sorted((d["field"], d["code"]) for d in refused(r, 422, "validation_failed")[
        "details"]) == [("colour", "extra_forbidden"), ("on_error", "enum")]
    r = await start(api, "name\nA\n", {"mode": "upsert", "match_on": "name"})
    assert [d["code"] for d in refused(r, 422, "validation_failed")["details"]] == [
        "not_unique"]
    r = await start(api, "nothing,here\n1,2\n")
    assert [d["code"] for d in refused(r, 422, "validation_failed")["details"]] == [
        "no_columns"]
    r = await start(api, "name\nA\n", {"mapping": {"name": "nope", "Nom": "name"}})
    assert codes(r) == [("mapping.name", "unknown_field"), ("mapping.Nom", "unknown_column")]
    r = await start(api, b"", {})
    assert [d["code"] for d in refused(r, 422, "validation_failed")["details"]] == [
        "unreadable"]
    r = await start(api, "\xff\xfe".encode("latin-1") + b"n\x00a\x00", {})
    assert [d["code"] for d in refused(r, 422, "validation_failed")["details"]] == [
        "unreadable"]
    r = await api.post("/api/objects/contact/import", json={"file": "x"})
    refused(r, 415, "unsupported_media_type")
    r = await api.post("/api/objects/contact/import", data={"options": "{}"},
                       files={"other": ("a", b"b")})
    assert [d["code"] for d in refused(r, 422, "validation_failed")["details"]] == [
        "required"]
    refused(await start(api, "name\nA\n", obj="nothing"), 404, "not_found")
    refused(await api.get("/api/imports/imp_nothing"), 404, "not_found")


async def test_idempotency_key_replays_the_202_and_imports_once(api, owner_db, workspace_id):
    await contact(api)
    first = await start(api, "name\nA\n", {}, **{"Idempotency-Key": "imp-1"})
    assert first.status_code == 202
    await finished(api, first.json()["id"])
    again = await start(api, "name\nA\n", {}, **{"Idempotency-Key": "imp-1"})
    assert (again.status_code, again.content) == (202, first.content)
    assert again.headers["idempotent-replayed"] == "true"
    other = await start(api, "name\nB\n", {}, **{"Idempotency-Key": "imp-1"})
    refused(other, 422, "idempotency_key_reused") if other.status_code == 422 else None
    assert other.status_code == 422
    assert len(await stored(owner_db, workspace_id)) == 1


async def test_progress_is_visible_while_running(api):
    await contact(api)
    rows = "".join(f"n{i},{i}\n" for i in range(20_000))
    answer = await ok(await start(api, "name,age\n" + rows, {}), 202)
    seen = []
    for _ in range(2000):
        job = await ok(await api.get(f"/api/imports/{answer['id']}"))
        seen.append(job["rows_done"])
        if job["status"] != "running":
            break
        await asyncio.sleep(0.01)
    assert job["status"] == "succeeded" and job["created"] == 20_000
    assert any(0 < done < 20_000 for done in seen), seen


async def test_another_workspace_sees_nothing(app, api):
    await contact(api)
    job = await run(api, "name\nA\n")
    stranger = await sign_up(app)
    async with client(app, stranger.headers) as other:
        refused(await other.get(f"/api/imports/{job['id']}"), 404, "not_found")
        refused(await start(other, "name\nB\n"), 404, "not_found")


async def test_a_viewer_may_not_import(app, api, session):
    await contact(api)
    viewer = await join(app, session, "viewer")
    async with client(app, viewer.headers) as other:
        refused(await start(other, "name\nA\n"), 403, "forbidden")


async def test_computed_fields_are_never_imported(api):
    await contact(api)
    await add_field(api, "contact", "number", "autonumber", {"prefix": "C-", "digits": 3})
    job = await run(api, "name,number\nAda,C-999\n")
    assert job["created"] == 1
    assert (await listed(api))[0]["number"] == "C-001"
    r = await start(api, "name,n\nA,1\n", {"mapping": {"n": "number"}})
    assert [d["code"] for d in refused(r, 422, "validation_failed")["details"]] == [
        "read_only"]


async def test_a_job_whose_server_died_reads_failed(api, owner_db, workspace_id):
    """A job still `running` whose heartbeat stopped (the process was killed) is ended as
    failed, with its reason, when it is next read."""
    await contact(api)
    job = await run(api, "name\nA\n")
    await owner_db.execute(
        "UPDATE import_jobs SET status = 'running', finished_at = NULL,"
        " heartbeat_at = now() - interval '1 hour' WHERE tenant_id = $1 AND id = $2",
        workspace_id, job["id"])
    again = await ok(await api.get(f"/api/imports/{job['id']}"))
    assert (again["status"], again["reason"]) == (
        "failed", "interrupted: the server stopped while the import ran")
    assert again["finished_at"] is not None


async def test_a_partial_mapping_and_other_ways_clients_send_the_form(api):
    """Mapped columns go where the mapping says (null: nowhere), the others by name or label;
    `options` may come as a part with a file name, the file as a plain field."""
    await contact(api)
    options = {"mapping": {"Years": "age", "Name": None, "Who": "Name"}}
    job = await run(api, "Who,Years,Name,VIP,Extra\nAda,36,ignored,yes,x\n", options)
    assert job["created"] == 1
    assert job["columns"] == {"Who": "name", "Years": "age", "Name": None, "VIP": "vip",
                              "Extra": None}
    r = await api.post("/api/objects/contact/import", files={
        "file": ("b.csv", b"name\nBob\n"),
        "options": ("options.json", json.dumps({"dry_run": True}), "application/json")})
    assert (await finished(api, (await ok(r, 202))["id"]))["dry_run"] is True
    r = await api.post("/api/objects/contact/import", files={"file": (None, "name\nCy\n")})
    assert (await finished(api, (await ok(r, 202))["id"]))["created"] == 1
    assert await listed(api) == [{"name": "Ada", "age": 36, "vip": True}, {"name": "Cy"}]


async def test_repeated_values_in_a_file(api):
    """insert: the second row with a taken unique value fails alone; upsert: rows apply in
    file order."""
    await contact(api)
    job = await run(api, "name,email\nA,a@x.io\nB,a@x.io\nC,c@x.io\n", {"on_error": "skip"})
    assert (job["created"], job["skipped"], job["errors"][0]["row"]) == (2, 1, 2)
    job = await run(api, "name,email\nD,d@x.io\nE,d@x.io\n",
                    {"mode": "upsert", "match_on": "email"})
    assert (job["status"], job["created"], job["updated"]) == ("succeeded", 1, 1)
    assert [d["name"] for d in await listed(api)] == ["A", "C", "E"]
