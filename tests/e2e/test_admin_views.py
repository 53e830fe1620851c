"""Saved views in the admin, in real Chromium against a real server: a grid view saved with a
filter and picked again after a reload, a kanban board whose drag changes a deal's stage (read
back through the API; a stale card gets a 412 and is reloaded), a month calendar, both following
changes made elsewhere, and a view edited (its columns) and deleted."""

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
OWNER = ("vera@example.com", "Vera Views")
STAGES = [("lead", "Lead"), ("won", "Won"), ("lost", "Lost")]
DEALS = [("Acme", "lead", 100, "2026-11-20"), ("Globex", "won", 500, "2026-12-15"),
         ("Initech", "won", 2000, "2026-12-03"), ("Umbrella", "lost", 3000, "2026-12-20")]


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.text)
    return response.json()


@pytest.fixture(scope="module")
def http(live_server: str) -> Any:
    """The owner's API client, after signing up and building the `deal` object and its records."""
    with httpx.Client(base_url=live_server) as client:
        ok(client.post("/api/auth/register", json={"email": OWNER[0], "password": PASSWORD,
                                                   "full_name": OWNER[1]}), 201)
        tokens = ok(client.post("/api/auth/login", json={"email": OWNER[0], "password": PASSWORD}))
        client.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        obj = ok(client.post("/api/objects", json={"name": "deal", "label": "Deal",
                                                   "plural_label": "Deals"}), 201)
        options = {"options": [{"value": v, "label": label} for v, label in STAGES]}
        for name, type_, config in (("title", "text", {}), ("stage", "select", options),
                                    ("amount", "number", {}), ("close_on", "date", {})):
            ok(client.post(f"/api/objects/{obj['id']}/fields", json={
                "name": name, "label": name.replace("_", " ").title(), "type": type_,
                "config": config}), 201)
        for title, stage, amount, close_on in DEALS:
            ok(client.post("/api/records", json={"object": "deal", "data": {
                "title": title, "stage": stage, "amount": amount, "close_on": close_on}}), 201)
        yield client


@pytest.fixture(scope="module")
def j(journey: Journey, http: Any) -> Journey:
    sign_in(journey, OWNER[0], PASSWORD)
    return journey


def record_of(http: Any, title: str) -> dict[str, Any]:
    items = ok(http.get("/api/records", params={"object": "deal", "title": f"eq.{title}"}))["items"]
    assert len(items) == 1
    return dict(items[0])


def save_view(j: Journey, name: str, show_as: str | None = None, columns_by: str | None = None
              ) -> None:
    j.page.get_by_role("button", name="Save view").click()
    dialog = j.page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Name").fill(name)
    if show_as:
        dialog.get_by_role("combobox", name="Show as").select_option(label=show_as)
    if columns_by:
        dialog.get_by_role("combobox", name="Columns by").select_option(label=columns_by)
    dialog.get_by_role("button", name="Save view").click()
    expect(dialog).to_be_hidden()
    j.toast(f"View “{name}” saved")


def test_a_saved_grid_view_filters_after_a_reload(j: Journey, http: Any) -> None:
    count = j.page.locator(".result-count")
    j.go("#/objects/deal?stage=eq.won")
    expect(count).to_have_text("2 records")
    save_view(j, "Won deals")
    stored = ok(http.get("/api/views", params={"object": "deal"}))["items"]
    assert [(v["name"], v["filter"], v["shared"]) for v in stored] == \
        [("Won deals", "stage=eq.won", False)]
    j.go("#/objects/deal")
    j.page.reload()
    expect(count).to_have_text("4 records")
    j.page.get_by_role("combobox", name="View").select_option(label="Won deals (only me)")
    expect(count).to_have_text("2 records")
    grid = j.page.get_by_role("grid")
    expect(grid).to_contain_text("Globex")
    expect(grid).to_contain_text("Initech")
    expect(grid).not_to_contain_text("Acme")
    j.shot("views-grid")


