"""Safe schema changes in the admin (issue 17), in real Chromium against a real server: removing
an option that deals use maps their values (read back through the API and seen in the grid),
the primary field cannot go without a successor, an object is deleted only once its name is
typed, the trash lists records trashed through the API (restore, delete for good), a taken field
name offers the existing field, a refusal reads as a sentence, a new object's plurals are
filled in, and a new token's "try it" line calls an address its scopes allow."""

from __future__ import annotations

import re
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

PASSWORD = "correct horse battery"
OWNER = ("sam@example.com", "Sam Schema")
STAGES = [("open", "Open"), ("won", "Won"), ("lost", "Lost")]
DEALS = [("Acme", "lost"), ("Globex", "lost"), ("Initech", "lost"), ("Umbrella", "won")]


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.text)
    return response.json() if response.content else None


def shot(j: Journey, name: str) -> None:
    j.page.screenshot(path=str(Path(j.shots) / f"schema-{name}.png"), full_page=True)


def make(client: httpx.Client, name: str, label: str, fields: list[tuple[str, str, dict[str, Any]]]
         ) -> dict[str, Any]:
    obj = ok(client.post("/api/objects", json={"name": name, "label": label}), 201)
    for field, type_, config in fields:
        ok(client.post(f"/api/objects/{obj['id']}/fields", json={
            "name": field, "label": field.title(), "type": type_, "config": config}), 201)
    return obj


@pytest.fixture(scope="module")
def http(live_server: str) -> Any:
    """The owner's API client; deals (3 lost, 1 won) and two projects, made through the API."""
    with httpx.Client(base_url=live_server) as client:
        ok(client.post("/api/auth/register", json={"email": OWNER[0], "password": PASSWORD,
                                                   "full_name": OWNER[1]}), 201)
        tokens = ok(client.post("/api/auth/login", json={"email": OWNER[0], "password": PASSWORD}))
        client.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        options = {"options": [{"value": v, "label": label} for v, label in STAGES]}
        make(client, "deal", "Deal", [("title", "text", {}), ("stage", "select", options)])
        for title, stage in DEALS:
            ok(client.post("/api/records", json={"object": "deal", "data": {
                "title": title, "stage": stage}}), 201)
        make(client, "project", "Project", [("name", "text", {}), ("code", "text", {})])
        for name in ("Apollo", "Gemini"):
            ok(client.post("/api/records", json={"object": "project", "data": {"name": name}}),
               201)
        ok(client.post("/api/fields", json={"name": "email", "label": "E-mail",
                                            "type": "email"}), 201)
        yield client


@pytest.fixture(scope="module")
def j(journey: Journey, http: Any) -> Journey:
    sign_in(journey, OWNER[0], PASSWORD)
    return journey


def deal(http: Any, title: str, trash: bool = False) -> dict[str, Any]:
    params = {"object": "deal", "title": f"eq.{title}", **({"trash": "only"} if trash else {})}
    items = ok(http.get("/api/records", params=params))["items"]
    assert len(items) == 1, items
    return dict(items[0])


def test_removing_an_option_in_use_maps_its_deals(j: Journey, http: Any) -> None:
    page = j.page
    j.go("#/objects/deal/build")
    j.h1("Deal: fields & settings")
    page.get_by_role("button", name="Edit Stage").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.locator("p.usage")).to_have_text("4 deals use this field.")
    dialog.get_by_role("button", name="Remove option").nth(2).click()
    dialog.get_by_role("button", name="Save field").click()
    mapping = page.get_by_role("dialog", name="Options in use")
    expect(mapping).to_contain_text("3 deals use ‘Lost’")
    mapping.get_by_role("combobox", name="New value for Lost").select_option(label="Won")
    shot(j, "option-map")
    mapping.get_by_role("button", name="Save and update records").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    j.toast("Stage saved")
    acme = deal(http, "Acme")
    assert acme["data"]["stage"] == "won" and acme["version"] == 2
    assert deal(http, "Umbrella")["version"] == 1
    history = ok(http.get(f"/api/records/{acme['id']}/history"))["items"]
    assert history[0]["changes"] == {"stage": ["lost", "won"]}
    j.go("#/objects/deal")
    grid = page.get_by_role("main")
    expect(grid.get_by_text("Acme")).to_be_visible()
    expect(grid).not_to_contain_text("Lost")
    expect(grid.get_by_text("Won", exact=True)).to_have_count(4)
    shot(j, "grid-after-map")


