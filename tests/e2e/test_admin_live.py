"""Other people's changes, live, in real Chromium browsers against a real server (realtime).

Alice owns a workspace and Bob is an editor of it; Mallory owns another workspace, with an
object of the same name. Each has a browser of their own, signed in through the admin. What
Alice creates, edits and moves to the trash appears in Bob's grid and on Bob's record page
without reloading them; Mallory, watching her own `deal` grid, sees none of it (and sees her own
change, so her connection works).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.journey import Journey, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture fails with the words
    expect = None

pytestmark = pytest.mark.e2e

SERVER_ENV = {"OBJECTRY_OPEN_SIGNUP": "true"}  # Mallory signs up to a workspace of her own
PASSWORD = "correct horse battery"
ALICE = ("alice@example.com", "Alice Owner")
BOB = ("bob@example.com", "Bob Editor")
MALLORY = ("mallory@example.com", "Mallory Elsewhere")


def ok(response: httpx.Response, status: int) -> Any:
    assert response.status_code == status, (response.status_code, response.text)
    return response.json()


def sign_up(http: httpx.Client, who: tuple[str, str], invitation: str | None = None) -> str:
    body = {"email": who[0], "password": PASSWORD, "full_name": who[1]}
    if invitation:
        body["invitation_token"] = invitation
    ok(http.post("/api/auth/register", json=body), 201)
    tokens = ok(http.post("/api/auth/login", json={"email": who[0], "password": PASSWORD}), 200)
    return str(tokens["access_token"])


def deals(http: httpx.Client, token: str) -> None:
    """The `deal` object (title, notes) in the token's workspace."""
    auth = {"Authorization": f"Bearer {token}"}
    obj = ok(http.post("/api/objects", headers=auth,
                       json={"name": "deal", "label": "Deal", "plural_label": "Deals"}), 201)
    for name, label in (("title", "Title"), ("notes", "Notes")):
        ok(http.post(f"/api/objects/{obj['id']}/fields", headers=auth,
                     json={"name": name, "label": label, "type": "text", "config": {}}), 201)


@pytest.fixture(scope="module")
def tokens(live_server: str) -> dict[str, str]:
    with httpx.Client(base_url=live_server) as http:
        alice = sign_up(http, ALICE)
        deals(http, alice)
        me = ok(http.get("/api/auth/me", headers={"Authorization": f"Bearer {alice}"}), 200)
        invited = ok(http.post(f"/api/workspaces/{me['workspace_id']}/members",
                               headers={"Authorization": f"Bearer {alice}"},
                               json={"email": BOB[0], "role": "editor"}), 201)
        bob = sign_up(http, BOB, invited["invitation"]["token"])
        mallory = sign_up(http, MALLORY)
        deals(http, mallory)
    return {"alice": alice, "bob": bob, "mallory": mallory}


def signed_in(browser: Any, base: str, shots: Path, who: tuple[str, str]) -> Iterator[Journey]:
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB",
                                  timezone_id="UTC")
    context.set_default_timeout(10_000)
    j = Journey(context.new_page(), base, shots)
    try:
        sign_in(j, who[0], PASSWORD)
        yield j
    finally:
        context.close()


@pytest.fixture(scope="module")
def alice(browser: Any, live_server: str, screenshots: Path,
          tokens: dict[str, str]) -> Iterator[Journey]:
    yield from signed_in(browser, live_server, screenshots, ALICE)


@pytest.fixture(scope="module")
def bob(browser: Any, live_server: str, screenshots: Path,
        tokens: dict[str, str]) -> Iterator[Journey]:
    yield from signed_in(browser, live_server, screenshots, BOB)


@pytest.fixture(scope="module")
def mallory(browser: Any, live_server: str, screenshots: Path,
            tokens: dict[str, str]) -> Iterator[Journey]:
    yield from signed_in(browser, live_server, screenshots, MALLORY)


@pytest.fixture(autouse=True)
def _no_problems_in_any_browser(alice: Journey, bob: Journey, mallory: Journey) -> Iterator[None]:
    """A console error (a CSP refusal of the socket, say), an exception or a 5xx fails the step."""
    yield
    for j in (alice, bob, mallory):
        problems, j.problems[:] = list(j.problems), []
        assert not problems, "the browser reported problems:\n" + "\n".join(problems)


def watch_deals(*people: Journey) -> None:
    for j in people:
        j.go("#/objects/deal")
        j.h1("Deals")
        expect(j.page.locator(".result-count")).to_have_text("0 records")
        j.page.evaluate("window.notReloaded = true")


