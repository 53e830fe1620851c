"""The records grid as a spreadsheet, in real Chromium against a real server: link columns
(chips of the linked records, edited through the link picker), computed columns read-only,
values formatted for the browser's locale, columns resized, hidden and moved (saved in the view
and still there after a reload), rows selected (shift-click) and edited or moved to the trash
at once (read back through the API), the empty states and the keyboard."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.e2e.journey import Journey, make_object, ok, sign_in, sign_up_by_api

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture fails with the words
    expect = None

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"
OWNER = ("gina@example.com", "Gina Grid")
STAGES = {"options": [{"value": "lead", "label": "Lead", "color": "#2563eb"},
                      {"value": "customer", "label": "Customer", "color": "#16a34a"}]}
PEOPLE = [  # full name, e-mail, phone, salary, born, active, stage, company
    ("Ada Lovelace", "ada@example.com", "+33612345678", 1234.5, "1815-12-10", True, "lead", "Acme"),
    ("Grace Hopper", "grace@example.com", "+14155550123", 2000, "1906-12-09", False, "lead", None),
    ("Alan Turing", "alan@example.com", None, None, None, None, "customer", "Globex"),
    ("Edsger Dijkstra", "edsger@example.com", None, None, None, None, "lead", None),
]


@pytest.fixture(scope="module")
def http(live_server: str) -> Any:
    """The owner's API client, with companies, contacts (every kind of column) and their links."""
    with httpx.Client(base_url=live_server) as client:
        sign_up_by_api(client, OWNER[0], OWNER[1], PASSWORD)

        make_object(client, "company", "Company", "Companies",
             [("company_name", "text", {}), ("city", "text", {})])
        make_object(client, "contact", "Contact", "Contacts", [
            ("full_name", "text", {}), ("email", "email", {}), ("phone", "phone", {}),
            ("salary", "currency", {"currency_code": "EUR", "precision": 2}), ("born", "date", {}),
            ("active", "boolean", {}), ("stage", "select", STAGES)])
        make_object(client, "lead", "Lead", "Leads", [("lead_name", "text", {})])
        rel = ok(client.post("/api/relationships", json={
            "name": "company_contacts", "from_object_id": "company", "to_object_id": "contact",
            "type": "1:N", "from_label": "Employer", "to_label": "Staff"}), 201)
        contact = ok(client.get("/api/objects/contact"))
        for name, type_, config in (
                ("company_city", "lookup", {"relationship": "company_contacts", "field": "city"}),
                ("double_salary", "formula",
                 {"expression": "{salary} * 2", "result_type": "number"})):
            ok(client.post(f"/api/objects/{contact['id']}/fields", json={
                "name": name, "label": name.replace("_", " ").capitalize(), "type": type_,
                "config": config}), 201)
        companies = {}
        for name, city in (("Acme", "Paris"), ("Globex", "Springfield")):
            companies[name] = ok(client.post("/api/records", json={"object": "company", "data": {
                "company_name": name, "city": city}}), 201)["id"]
        for person, email, phone, salary, born, active, stage, company in PEOPLE:
            data = {"full_name": person, "email": email, "phone": phone, "salary": salary,
                    "born": born, "active": active, "stage": stage}
            made = ok(client.post("/api/records", json={"object": "contact", "data": {
                k: v for k, v in data.items() if v is not None}}), 201)
            if company:
                ok(client.post("/api/relationship-records", json={
                    "relationship_id": rel["id"], "from_record_id": companies[company],
                    "to_record_id": made["id"]}), 201)
        client.rel_id = rel["id"]  # type: ignore[attr-defined]
        client.companies = companies  # type: ignore[attr-defined]
        yield client


@pytest.fixture(scope="module")
def j(journey: Journey, http: Any) -> Journey:
    sign_in(journey, OWNER[0], PASSWORD)
    return journey


def shot(j: Journey, name: str) -> None:
    j.count += 1
    j.page.screenshot(path=str(j.shots / f"grid-{j.count:02d}-{name}.png"), full_page=True)


