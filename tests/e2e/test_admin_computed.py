"""The seed CRM's computed fields built in the admin, in real Chromium against a real server:
objects and fields through the builder's dialogs, a formula typed with a mistake (the error shown
at its position), fixed (the server's preview of its value on a record), a rollup with a filter
and a lookup; the grid shows the computed columns read-only and sorts by the rollup, the record
screen shows them, and a "Won this quarter" view filtered on a boolean formula is saved and
picked. Relationships and records come from the API (their screens have journeys of their own):
the walk is about the field dialogs."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.journey import Journey, create_object, sign_up_first_owner

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture fails with the words
    expect = None

pytestmark = pytest.mark.e2e

OWNER = {"name": "Carla Computed", "email": "carla@example.com",
         "password": "correct horse battery"}
TODAY = datetime.now(UTC).date()
LAST_QUARTER = TODAY.replace(month=3 * ((TODAY.month - 1) // 3) + 1, day=1) - timedelta(days=1)
# (title, company, amount, probability, stage, closed on)
DEALS = [("Rockets", "Acme", 12000, 25, "open", None), ("Anvils", "Acme", 4000, 60, "open", None),
         ("Magnets", "Acme", 2500, 100, "won", TODAY), ("Bolts", "Initech", 700, 100, "won", TODAY),
         ("Staplers", "Initech", 800, 100, "won", LAST_QUARTER),
         ("Gears", "Initech", 1500, 50, "open", None)]
WON_THIS_QUARTER = ('{stage} = "won" AND YEAR({closed_on}) = YEAR(TODAY()) AND '
                    'CEIL(MONTH({closed_on}) / 3) = CEIL(MONTH(TODAY()) / 3)')


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.text)
    return response.json()


@pytest.fixture(scope="module")
def j(journey: Journey) -> Journey:
    sign_up_first_owner(journey, OWNER)
    return journey


@pytest.fixture(scope="module")
def http(live_server: str, j: Journey) -> Any:
    with httpx.Client(base_url=live_server) as client:
        tokens = ok(client.post("/api/auth/login", json={"email": OWNER["email"],
                                                         "password": OWNER["password"]}))
        client.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        yield client


def open_add_field(j: Journey, label: str, type_: str) -> Any:
    j.page.get_by_role("button", name="Add field").click()
    dialog = j.page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Label", exact=True).fill(label)
    dialog.get_by_role("combobox", name="Type").select_option(type_)
    return dialog


def save_field(j: Journey, dialog: Any, label: str) -> None:
    dialog.get_by_role("button", name="Add field").click()
    expect(dialog).to_be_hidden()
    expect(j.page.get_by_role("table").get_by_role("rowheader", name=re.compile(f"^{label}")
                                                   )).to_be_visible()


def simple_field(j: Journey, label: str, type_: str, options: list[str] = ()) -> None:
    dialog = open_add_field(j, label, type_)
    for i, option in enumerate(options):
        if i:
            dialog.get_by_role("button", name="+ Add option").click()
        dialog.get_by_role("textbox", name=f"Option {i + 1} label").fill(option)
    save_field(j, dialog, label)


def test_build_the_objects_and_their_stored_fields(j: Journey, http: Any) -> None:
    create_object(j, "Company", "Companies")
    simple_field(j, "Company name", "text")
    create_object(j, "Contact", "Contacts")
    simple_field(j, "Full name", "text")
    create_object(j, "Deal", "Deals")
    for label, type_ in (("Title", "text"), ("Amount", "currency"), ("Probability", "number"),
                         ("Closed on", "date")):
        simple_field(j, label, type_)
    simple_field(j, "Stage", "select", ["Open", "Won", "Lost"])
    rels = {name: ok(http.post("/api/relationships", json={
        "name": name, "from_object_id": source, "to_object_id": target, "type": "1:N",
        "from_label": source.title(), "to_label": target.title()}), 201)
        for name, source, target in (("works_at", "company", "contact"),
                                     ("company_deals", "company", "deal"))}
    companies = {name: ok(http.post("/api/records", json={
        "object": "company", "data": {"company_name": name}}), 201)
        for name in ("Acme", "Initech", "Hooli")}
    ann = ok(http.post("/api/records", json={"object": "contact",
                                             "data": {"full_name": "Ann"}}), 201)
    ok(http.post("/api/relationship-records", json={
        "relationship_id": rels["works_at"]["id"], "from_record_id": companies["Acme"]["id"],
        "to_record_id": ann["id"]}), 201)
    for title, company, amount, probability, stage, closed in DEALS:
        data = {"title": title, "amount": amount, "probability": probability, "stage": stage,
                **({"closed_on": closed.isoformat()} if closed else {})}
        deal = ok(http.post("/api/records", json={"object": "deal", "data": data}), 201)
        ok(http.post("/api/relationship-records", json={
            "relationship_id": rels["company_deals"]["id"],
            "from_record_id": companies[company]["id"], "to_record_id": deal["id"]}), 201)


def test_a_formula_error_at_its_position_then_its_preview(j: Journey, http: Any) -> None:
    j.go("#/objects/deal/build")
    j.h1("Deal: fields & settings")
    dialog = open_add_field(j, "Weighted", "formula")
    editor = dialog.get_by_role("textbox", name="Expression")
    editor.fill("{amount} * {probabilty} / 100")
    error = dialog.locator(".formula-error")
    expect(error.locator(".field-error")).to_have_text(
        "Line 1, column 12: unknown field {probabilty}")
    expect(error.locator("mark")).to_have_text("{")
    expect(error).to_have_attribute("data-position", "11")
    expect(editor).to_have_attribute("aria-invalid", "true")
    j.shot("formula-error")
    editor.fill("")
    dialog.get_by_role("button", name="Probability").click()  # inserts {probability}
    editor.press("End")
    editor.type(" * {amount} / 100")
    expect(editor).to_have_value("{probability} * {amount} / 100")
    expect(dialog.locator(".formula-ok")).to_have_text(
        "✓ Gives number · reads amount, probability")
    expect(dialog.locator(".formula-value")).to_have_text("3,000")  # Rockets, the first deal
    dialog.get_by_role("combobox", name="Preview on").select_option(label="Anvils")
    expect(dialog.locator(".formula-value")).to_have_text("2,400")
    expect(editor).not_to_have_attribute("aria-invalid", "true")
    j.shot("formula-preview")
    save_field(j, dialog, "Weighted")
    stored = ok(http.get("/api/objects/deal/schema"))["fields"]
    weighted = next(f for f in stored if f["name"] == "weighted")
    assert (weighted["type"], weighted["config"]) == ("formula", {
        "expression": "{probability} * {amount} / 100", "result_type": "number"})
    dialog = open_add_field(j, "Won this quarter", "formula")
    dialog.get_by_role("textbox", name="Expression").fill(WON_THIS_QUARTER)
    dialog.get_by_role("combobox", name="Result type").select_option("boolean")
    expect(dialog.locator(".formula-ok")).to_contain_text("changes with the date")
    save_field(j, dialog, "Won this quarter")


def test_a_rollup_with_a_filter_and_a_lookup(j: Journey, http: Any) -> None:
    j.go("#/objects/company/build")
    j.h1("Company: fields & settings")
    dialog = open_add_field(j, "Open pipeline", "rollup")
    dialog.get_by_role("combobox", name="Relationship").select_option("company_deals")
    dialog.get_by_role("combobox", name="Function").select_option("count")
    expect(dialog.get_by_role("combobox", name="Of the field")).to_be_hidden()
    dialog.get_by_role("combobox", name="Function").select_option("sum")
    dialog.get_by_role("combobox", name="Of the field").select_option("amount")
    dialog.get_by_role("textbox", name="Only linked records where (optional)").fill("stage=eq.open")
    save_field(j, dialog, "Open pipeline")
    j.go("#/objects/contact/build")
    j.h1("Contact: fields & settings")
    dialog = open_add_field(j, "Company", "lookup")
    dialog.get_by_role("combobox", name="Relationship").select_option("works_at")
    dialog.get_by_role("combobox", name="Field of the linked records").select_option(
        "company_name")
    save_field(j, dialog, "Company")
    rows = ok(http.get("/rest/v1/contact", params={"select": "full_name,company"}))
    assert rows == [{"full_name": "Ann", "company": ["Acme"]}]


def test_edit_a_formula_and_number_the_deals(j: Journey, http: Any) -> None:
    j.go("#/objects/deal/build")
    j.h1("Deal: fields & settings")
    j.page.get_by_role("button", name="Edit Weighted").click()
    dialog = j.page.get_by_role("dialog")
    editor = dialog.get_by_role("textbox", name="Expression")
    expect(dialog.locator(".formula-value")).to_have_text("3,000")  # checked as it opens
    editor.fill("{weighted} * 2")  # the draft is checked in the field's place: a cycle
    expect(dialog.locator(".formula-error .field-error")).to_have_text(
        "formulas refer to each other in a cycle: weighted → weighted")
    editor.fill("ROUND({amount} * {probability} / 100, -2)")
    expect(dialog.locator(".formula-value")).to_have_text("3,000")
    dialog.get_by_role("button", name="Save field").click()
    expect(dialog).to_be_hidden()
    weighted = next(f for f in ok(http.get("/api/objects/deal/schema"))["fields"]
                    if f["name"] == "weighted")
    assert weighted["config"]["expression"] == "ROUND({amount} * {probability} / 100, -2)"
    dialog = open_add_field(j, "Number", "autonumber")
    dialog.get_by_role("textbox", name="Prefix").fill("DEAL-")
    dialog.get_by_role("textbox", name="Digits").fill("3")
    save_field(j, dialog, "Number")
    rows = ok(http.get("/rest/v1/deal", params={"select": "number,title", "order": "number",
                                                "limit": 2}))
    assert rows == [{"number": "DEAL-001", "title": "Rockets"},
                    {"number": "DEAL-002", "title": "Anvils"}]


def test_the_grid_shows_computed_columns_and_sorts_by_the_rollup(j: Journey) -> None:
    j.go("#/objects/company")
    grid = j.page.get_by_role("grid")
    names = grid.locator('td[data-field="company_name"]')
    pipeline = grid.locator('td[data-field="open_pipeline"]')
    expect(names).to_have_text(["Acme", "Initech", "Hooli"])
    expect(pipeline).to_have_text(["16,000", "1,500", "0"])
    expect(pipeline.first).to_have_attribute("aria-readonly", "true")
    grid.locator("th button.sort", has_text="Open pipeline").click()
    expect(names).to_have_text(["Hooli", "Initech", "Acme"])
    grid.locator("th button.sort", has_text="Open pipeline").click()
    expect(names).to_have_text(["Acme", "Initech", "Hooli"])
    j.shot("rollup-sorted")
    j.go("#/objects/contact")
    expect(j.page.get_by_role("grid").locator('td[data-field="company"]')).to_have_text(["Acme"])
    j.go("#/objects/deal")
    weighted = j.page.get_by_role("grid").locator('td[data-field="weighted"]')
    expect(weighted).to_have_text(["3,000", "2,400", "2,500", "700", "800", "800"])
    j.page.get_by_role("link", name="Open Rockets").click()
    expect(j.page.locator('output[name="weighted"]')).to_have_text("3,000")
    expect(j.page.locator('output[name="won_this_quarter"]')).to_have_text("No")


def test_save_and_pick_the_won_this_quarter_view(j: Journey, http: Any) -> None:
    count = j.page.locator(".result-count")
    j.go("#/objects/deal")
    expect(count).to_have_text("6 records")
    # The filter bar offers a boolean formula the words of a boolean field.
    j.page.get_by_role("button", name="Filter").click()
    filters = j.page.get_by_role("form", name="Filters")
    filters.get_by_role("combobox", name="Field").select_option(label="Won this quarter")
    filters.get_by_role("combobox", name="Condition").select_option(label="is yes")
    filters.get_by_role("button", name="Apply filters").click()
    expect(count).to_have_text("2 records")
    j.page.get_by_role("button", name="Save view").click()
    dialog = j.page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Name").fill("Won this quarter")
    dialog.get_by_role("checkbox", name="Shared with everyone in the workspace").check()
    dialog.get_by_role("button", name="Save view").click()
    expect(dialog).to_be_hidden()
    j.toast("View “Won this quarter” saved")
    view = ok(http.get("/api/views", params={"object": "deal"}))["items"][0]
    assert (view["name"], view["filter"], view["shared"], view["problems"]) == \
        ("Won this quarter", "won_this_quarter=is.true", True, [])
    j.go("#/objects/deal")
    j.page.reload()
    expect(count).to_have_text("6 records")
    j.page.get_by_role("combobox", name="View").select_option(label="Won this quarter")
    expect(count).to_have_text("2 records")
    expect(j.page.get_by_role("grid").locator('td[data-field="title"]')).to_have_text(
        ["Magnets", "Bolts"])
    j.shot("won-this-quarter")
    assert j.problems == []
