"""The record form in real Chromium against a real server: a contact created in the side panel
over the list (select, date, phone, currency), a 422 shown next to its fields, an edit and the
history that names the fields by label, a company linked and unlinked from the form with the
history lines, Escape and focus, and the full page for an edit and a create. Every value is read
back through the API."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.e2e.journey import Journey, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture fails with the words
    expect = None

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"
OWNER = ("fiona@example.com", "Fiona Forms")
NOTES = "Met at the analytical engine meetup. " * 8  # long: the history cuts it


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.text)
    return response.json()


@pytest.fixture(scope="module")
def http(live_server: str) -> Any:
    """The owner's API client; `contact` (every kind of input the test fills) and `company`,
    related company -(1:N)-> contact as "Employer" / "Employees"."""
    with httpx.Client(base_url=live_server) as client:
        ok(client.post("/api/auth/register", json={"email": OWNER[0], "password": PASSWORD,
                                                   "full_name": OWNER[1]}), 201)
        tokens = ok(client.post("/api/auth/login", json={"email": OWNER[0], "password": PASSWORD}))
        client.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        contact = ok(client.post("/api/objects", json={
            "name": "contact", "label": "Contact", "plural_label": "Contacts"}), 201)
        stages = {"options": [{"value": "lead", "label": "Lead"}, {"value": "won", "label": "Won"}]}
        for name, label, type_, config, extra in (
                ("full_name", "Full name", "text", {}, {"is_required": True}),
                ("stage", "Stage", "select", stages, {}),
                ("born_on", "Born on", "date", {}, {}),
                ("phone", "Phone", "phone", {}, {}),
                ("budget", "Budget", "currency", {"currency_code": "EUR"}, {}),
                ("email", "E-mail", "email", {}, {}),
                ("notes", "Notes", "long_text", {"help_text": "Anything worth remembering"}, {})):
            ok(client.post(f"/api/objects/{contact['id']}/fields", json={
                "name": name, "label": label, "type": type_, "config": config, **extra}), 201)
        company = ok(client.post("/api/objects", json={
            "name": "company", "label": "Company", "plural_label": "Companies"}), 201)
        ok(client.post(f"/api/objects/{company['id']}/fields", json={
            "name": "name", "label": "Name", "type": "text", "config": {}}), 201)
        ok(client.post("/api/relationships", json={
            "name": "employs", "from_object_id": "company", "to_object_id": "contact",
            "type": "1:N", "from_label": "Employer", "to_label": "Employees"}), 201)
        for name in ("Acme", "Globex"):
            ok(client.post("/api/records", json={"object": "company", "data": {"name": name}}), 201)
        ok(client.post("/api/records", json={"object": "contact",
                                              "data": {"full_name": "Grace Hopper"}}), 201)
        yield client


@pytest.fixture(scope="module")
def j(journey: Journey, http: Any) -> Journey:
    sign_in(journey, OWNER[0], PASSWORD)
    return journey


def shot(j: Journey, name: str) -> None:
    """A screenshot of this part's moments: test-artifacts/screenshots/form-<name>.png."""
    j.page.screenshot(path=str(j.shots / f"form-{name}.png"), full_page=False)


def contact_named(http: Any, name: str) -> dict[str, Any]:
    query = {"object": "contact", "full_name": f"eq.{name}"}
    items = ok(http.get("/api/records", params=query))["items"]
    assert len(items) == 1, items
    return dict(items[0])


def history(http: Any, record_id: str) -> list[dict[str, Any]]:
    return list(ok(http.get(f"/api/records/{record_id}/history"))["items"])


