"""Inputs PostgreSQL itself would choke on get a clear 4xx at the door, never a 500."""

from __future__ import annotations

import pytest

from tests.api.builders import add_field, make_object, ok


@pytest.mark.parametrize(("path", "body"), [
    ("/api/objects", {"name": "x", "label": "a\u0000b"}),
    ("/api/objects", {"name": "x", "label": "ok", "views": {"a": "\u0000"}}),
    ("/api/applications", {"name": "a", "label": "A", "config": {"note": "\u0000"}}),
    ("/api/relationship-records", {"relationship_id": "\u0000", "from_record_id": "x",
                                   "to_record_id": "y"}),
    ("/api/records", {"object": "note", "data": {"title": "\u0000"}}),
])
async def test_nul_in_a_body_is_400(api, owner_db, workspace_id, path, body):
    await make_object(api, "note")
    await add_field(api, "note", "title")
    response = await api.post(path, json=body)
    assert response.status_code == 400, response.text
    assert "NUL" in response.json()["error"]["message"]
    assert await owner_db.fetchval("SELECT count(*) FROM objects WHERE tenant_id = $1",
                                   workspace_id) == 1


async def test_an_escaped_backslash_before_u0000_is_ordinary_text(api):
    await make_object(api, "note")
    await add_field(api, "note", "title")
    record = await ok(await api.post("/api/records", json={"object": "note",
                                                           "data": {"title": "C:\\u0000"}}), 201)
    assert record["data"]["title"] == "C:\\u0000"


@pytest.mark.parametrize("url", ["/api/objects/%00", "/api/fields?type=%00",
                                 "/api/relationship-records?relationship_id=%00",
                                 "/rest/v1/note?title=eq.%00"])
async def test_nul_in_path_or_query_is_400(api, url):
    response = await api.get(url)
    assert response.status_code == 400, response.text


async def test_nul_in_a_rest_body_is_400(api):
    await make_object(api, "note")
    await add_field(api, "note", "title")
    response = await api.post("/rest/v1/note", json={"title": "\u0000"})
    assert response.status_code == 400
    assert "NUL" in str(response.json())


@pytest.mark.parametrize("params", [{"limit": "99999999999999999999"},
                                    {"limit": "1e9"}, {"order": "title.asc." + "x" * 5000}])
async def test_absurd_list_parameters_are_not_500(api, params):
    await make_object(api, "note")
    await add_field(api, "note", "title")
    response = await api.get("/api/records", params={"object": "note", **params})
    assert response.status_code in (200, 400), response.text


async def test_a_client_that_leaves_mid_body_is_not_a_server_error(app, api, caplog):
    """The ASGI app is called directly: the body's first chunk, then the client is gone."""
    messages = iter([{"type": "http.request", "body": b'{"name": "x"', "more_body": True},
                     {"type": "http.disconnect"}])
    sent: list[dict] = []

    async def receive() -> dict:
        return next(messages)

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": "/api/objects", "raw_path":
             b"/api/objects", "query_string": b"", "root_path": "", "server": ("t", 80),
             "client": ("127.0.0.1", 1), "headers": [
                 (b"content-type", b"application/json"),
                 (b"authorization", api.headers["authorization"].encode())]}
    await app(scope, receive, send)
    assert sent[0]["status"] == 499
    assert "unhandled error" not in caplog.text
