"""A person's first hour in the admin, in a real Chromium against a real server.

The steps run in order and share one browser page, like the person does: sign up as the first
user, model Contacts and Companies, relate them, enter records (and fix a bad e-mail the server
refuses), link a contact to a company, filter the grid, find in the trash what an app deleted,
then hand a token to an app and take it back. Each step asserts what is on screen and saves a
screenshot of it.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.e2e.journey import Journey, add_field, create_object, relate

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture fails with the words
    expect = None

pytestmark = pytest.mark.e2e

OWNER = {"name": "Olivia Owner", "email": "olivia@example.com", "password": "correct horse battery"}


def test_first_sign_up_makes_the_owner(journey: Journey) -> None:
    j, page = journey, journey.page
    j.go("")
    j.h1("Sign in to Objectry")
    j.shot("sign-in")
    page.get_by_role("link", name="Create an account").click()
    j.h1("Create your account")
    page.get_by_role("textbox", name="Full name").fill(OWNER["name"])
    page.get_by_role("textbox", name="E-mail").fill(OWNER["email"])
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("must be at least 10 characters")).to_be_visible()
    j.shot("sign-up-refused")
    page.get_by_label("Password").fill(OWNER["password"])
    page.get_by_role("button", name="Create account").click()
    j.h1("Objects")
    expect(page.locator("#user-area")).to_contain_text(OWNER["name"])
    expect(page.locator("#user-area")).to_contain_text("owner")
    expect(page.get_by_text("No objects yet")).to_be_visible()
    j.shot("objects-empty")


def test_build_company_and_contact(journey: Journey) -> None:
    j, page = journey, journey.page
    create_object(j, "Company", "Companies")
    add_field(j, "Company name", "text", flags=("Required",))
    add_field(j, "Website", "url")
    add_field(j, "Employees", "number", fill={"Minimum": "0"})
    add_field(j, "Industry", "select", options=["Software", "Retail", "Finance"])

    create_object(j, "Contact", "Contacts")
    add_field(j, "Full name", "text", flags=("Required",))
    add_field(j, "E-mail", "email", fill={"API name": "email"}, flags=("Unique",))
    add_field(j, "Stage", "select", options=["Lead", "Customer"])
    add_field(j, "Score", "rating")

    # A config the server refuses is explained next to the control that holds it.
    page.get_by_role("button", name="Add field").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Label", exact=True).fill("Code")
    dialog.get_by_role("textbox", name=re.compile("^Pattern")).fill("[unclosed")
    dialog.get_by_role("button", name="Add field").click()
    expect(dialog.locator(".field-error:visible")).to_contain_text(
        re.compile("regular expression|regex", re.I))
    j.shot("add-field-refused")
    dialog.get_by_role("button", name="Cancel").click()

    # Reorder: Stage goes above E-mail; toggle an index.
    page.get_by_role("button", name="Move Stage up").click()
    j.toast("Stage moved up")
    names = page.locator(".fields-table tbody th").all_inner_texts()
    assert [n.split("\n")[0] for n in names][:3] == ["Full name", "Stage", "E-mail"]
    page.get_by_role("checkbox", name="Indexed: E-mail").check()
    j.toast("E-mail: indexed on")
    expect(page.get_by_role("checkbox", name="Indexed: E-mail")).to_be_checked()
    j.shot("object-builder")

    page.get_by_role("link", name="Field library").click()
    j.h1("Field library")
    expect(page.get_by_role("rowheader", name="Full name")).to_be_visible()
    j.shot("field-library")


def test_relate_companies_and_contacts(journey: Journey) -> None:
    j, page = journey, journey.page
    dialog = relate(j, "Company", "Contact", "1:N", "Each Company has any number of Contacts; "
                    "each Contact has at most one Company.")
    dialog.get_by_role("textbox", name="API name").fill("employs")
    j.shot("relationship-dialog")
    dialog.get_by_role("button", name="Create relationship").click()
    expect(dialog).to_be_hidden()
    row = page.get_by_role("row", name=re.compile("employs"))
    expect(row).to_contain_text("1:N")
    expect(row).to_contain_text("On a Company: “Contacts” · on a Contact: “Company”")
    j.shot("relationships")


def test_records_with_a_bad_email_fixed_on_the_cell(journey: Journey) -> None:
    j, page = journey, journey.page
    j.go("#/objects/company")
    j.h1("Companies")
    for name in ("Acme", "Globex"):
        page.get_by_role("button", name="Add row").click()
        page.get_by_role("textbox", name="Company name of the new record").fill(name)
        page.get_by_role("button", name="Save", exact=True).click()
        j.toast(f"“{name}” created")
    expect(page.get_by_role("grid")).to_contain_text("Globex")

    page.get_by_role("link", name="Contacts").click()
    j.h1("Contacts")
    page.get_by_role("button", name="Add row").click()
    page.get_by_role("textbox", name="Full name of the new record").fill("Ada Lovelace")
    page.get_by_role("textbox", name="E-mail of the new record").fill("ada-at-example")
    page.get_by_role("button", name="Save", exact=True).click()
    email_cell = page.locator("tr.draft td[data-field=email]")
    expect(email_cell.locator(".cell-error")).to_have_text("not a valid email address")
    new_email = page.get_by_role("textbox", name="E-mail of the new record")
    expect(new_email).to_have_attribute("aria-invalid", "true")
    j.shot("records-new-row-refused")
    page.get_by_role("textbox", name="E-mail of the new record").fill("ada@example.com")
    page.get_by_role("textbox", name="E-mail of the new record").press("Enter")
    j.toast("“Ada Lovelace” created")

    page.get_by_role("button", name="Add row").click()
    page.get_by_role("textbox", name="Full name of the new record").fill("Grace Hopper")
    page.get_by_role("textbox", name="E-mail of the new record").fill("GRACE@example.com")
    page.get_by_role("combobox", name="Stage of the new record").select_option(label="Customer")
    page.get_by_role("button", name="Save", exact=True).click()
    j.toast("“Grace Hopper” created")
    grid = page.get_by_role("grid")
    expect(grid).to_contain_text("grace@example.com")  # the server stores e-mails lower-cased

    # Inline edit: the server's refusal lands on the cell that was edited, and is fixed there.
    cell = grid.get_by_role("row", name=re.compile("Ada Lovelace")).locator("td[data-field=email]")
    cell.click()
    editor = cell.get_by_role("textbox", name="E-mail")
    editor.fill("ada@@example")
    editor.press("Enter")
    expect(cell.locator(".cell-error")).to_have_text("not a valid email address")
    j.shot("records-cell-refused")
    editor.fill("ada.lovelace@example.com")
    editor.press("Enter")
    expect(cell).to_have_text("ada.lovelace@example.com")
    expect(cell).to_be_focused()
    j.shot("records-grid")


def test_link_a_contact_to_a_company(journey: Journey) -> None:
    j, page = journey, journey.page
    j.go("#/objects/contact")
    page.get_by_role("link", name="Open Ada Lovelace").click()  # the side panel, then its full page
    panel = page.get_by_role("dialog", name="Ada Lovelace")
    panel.get_by_role("link", name="Open full page").click()
    j.h1("Ada Lovelace")
    company = page.get_by_role("region", name="Company")
    search = company.get_by_role("combobox", name="Link the company")
    search.fill("acm")
    option = company.get_by_role("option", name="Acme")
    expect(option).to_be_visible()
    search.press("ArrowDown")
    search.press("Enter")
    j.toast("Acme linked")
    expect(company.get_by_role("link", name="Acme")).to_be_visible()
    expect(page.get_by_role("region", name="History")).to_contain_text("Changed")
    j.shot("record-page")

    company.get_by_role("link", name="Acme").click()
    j.h1("Acme")
    contacts = page.get_by_role("region", name="Contacts")
    expect(contacts.get_by_role("link", name="Ada Lovelace")).to_be_visible()
    # Link Grace too, then unlink her: the company page lists who works there.
    contacts.get_by_role("combobox", name="Link a contact").fill("Grace")
    contacts.get_by_role("option", name="Grace Hopper").click()
    j.toast("Grace Hopper linked")
    contacts.get_by_role("button", name="Unlink Grace Hopper").click()
    j.toast("Grace Hopper unlinked")
    expect(contacts.get_by_role("link", name="Grace Hopper")).to_have_count(0)
    expect(contacts.get_by_role("combobox", name="Link a contact")).to_be_focused()
    expect(page.get_by_role("region", name="History")).to_contain_text("Created")
    j.shot("record-page-company")


def test_filter_sort_and_trash(journey: Journey) -> None:
    j, page = journey, journey.page
    # A stale access token is refreshed behind the person's back (one 401, then a new pair).
    page.evaluate("""() => {
        const s = JSON.parse(localStorage.getItem("objectry.session"));
        localStorage.setItem("objectry.session", JSON.stringify({...s, access_token: "stale"}));
    }""")
    j.go("#/objects/contact")
    j.h1("Contacts")
    expect(page.get_by_role("grid")).to_contain_text("Ada Lovelace")
    stored = page.evaluate("JSON.parse(localStorage.getItem('objectry.session')).access_token")
    assert stored != "stale"
    page.get_by_role("button", name="Filter").click()
    panel = page.get_by_role("form", name="Filters")
    panel.get_by_role("combobox", name="Field").select_option(label="Stage")
    panel.get_by_role("combobox", name="Condition").select_option(label="is")
    panel.get_by_role("combobox", name="Value").select_option(label="Customer")
    panel.get_by_role("button", name="Apply filters").click()
    grid = page.get_by_role("grid")
    expect(grid.get_by_role("row")).to_have_count(2)  # the header and Grace
    expect(grid).to_contain_text("Grace Hopper")
    assert "stage=eq.customer" in page.url
    expect(page.locator(".result-count")).to_have_text("1 record")
    j.shot("records-filtered")

    page.reload()  # the filter lives in the address, so a reload keeps it
    expect(page.get_by_role("grid").get_by_role("row")).to_have_count(2)
    page.get_by_role("button", name="Clear all").click()
    expect(page.get_by_role("grid").get_by_role("row")).to_have_count(3)

    header = page.get_by_role("columnheader", name="Full name")
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    first = page.get_by_role("grid").locator("tbody tr").first
    expect(first).to_contain_text("Grace Hopper")

    page.get_by_role("button", name="Delete Grace Hopper").click()
    j.toast("“Grace Hopper” moved to the trash")
    expect(page.get_by_role("grid")).not_to_contain_text("Grace Hopper")
    page.get_by_role("link", name="Trash").click()
    j.h1("Trash: Contacts")
    expect(page.get_by_role("row", name=re.compile("Grace Hopper"))).to_contain_text("by you")
    j.shot("trash")
    page.get_by_role("button", name="Restore Grace Hopper").click()
    j.toast("“Grace Hopper” restored")
    expect(page.get_by_text("No contacts in the trash.")).to_be_visible()
    page.get_by_role("link", name="Back to contacts").click()
    expect(page.get_by_role("grid")).to_contain_text("Grace Hopper")


def test_trash_lists_what_was_deleted_elsewhere(journey: Journey) -> None:
    """The trash is the server's: a record an app deletes shows there, and can be purged."""
    j, page = journey, journey.page
    token = page.evaluate("JSON.parse(localStorage.getItem('objectry.session')).access_token")
    with httpx.Client(base_url=j.base, headers={"Authorization": f"Bearer {token}"},
                      timeout=30) as app:
        made = app.post("/api/records", json={"object": "contact",
                                              "data": {"full_name": "Charles Babbage"}})
        assert made.status_code == 201, made.text
        record_id = made.json()["id"]
        assert app.delete(f"/api/records/{record_id}").status_code == 204
        j.go("#/objects/contact/trash")
        j.h1("Trash: Contacts")
        row = page.get_by_role("row", name=re.compile("Charles Babbage"))
        expect(row).to_contain_text(record_id)
        expect(page.locator(".result-count")).to_have_text("1 record in the trash")
        j.shot("trash-from-elsewhere")
        page.get_by_role("button", name="Delete Charles Babbage forever").click()
        page.get_by_role("dialog").get_by_role("button", name="Delete forever").click()
        j.toast("Deleted for good")
        expect(page.get_by_text("No contacts in the trash.")).to_be_visible()
        assert app.get(f"/api/records/{record_id}").status_code == 404

        # More than a page, trashed by one statement (one instant): the cursor pages through.
        bulk = [{"data": {"full_name": f"Bulk {i:02d}"}} for i in range(51)]
        made = app.post("/api/records/bulk", json={"object": "contact", "records": bulk})
        assert made.status_code == 201, made.text
        gone = app.delete("/rest/v1/contact", params={"full_name": "like.Bulk*"})
        assert gone.status_code == 204, gone.text
        page.reload()
        expect(page.locator(".result-count")).to_have_text("51 records in the trash")
        rows = page.locator("tbody tr")
        expect(rows).to_have_count(50)
        page.get_by_role("button", name="Load more").click()
        expect(rows).to_have_count(51)
        expect(page.get_by_role("button", name="Load more")).to_be_hidden()
        names = {n.split("\n")[0] for n in page.locator("tbody th").all_inner_texts()}
        assert names == {f"Bulk {i:02d}" for i in range(51)}


