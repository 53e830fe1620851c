"""The admin's Webhooks screens in a real Chromium against a local receiver: create a webhook
(its secret shown once), send a test that arrives signed, read the delivery log and retry a
delivery, edit, deactivate, rotate the secret, delete — and find the changes in the audit log."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from standardwebhooks import Webhook

from tests.e2e.journey import Journey, create_object, sign_up_first_owner
from tests.support.receiver import Receiver, receiving

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture fails with the words
    expect = None

pytestmark = pytest.mark.e2e

# The receiver listens on 127.0.0.1, which the SSRF guard refuses unless told otherwise.
SERVER_ENV = {"OBJECTRY_WEBHOOK_ALLOW_PRIVATE": "true"}
OWNER = {"name": "Wren Webhooks", "email": "wren@example.com", "password": "correct horse battery"}
SECRET: dict[str, str] = {}


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with receiving() as running:
        yield running


def test_create_a_webhook_and_see_its_secret_once(journey: Journey, receiver: Receiver) -> None:
    j, page = journey, journey.page
    sign_up_first_owner(j, OWNER)
    create_object(j, "Deal", "Deals")
    page.get_by_role("link", name="Webhooks").click()
    j.h1("Webhooks")
    expect(page.get_by_text("No webhooks yet.")).to_be_visible()
    page.get_by_role("button", name="New webhook").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Name").fill("Billing")
    dialog.get_by_role("textbox", name="URL").fill(receiver.url)
    dialog.get_by_role("checkbox", name=re.compile("^record.deleted")).check()
    dialog.get_by_role("listbox", name="Objects").select_option("deal")
    dialog.get_by_role("button", name="Create webhook").click()
    secret_box = dialog.get_by_role("textbox", name="Signing secret")
    expect(secret_box).to_have_value(re.compile("^whsec_"))
    expect(dialog).to_contain_text("It is shown only once")
    SECRET["value"] = secret_box.input_value()
    j.shot("webhook-secret")
    dialog.get_by_role("button", name="Copy").click()
    expect(dialog).to_contain_text(re.compile("Copied to the clipboard|Press Ctrl\\+C"))
    dialog.get_by_role("button", name="Done, I have copied it").click()
    row = page.get_by_role("row", name=re.compile("Billing"))
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text("record.created")
    expect(row).to_contain_text("record.deleted")
    expect(row).to_contain_text("deal")
    page.reload()
    j.h1("Webhooks")
    expect(page.locator("#main")).not_to_contain_text("whsec_")


def test_send_test_and_retry_from_the_delivery_log(journey: Journey, receiver: Receiver) -> None:
    j, page = journey, journey.page
    page.get_by_role("button", name="Send test Billing").click()
    j.toast("Test event delivered (200)")
    arrived = receiver.wait_for(1)[0]
    event = Webhook(SECRET["value"]).verify(arrived.body, arrived.headers)
    assert event["type"] == "webhook.test"
    page.get_by_role("link", name="Billing").click()
    j.h1("Billing")
    delivery = page.locator("tbody tr").first
    expect(delivery).to_contain_text("webhook.test")
    expect(delivery).to_contain_text("Succeeded")
    expect(delivery).to_contain_text("200")
    page.get_by_role("button", name=re.compile("^Retry delivery")).first.click()
    j.toast("Retry delivered (200)")
    expect(page.locator("tbody tr").first.locator("td.num").first).to_have_text("2")
    assert len(receiver.wait_for(2)) == 2
    j.shot("webhook-deliveries")


def test_edit_deactivate_rotate_and_delete(journey: Journey) -> None:
    j, page = journey, journey.page
    page.get_by_role("button", name="Edit Billing").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Name").fill("Billing v2")
    dialog.get_by_role("button", name="Save webhook").click()
    j.h1("Billing v2")
    page.get_by_role("button", name="Deactivate Billing v2").click()
    j.toast("Billing v2 deactivated")
    expect(page.locator("dl.facts")).to_contain_text("Deactivated")
    page.get_by_role("button", name="Rotate secret Billing v2").click()
    page.get_by_role("dialog").get_by_role("button", name="Rotate secret").click()
    rotated = page.get_by_role("dialog").get_by_role("textbox", name="Signing secret")
    expect(rotated).to_have_value(re.compile("^whsec_"))
    assert rotated.input_value() != SECRET["value"]
    page.get_by_role("dialog").get_by_role("button", name="Done, I have copied it").click()

    page.get_by_role("link", name="Audit log").click()
    j.h1("Audit log")
    rows = page.locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("Changed webhook Billing v2")
    expect(rows.nth(0)).to_contain_text("secret_rotated")
    expect(rows.nth(0)).to_contain_text(OWNER["email"])
    expect(page.locator("tbody")).to_contain_text("Created webhook Billing")
    expect(page.locator("#main")).not_to_contain_text("whsec_")
    j.shot("audit-webhooks")

    page.get_by_role("link", name="Webhooks").click()
    page.get_by_role("button", name="Delete Billing v2").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete webhook").click()
    j.toast("Billing v2 deleted")
    expect(page.get_by_text("No webhooks yet.")).to_be_visible()