def test_kanban_drag_changes_the_stage(j: Journey, http: Any) -> None:
    # The realtime socket goes through a relay that can hold the server's messages back: the
    # board follows other people's changes, so only a change it has not heard of yet is stale.
    held = {"on": False}

    def relay(ws: Any) -> None:
        server = ws.connect_to_server()
        ws.on_message(server.send)
        server.on_message(lambda message: None if held["on"] else ws.send(message))

    j.page.route_web_socket(re.compile(r"/realtime/v1/websocket"), relay)
    j.page.reload()
    j.go("#/objects/deal")
    expect(j.page.locator(".result-count")).to_have_text("4 records")
    save_view(j, "Pipeline", show_as="Kanban board", columns_by="Stage")
    lead = j.page.locator('.kanban-column[data-value="lead"]')
    won = j.page.locator('.kanban-column[data-value="won"]')
    acme = j.page.locator(".kanban-card", has_text="Acme")
    expect(lead).to_contain_text("Acme")
    acme.drag_to(won, source_position={"x": 4, "y": 4})
    expect(won.locator(".kanban-card", has_text="Acme")).to_be_visible()
    assert record_of(http, "Acme")["data"]["stage"] == "won"
    j.shot("views-kanban")
    # Another person's change moves the card on the open board.
    umbrella = record_of(http, "Umbrella")
    ok(http.patch(f"/api/records/{umbrella['id']}", json={"data": {"stage": "lead"}}))
    expect(lead.locator(".kanban-card", has_text="Umbrella")).to_be_visible()
    ok(http.patch(f"/api/records/{umbrella['id']}", json={"data": {"stage": "lost"}}))
    expect(j.page.locator('.kanban-column[data-value="lost"]')).to_contain_text("Umbrella")
    # Someone changes Globex and the board has not heard of it yet: moving its card is
    # refused (412), the card is read again and stays where the record is.
    held["on"] = True
    globex = record_of(http, "Globex")
    ok(http.patch(f"/api/records/{globex['id']}", json={"data": {"amount": 700}}))
    j.page.get_by_role("combobox", name="Move Globex to").select_option(label="Lost")
    j.toast("was changed by someone else meanwhile")
    expect(won.locator(".kanban-card", has_text="Globex")).to_be_visible()
    after = record_of(http, "Globex")
    assert (after["data"]["stage"], after["data"]["amount"]) == ("won", 700)
    held["on"] = False


def test_calendar_shows_records_on_their_day(j: Journey, http: Any) -> None:
    view = ok(http.post("/api/views", json={"object": "deal", "name": "Closing",
                                            "type": "calendar", "date_field": "close_on"}), 201)
    j.go(f"#/objects/deal?view={view['id']}&month=2026-12")
    heading = j.page.locator(".calendar-title")
    expect(heading).to_have_text("December 2026")
    expect(j.page.locator('td[data-day="2026-12-15"]')).to_contain_text("Globex")
    expect(j.page.locator('td[data-day="2026-12-03"]')).to_contain_text("Initech")
    j.shot("views-calendar")
    initech = record_of(http, "Initech")  # moved by someone else: the calendar follows
    ok(http.patch(f"/api/records/{initech['id']}", json={"data": {"close_on": "2026-12-10"}}))
    expect(j.page.locator('td[data-day="2026-12-10"]')).to_contain_text("Initech")
    expect(j.page.locator('td[data-day="2026-12-03"]')).not_to_contain_text("Initech")
    j.page.get_by_role("button", name="‹ Previous month").click()
    expect(heading).to_have_text("November 2026")
    expect(j.page.locator('td[data-day="2026-11-20"]')).to_contain_text("Acme")


def test_edit_and_delete_a_view(j: Journey, http: Any) -> None:
    won = next(v for v in ok(http.get("/api/views", params={"object": "deal"}))["items"]
               if v["name"] == "Won deals")
    j.go(f"#/objects/deal?view={won['id']}")
    expect(j.page.locator(".result-count")).to_have_text("3 records")  # Acme was won on the board
    j.page.get_by_role("button", name="Edit view").click()
    dialog = j.page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Name").fill("Won this quarter")
    dialog.get_by_role("checkbox", name="Amount").uncheck()
    dialog.get_by_role("button", name="Save view").click()
    j.toast("View “Won this quarter” saved")
    expect(j.page.get_by_role("combobox", name="View")).to_have_value(won["id"])
    edited = ok(http.get(f"/api/views/{won['id']}"))
    assert (edited["name"], [c["name"] for c in edited["fields"]]) == \
        ("Won this quarter", ["title", "stage", "close_on"])
    expect(j.page.get_by_role("columnheader", name="Amount")).to_have_count(0)
    expect(j.page.get_by_role("columnheader", name="Stage")).to_have_count(1)
    j.page.get_by_role("button", name="Delete view").click()
    j.page.get_by_role("dialog").get_by_role("button", name="Delete view").click()
    j.toast("View “Won this quarter” deleted")
    expect(j.page.locator(".result-count")).to_have_text("4 records")
    assert ok(http.get(f"/api/views/{won['id']}"), 404)["error"]["code"] == "not_found"
