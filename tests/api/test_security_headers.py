"""Security headers on every answer: a strict CSP on /admin (never framed; its only sockets the
realtime one of its own host), nosniff and a Referrer-Policy everywhere, and no caching of
anything that may carry data or credentials."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from objectry.main import create_app
from objectry.web.security_headers import admin_policy
from tests.api.conftest import client
from tests.conftest import settings_for

STATIC = Path(__file__).resolve().parents[2] / "frontend_static"


def policy(header: str) -> dict[str, str]:
    directives = (d.strip().split(None, 1) for d in header.split(";") if d.strip())
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


def assert_everywhere(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("path", ["/admin/", "/admin/index.html", "/admin/js/app.js"])
async def test_the_admin_is_served_under_a_strict_policy(app, path):
    async with client(app) as browser:
        response = await browser.get(path)
    assert response.status_code == 200
    assert_everywhere(response)
    csp = policy(response.headers["content-security-policy"])
    assert csp["frame-ancestors"] == "'none'"
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert csp["default-src"] == "'self'" and csp["object-src"] == "'none'"
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    # 'self' covers the realtime socket only in CSP Level 3 browsers: its origins are named.
    assert csp["connect-src"] == "'self' ws://objectry.test wss://objectry.test"


@pytest.mark.parametrize(("host", "connect"), [
    ("127.0.0.1:8000", "'self' ws://127.0.0.1:8000 wss://127.0.0.1:8000"),
    ("[::1]:8000", "'self' ws://[::1]:8000 wss://[::1]:8000"),
    ("Crm.Example.com", "'self' ws://Crm.Example.com wss://Crm.Example.com"),
    ("crm.example.com; script-src *", "'self'"),
    ("crm.example.com wss://attacker.example", "'self'"),
    ("crm.example.com/path", "'self'"),
])
async def test_only_a_well_formed_host_names_the_socket(app, host, connect):
    """The Host header is the client's own words: anything but a host[:port] adds nothing."""
    async with client(app, headers={"Host": host}) as browser:
        response = await browser.get("/admin/")
    assert response.status_code == 200
    csp = policy(response.headers["content-security-policy"])
    assert csp["connect-src"] == connect
    assert csp["script-src"] == "'self'" and csp["frame-ancestors"] == "'none'"


def test_the_meta_policy_of_index_html_says_the_same():
    """A <meta> cannot carry frame-ancestors nor know the host; everything else must match."""
    html = (STATIC / "index.html").read_text()
    meta = re.search(r'http-equiv="Content-Security-Policy"\s+content="([^"]+)"', html)
    assert meta is not None
    header = policy(admin_policy("crm.example.com"))
    del header["frame-ancestors"]
    assert header["connect-src"] == "'self' ws://crm.example.com wss://crm.example.com"
    header["connect-src"] = "'self' ws: wss:"
    assert policy(meta.group(1)) == header


async def test_docs_keep_working_without_the_admin_policy(app):
    async with client(app) as browser:
        docs = await browser.get("/docs")
        schema = await browser.get("/openapi.json")
    assert docs.status_code == 200 and schema.status_code == 200
    assert "content-security-policy" not in docs.headers
    assert_everywhere(docs)


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/objects"), ("GET", "/api/auth/me"), ("GET", "/rest/v1/nothing_here"),
    ("GET", "/api/records?object=nope"), ("GET", "/api/no/such/path"), ("GET", "/health"),
    ("DELETE", "/api/objects")])
async def test_api_answers_are_never_cached(api, method, path):
    response = await api.request(method, path)
    assert response.headers.get_list("cache-control") == ["no-store"], response.headers
    assert "content-security-policy" not in response.headers
    assert_everywhere(response)


async def test_a_header_the_answer_sets_is_not_repeated(app, session):
    async with client(app) as anonymous:
        refreshed = await anonymous.post("/api/auth/refresh",
                                         json={"refresh_token": session.refresh_token})
    assert refreshed.status_code == 200
    assert refreshed.headers.get_list("cache-control") == ["no-store"]
    assert refreshed.headers.get_list("x-content-type-options") == ["nosniff"]


async def test_an_unexpected_failure_carries_them_too(database_url):
    """Starlette renders the last-resort 500 outside every middleware."""
    application = create_app(settings_for(database_url))

    @application.get("/api/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    application.router.routes.insert(0, application.router.routes.pop())
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as anonymous:
        response = await anonymous.get("/api/boom")
    assert response.status_code == 500
    assert response.headers["cache-control"] == "no-store"
    assert_everywhere(response)