def test_the_grid_shows_what_another_member_does(alice: Journey, bob: Journey,
                                                  mallory: Journey, tokens: dict[str, str]) -> None:
    sent: list[dict[str, Any]] = []
    with bob.page.expect_websocket() as opened:
        watch_deals(bob)
    socket = opened.value
    socket.on("framesent", lambda frame: sent.append(json.loads(frame)))
    assert re.fullmatch(r"ws://127\.0\.0\.1:\d+/realtime/v1/websocket\?apikey=[\w.-]+&vsn=1\.0\.0",
                        socket.url), socket.url
    watch_deals(alice, mallory)
    page, seen = alice.page, bob.page.get_by_role("grid")

    page.get_by_role("button", name="Add row").click()
    page.get_by_role("textbox", name="Title of the new record").fill("Big contract")
    page.get_by_role("button", name="Save", exact=True).click()
    alice.toast("“Big contract” created")
    expect(seen.get_by_role("row", name=re.compile("Big contract"))).to_be_visible()
    expect(bob.page.locator(".result-count")).to_have_text("1 record")
    bob.shot("live-grid-insert")

    row = page.get_by_role("grid").locator("tbody tr")  # the one deal
    cell = row.locator("td[data-field=title]")
    cell.click()
    editor = cell.get_by_role("textbox", name="Title")
    editor.fill("Bigger contract")
    editor.press("Enter")
    expect(cell).to_have_text("Bigger contract")
    expect(seen.locator("tbody td[data-field=title]")).to_have_text(["Bigger contract"])

    row.get_by_role("button", name=re.compile("^Delete ")).click()
    alice.toast("moved to the trash")
    expect(seen.locator("tbody tr")).to_have_count(0)
    expect(bob.page.locator(".result-count")).to_have_text("0 records")
    assert bob.page.evaluate("window.notReloaded") is True

    # Another screen: the channel is left and the socket closed.
    bob.page.get_by_role("link", name="Members").click()
    bob.h1("Members")
    if not socket.is_closed():
        socket.wait_for_event("close")
    topics = {m["topic"] for m in sent if m["event"] == "phx_leave"}
    assert len(topics) == 1 and next(iter(topics)).startswith("realtime:"), sent

    # Mallory's own change reaches her grid; none of Alice's, made before it, ever did.
    with httpx.Client(base_url=mallory.base,
                      headers={"Authorization": f"Bearer {tokens['mallory']}"}) as http:
        ok(http.post("/api/records", json={"object": "deal", "data": {"title": "Mine"}}), 201)
    theirs = mallory.page.get_by_role("grid")
    expect(theirs.locator("tbody td[data-field=title]")).to_have_text(["Mine"])
    expect(mallory.page.locator(".result-count")).to_have_text("1 record")
    assert mallory.page.evaluate("window.notReloaded") is True


def test_a_record_page_follows_changes_and_keeps_unsaved_edits(
        alice: Journey, bob: Journey, tokens: dict[str, str]) -> None:
    with httpx.Client(base_url=alice.base,
                      headers={"Authorization": f"Bearer {tokens['alice']}"}) as http:
        record = ok(http.post("/api/records",
                              json={"object": "deal", "data": {"title": "Renewal"}}), 201)
    for j in (alice, bob):
        j.go(f"#/records/{record['id']}")
        j.h1("Renewal")
    bob.page.evaluate("window.notReloaded = true")

    alice.page.get_by_role("textbox", name="Title").fill("Renewal 2027")
    alice.page.get_by_role("button", name="Save changes").click()
    alice.toast("Saved")
    bob.h1("Renewal 2027")
    expect(bob.page.get_by_role("textbox", name="Title")).to_have_value("Renewal 2027")

    # Bob is typing when Alice saves again: he is told, and his words stay where they are.
    bob.page.get_by_role("textbox", name="Notes").fill("call back on Monday")
    alice.page.get_by_role("textbox", name="Title").fill("Renewal 2028")
    alice.page.get_by_role("button", name="Save changes").click()
    alice.toast("Saved")
    expect(bob.page.locator(".live-notice [role=alert]")).to_have_text(
        "Alice Owner changed this record while you were editing it. Saving now would be "
        "refused. Show their version (discards your edits)")
    expect(bob.page.get_by_role("textbox", name="Notes")).to_have_value("call back on Monday")
    expect(bob.page.get_by_role("textbox", name="Title")).to_have_value("Renewal 2027")
    bob.shot("live-record-unsaved")
    bob.page.get_by_role("button", name="Show their version (discards your edits)").click()
    expect(bob.page.get_by_role("textbox", name="Title")).to_have_value("Renewal 2028")
    expect(bob.page.get_by_role("textbox", name="Notes")).to_have_value("")

    alice.page.get_by_role("button", name="Move to trash").click()
    alice.toast("“Renewal 2028” moved to the trash")
    expect(bob.page.locator(".live-notice [role=alert]")).to_have_text(
        "This record was moved to the trash. Open the trash")
    expect(bob.page.get_by_role("button", name="Save changes")).to_be_disabled()
    bob.shot("live-record-trashed")
    assert bob.page.evaluate("window.notReloaded") is True