def test_filter_conditions_follow_the_schema_operators(journey: Journey) -> None:
    """The filter builder offers, for each field, only what the server's schema says it accepts."""
    j, page = journey, journey.page
    schema = re.compile(r"/api/objects/contact/schema$")

    def only_equality_on_full_name(route: Any) -> None:
        response = route.fetch()
        body = response.json()
        for field in body["fields"]:
            if field["name"] == "full_name":
                field["operators"] = ["eq", "is", "neq"]
        route.fulfill(response=response, json=body)

    page.route(schema, only_equality_on_full_name)
    try:
        j.go("#/objects/contact")
        page.reload()  # a fresh app: the schema is read again, through the route
        j.h1("Contacts")
        page.get_by_role("button", name="Filter").click()
        panel = page.get_by_role("form", name="Filters")
        panel.get_by_role("combobox", name="Field").select_option(label="Full name")
        conditions = panel.get_by_role("combobox", name="Condition").locator("option")
        expect(conditions).to_have_text(["is", "is not", "is empty", "is not empty"])
        panel.get_by_role("combobox", name="Field").select_option(label="E-mail")
        expect(conditions.first).to_have_text("contains")
    finally:
        page.unroute(schema)
    page.reload()


def test_token_used_by_an_app_then_revoked(journey: Journey) -> None:
    j, page = journey, journey.page
    page.get_by_role("link", name="API tokens").click()
    j.h1("API tokens")
    page.get_by_role("button", name="New token").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Name").fill("Website form")
    dialog.get_by_role("checkbox", name=re.compile("^records:write")).check()
    dialog.get_by_role("button", name="Create token").click()
    secret_box = dialog.get_by_role("textbox", name="Your new token")
    expect(secret_box).to_be_visible()
    expect(dialog).to_contain_text("It is shown only once")
    secret = secret_box.input_value()
    assert len(secret) > 20
    j.shot("token-created")
    dialog.get_by_role("button", name="Copy").click()
    expect(dialog).to_contain_text(re.compile("Copied to the clipboard|Press Ctrl\\+C"))
    dialog.get_by_role("button", name="Done, I have copied it").click()
    row = page.get_by_role("row", name=re.compile("Website form"))
    expect(row).to_contain_text("Active")

    app = httpx.Client(base_url=j.base, headers={"Authorization": f"Bearer {secret}"}, timeout=30)
    with app:
        listed = app.get("/api/records", params={"object": "contact", "q": "Ada"})
        assert listed.status_code == 200, listed.text
        assert [r["primary_value"] for r in listed.json()["items"]] == ["Ada Lovelace"]
        page.reload()
        used = page.get_by_role("row", name=re.compile("Website form"))
        expect(used).not_to_contain_text("Never used")  # last use is recorded
        j.shot("tokens")

        page.get_by_role("button", name="Revoke Website form").click()
        page.get_by_role("dialog").get_by_role("button", name="Revoke token").click()
        j.toast("Website form revoked")
        expect(page.get_by_role("row", name=re.compile("Website form"))).to_contain_text("Revoked")
        refused = app.get("/api/records", params={"object": "contact"})
        assert refused.status_code == 401, refused.text
        assert refused.json()["error"]["code"] == "unauthenticated"


