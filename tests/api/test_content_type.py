"""Under /api a body is JSON only when its Content-Type says so (`application/json` or
`application/*+json`, parameters allowed); anything else, or none, is 415 and changes nothing.
The OAuth2 login form keeps working, and /rest/v1 keeps PostgREST's media types."""

from __future__ import annotations

import secrets

import pytest

from tests.api.builders import add_field, make_object, ok
from tests.api.conftest import PASSWORD, client, refused

BODY = b'{"name": "%s", "label": "Thing"}'


@pytest.mark.parametrize("content_type", [
    "application/json", "application/json; charset=utf-8", "Application/JSON",
    "application/merge-patch+json", "application/vnd.objectry+json;v=1"])
async def test_json_media_types_are_read(api, content_type):
    name = "t" + secrets.token_hex(4)
    await ok(await api.post("/api/objects", content=BODY % name.encode(),
                            headers={"content-type": content_type}), 201)
    assert (await ok(await api.get(f"/api/objects/{name}")))["name"] == name


@pytest.mark.parametrize("content_type", [
    "text/plain", "text/json", "application/jsonp", "application/json-seq",
    "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "json", "",
    None])
async def test_anything_else_is_415_and_changes_nothing(api, content_type):
    name = "t" + secrets.token_hex(4)
    headers = {} if content_type is None else {"content-type": content_type}
    refused(await api.post("/api/objects", content=BODY % name.encode(), headers=headers), 415,
            "unsupported_media_type")
    refused(await api.get(f"/api/objects/{name}"), 404, "not_found")


async def test_no_body_at_all_is_a_bad_request(api):
    refused(await api.post("/api/objects"), 400, "bad_request")


async def test_records_need_json_too(api):
    await make_object(api, "memo")
    await add_field(api, "memo", "title")
    refused(await api.post("/api/records", content=b'{"object": "memo", "data": {}}'), 415,
            "unsupported_media_type")
    listed = await ok(await api.get("/api/records", params={"object": "memo"}))
    assert listed["items"] == []


async def test_the_oauth2_login_form_still_signs_in(app, session):
    async with client(app) as anonymous:
        response = await anonymous.post("/api/auth/login", data={
            "username": session.email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    assert response.json()["token_type"] == "bearer"


async def test_rest_keeps_postgrest_media_types(api):
    await make_object(api, "jot")
    await add_field(api, "jot", "title")
    for headers in ({}, {"content-type": "application/vnd.pgrst.object+json"}):
        response = await api.post("/rest/v1/jot", content=b'{"title": "a"}', headers=headers)
        assert response.status_code == 201, response.text
    rows = await ok(await api.get("/rest/v1/jot", params={"select": "title"}))
    assert rows == [{"title": "a"}, {"title": "a"}]
