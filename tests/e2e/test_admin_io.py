"""Data in and out through the admin in a real Chromium: the CRM template applied from the empty
objects screen with its samples, the contacts grid exported as CSV with its filter and order
(the downloaded file read back), and a CSV imported through the wizard: a column mapped by
hand, a dry run reporting the bad row, then a run that skips it, its progress reaching the end
and the records in the grid (and in the database, through the API)."""

from __future__ import annotations

import csv
import io
import re

import httpx
import pytest

from tests.e2e.journey import Journey, sign_up_first_owner

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture fails with the words
    expect = None

pytestmark = pytest.mark.e2e

STORE_KEY = "objectry.session"
OWNER = {"name": "Ivo Importer", "email": "ivo@example.com", "password": "correct horse battery"}
UPLOAD = ("Full name,Email,Job title,Notes\r\n"
          "Dora Diaz,dora@example.com,CEO,met at a fair\r\n"
          "Eve Evans,not-an-email,CFO,\r\n"
          "\"Fox, Finn\",finn@example.com,,\"said \"\"call me\"\"\"\r\n")


def api_client(j: Journey) -> httpx.Client:
    token = j.page.evaluate("key => JSON.parse(localStorage.getItem(key)).access_token", STORE_KEY)
    return httpx.Client(base_url=j.base, headers={"Authorization": f"Bearer {token}"})


def test_start_from_the_crm_template_with_samples(journey: Journey) -> None:
    j, page = journey, journey.page
    sign_up_first_owner(j, OWNER)
    expect(page.get_by_text("No objects yet.")).to_be_visible()
    page.get_by_role("button", name="Start from a template").click()
    dialog = page.get_by_role("dialog")
    crm = dialog.get_by_role("radio", name=re.compile(r"^CRM"))
    expect(crm).to_be_visible()
    expect(dialog.get_by_text("6 objects").first).to_be_visible()
    crm.check()
    expect(dialog.get_by_role("checkbox", name="With sample records")).to_be_checked()
    j.shot("template-dialog")
    dialog.get_by_role("button", name="Apply template").click()
    expect(dialog).to_be_hidden()
    j.toast("Template applied: 6 new objects")
    cards = page.get_by_role("list", name="Objects")
    for title in ("Companies", "Contacts", "Deals", "Pipelines", "Stages", "Activities"):
        expect(cards.get_by_role("link", name=title, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="From a template")).to_be_visible()
    page.get_by_role("link", name="Contacts", exact=True).first.click()
    j.h1("Contacts")
    expect(page.locator("p.result-count")).to_have_text("3 records")
    assert not j.problems, j.problems


def test_export_the_filtered_ordered_contacts_as_csv(journey: Journey) -> None:
    j, page = journey, journey.page
    j.go("#/objects/contact?order=name.desc&language=neq.pt")
    j.h1("Contacts")
    expect(page.locator("p.result-count")).to_have_text("2 records")
    menu = page.locator("summary", has_text="Export")
    menu.click()
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="CSV (spreadsheets)")).to_be_hidden()
    expect(menu).to_be_focused()
    menu.click()
    with page.expect_download() as info:
        page.get_by_role("button", name="CSV (spreadsheets)").click()
    download = info.value
    assert download.suggested_filename == "contacts.csv"
    with open(download.path(), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["Name"] for r in rows] == ["Chloe Martin", "Ann Lee"]
    assert [r["Email"] for r in rows] == ["chloe@initech.example.com", "ann@acme.example.com"]
    assert rows[1]["Company name"] == "Acme Corp"
    j.toast("Exported contacts.csv")
    assert not j.problems, j.problems