def test_members_and_sign_out(journey: Journey) -> None:
    j, page = journey, journey.page
    page.get_by_role("link", name="Members").click()
    j.h1("Members")
    me = page.get_by_role("row", name=re.compile(OWNER["name"]))
    expect(me).to_contain_text("you")
    expect(me).to_contain_text(OWNER["email"])
    page.get_by_role("textbox", name="E-mail").fill("erin@example.com")
    page.get_by_role("combobox", name="Role", exact=True).select_option("editor")
    page.get_by_role("button", name="Invite", exact=True).click()
    j.toast("erin@example.com invited as Editor")
    link = page.get_by_role("textbox", name="Join link for erin@example.com").input_value()
    assert re.fullmatch(re.escape(j.base) + r"/admin/#/join\?token=[A-Za-z0-9_-]{43}", link), link
    pending = page.get_by_role("region", name="Pending invitations")
    erin_invited = pending.get_by_role("row", name=re.compile("erin@example.com"))
    expect(erin_invited).to_contain_text("Editor")
    expect(page.get_by_role("row", name=re.compile("erin@example.com"))).to_have_count(1)
    j.shot("invited")

    # Erin opens the link (another browser), creates her account and arrives as an editor.
    erin_context = page.context.browser.new_context(viewport={"width": 1360, "height": 900})
    try:
        erin = erin_context.new_page()
        erin.goto(link)
        expect(erin.get_by_role("heading", level=1)).to_have_text("Join a workspace")
        erin.get_by_role("textbox", name="Full name").fill("Erin Editor")
        erin.get_by_role("textbox", name="E-mail").fill("Erin@Example.com")
        erin.get_by_label("Password").fill("another long passphrase")
        j.shot("join", erin)
        erin.get_by_role("button", name="Create account and join").click()
        expect(erin.get_by_role("heading", level=1)).to_have_text("Objects")
        expect(erin.locator("#user-area")).to_contain_text("editor")
        expect(erin.get_by_role("button", name="New object")).to_have_count(0)
        expect(erin.get_by_role("navigation").get_by_role("link", name="Contacts")).to_be_visible()
    finally:
        erin_context.close()
    page.reload()
    erin_row = page.get_by_role("row", name=re.compile("Erin Editor"))
    expect(erin_row).to_contain_text("erin@example.com")
    expect(page.get_by_role("combobox", name="Role of Erin Editor")).to_have_value("editor")
    expect(page.get_by_text("No invitations are waiting.")).to_be_visible()
    j.shot("members")

    # An invitation sent to the wrong address is revoked before anyone uses it.
    page.get_by_role("textbox", name="E-mail").fill("frank@example.com")
    page.get_by_role("button", name="Invite", exact=True).click()
    j.toast("frank@example.com invited as Editor")
    frank_link = page.get_by_role("textbox", name="Join link for frank@example.com").input_value()
    # Signed in, the link offers to accept; it is Frank's, not Olivia's.
    page.goto(frank_link)
    j.h1("Join a workspace")
    expect(page.get_by_text(f"You are signed in as {OWNER['email']}")).to_be_visible()
    page.get_by_role("button", name="Accept invitation").click()
    expect(page.get_by_role("alert")).to_contain_text("this invitation is for another e-mail")
    page.get_by_role("link", name="Members").click()
    j.h1("Members")
    page.get_by_role("button", name="Revoke the invitation of frank@example.com").click()
    page.get_by_role("dialog").get_by_role("button", name="Revoke invitation").click()
    j.toast("Invitation of frank@example.com revoked")
    expect(page.get_by_text("No invitations are waiting.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    j.h1("Sign in to Objectry")
    page.get_by_role("textbox", name="E-mail").fill(OWNER["email"])
    page.get_by_label("Password").fill(OWNER["password"])
    page.get_by_role("button", name="Sign in").click()
    j.h1("Members")  # back where the person was
