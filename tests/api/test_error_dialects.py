"""Every failure answers in the dialect of its path: PostgREST's `{code, message, details, hint}`
(with Proxy-Status) under /rest/v1, the /api shape everywhere else — whichever layer refuses it
(the door's middleware, routing, authentication, the endpoint, or a bug)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import Request

from objectry.main import create_app
from tests.api.builders import add_field, make_object
from tests.api.conftest import client, refused, sign_up
from tests.conftest import running_app, settings_for

REST_SHAPE = {"code", "message", "details", "hint"}


def rest_refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert set(body) == REST_SHAPE and body["code"] == code, body
    assert response.headers["proxy-status"] == f"PostgREST; error={code}"
    return body


@pytest.fixture(scope="module")
async def tight(database_url: str) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    """An app of its own whose body limit is small enough to pass in a test."""
    settings = settings_for(database_url, max_body_bytes=512, open_signup=True)
    async with running_app(settings) as application:
        account = await sign_up(application)
        async with client(application, account.headers) as api:
            await make_object(api, "note")
            await add_field(api, "note", "title")
            yield application, api


async def _chunks(size: int) -> AsyncIterator[bytes]:
    """A body without Content-Length: counted as it arrives."""
    yield b'{"title": "'
    yield b"x" * size
    yield b'"}'


async def test_unknown_paths(api):
    body = rest_refused(await api.get("/rest/v1/a/b"), 404, "PGRST125")
    assert body["message"] == "Invalid path specified in request URL"
    # /rest/v1/ is the OpenAPI description (GET): other methods are PostgREST's 405.
    posted = await api.post("/rest/v1/", json={})
    rest_refused(posted, 405, "PGRST117")
    assert posted.headers["allow"] == "GET"
    refused(await api.get("/api/no/such/thing"), 404, "not_found")
    refused(await api.get("/nowhere"), 404, "not_found")


async def test_methods_a_path_does_not_take(api):
    body = rest_refused(await api.request("TRACE", "/rest/v1/note"), 405, "PGRST117")
    assert body["message"] == "Unsupported HTTP method: TRACE"
    listed = await api.delete("/api/objects")
    refused(listed, 405, "method_not_allowed")
    # Every method of the path, not only the first route's (each method is a route).
    assert listed.headers["allow"] == "GET, POST"
    one = await api.put("/api/objects/note")
    assert set(one.headers["allow"].split(", ")) == {"GET", "PATCH", "DELETE"}


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
async def test_a_body_over_the_limit(tight, declared):
    _, api = tight
    body = b'{"title": "' + b"x" * 600 + b'"}'
    content = body if declared else _chunks(600)
    headers = {"content-type": "application/json"}
    rest = await api.post("/rest/v1/note", content=content, headers=headers)
    rest_refused(rest, 413, "54000")
    content = body if declared else _chunks(600)
    refused(await api.post("/api/records", content=content, headers=headers), 413,
            "payload_too_large")


async def test_no_credential(app):
    async with client(app) as anonymous:
        rest_refused(await anonymous.get("/rest/v1/note"), 401, "PGRST302")
        refused(await anonymous.get("/api/objects"), 401, "unauthenticated")


async def test_a_body_that_is_not_json(tight):
    _, api = tight
    text = {"content-type": "text/plain"}
    rest_refused(await api.post("/rest/v1/note", content=b"title=x", headers=text), 415,
                 "PGRST107")
    refused(await api.post("/api/records", content=b"object=note", headers=text), 415,
            "unsupported_media_type")


async def test_a_nul_in_the_path_or_query(api):
    body = rest_refused(await api.get("/rest/v1/note?title=eq.a%00b"), 400, "22021")
    assert "NUL" in body["message"]
    rest_refused(await api.get("/rest/v1/no%00te"), 400, "22021")
    refused(await api.get("/api/objects/no%00te"), 400, "bad_request")


async def test_a_bug_is_a_500_in_the_dialect_of_its_path(database_url):
    application = create_app(settings_for(database_url))

    async def boom(request: Request) -> None:
        raise RuntimeError("a bug")

    for path in ("/api/boom", "/rest/v1/boom"):
        application.add_api_route(path, boom)
        application.router.routes.insert(0, application.router.routes.pop())
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as anonymous:
        rest = rest_refused(await anonymous.get("/rest/v1/boom"), 500, "internal_error")
        assert rest["message"] == "an internal error occurred"
        refused(await anonymous.get("/api/boom"), 500, "internal_error")