def test_create_in_the_side_panel(j: Journey, http: Any) -> None:
    page = j.page
    j.go("#/objects/contact?record=new")
    panel = page.get_by_role("dialog", name="New contact")
    expect(panel).to_be_visible()
    # The list stays visible beside it (out of the accessibility tree while the panel is modal).
    expect(page.locator("main table").first).to_be_visible()
    expect(page.locator("main table").first).to_contain_text("Grace Hopper")
    expect(panel.get_by_text("Anything worth remembering")).to_be_visible()  # help text
    full_name = panel.get_by_role("textbox", name="Full name")
    expect(full_name).to_have_attribute("aria-required", "true")
    expect(full_name).to_be_focused()

    # A 422: every problem next to its field, in words; nothing is created.
    panel.get_by_role("textbox", name="E-mail").fill("ada@@example")
    panel.get_by_role("button", name="Create contact").click()
    expect(panel.locator("[data-error-for=full_name]")).to_have_text("is required")
    expect(panel.locator("[data-error-for=email]")).to_have_text("not a valid email address")
    expect(panel.get_by_role("textbox", name="Full name")).to_have_attribute("aria-invalid", "true")
    shot(j, "panel-422")
    counted = ok(http.get("/api/records", params={"object": "contact", "count": "exact"}))
    assert counted["total"] == 1

    panel.get_by_role("textbox", name="Full name").fill("Ada Lovelace")
    panel.get_by_role("textbox", name="E-mail").fill("Ada@Example.com")
    panel.get_by_role("combobox", name="Stage").select_option(label="Won")
    panel.get_by_label("Born on").fill("1990-12-10")
    panel.get_by_role("textbox", name="Phone").fill("+44 20 7946 0958")
    panel.get_by_role("textbox", name="Budget").fill("1200.50")
    shot(j, "panel-new")
    panel.get_by_role("button", name="Create contact").click()
    j.toast("Contact “Ada Lovelace” created")
    # The panel now shows the record it made, and the list has its row.
    expect(page.get_by_role("dialog", name="Ada Lovelace")).to_be_visible()
    ada = contact_named(http, "Ada Lovelace")
    assert ada["data"] == {"full_name": "Ada Lovelace", "email": "ada@example.com", "stage": "won",
                           "born_on": "1990-12-10", "phone": "+442079460958", "budget": 1200.5}
    assert f"record={ada['id']}" in page.url
    expect(page.locator("tr[data-id]", has_text="Ada Lovelace")).to_have_count(1)
    shot(j, "panel-created")


def test_edit_in_the_panel_and_history_by_label(j: Journey, http: Any) -> None:
    page = j.page
    ada = contact_named(http, "Ada Lovelace")
    j.go(f"#/objects/contact?record={ada['id']}")
    panel = page.get_by_role("dialog", name="Ada Lovelace")
    expect(panel.get_by_role("textbox", name="Budget")).to_have_value("1200.5")
    panel.get_by_role("combobox", name="Stage").select_option(label="Lead")
    panel.get_by_role("textbox", name="Notes").fill(NOTES)
    panel.get_by_role("button", name="Save changes").click()
    j.toast("Saved")
    stored = ok(http.get(f"/api/records/{ada['id']}"))
    assert stored["version"] == 2 and stored["data"]["stage"] == "lead"
    assert stored["data"]["notes"] == NOTES
    events = panel.get_by_role("region", name="History").locator("li.event")
    expect(events).to_have_count(2)
    change = events.first
    expect(change).to_contain_text("Changed")
    expect(change).to_contain_text("by you")
    expect(change.get_by_role("rowheader", name="Stage")).to_be_visible()  # the label, not `stage`
    expect(change.get_by_role("row", name=re.compile("Stage"))).to_contain_text("Won")
    expect(change.get_by_role("row", name=re.compile("Stage"))).to_contain_text("Lead")
    notes = change.get_by_role("row", name=re.compile("Notes"))
    expect(notes.get_by_text(NOTES.strip())).to_be_hidden()
    notes.get_by_role("button", name="Show more").click()
    expect(notes.get_by_text(NOTES.strip())).to_be_visible()
    expect(change.locator("time")).to_have_text(re.compile("now|second|minute"))
    # The grid's row shows the new stage without a reload.
    expect(page.locator(f"tr[data-id='{ada['id']}']")).to_contain_text("Lead")
    shot(j, "panel-history")

    # Escape closes the panel; the URL forgets the record and focus is back on its row.
    panel.get_by_role("textbox", name="Full name").focus()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    assert "record=" not in page.url
    expect(page.locator(f"tr[data-id='{ada['id']}'] td[data-field]").first).to_be_focused()