def contact(http: Any, name: str) -> dict[str, Any]:
    items = ok(http.get("/api/records", params={"object": "contact", "full_name": f"eq.{name}"}))
    assert len(items["items"]) == 1, items
    return dict(items["items"][0])


def row(j: Journey, name: str) -> Any:
    return j.page.get_by_role("grid").locator("tbody tr", has=j.page.get_by_role(
        "checkbox", name=f"Select {name}", exact=True))


def headers(j: Journey) -> list[str]:
    labels = j.page.get_by_role("grid").locator("thead th .head-label")
    return [t.strip() for t in labels.all_text_contents()]


def test_values_formatted_and_computed_columns_read_only(j: Journey) -> None:
    j.go("#/objects/contact")
    j.h1("Contacts")
    expect(j.page.locator(".result-count")).to_have_text("4 records")
    ada = row(j, "Ada Lovelace")
    expect(ada.locator("td[data-field=phone]")).to_have_text("+33 612 345 678")
    expect(row(j, "Grace Hopper").locator("td[data-field=phone]")).to_have_text("+1 415 555 0123")
    expect(ada.locator("td[data-field=salary]")).to_have_text("€1,234.50")
    expect(ada.locator("td[data-field=born]")).to_have_text("10 Dec 1815")
    expect(ada.locator("td[data-field=active] [role=img]")).to_have_attribute("aria-label", "Yes")
    expect(ada.locator("td[data-field=active]")).to_have_text("✓")
    expect(row(j, "Grace Hopper").locator("td[data-field=active] [role=img]")).to_have_attribute(
        "aria-label", "No")
    expect(ada.locator("td[data-field=stage] .pill")).to_have_text("Lead")
    # Computed columns: formatted by their result, read-only.
    expect(ada.locator("td[data-field=double_salary]")).to_have_text("2,469")
    expect(ada.locator("td[data-field=company_city] .chip")).to_have_text(["Paris"])
    expect(ada.locator("td[data-field=company_city]")).to_have_attribute("aria-readonly", "true")
    ada.locator("td[data-field=double_salary]").click()
    expect(ada.locator("td[data-field=double_salary] input")).to_have_count(0)
    shot(j, "formatted")


def test_link_column_chips_edit_through_the_picker(j: Journey, http: Any) -> None:
    j.go("#/objects/contact")
    grid = j.page.get_by_role("grid")
    expect(grid.locator("thead th.link-head")).to_have_text(["Employer"])
    expect(row(j, "Ada Lovelace").locator("td.link-cell .chip")).to_have_text(["Acme"])
    expect(row(j, "Alan Turing").locator("td.link-cell .chip")).to_have_text(["Globex"])
    expect(row(j, "Grace Hopper").locator("td.link-cell .chip")).to_have_count(0)
    # Link Grace to Acme through the picker in the cell's dialog.
    row(j, "Grace Hopper").locator("td.link-cell").click()
    dialog = j.page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Employer of Grace Hopper")
    expect(dialog).to_contain_text("No employer yet.")
    picker = dialog.get_by_role("combobox", name="Link the company")
    picker.fill("Acm")
    dialog.get_by_role("option", name="Acme").click()
    j.toast("Acme linked")
    expect(dialog.get_by_role("link", name="Acme")).to_be_visible()
    shot(j, "link-dialog")
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_be_hidden()
    expect(row(j, "Grace Hopper").locator("td.link-cell .chip")).to_have_text(["Acme"])
    grace = contact(http, "Grace Hopper")
    links = ok(http.get("/api/relationship-records", params={
        "relationship_id": http.rel_id, "to_record_id": grace["id"]}))["items"]
    assert [link["from_record_id"] for link in links] == [http.companies["Acme"]]
    # Unlink it again from the keyboard: Enter on the cell opens the same dialog.
    cell = row(j, "Grace Hopper").locator("td.link-cell")
    cell.focus()
    cell.press("Enter")
    dialog.get_by_role("button", name="Unlink Acme").click()
    j.toast("Acme unlinked")
    dialog.press("Escape")
    expect(row(j, "Grace Hopper").locator("td.link-cell .chip")).to_have_count(0)
    assert ok(http.get("/api/relationship-records", params={
        "relationship_id": http.rel_id, "to_record_id": grace["id"]}))["items"] == []
    # A chip opens its record.
    shot(j, "link-chips")
    row(j, "Ada Lovelace").locator("td.link-cell .chip", has_text="Acme").click()
    j.h1("Acme")