def test_import_a_csv_through_the_wizard(journey: Journey) -> None:
    j, page = journey, journey.page
    j.go("#/objects/contact")
    page.get_by_role("link", name="Import").click()
    j.h1("Import contacts")
    page.get_by_label("File").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": UPLOAD.encode()})
    # Auto-mapped by label (Email, Job title); "Full name" matches nothing until mapped by hand.
    expect(page.get_by_label("Field for column Email")).to_have_value("email")
    expect(page.get_by_label("Field for column Job title")).to_have_value("job_title")
    expect(page.get_by_label("Field for column Notes")).to_have_value("")
    expect(page.get_by_label("Field for column Full name")).to_have_value("")
    page.get_by_label("Field for column Full name").select_option("name")
    page.get_by_text("Preview of the first 3 rows").click()
    expect(page.get_by_role("cell", name="Fox, Finn", exact=True)).to_be_visible()
    j.shot("import-mapping")

    page.get_by_role("button", name="Check (dry run)").click()
    report = page.locator(".import-report")
    expect(report).to_have_attribute("data-status", "failed")
    expect(report).to_contain_text(
        "Dry run: 1 row fails, so with “Abort” nothing would be imported")
    errors = report.get_by_role("table")
    expect(errors.locator("tbody tr")).to_have_count(1)
    expect(errors.locator("tbody tr").first).to_contain_text(re.compile(r"^2\s*Email"))
    expect(report.get_by_role("button", name="Download error report (CSV)")).to_be_visible()
    with page.expect_download() as info:
        report.get_by_role("button", name="Download error report (CSV)").click()
    with open(info.value.path(), newline="", encoding="utf-8") as f:
        listed = list(csv.DictReader(f))
    assert [(e["row"], e["field"]) for e in listed] == [("2", "email")]
    j.shot("import-dry-run")
    with api_client(j) as api:
        counted = api.get("/api/records", params={"object": "contact", "count": "exact"})
    assert counted.json()["total"] == 3, "a dry run commits nothing"

    page.get_by_label("When a row fails").select_option("skip")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(report).to_have_attribute("data-status", "succeeded")
    expect(report).to_contain_text("Import done (1 failed row left out)")
    progress = report.locator("progress")
    expect(progress).to_have_attribute("value", "3")
    expect(progress).to_have_attribute("max", "3")
    expect(report).to_contain_text("3 of 3 rows")
    expect(report.locator(".import-counts")).to_contain_text("2 created")
    expect(report.locator(".import-counts")).to_contain_text("1 failed")
    j.shot("import-done")
    page.get_by_role("link", name="See the contacts").click()
    j.h1("Contacts")
    expect(page.locator("p.result-count")).to_have_text("5 records")
    grid = page.get_by_role("grid")
    expect(grid).to_contain_text("Dora Diaz")
    expect(grid).to_contain_text("Fox, Finn")
    with api_client(j) as api:
        listed = api.get("/api/records", params={"object": "contact", "order": "name.asc"}).json()
    assert [r["primary_value"] for r in listed["items"]] == [
        "Ann Lee", "Bruno Costa", "Chloe Martin", "Dora Diaz", "Fox, Finn"]
    assert not j.problems, j.problems


def test_a_template_clashing_with_an_object_is_refused_readably(journey: Journey) -> None:
    j, page = journey, journey.page
    with api_client(j) as api:
        made = api.post("/api/objects", json={"name": "product", "label": "Gadget"})
        assert made.status_code == 201, made.text
    j.go("#/objects")
    page.get_by_role("button", name="From a template").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("radio", name=re.compile(r"^E-commerce")).check()
    dialog.get_by_role("button", name="Apply template").click()
    summary = dialog.locator(".form-summary")
    expect(summary).to_contain_text("Object “product”: ")
    j.shot("template-clash")
    dialog.get_by_role("button", name="Cancel").click()
    with api_client(j) as api:
        names = [o["name"] for o in api.get("/api/objects", params={"limit": 100}).json()["items"]]
    assert "order" not in names, "a refused template adds nothing"
    assert not j.problems, j.problems


def test_an_xlsx_shows_its_columns_after_a_dry_run(journey: Journey) -> None:
    """An Excel file is not previewed in the browser: the first dry run reads its columns, the
    mapping can then be changed, and the import runs with it."""
    from openpyxl import Workbook

    j, page = journey, journey.page
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Mail"])
    sheet.append(["Gus Green", "gus@example.com"])
    buffer = io.BytesIO()
    book.save(buffer)
    j.go("#/objects/contact/import")
    j.h1("Import contacts")
    page.get_by_label("File").set_input_files({"name": "more.xlsx", "buffer": buffer.getvalue(),
                                               "mimeType": "application/octet-stream"})
    expect(page.get_by_text("An Excel file is not previewed here")).to_be_visible()
    page.get_by_role("button", name="Check (dry run)").click()
    report = page.locator(".import-report")
    expect(report).to_have_attribute("data-status", "succeeded")
    expect(report).to_contain_text("1 would be created")
    expect(page.get_by_label("Field for column Name")).to_have_value("name")
    expect(page.get_by_label("Field for column Mail")).to_have_value("")
    page.get_by_label("Field for column Mail").select_option("email")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(report).to_contain_text("Import done")
    expect(report.locator(".import-counts")).to_contain_text("1 created")
    with api_client(j) as api:
        found = api.get("/api/records", params={"object": "contact", "q": "Gus"}).json()["items"]
    assert [r["primary_value"] for r in found] == ["Gus Green"]
    email_id = next(f["id"] for f in api_fields(j) if f["name"] == "email")
    assert found[0]["data"].get(email_id, found[0]["data"].get("email")) == "gus@example.com"
    assert not j.problems, j.problems


def api_fields(j: Journey) -> list[dict[str, str]]:
    with api_client(j) as api:
        fields: list[dict[str, str]] = api.get("/api/objects/contact/schema").json()["fields"]
    return fields