def test_link_and_unlink_from_the_form(j: Journey, http: Any) -> None:
    page = j.page
    ada = contact_named(http, "Ada Lovelace")
    j.go(f"#/objects/contact?record={ada['id']}")
    panel = page.get_by_role("dialog", name="Ada Lovelace")
    employer = panel.get_by_role("region", name="Employer")
    search = employer.get_by_role("combobox", name="Link the company")
    search.fill("acm")
    employer.get_by_role("option", name="Acme").click()
    j.toast("Acme linked")
    expect(employer.get_by_role("link", name="Acme")).to_be_visible()
    lines = panel.get_by_role("region", name="History").locator("li.event")
    expect(lines.first).to_contain_text("Linked to Acme (Employer)")
    lines.first.scroll_into_view_if_needed()
    shot(j, "panel-linked")

    employer.get_by_role("button", name="Unlink Acme").click()
    j.toast("Acme unlinked")
    expect(employer.get_by_role("link", name="Acme")).to_have_count(0)
    expect(lines.first).to_contain_text("Unlinked from Acme (Employer)")
    expect(lines.nth(1)).to_contain_text("Linked to Acme (Employer)")
    ops = [e["op"] for e in history(http, ada["id"])]
    assert ops[:2] == ["unlink", "link"]
    acme = ok(http.get("/api/records", params={"object": "company", "name": "eq.Acme"}))["items"][0]
    assert [(e["op"], e["record"]["primary_value"], e["relationship"]["label"])
            for e in history(http, acme["id"])[:2]] == [
        ("unlink", "Ada Lovelace", "Employees"), ("link", "Ada Lovelace", "Employees")]
    lines.first.scroll_into_view_if_needed()
    shot(j, "panel-unlinked")

    # The close button closes it too.
    panel.get_by_role("button", name="Close panel").click()
    expect(panel).to_be_hidden()