def test_columns_resized_hidden_moved_are_saved_in_the_view(j: Journey, http: Any) -> None:
    j.go("#/objects/contact")
    j.page.get_by_role("button", name="Save view").click()
    dialog = j.page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Name").fill("My columns")
    dialog.get_by_role("button", name="Save view").click()
    expect(dialog).to_be_hidden()
    j.toast("View “My columns” saved")
    expect(j.page.get_by_role("combobox", name="View")).to_have_value(re.compile("."))
    expect(j.page.locator("thead th .head-label").nth(2)).to_have_text("Phone")
    assert headers(j)[:3] == ["Full name", "Email", "Phone"]
    # Resize E-mail with the keyboard (3 × 16 px) and Phone with the mouse.
    handle = j.page.get_by_role("separator", name="Resize Email")
    handle.focus()
    for _ in range(3):
        handle.press("ArrowRight")
    expect(handle).to_have_attribute("aria-valuenow", "228")
    phone = j.page.get_by_role("separator", name="Resize Phone")
    box = phone.bounding_box()
    assert box is not None
    j.page.mouse.move(box["x"] + 3, box["y"] + box["height"] / 2)
    j.page.mouse.down()
    j.page.mouse.move(box["x"] - 57, box["y"] + box["height"] / 2, steps=4)
    j.page.mouse.up()
    expect(phone).to_have_attribute("aria-valuenow", "120")
    # Hide Born, move Stage left twice (before Active and Born's place) in the Fields menu.
    j.page.get_by_role("button", name="Fields").click()
    menu = j.page.get_by_role("group", name="Fields shown in the grid")
    menu.get_by_role("checkbox", name="Born").uncheck()
    menu.get_by_role("button", name="Move Stage left").click()
    menu.get_by_role("button", name="Move Stage left").click()
    expect(menu).to_contain_text("Saved in the view “My columns”.")
    shot(j, "fields-menu")
    assert "Born" not in headers(j)
    expected = ["Full name", "Email", "Phone", "Salary", "Stage", "Active"]
    assert headers(j)[:6] == expected
    # The view holds it (read back through the API) …
    views = ok(http.get("/api/views", params={"object": "contact"}))["items"]
    saved = next(v for v in views if v["name"] == "My columns")
    by_name = {c["name"]: c for c in saved["fields"]}
    assert [c["name"] for c in saved["fields"]][:7] == [
        "full_name", "email", "phone", "salary", "stage", "born", "active"]
    assert by_name["email"]["width"] == 228 and by_name["phone"]["width"] == 120
    assert by_name["born"]["hidden"] is True and by_name["stage"]["hidden"] is False
    # … and a reload shows the same columns, widths included.
    j.page.reload()
    j.h1("Contacts")
    expect(j.page.locator("thead th .head-label").first).to_have_text("Full name")
    assert headers(j)[:6] == expected
    expect(j.page.get_by_role("separator", name="Resize Email")).to_have_attribute(
        "aria-valuenow", "228")
    email_width = j.page.locator("col[data-field=email]").evaluate(
        "c => c.getBoundingClientRect().width")
    assert round(email_width) == 228
    # Tall rows: a toggle kept for this view.
    j.page.get_by_role("button", name="Tall rows").click()
    expect(j.page.locator(".grid-wrap")).to_have_class(re.compile("tall"))
    j.page.reload()
    expect(j.page.get_by_role("button", name="Tall rows")).to_have_attribute("aria-pressed", "true")
    j.page.get_by_role("button", name="Tall rows").click()
    shot(j, "columns-after-reload")
    # Drag a header onto another: Active moves to Salary's place (and is saved).
    grid_head = j.page.locator("thead")
    grid_head.locator("th[data-field=active]").drag_to(grid_head.locator("th[data-field=salary]"))
    expect(j.page.locator("thead th .head-label").nth(3)).to_have_text("Active")
    assert headers(j)[:6] == ["Full name", "Email", "Phone", "Active", "Salary", "Stage"]

    def saved_order() -> list[str]:
        views = ok(http.get("/api/views", params={"object": "contact"}))["items"]
        view = next(v for v in views if v["name"] == "My columns")
        return [c["name"] for c in view["fields"] if not c["hidden"]][:6]

    expected_order = ["full_name", "email", "phone", "active", "salary", "stage"]
    for _ in range(20):  # the PATCH is debounced (300 ms)
        if saved_order() == expected_order:
            break
        j.page.wait_for_timeout(100)
    assert saved_order() == expected_order
    # The primary column stays in view when the grid scrolls sideways.
    wrap = j.page.locator(".grid-wrap")
    wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    first = row(j, "Ada Lovelace").locator("td[data-field=full_name]")
    left = first.evaluate("td => td.getBoundingClientRect().left"
                          " - td.closest('.grid-wrap').getBoundingClientRect().left")
    assert 70 <= left <= 90, left
    expect(first).to_be_visible()


