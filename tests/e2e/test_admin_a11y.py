"""axe-core on every screen of the admin, in light and in dark mode, over a workspace with real
data (the CRM template with its samples, a token, a webhook, an invitation, a trashed record):
each screen must show its heading and have no serious or critical violation. axe-core is the
npm package pinned in tests/clients/axe (`npm ci` there; .ci/run does it)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture fails with the words
    expect = None

pytestmark = pytest.mark.e2e

SERVER_ENV = {"OBJECTRY_OPEN_SIGNUP": "true"}  # a newcomer's empty workspace beside the owner's

AXE = Path(__file__).resolve().parents[1] / "clients/axe/node_modules/axe-core/axe.min.js"
PASSWORD = "correct horse battery"
OWNER = ("ada@example.com", "Ada Access")
NEWCOMER = ("nell@example.com", "Nell Newcomer")
SCHEMES = ("light", "dark")
# The page background each scheme must show: proof that the palette did switch.
BACKGROUND = {"light": "rgb(246, 247, 249)", "dark": "rgb(15, 18, 24)"}


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.text)
    return response.json()


@pytest.fixture(scope="module")
def data(live_server: str) -> Iterator[dict[str, str]]:
    """The owner's workspace, filled through the API; the ids the screens' addresses need."""
    with httpx.Client(base_url=live_server, timeout=30) as api:
        ok(api.post("/api/auth/register", json={"email": OWNER[0], "password": PASSWORD,
                                                "full_name": OWNER[1]}), 201)
        tokens = ok(api.post("/api/auth/login", json={"email": OWNER[0], "password": PASSWORD}))
        api.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        me = ok(api.get("/api/auth/me"))
        ok(api.post("/api/templates/crm/apply", json={"with_sample_records": True}))
        views = ok(api.get("/api/views", params={"limit": 100}))["items"]
        board = next(v for v in views if v["type"] == "kanban")
        cal = next(v for v in views if v["type"] == "calendar")
        contacts = ok(api.get("/api/records", params={"object": "contact"}))["items"]
        assert api.delete(f"/api/records/{contacts[-1]['id']}").status_code == 204
        ok(api.post("/api/tokens", json={"name": "Reporting", "scopes": ["records:read"]}), 201)
        hook = ok(api.post("/api/webhooks", json={
            "name": "CRM sync", "url": "https://93.184.215.14/hook",
            "events": ["record.created"]}), 201)
        ok(httpx.post(f"{live_server}/api/auth/register", json={
            "email": NEWCOMER[0], "password": PASSWORD, "full_name": NEWCOMER[1]}), 201)
        invitation = ok(api.post(f"/api/workspaces/{me['workspace_id']}/members",
                                 json={"email": "newcomer@example.com", "role": "editor"}), 201)
        yield {"board": board["id"], "calendar": cal["id"], "contact": contacts[0]["id"],
               "webhook": hook["id"], "invitation": invitation["invitation"]["token"]}


# (screen, address, heading shown) — every route of js/app.js; signed-out screens first.
SIGNED_OUT = [("login", "#/login", "Sign in to Objectry"), ("signup", "#/signup", re.compile(".")),
              ("join", "#/join?token={invitation}", "Join a workspace")]
SIGNED_IN = [
    ("objects", "#/objects", "Objects"),
    ("grid", "#/objects/contact", "Contacts"),
    ("kanban", "#/objects/deal?view={board}", "Deals"),
    ("calendar", "#/objects/activity?view={calendar}", "Activities"),
    ("record", "#/records/{contact}", re.compile(".")),
    ("builder", "#/objects/contact/build", "Contact: fields & settings"),
    ("fields", "#/fields", "Field library"),
    ("relationships", "#/relationships", "Relationships"),
    ("tokens", "#/tokens", "API tokens"),
    ("members", "#/members", "Members"),
    ("webhooks", "#/webhooks", "Webhooks"),
    ("webhook", "#/webhooks/{webhook}", "CRM sync"),
    ("audit", "#/audit", "Audit log"),
    ("trash", "#/objects/contact/trash", "Trash: Contacts"),
    ("import", "#/objects/contact/import", re.compile("Import")),
]


@pytest.fixture(scope="module")
def pages(browser: Any, live_server: str, data: dict[str, str]) -> Iterator[dict[Any, Any]]:
    """Per scheme and person (None: signed out), a page in a context that lets axe's script in;
    made on first use."""
    contexts = []

    class Pages(dict[Any, Any]):
        def __missing__(self, key: tuple[str, str | None]) -> Any:
            scheme, email = key
            context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB",
                                          timezone_id="UTC", color_scheme=scheme, bypass_csp=True)
            context.set_default_timeout(10_000)
            contexts.append(context)
            page = self[key] = context.new_page()
            page.errors = []
            page.on("pageerror", lambda exc: page.errors.append(str(exc)))
            if email:
                page.goto(f"{live_server}/admin/#/login")
                page.get_by_role("textbox", name="E-mail").fill(email)
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                expect(page.get_by_role("heading", level=1)).to_have_text("Objects")
            return page

    yield Pages()
    for context in contexts:
        context.close()


def background(page: Any) -> str:
    return str(page.evaluate("() => getComputedStyle(document.body).backgroundColor"))


def violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it stands."""
    if not page.evaluate("() => Boolean(window.axe)"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const result = await axe.run(document, { resultTypes: ["violations"] });
        return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.map((n) => n.target.join(" ") + " — " + n.failureSummary) }));
    }""")
    return [v for v in found if v["impact"] in ("serious", "critical")]


def assert_accessible(page: Any, shot: Path, what: str, full_page: bool = True) -> None:
    """A screenshot of the page, then axe: no serious or critical violation, each listed."""
    page.screenshot(path=str(shot), full_page=full_page)
    found = violations(page)
    assert not found, f"{what}: " + json.dumps(found, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(("name", "address", "heading"), SIGNED_OUT + SIGNED_IN,
                         ids=[s[0] for s in SIGNED_OUT + SIGNED_IN])
def test_screen_has_no_serious_violation(pages: dict[Any, Any], data: dict[str, str],
                                         live_server: str, screenshots: Path, scheme: str,
                                         name: str, address: str,
                                         heading: str | re.Pattern[str]) -> None:
    assert AXE.exists(), f"axe-core is missing: npm ci --prefix {AXE.parents[2]}"
    page = pages[scheme, OWNER[0] if (name, address, heading) in SIGNED_IN else None]
    page.goto(f"{live_server}/admin/{address.format(**data)}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator("#main")).not_to_contain_text("Loading…")
    page.wait_for_load_state("networkidle")
    assert background(page) == BACKGROUND[scheme]
    assert_accessible(page, screenshots / f"look-{scheme}-{name}.png", f"{name} ({scheme})")
    assert not page.errors, page.errors


# (dialog, address, the button that opens it): the admin's dialogs, open over their screen.
DIALOGS = [("new-object", "#/objects", "New object"),
           ("template", "#/objects", "From a template"),
           ("add-field", "#/objects/contact/build", "Add field"),
           ("new-field", "#/fields", "New field"),
           ("relationship", "#/relationships", "New relationship"),
           ("token", "#/tokens", "New token"),
           ("webhook", "#/webhooks", "New webhook"),
           ("save-view", "#/objects/contact", "Save view")]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(("name", "address", "opener"), DIALOGS, ids=[d[0] for d in DIALOGS])
def test_dialog_has_no_serious_violation(pages: dict[Any, Any], live_server: str,
                                         screenshots: Path, scheme: str, name: str,
                                         address: str, opener: str) -> None:
    page = pages[scheme, OWNER[0]]
    page.goto(f"{live_server}/admin/{address}")
    page.get_by_role("button", name=opener, exact=True).first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    page.wait_for_load_state("networkidle")
    try:
        assert_accessible(page, screenshots / f"look-{scheme}-dialog-{name}.png",
                          f"{name} dialog ({scheme})", full_page=False)
    finally:  # the next check must not find this dialog still open
        dialog.get_by_role("button", name="Close").click()
        expect(dialog).to_be_hidden()


# (screen, address, what its empty state says): the list screens of a workspace with nothing.
EMPTY = [("objects", "#/objects", "No objects yet."),
         ("fields", "#/fields", "No fields yet."),
         ("relationships", "#/relationships", "Create at least two objects"),
         ("tokens", "#/tokens", "No API tokens yet."),
         ("webhooks", "#/webhooks", "No webhooks yet."),
         ("audit", "#/audit", "Nothing matches these filters.")]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(("name", "address", "says"), EMPTY, ids=[e[0] for e in EMPTY])
def test_empty_state_has_no_serious_violation(pages: dict[Any, Any], live_server: str,
                                              screenshots: Path, scheme: str, name: str,
                                              address: str, says: str) -> None:
    page = pages[scheme, NEWCOMER[0]]
    page.goto(f"{live_server}/admin/{address}")
    expect(page.locator(".empty")).to_contain_text(says)
    assert_accessible(page, screenshots / f"look-{scheme}-empty-{name}.png",
                      f"empty {name} ({scheme})")


def test_the_check_sees_a_low_contrast_text(pages: dict[Any, Any], live_server: str) -> None:
    """The check can fail: grey on grey added to a screen is a serious violation."""
    page = pages["light", OWNER[0]]
    page.goto(f"{live_server}/admin/#/fields")
    expect(page.get_by_role("heading", level=1)).to_have_text("Field library")
    page.evaluate("""() => { const p = document.createElement("p"); p.textContent = "faint";
        p.style.color = "#bbb"; p.style.background = "#ccc";
        document.querySelector("#main").append(p); }""")
    assert [v["id"] for v in violations(page)] == ["color-contrast"]


def test_the_theme_menu_pins_a_theme_across_reloads(pages: dict[Any, Any], live_server: str,
                                                    screenshots: Path) -> None:
    """On a light system, "Dark theme" turns the admin dark and stays chosen after a reload;
    "System theme" follows the system again."""
    page = pages["light", OWNER[0]]
    page.goto(f"{live_server}/admin/#/objects")
    picker = page.get_by_role("combobox", name="Colour theme")
    expect(picker).to_have_value("system")
    picker.select_option(label="Dark theme")
    assert background(page) == BACKGROUND["dark"]
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Objects")
    expect(page.get_by_role("combobox", name="Colour theme")).to_have_value("dark")
    assert background(page) == BACKGROUND["dark"]
    page.screenshot(path=str(screenshots / "look-theme-menu-dark.png"))
    page.get_by_role("combobox", name="Colour theme").select_option(label="System theme")
    assert background(page) == BACKGROUND["light"]