def test_a_stale_save_is_refused_and_focus_stays_in_the_panel(j: Journey, http: Any) -> None:
    page = j.page
    grace = contact_named(http, "Grace Hopper")
    j.go(f"#/objects/contact?record={grace['id']}")
    panel = page.get_by_role("dialog", name="Grace Hopper")
    expect(panel.get_by_role("textbox", name="Full name")).to_be_focused()  # drawn: focus moved in
    # Tab from the last control wraps to the first: focus stays in the panel.
    panel.get_by_role("button", name="Cancel").focus()
    page.keyboard.press("Tab")
    expect(panel.get_by_role("link", name="Open full page")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(panel.get_by_role("button", name="Cancel")).to_be_focused()

    panel.get_by_role("textbox", name="Budget").fill("10")
    ok(http.patch(f"/api/records/{grace['id']}", json={"data": {"budget": 20}}))  # someone else
    panel.get_by_role("button", name="Save changes").click()
    refused = panel.get_by_role("alert").filter(has_text="your changes were not saved")
    expect(refused).to_contain_text("Someone changed this record since you opened it")
    shot(j, "panel-412")
    assert ok(http.get(f"/api/records/{grace['id']}"))["data"]["budget"] == 20
    panel.get_by_role("button", name="Reload this record").click()
    expect(panel.get_by_role("textbox", name="Budget")).to_have_value("20")


def test_full_page_edit_and_create(j: Journey, http: Any) -> None:
    page = j.page
    ada = contact_named(http, "Ada Lovelace")
    j.go(f"#/objects/contact?record={ada['id']}")
    panel = page.get_by_role("dialog", name="Ada Lovelace")
    panel.get_by_role("link", name="Open full page").click()
    j.h1("Ada Lovelace")
    expect(page.get_by_role("dialog")).to_have_count(0)
    details = page.get_by_role("region", name="Details")
    details.get_by_role("textbox", name="Phone").fill("+1 202 555 0143")
    page.get_by_role("button", name="Save changes").click()
    j.toast("Saved")
    latest = page.get_by_role("region", name="History").locator("li.event").first
    expect(latest).to_contain_text("Phone")
    assert ok(http.get(f"/api/records/{ada['id']}"))["data"]["phone"] == "+12025550143"
    shot(j, "page-edit")

    j.go("#/objects/contact/new")
    j.h1("New contact")
    details = page.get_by_role("region", name="Details")
    details.get_by_role("textbox", name="Full name").fill("Charles Babbage")
    details.get_by_role("combobox", name="Stage").select_option(label="Lead")
    details.get_by_role("textbox", name="Budget").fill("99")
    shot(j, "page-new")
    page.get_by_role("button", name="Create contact").click()
    j.h1("Charles Babbage")
    charles = contact_named(http, "Charles Babbage")
    assert charles["data"] == {"full_name": "Charles Babbage", "stage": "lead", "budget": 99}
    assert page.url.endswith(f"#/records/{charles['id']}")
    expect(page.get_by_role("region", name="History")).to_contain_text("Created")


SPECIMEN = [  # (name, label, type, config): every type a person types into
    ("title", "Title", "text", {}), ("summary", "Summary", "long_text", {}),
    ("body", "Body", "rich_text", {}), ("amount", "Amount", "number", {}),
    ("price", "Price", "currency", {"currency_code": "USD"}), ("share", "Share", "percent", {}),
    ("active", "Active", "boolean", {}), ("day", "Day", "date", {}),
    ("moment", "Moment", "datetime", {}), ("mail", "Mail", "email", {}),
    ("tel", "Tel", "phone", {}), ("site", "Site", "url", {}),
    ("size", "Size", "select", {"options": [{"value": "s", "label": "Small"}]}),
    ("tags", "Tags", "multi_select", {"options": [{"value": "a", "label": "Alpha"},
                                                  {"value": "b", "label": "Beta"}]}),
    ("stars", "Stars", "rating", {"max": 5}), ("meta", "Meta", "json", {}),
    ("old_note", "Old note", "text", {}),
]


def test_every_type_has_an_input_computed_shown_removed_fields_named(j: Journey, http: Any) -> None:
    page = j.page
    obj = ok(http.post("/api/objects", json={"name": "specimen", "label": "Specimen",
                                             "plural_label": "Specimens"}), 201)
    made = {}
    for name, label, type_, config in SPECIMEN:
        made[name] = ok(http.post(f"/api/objects/{obj['id']}/fields", json={
            "name": name, "label": label, "type": type_, "config": config}), 201)
    ok(http.post(f"/api/objects/{obj['id']}/fields", json={
        "name": "double", "label": "Double", "type": "formula",
        "config": {"expression": "{amount} * 2", "result_type": "number"}}), 201)
    record = ok(http.post("/api/records", json={"object": "specimen", "data": {
        "title": "First", "amount": 21000, "tags": ["a", "b"], "old_note": "kept"}}), 201)
    ok(http.patch(f"/api/records/{record['id']}", json={"data": {"old_note": "changed"}}))
    detached = http.delete(f"/api/object-fields/{made['old_note']['object_field']['id']}")
    assert detached.status_code == 204, detached.text

    j.go("#/objects/specimen?record=new")
    panel = page.get_by_role("dialog", name="New specimen")
    for name, label, _type, _config in SPECIMEN[:-1]:
        control = panel.get_by_role("group", name=label) if name == "tags" \
            else panel.get_by_label(label, exact=True)
        expect(control).to_have_count(1)
        expect(control).to_be_editable() if name != "tags" else expect(control).to_be_visible()
    expect(panel.get_by_label("Old note")).to_have_count(0)  # detached
    expect(panel.get_by_text("Double")).to_have_count(0)  # computed: nothing to type
    shot(j, "every-type")
    # Rich text is sent as typed and stored cleaned by the server.
    panel.get_by_label("Title", exact=True).fill("Second")
    panel.get_by_label("Body", exact=True).fill("<p>Hi <b>there</b><script>alert(1)</script></p>")
    panel.get_by_role("checkbox", name="Beta").check()
    panel.get_by_role("button", name="Create specimen").click()
    expect(page.get_by_role("dialog", name="Second")).to_be_visible()
    second = ok(http.get("/api/records", params={"object": "specimen", "title": "eq.Second"}))
    assert second["items"][0]["data"]["tags"] == ["b"]
    body = second["items"][0]["data"]["body"]
    assert "<b>there</b>" in body and "script" not in body

    j.go(f"#/objects/specimen?record={record['id']}")
    panel = page.get_by_role("dialog", name="First")
    expect(panel.locator("output[name=double]")).to_have_text("42,000")  # formatted, read-only
    expect(panel.get_by_role("checkbox", name="Alpha")).to_be_checked()
    changed = panel.get_by_role("region", name="History").locator("li.event").first
    expect(changed.get_by_role("row", name=re.compile("removed field"))).to_contain_text("changed")
    changed.scroll_into_view_if_needed()
    shot(j, "removed-field")