def test_bulk_edit_and_bulk_trash(j: Journey, http: Any) -> None:
    j.go("#/objects/contact")
    j.h1("Contacts")
    names = [p[0] for p in PEOPLE]
    expect(j.page.get_by_role("grid").locator("tbody td[data-field=full_name]")).to_have_count(4)
    # Click the second row's box, shift-click the fourth: three rows selected.
    ordered = j.page.locator("tbody td[data-field=full_name]").all_text_contents()
    assert sorted(ordered) == sorted(names)
    j.page.get_by_role("checkbox", name=f"Select {ordered[1]}").click()
    j.page.get_by_role("checkbox", name=f"Select {ordered[3]}").click(modifiers=["Shift"])
    bar = j.page.get_by_role("region", name="Selected records")
    expect(bar).to_contain_text("3 contacts selected")
    chosen = ordered[1:4]
    # A refused edit changes nothing and says why.
    bar.get_by_role("button", name="Edit field…").click()
    dialog = j.page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Edit 3 contacts")
    dialog.get_by_role("combobox", name="Field").select_option(label="Email")
    dialog.get_by_role("textbox", name="New Email").fill("not-an-email")
    dialog.get_by_role("button", name="Set on 3").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Email")
    shot(j, "bulk-edit-refused")
    for name in chosen:
        assert contact(http, name)["data"]["email"] != "not-an-email"
    # A good one sets the value on the three, in one go.
    dialog.get_by_role("combobox", name="Field").select_option(label="Stage")
    dialog.get_by_role("combobox", name="New Stage").select_option(label="Customer")
    dialog.get_by_role("button", name="Set on 3").click()
    expect(dialog).to_be_hidden()
    j.toast("Stage set on 3 contacts")
    for name in chosen:
        assert contact(http, name)["data"]["stage"] == "customer"
        expect(row(j, name).locator("td[data-field=stage]")).to_have_text("Customer")
    shot(j, "bulk-edited")
    # Select all, unselect one, move the other three to the trash.
    j.page.get_by_role("checkbox", name="Select all rows shown").check()
    expect(bar).to_contain_text("4 contacts selected")
    j.page.get_by_role("checkbox", name=f"Select {ordered[0]}").uncheck()
    expect(bar).to_contain_text("3 contacts selected")
    bar.get_by_role("button", name="Move to trash").click()
    confirm = j.page.get_by_role("dialog")
    expect(confirm).to_contain_text("Move 3 contacts to the trash?")
    shot(j, "bulk-trash-confirm")
    confirm.get_by_role("button", name="Move 3 to trash").click()
    j.toast("3 contacts moved to the trash")
    expect(j.page.locator(".result-count")).to_have_text("1 record")
    expect(bar).to_be_hidden()
    left = ok(http.get("/api/records", params={"object": "contact"}))["items"]
    assert [r["data"]["full_name"] for r in left] == [ordered[0]]
    trashed = ok(http.get("/api/records", params={"object": "contact", "trash": "only"}))["items"]
    assert sorted(r["data"]["full_name"] for r in trashed) == sorted(chosen)
    # Put them back for the next steps.
    for r in trashed:
        ok(http.post(f"/api/records/{r['id']}/restore"))