def test_a_taken_field_name_offers_the_existing_field(j: Journey, http: Any) -> None:
    page = j.page
    j.go("#/objects/deal/build")
    page.get_by_role("button", name="Add field").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Label", exact=True).fill("Email")
    dialog.get_by_role("combobox", name="Type").select_option("email")
    dialog.get_by_role("button", name="Add field").click()
    offer = dialog.locator(".reuse-offer")
    expect(offer).to_contain_text("The workspace already has a field named email: E-mail (E-mail)")
    offer.get_by_role("textbox", name="Label on Deal").fill("Work e-mail")
    shot(j, "field-reuse")
    offer.get_by_role("button",
                      name="Add the existing field ‘E-mail’ (E-mail) to this object").click()
    expect(dialog).to_be_hidden()
    j.toast("Work e-mail added to Deal")
    expect(page.get_by_role("rowheader", name=re.compile("^Work e-mail"))).to_be_visible()
    deal_id = ok(http.get("/api/objects/deal"))["id"]
    attached = ok(http.get("/api/object-fields", params={"object_id": deal_id}))["items"]
    email_id = ok(http.get("/api/fields/email"))["id"]
    assert [a["field_overrides"] for a in attached if a["field_id"] == email_id] == [
        {"label": "Work e-mail"}]


def test_a_refusal_reads_as_a_sentence(j: Journey) -> None:
    page = j.page
    j.go("#/fields")
    j.h1("Field library")
    page.get_by_role("button", name="Delete Stage").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Stage is on 1 object, and 4 records hold a value.")
    dialog.get_by_role("button", name="Delete field").click()
    j.toast("‘Stage’ is used by 1 object: Deal. Remove it from Deal first.")
    expect(page.locator("#toasts")).not_to_contain_text("objects: deal")
    shot(j, "readable-error")


def test_the_trash_lists_records_trashed_through_the_api(j: Journey, http: Any) -> None:
    page = j.page
    globex, initech = deal(http, "Globex"), deal(http, "Initech")
    for record in (globex, initech):
        ok(http.delete(f"/api/records/{record['id']}"), 204)
    j.go("#/trash")
    j.h1("Trash")
    section = page.get_by_role("region", name="Deals")
    expect(section.get_by_role("rowheader")).to_have_count(2)
    expect(section).to_contain_text("2 records in the trash")
    shot(j, "trash-all")
    section.get_by_role("link", name="Search the trash of deals").click()
    j.h1("Trash: Deals")
    page.get_by_role("searchbox", name="Search the trash").fill("Glob")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("rowheader")).to_have_count(1)
    page.get_by_role("button", name="Restore Globex").click()
    j.toast("“Globex” restored")
    assert deal(http, "Globex")["id"] == globex["id"]  # live again
    page.get_by_role("searchbox", name="Search the trash").fill("")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("button", name="Delete Initech forever").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete forever").click()
    j.toast("Deleted for good")
    expect(page.get_by_text("No deals in the trash.")).to_be_visible()
    ok(http.get(f"/api/records/{initech['id']}"), 404)
    trash = ok(http.get("/api/records", params={"object": "deal", "trash": "only"}))
    assert trash["items"] == []
    shot(j, "trash-empty")


def test_a_search_is_not_overdrawn_by_an_earlier_reload(j: Journey, http: Any) -> None:
    """A restore reloads the trash with the search it was made under; a search sent while that
    reload is still on its way is what stays on the screen, whichever answer comes last."""
    page = j.page
    made = [ok(http.post("/api/records", json={"object": "deal", "data": {"title": title}}), 201)
            for title in ("Stark", "Hooli")]
    for record in made:
        assert http.delete(f"/api/records/{record['id']}").status_code == 204
    j.go("#/objects/deal/trash?q=Stark")
    j.h1("Trash: Deals")
    expect(page.get_by_role("rowheader")).to_have_count(1)
    held: list[Any] = []
    # The restore's reload reads the trash with q=Stark: held until released below.
    page.route(re.compile(r"/api/records\?.*q=Stark"), lambda route: held.append(route))
    page.get_by_role("button", name="Restore Stark").click()
    j.toast("“Stark” restored")
    for _ in range(100):  # the reload's read reaches the route
        if held:
            break
        page.wait_for_timeout(100)
    assert len(held) == 1
    page.get_by_role("searchbox", name="Search the trash").fill("")
    page.get_by_role("button", name="Search", exact=True).click()
    forever = page.get_by_role("button", name="Delete Hooli forever")
    expect(forever).to_be_visible()
    held[0].continue_()  # the earlier reload's answer arrives last
    page.wait_for_load_state("networkidle")
    expect(forever).to_be_visible()
    expect(page.get_by_text("Nothing in the trash matches")).to_have_count(0)
    page.unroute(re.compile(r"/api/records\?.*q=Stark"))
    for record in made:
        http.delete(f"/api/records/{record['id']}")
        ok(http.delete(f"/api/records/{record['id']}", params={"permanent": "true"}), 204)


