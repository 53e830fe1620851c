"""Browser fixtures: a real server on loopback over a database of its own, and Debian's Chromium
driven by Playwright (no browser download). Missing Chromium or Playwright is a failure."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.journey import Journey
from tests.support.databases import fresh_database_blocking
from tests.support.servers import Server, serving

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("OBJECTRY_E2E_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def e2e_database(server_url: str) -> Iterator[str]:
    """A brand-new database, so the first sign-up is the first user of a fresh install."""
    with fresh_database_blocking(server_url, "objectry_e2e") as url:
        yield url


@pytest.fixture(scope="module")
def live_server(e2e_database: str, tmp_path_factory: pytest.TempPathFactory,
                request: pytest.FixtureRequest) -> Iterator[str]:
    """`objectry serve` in a subprocess on 127.0.0.1 (tests/support/servers.py); its base URL.
    A test module may set SERVER_ENV (e.g. open sign-up, for a second workspace)."""
    env = {"OBJECTRY_OPEN_SIGNUP": "false", "OBJECTRY_SECRET_KEY": secrets.token_hex(32),
           **getattr(request.module, "SERVER_ENV", {})}
    with serving(Server(tmp_path_factory.mktemp("server") / "data", e2e_database, env)) as server:
        yield server.url


@pytest.fixture(scope="module")
def browser(live_server: str) -> Iterator[Any]:
    # Set up after the server and its database: while Playwright's sync API is active its event
    # loop counts as running in this thread, so asyncio work (creating the database) must be done.
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: the e2e tests need Debian's "
                    "chromium (`apt-get install -y chromium`; .ci/run does it as root).")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright for Python is missing: pip install -e '.[test]' "
                    "(never `playwright install`: the tests use the system Chromium).")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="module")
def journey(browser: Any, live_server: str, screenshots: Path) -> Iterator[Journey]:
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB",
                                  timezone_id="UTC")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield Journey(page, live_server, screenshots)
    finally:
        context.close()


@pytest.fixture(autouse=True)
def _no_browser_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each browser step: any console error, uncaught exception or 5xx fails it."""
    if "journey" not in request.fixturenames:  # no browser: tests/e2e/test_static.py
        yield
        return
    journey: Journey = request.getfixturevalue("journey")
    yield
    problems, journey.problems[:] = list(journey.problems), []
    assert not problems, "the browser reported problems:\n" + "\n".join(problems)