def test_a_dropped_connection_is_made_again(alice: Journey, bob: Journey,
                                            tokens: dict[str, str]) -> None:
    """The network drops Bob's socket: the admin connects again, joins again, and goes on."""
    pages: list[Any] = []
    replies: list[dict[str, Any]] = []

    def relay(page_side: Any) -> None:  # Playwright between the page and the server
        server = page_side.connect_to_server()
        pages.append(page_side)

        def forward(frame: str | bytes) -> None:
            replies.append(json.loads(frame))
            page_side.send(frame)

        server.on_message(forward)

    bob.page.route_web_socket(re.compile(r"/realtime/v1/websocket"), relay)
    watch_deals(bob)
    wait_until(bob, lambda: joined(replies) == 1)
    pages[0].close()
    wait_until(bob, lambda: joined(replies) == 2)  # a second socket, a second join
    assert len(pages) == 2

    with httpx.Client(base_url=alice.base,
                      headers={"Authorization": f"Bearer {tokens['alice']}"}) as http:
        ok(http.post("/api/records", json={"object": "deal", "data": {"title": "After"}}), 201)
    seen = bob.page.get_by_role("grid")
    expect(seen.locator("tbody td[data-field=title]")).to_have_text(["After"])
    assert bob.page.evaluate("window.notReloaded") is True


def joined(replies: list[dict[str, Any]]) -> int:
    return sum(1 for m in replies if m.get("event") == "phx_reply"
               and str(m.get("topic")).startswith("realtime:")
               and (m.get("payload") or {}).get("status") == "ok")


def wait_until(j: Journey, condition: Any, seconds: float = 10) -> None:
    for _ in range(int(seconds * 10)):
        if condition():
            return
        j.page.wait_for_timeout(100)
    raise AssertionError("not within the time allowed")


def held_joins(j: Journey) -> tuple[list[str], Any]:
    """The page's socket, with each `phx_join` held back until release() sends it on."""
    held: list[str] = []
    servers: list[Any] = []

    def relay(page_side: Any) -> None:
        server = page_side.connect_to_server()
        servers.append(server)

        def to_server(frame: str | bytes) -> None:
            if '"phx_join"' in str(frame):
                held.append(str(frame))
            else:
                server.send(frame)

        page_side.on_message(to_server)

    def release() -> None:
        frames, held[:] = list(held), []
        for frame in frames:
            servers[-1].send(frame)

    j.page.route_web_socket(re.compile(r"/realtime/v1/websocket"), relay)
    return held, release


def test_a_change_made_before_the_channel_is_joined_is_shown(
        alice: Journey, bob: Journey, tokens: dict[str, str]) -> None:
    """The server sends only what is committed after the join: the admin reads again then."""
    held, release = held_joins(bob)
    with httpx.Client(base_url=alice.base,
                      headers={"Authorization": f"Bearer {tokens['alice']}"}) as http:
        record = ok(http.post("/api/records",
                              json={"object": "deal", "data": {"title": "Early"}}), 201)
        bob.go(f"#/records/{record['id']}")
        bob.h1("Early")
        bob.page.evaluate("window.notReloaded = true")
        wait_until(bob, lambda: len(held) == 1)  # the page asked to join; the server has not heard

        ok(http.patch(f"/api/records/{record['id']}", json={"data": {"title": "Earlier"}}), 200)
        bob.page.wait_for_timeout(300)
        bob.h1("Early")  # nothing told the page yet
        release()
        bob.h1("Earlier")
        expect(bob.page.get_by_role("textbox", name="Title")).to_have_value("Earlier")

        # The grid: a record added after its first page was read, before its join, appears
        # once it is joined, and a shown record moved to the trash meanwhile goes. (Every join
        # is held, so no channel hears of either meanwhile: only the read on joining can.)
        bob.go("#/objects/deal")
        bob.h1("Deals")
        expect(bob.page.locator(".result-count")).to_have_text(re.compile(r"^\d+ records?$"))
        grid = bob.page.get_by_role("grid")
        trashed = grid.get_by_role("row", name=re.compile("Earlier"))
        expect(trashed).to_have_count(1)
        ok(http.post("/api/records", json={"object": "deal", "data": {"title": "Unseen"}}), 201)
        assert http.delete(f"/api/records/{record['id']}").status_code == 204
        unseen = grid.get_by_role("row", name=re.compile("Unseen"))
        bob.page.wait_for_timeout(300)
        expect(unseen).to_have_count(0)
        expect(trashed).to_have_count(1)
        # The grid's join may be sent a moment after its page shows (and the record page, drawn
        # again, sent one of its own): let through whatever waits until the rows are right.
        wait_until(bob, lambda: release() or (unseen.count() == 1 and trashed.count() == 0))
    assert bob.page.evaluate("window.notReloaded") is True
