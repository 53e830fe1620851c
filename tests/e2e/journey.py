"""What the e2e steps share: the page and server of one person's journey, what went wrong in
the browser along the way, and the few gestures every step repeats (add a field, an object)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture fails with the words
    expect = None

API_ERROR = re.compile(r"^Failed to load resource: the server responded with a status of 4\d\d")


class Journey:
    """What the steps share: the page, the server, and what went wrong in the browser."""

    def __init__(self, page: Any, base: str, shots: Path) -> None:
        self.page = page
        self.base = base
        self.shots = shots
        self.problems: list[str] = []
        self.count = 0
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"uncaught: {exc}"))
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        if message.type not in ("error", "warning"):
            return
        url = (message.location or {}).get("url", "")
        # API refusals (401 before sign-in, the 422 the person is meant to see) are answers the
        # screens turn into words; the tests assert those words. Anything else is a defect.
        if API_ERROR.match(message.text) and ("/api/" in url or "/rest/v1/" in url):
            return
        self.problems.append(f"console {message.type}: {message.text} ({url})")

    def _response(self, response: Any) -> None:
        if response.status >= 500 or (response.status >= 400 and "/admin/" in response.url):
            request = response.request
            self.problems.append(f"HTTP {response.status} for {request.method} {response.url}")

    def shot(self, name: str, page: Any = None) -> None:
        """A numbered full-page screenshot of this journey's page (or of another person's)."""
        self.count += 1
        (page or self.page).screenshot(path=str(self.shots / f"{self.count:02d}-{name}.png"),
                                       full_page=True)

    def go(self, hash_path: str) -> None:
        self.page.goto(f"{self.base}/admin/{hash_path}")

    def h1(self, text: str | re.Pattern[str]) -> None:
        expect(self.page.get_by_role("heading", level=1)).to_have_text(text)

    def toast(self, text: str) -> None:
        expect(self.page.locator("#toasts")).to_contain_text(text)


def sign_in(j: Journey, email: str, password: str) -> None:
    """Through the login screen, as a person does; ends on the objects screen."""
    j.go("#/login")
    j.page.get_by_role("textbox", name="E-mail").fill(email)
    j.page.get_by_label("Password").fill(password)
    j.page.get_by_role("button", name="Sign in").click()
    j.h1("Objects")


def add_field(j: Journey, label: str, type_: str, *, fill: dict[str, str] | None = None,
              options: list[str] | None = None, flags: tuple[str, ...] = ()) -> None:
    page = j.page
    page.get_by_role("button", name="Add field").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Label", exact=True).fill(label)
    dialog.get_by_role("combobox", name="Type").select_option(type_)
    for i, option in enumerate(options or []):
        if i:
            dialog.get_by_role("button", name="+ Add option").click()
        dialog.get_by_role("textbox", name=f"Option {i + 1} label").fill(option)
    for name, value in (fill or {}).items():
        dialog.get_by_role("textbox", name=name, exact=True).fill(value)
    for flag in flags:
        dialog.get_by_role("checkbox", name=flag, exact=True).check()
    dialog.get_by_role("button", name="Add field").click()
    expect(dialog).to_be_hidden()
    row = page.get_by_role("table").get_by_role("rowheader", name=re.compile(f"^{label}"))
    expect(row).to_be_visible()


def create_object(j: Journey, label: str, plural: str) -> None:
    j.go("#/objects")
    j.page.get_by_role("button", name="New object").first.click()
    dialog = j.page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Name", exact=True).fill(label)
    dialog.get_by_role("textbox", name="Plural name").fill(plural)
    dialog.get_by_role("button", name="Create object").click()
    j.h1(f"{label}: fields & settings")


def sign_up_first_owner(j: Journey, owner: dict[str, str]) -> None:
    """The first account of a fresh install, through the sign-up screen: it owns the workspace."""
    page = j.page
    j.go("#/signup")
    j.h1("Create your account")
    page.get_by_role("textbox", name="Full name").fill(owner["name"])
    page.get_by_role("textbox", name="E-mail").fill(owner["email"])
    page.get_by_label("Password").fill(owner["password"])
    page.get_by_role("button", name="Create account").click()
    j.h1("Objects")


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The answer's JSON (None when empty) once its status is the one expected."""
    assert response.status_code == status, (response.status_code, response.text[:500])
    return response.json() if response.content else None


def sign_up_by_api(client: httpx.Client, email: str, full_name: str, password: str) -> None:
    """Register (the first account owns the workspace) and send its token from then on."""
    ok(client.post("/api/auth/register", json={"email": email, "password": password,
                                               "full_name": full_name}), 201)
    tokens = ok(client.post("/api/auth/login", json={"email": email, "password": password}))
    client.headers["Authorization"] = f"Bearer {tokens['access_token']}"


def make_object(client: httpx.Client, name: str, label: str, plural: str,
                fields: list[tuple[str, str, dict[str, Any]]]) -> dict[str, Any]:
    """An object and its fields `(name, type, config)`, labelled from their names."""
    obj = ok(client.post("/api/objects", json={"name": name, "label": label,
                                               "plural_label": plural}), 201)
    for field, type_, config in fields:
        ok(client.post(f"/api/objects/{obj['id']}/fields", json={
            "name": field, "label": field.replace("_", " ").capitalize(), "type": type_,
            "config": config}), 201)
    return dict(obj)


def relate(j: Journey, from_label: str, to_label: str, kind: str, explained: str) -> Any:
    """A relationship made in the relationships screen's dialog, which first explains it in
    words; returns the dialog (hidden once made)."""
    page = j.page
    j.go("#/relationships")
    j.h1("Relationships")
    page.get_by_role("button", name="New relationship").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("combobox", name="From object").select_option(label=from_label)
    dialog.get_by_role("combobox", name="To object").select_option(label=to_label)
    dialog.get_by_role("combobox", name="Kind").select_option(kind)
    expect(dialog).to_contain_text(explained)
    return dialog
