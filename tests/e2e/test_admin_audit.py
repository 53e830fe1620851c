"""The admin's Audit screen in a real Chromium: the change just made is listed first with who
made it, filters narrow it, and "Load more" brings older entries."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.e2e.journey import Journey, create_object, sign_up_first_owner

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture fails with the words
    expect = None

pytestmark = pytest.mark.e2e

STORE_KEY = "objectry.session"
OWNER = {"name": "Ada Admin", "email": "ada@example.com", "password": "correct horse battery"}


def test_the_change_just_made_is_listed_with_its_actor(journey: Journey) -> None:
    j, page = journey, journey.page
    sign_up_first_owner(j, OWNER)
    create_object(j, "Deal", "Deals")
    page.get_by_role("link", name="Audit log").click()
    j.h1("Audit log")
    first = page.get_by_role("row").nth(1)
    expect(first).to_contain_text("Created object deal")
    expect(first).to_contain_text(OWNER["email"])
    j.shot("audit")


def test_filters_and_load_more(journey: Journey) -> None:
    j, page = journey, journey.page
    for label in ("Lead", "Order", "Invoice"):
        create_object(j, label, label + "s")
    j.go("#/audit")
    j.h1("Audit log")
    page.get_by_role("combobox", name="Kind").select_option("field")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("Nothing matches these filters.")).to_be_visible()
    page.get_by_role("combobox", name="Kind").select_option("object")
    page.get_by_label("Who").fill(OWNER["email"])
    page.get_by_role("button", name="Apply").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("Created object invoice")
    assert re.search(r"kind=object", page.url)
    j.shot("audit-filtered")
    # Older entries come a page at a time, 50 first: 55 more changes, made by an app.
    session = page.evaluate("key => JSON.parse(localStorage.getItem(key)).access_token",
                            STORE_KEY)
    with httpx.Client(base_url=j.base, headers={"Authorization": f"Bearer {session}"}) as api:
        for n in range(55):
            made = api.post("/api/fields", json={"name": f"f{n}", "label": f"F{n}", "type": "text"})
            assert made.status_code == 201, made.text
    j.go("#/audit")
    expect(rows).to_have_count(50)
    expect(rows.first).to_contain_text("Created field f54")
    page.get_by_role("button", name="Load more").click()
    expect(rows).to_have_count(55 + 4)
    expect(rows.last).to_contain_text("Created object deal")
    expect(page.get_by_role("button", name="Load more")).to_be_hidden()
