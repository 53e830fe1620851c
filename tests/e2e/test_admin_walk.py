"""A new user's walk through the admin, with screenshots (test-artifacts/screenshots/walk-*):
the first owner builds a small CRM from nothing (Company and Contact with their fields and
icons, a relationship, a few records, a link), then a second person starts a workspace from the
CRM template and lands on a populated grid, a kanban board and a record page, in light and then
in dark mode. Each step asserts what the person sees."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.journey import Journey, add_field, relate, sign_up_first_owner

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture fails with the words
    expect = None

pytestmark = pytest.mark.e2e

SERVER_ENV = {"OBJECTRY_OPEN_SIGNUP": "true"}  # the second person gets a workspace of their own
FIRST = {"name": "Wendy Walker", "email": "wendy@example.com", "password": "correct horse battery"}
SECOND = {"name": "Theo Template", "email": "theo@example.com", "password": "battery staple horse"}
DARK_BACKGROUND = "rgb(15, 18, 24)"


@pytest.fixture(scope="module")
def walk(journey: Journey) -> Iterator[Journey]:
    journey.count = 0
    yield journey


def shot(j: Journey, name: str) -> None:
    j.count += 1
    j.page.screenshot(path=str(j.shots / f"walk-{j.count:02d}-{name}.png"), full_page=True)


def sign_up(j: Journey, who: dict[str, str]) -> None:
    """An account through the sign-up screen: open sign-up gives it a workspace it owns."""
    page = j.page
    sign_up_first_owner(j, who)
    expect(page.locator("#user-area")).to_contain_text(who["name"])
    expect(page.locator("#user-area")).to_contain_text("owner")


def new_object(j: Journey, label: str, plural: str, icon: str) -> None:
    page = j.page
    j.go("#/objects")
    page.get_by_role("button", name="New object").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Name", exact=True).fill(label)
    dialog.get_by_role("textbox", name="Plural name").fill(plural)
    dialog.get_by_role("radio", name=icon, exact=True).check()
    shot(j, f"new-{label.lower()}-dialog")
    dialog.get_by_role("button", name="Create object").click()
    j.h1(f"{label}: fields & settings")
    expect(page.get_by_role("radio", name=icon, exact=True)).to_be_checked()


def new_record(j: Journey, label: str, values: dict[str, str], selects: dict[str, str]) -> None:
    """A record made with the "New …" button's form in the side panel (the one place that knows
    how records are made); the panel is closed again, back on the grid."""
    page = j.page
    page.get_by_role("button", name=f"New {label.lower()}").click()
    panel = page.get_by_role("dialog", name=f"New {label.lower()}")
    for field, value in values.items():
        panel.get_by_role("textbox", name=field).fill(value)
    for field, option in selects.items():
        panel.get_by_role("combobox", name=field).select_option(label=option)
    panel.get_by_role("button", name=f"Create {label.lower()}").click()
    name = next(iter(values.values()))
    j.toast(f"{label} “{name}” created")
    page.get_by_role("dialog", name=name).get_by_role("button", name="Close panel").click()
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_first_owner_signs_up_to_an_empty_workspace(walk: Journey) -> None:
    j, page = walk, walk.page
    sign_up(j, FIRST)
    expect(page.get_by_text("No objects yet")).to_be_visible()
    expect(page.get_by_role("button", name="Start from a template")).to_be_visible()
    shot(j, "empty-workspace")


def test_builds_company_and_contact_with_icons(walk: Journey) -> None:
    j, page = walk, walk.page
    new_object(j, "Company", "Companies", "Building")
    add_field(j, "Company name", "text", flags=("Required",))
    add_field(j, "Website", "url")
    add_field(j, "Industry", "select", options=["Software", "Retail"])
    shot(j, "company-builder")
    new_object(j, "Contact", "Contacts", "User")
    add_field(j, "Full name", "text", flags=("Required",))
    add_field(j, "E-mail", "email", fill={"API name": "email"})
    add_field(j, "Stage", "select", options=["Lead", "Customer"])
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Companies")).to_be_visible()
    expect(nav.get_by_role("link", name="Contacts")).to_have_attribute("aria-current", "page")
    expect(nav.locator(".obj-badge svg")).to_have_count(2)  # each object shows its own icon
    shot(j, "contact-builder")


def test_relates_companies_and_contacts(walk: Journey) -> None:
    j, page = walk, walk.page
    dialog = relate(j, "Company", "Contact", "1:N", "Each Company has any number of Contacts; "
                    "each Contact has at most one Company.")
    dialog.get_by_role("button", name="Create relationship").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("row", name=re.compile("Company"))).to_contain_text("1:N")
    shot(j, "relationships")


def test_enters_records_and_links_them(walk: Journey) -> None:
    j, page = walk, walk.page
    j.go("#/objects/company")
    j.h1("Companies")
    expect(page.get_by_text("No companies yet.")).to_be_visible()
    expect(page.locator("p.result-count")).to_have_text("0 records")
    new_record(j, "Company", {"Company name": "Acme"}, {"Industry": "Software"})
    new_record(j, "Company", {"Company name": "Globex"}, {"Industry": "Retail"})
    expect(page.locator("p.result-count")).to_have_text("2 records")
    shot(j, "companies-grid")
    j.go("#/objects/contact")
    j.h1("Contacts")
    new_record(j, "Contact", {"Full name": "Ada Lovelace", "E-mail": "ada@example.com"},
               {"Stage": "Customer"})
    new_record(j, "Contact", {"Full name": "Alan Turing", "E-mail": "alan@example.com"},
               {"Stage": "Lead"})
    expect(page.locator("p.result-count")).to_have_text("2 records")
    page.get_by_role("link", name="Open Ada Lovelace").click()  # the side panel, then its full page
    panel = page.get_by_role("dialog", name="Ada Lovelace")
    panel.get_by_role("link", name="Open full page").click()
    j.h1("Ada Lovelace")
    company = page.get_by_role("region", name="Company")
    company.get_by_role("combobox", name="Link the company").fill("acm")
    company.get_by_role("option", name="Acme").click()
    j.toast("Acme linked")
    expect(company.get_by_role("link", name="Acme")).to_be_visible()
    shot(j, "contact-record")


def test_objects_screen_shows_the_crm_with_counts(walk: Journey) -> None:
    j, page = walk, walk.page
    j.go("#/objects")
    cards = page.get_by_role("list", name="Objects").get_by_role("listitem")
    expect(cards).to_have_count(2)
    companies = cards.filter(has=page.get_by_role("link", name="Companies", exact=True))
    expect(companies.locator(".object-stats")).to_have_text("2 records3 fields")
    contacts = cards.filter(has=page.get_by_role("link", name="Contacts", exact=True))
    expect(contacts.locator(".object-stats")).to_have_text("2 records3 fields")
    expect(companies.locator(".obj-badge svg")).to_have_count(1)
    shot(j, "objects-built")
    page.get_by_role("button", name="Sign out").click()
    j.h1("Sign in to Objectry")


def test_second_person_starts_from_the_crm_template(walk: Journey) -> None:
    j, page = walk, walk.page
    sign_up(j, SECOND)
    expect(page.get_by_text("No objects yet")).to_be_visible()  # a workspace of their own
    page.get_by_role("button", name="Start from a template").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("radio", name=re.compile(r"^CRM")).check()
    expect(dialog.get_by_role("checkbox", name="With sample records")).to_be_checked()
    shot(j, "template-dialog")
    dialog.get_by_role("button", name="Apply template").click()
    expect(dialog).to_be_hidden()
    j.toast("Template applied: 6 new objects")
    cards = page.get_by_role("list", name="Objects").get_by_role("listitem")
    expect(cards).to_have_count(6)
    deals = cards.filter(has=page.get_by_role("link", name="Deals", exact=True))
    expect(deals.locator(".object-stats")).to_contain_text("3 records")
    shot(j, "objects-from-template")


def see_grid_kanban_and_record(j: Journey, mode: str) -> None:
    page = j.page
    j.go("#/objects/deal")
    j.h1("Deals")
    expect(page.locator("p.result-count")).to_have_text("3 records")
    expect(page.get_by_role("grid")).to_contain_text("Rockets")
    shot(j, f"deals-grid-{mode}")
    page.get_by_role("combobox", name="View").select_option(label="Board")
    board = page.get_by_role("list", name=re.compile("^Deals by"))
    expect(board).to_be_visible()
    expect(board.get_by_role("link", name="Rockets")).to_be_visible()
    shot(j, f"deals-kanban-{mode}")
    board.get_by_role("link", name="Rockets").click()
    j.h1("Rockets")
    expect(page.get_by_role("region", name="Details")).to_be_visible()
    shot(j, f"deal-record-{mode}")


def test_populated_grid_kanban_and_record_in_light(walk: Journey) -> None:
    see_grid_kanban_and_record(walk, "light")


def test_the_same_in_dark_mode(walk: Journey) -> None:
    j, page = walk, walk.page
    page.emulate_media(color_scheme="dark")
    try:
        j.go("#/objects")
        j.h1("Objects")
        assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") \
            == DARK_BACKGROUND
        shot(j, "objects-dark")
        see_grid_kanban_and_record(j, "dark")
    finally:
        page.emulate_media(color_scheme="light")


def test_a_big_object_is_counted_up_to_a_thousand(walk: Journey) -> None:
    """Cards count records up to 1,000 (cheap at any size); the grid gives the exact number."""
    j, page = walk, walk.page
    with httpx.Client(base_url=j.base, timeout=30) as api:
        tokens = api.post("/api/auth/login", json={"email": SECOND["email"],
                                                   "password": SECOND["password"]}).json()
        made = api.post("/rest/v1/activities", headers={
            "Authorization": f"Bearer {tokens['access_token']}", "Prefer": "return=minimal"},
            json=[{"subject": f"Call {i}", "activity_type": "call"} for i in range(1000)])
        assert made.status_code == 201, made.text[:500]
    j.go("#/objects")
    cards = page.get_by_role("list", name="Objects").get_by_role("listitem")
    activities = cards.filter(has=page.get_by_role("link", name="Activities", exact=True))
    expect(activities.locator(".object-stats")).to_contain_text("1,000+ records")
    shot(j, "objects-big-count")
    activities.get_by_role("link", name="Activities", exact=True).click()
    j.h1("Activities")
    # The grid does not count every record unless asked: it says more are below.
    expect(page.locator("p.result-count")).to_have_text("50 shown · more below")
    page.get_by_role("button", name="Count all").click()
    expect(page.locator("p.result-count")).to_contain_text(re.compile(r"1[,\u202f.]?002 records"))


def test_an_icon_set_through_the_api_survives_the_builder(walk: Journey) -> None:
    """An icon name the admin does not draw stays the object's icon when its settings are saved."""
    j, page = walk, walk.page
    with httpx.Client(base_url=j.base, timeout=30) as api:
        tokens = api.post("/api/auth/login", json={"email": SECOND["email"],
                                                   "password": SECOND["password"]}).json()
        api.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        pipeline = api.get("/api/objects/pipeline").json()
        changed = api.patch(f"/api/objects/{pipeline['id']}", json={"icon": "rocket"})
        assert changed.status_code == 200, changed.text
        j.go("#/objects/pipeline/build")
        j.h1("Pipeline: fields & settings")
        expect(page.get_by_role("radio", name="rocket (not drawn here)")).to_be_checked()
        page.get_by_role("textbox", name="Description").fill("Sales pipelines")
        page.get_by_role("button", name="Save settings").click()
        j.toast("Settings saved")
        saved = api.get("/api/objects/pipeline").json()
        assert (saved["icon"], saved["description"]) == ("rocket", "Sales pipelines")