def test_the_primary_field_goes_only_with_a_successor(j: Journey, http: Any) -> None:
    page = j.page
    j.go("#/objects/project/build")
    page.get_by_role("button", name="Remove Name from Project").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.locator("p.usage")).to_have_text("2 projects use this field.")
    confirm = dialog.get_by_role("button", name="Remove field")
    expect(confirm).to_be_disabled()
    dialog.get_by_role("combobox", name="New primary field").select_option(label="Code")
    expect(confirm).to_be_enabled()
    shot(j, "primary-guard")
    confirm.click()
    j.toast("Name removed from Project")
    schema = ok(http.get("/api/objects/project/schema"))
    code = next(f for f in schema["fields"] if f["name"] == "code")
    assert schema["object"]["primary_field_id"] == code["id"]
    assert [f["name"] for f in schema["fields"]] == ["code"]


def test_an_object_is_deleted_once_its_name_is_typed(j: Journey, http: Any) -> None:
    page = j.page
    j.go("#/objects/project/build")
    page.get_by_role("button", name="Delete Project…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.locator("p.usage")).to_have_text(
        "This deletes 2 projects, 0 relationships and 0 links, for good. It cannot be undone.")
    confirm = dialog.get_by_role("button", name="Delete Project")
    name = dialog.get_by_role("textbox", name="Type project to confirm")
    name.fill("projec")
    expect(confirm).to_be_disabled()
    name.fill("project")
    expect(confirm).to_be_enabled()
    shot(j, "delete-object")
    confirm.click()
    j.h1("Objects")
    ok(http.get("/api/objects/project"), 404)


def test_a_new_tokens_try_it_calls_what_its_scopes_allow(j: Journey, http: Any) -> None:
    page = j.page
    j.go("#/tokens")
    j.h1("API tokens")
    page.get_by_role("button", name="New token").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Name").fill("Read deals")  # records:read by default
    dialog.get_by_role("button", name="Create token").click()
    try_it = dialog.locator(".try-it")
    expect(try_it).to_contain_text(f'{j.base}/rest/v1/deals?limit=1"')
    shot(j, "token-try-it")
    secret = dialog.get_by_role("textbox", name="Your new token").input_value()
    url = re.search(r'"(http[^"]+)"', try_it.inner_text())
    assert url is not None
    with httpx.Client(headers={"Authorization": f"Bearer {secret}"}) as app:
        rows = ok(app.get(url.group(1)))
    assert len(rows) == 1 and set(rows[0]) >= {"id", "title", "stage"}
    dialog.get_by_role("button", name="Done, I have copied it").click()


def test_a_new_object_gets_its_plurals_filled_in(j: Journey, http: Any) -> None:
    page = j.page
    j.go("#/objects")
    page.get_by_role("button", name="New object").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Name", exact=True).fill("Company")
    expect(dialog.get_by_role("textbox", name="Plural name", exact=True)).to_have_value("Companies")
    expect(dialog.get_by_role("textbox", name="API name", exact=True)).to_have_value("company")
    expect(dialog.get_by_role("textbox", name="Plural API name")).to_have_value("companies")
    shot(j, "plurals")
    dialog.get_by_role("button", name="Create object").click()
    j.h1("Company: fields & settings")
    made = ok(http.get("/api/objects/company"))
    assert (made["plural_name"], made["plural_label"]) == ("companies", "Companies")
    assert ok(http.get("/rest/v1/companies")) == []