def test_empty_states_say_what_to_do_next(j: Journey) -> None:
    j.go("#/objects/lead")
    j.h1("Leads")
    empty = j.page.locator(".grid-empty")
    expect(empty).to_contain_text("No leads yet.")
    expect(empty.get_by_role("link", name="Import CSV")).to_have_attribute(
        "href", "#/objects/lead/import")
    expect(j.page.locator(".result-count")).to_have_text("0 records")
    shot(j, "empty")
    empty.get_by_role("button", name="Add the first lead").click()
    expect(j.page.get_by_role("textbox", name="Lead name of the new record")).to_be_focused()
    expect(empty).to_be_hidden()
    j.go("#/objects/contact?full_name=eq.Nobody")
    expect(j.page.locator(".grid-empty")).to_contain_text("No contacts match these filters.")
    shot(j, "no-match")
    j.page.get_by_role("button", name="Clear filters").click()
    expect(j.page.locator(".result-count")).to_have_text("4 records")
    expect(j.page.locator(".grid-empty")).to_be_hidden()


def test_keyboard_moves_between_cells_and_rows(j: Journey) -> None:
    j.go("#/objects/contact?order=full_name.asc")
    grid = j.page.get_by_role("grid")
    first = grid.locator("tbody tr").first
    expect(first.locator("td[data-field=full_name]")).to_have_text("Ada Lovelace")
    cell = first.locator("td[data-field=full_name]")
    cell.click()
    editor = cell.get_by_role("textbox")
    editor.press("Escape")
    expect(cell).to_be_focused()
    cell.press("ArrowRight")
    expect(first.locator("td[data-field=email]")).to_be_focused()
    j.page.keyboard.press("ArrowDown")
    second = grid.locator("tbody tr").nth(1)
    expect(second.locator("td[data-field=email]")).to_be_focused()
    j.page.keyboard.press("Home")
    expect(second.get_by_role("checkbox")).to_be_focused()
    j.page.keyboard.press("Space")
    expect(j.page.get_by_role("region", name="Selected records")).to_contain_text(
        "1 contact selected")
    j.page.keyboard.press("ArrowRight")
    expect(second.get_by_role("link", name=re.compile("^Open "))).to_be_focused()
    j.page.keyboard.press("ArrowRight")
    j.page.keyboard.press("ArrowRight")
    expect(second.locator("td[data-field=email]")).to_be_focused()
    j.page.keyboard.press("Enter")
    expect(second.locator("td[data-field=email] input")).to_be_focused()
    j.page.keyboard.press("Escape")
    expect(second.locator("td[data-field=email]")).to_be_focused()
    shot(j, "keyboard")


def test_expand_and_new_go_through_the_record_urls(j: Journey, http: Any) -> None:
    ada = contact(http, "Ada Lovelace")
    j.go("#/objects/contact")
    expand = row(j, "Ada Lovelace").get_by_role("link", name="Open Ada Lovelace")
    expect(expand).to_have_attribute("href", f"#/objects/contact?record={ada['id']}")
    expand.click()
    panel = j.page.get_by_role("dialog", name="Ada Lovelace")
    expect(panel).to_be_visible()
    assert f"record={ada['id']}" in j.page.evaluate("location.hash")
    j.page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    assert "record=" not in j.page.evaluate("location.hash")
    j.page.get_by_role("button", name="New contact").click()
    expect(j.page.get_by_role("dialog", name="New contact")).to_be_visible()
    assert "record=new" in j.page.evaluate("location.hash")
