"""The data plane's lane (web/fast_lane.py): /api/records and /rest/v1 requests answered without
FastAPI's own layers, yet with the same middlewares, headers and errors as every other path;
anything the lane does not fully match goes to the full stack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.api.builders import add_field, make_object, make_record, ok
from tests.api.conftest import client, sign_up
from tests.conftest import running_app, settings_for

SECURITY = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer",
            "cache-control": "no-store"}


@pytest.fixture
async def fresh(database_url: str) -> AsyncIterator[Any]:
    settings = settings_for(database_url, open_signup=True, max_body_bytes=2048)
    async with running_app(settings) as app:
        yield app


def _secured(response: Any) -> None:
    assert {k: response.headers.get(k) for k in SECURITY} == SECURITY, response.headers


async def test_the_data_plane_never_builds_fastapis_stack(fresh: Any) -> None:
    owner = await sign_up(fresh)  # sign-up and login: the full stack
    fresh.middleware_stack = None  # forget it: from here on only the lane may answer
    async with client(fresh, owner.headers) as api:
        fresh.lane = None
        listed = await api.get("/api/records", params={"object": "nothing"})
        rows = await api.get("/rest/v1/nothing")
        assert fresh.middleware_stack is None  # the lane answered both
        assert listed.status_code == 404 and listed.json()["error"]["code"] == "not_found"
        assert rows.status_code == 404 and rows.json()["code"] == "PGRST205"  # PostgREST's
        for answer in (listed, rows):
            _secured(answer)
        await ok(await api.get("/api/objects"))  # not the data plane
        assert fresh.middleware_stack is not None


async def test_lane_answers_carry_what_the_full_stack_gives(fresh: Any) -> None:
    owner = await sign_up(fresh)
    async with client(fresh, owner.headers) as api:
        await make_object(api, "note")
        record = await make_record(api, "note")
        got = await api.get(f"/api/records/{record['id']}")
        assert got.status_code == 200 and got.headers["etag"] == '"1"'
        _secured(got)
        unauthenticated = await client(fresh).get(f"/api/records/{record['id']}")
        assert unauthenticated.status_code == 401
        _secured(unauthenticated)
        too_big = await api.post("/rest/v1/note", content=b'{"x": "' + b"a" * 4096 + b'"}',
                                 headers={"content-type": "application/json"})
        assert too_big.status_code == 413, too_big.text
        nul = await api.get("/api/records", params={"object": "note\x00"})
        assert nul.status_code == 400, nul.text
        # A method the path does not take is the full stack's 405, with the methods it takes.
        wrong = await api.put("/api/records")
        assert wrong.status_code == 405, wrong.text
        assert set(wrong.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
        _secured(wrong)
        gone = await api.delete(f"/api/records/{record['id']}")
        assert gone.status_code == 204
        missing = await api.get(f"/api/records/{record['id']}")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


async def test_the_lane_keeps_workspaces_apart(fresh: Any) -> None:
    first, second = await sign_up(fresh), await sign_up(fresh)
    async with client(fresh, first.headers) as api:
        await make_object(api, "note")
        record = await make_record(api, "note")
    async with client(fresh, second.headers) as api:
        await make_object(api, "note")
        assert (await api.get(f"/api/records/{record['id']}")).status_code == 404
        rows = await ok(await api.get("/rest/v1/note", params={"id": f"eq.{record['id']}"}))
        assert rows == []
        patched = await api.patch("/rest/v1/note", params={"id": f"eq.{record['id']}"},
                                  json={}, headers={"prefer": "return=representation"})
        assert patched.status_code == 200 and patched.json() == []


async def test_the_lane_reads_headers_and_query_strings_as_starlette_does(fresh: Any) -> None:
    """Headers are read into a dict once and a repeated query string reuses its parse: the first
    of a repeated header counts, names are case-blind, and a cached parse never leaks one
    request's values into another's."""
    owner = await sign_up(fresh)
    async with client(fresh, owner.headers) as api:
        await make_object(api, "note")
        await add_field(api, "note", "title")
        for title in ("b", "a", "c"):
            await make_record(api, "note", title=title)
        # Two Accept headers: the first (a single object) is the one that counts; Prefer is
        # read from every header that carries one.
        one = await api.get("/rest/v1/note", params={"title": "eq.a"},
                            headers=[("Accept", "application/vnd.pgrst.object+json"),
                                     ("accept", "text/csv"),
                                     ("Prefer", "count=exact"), ("prefer", "handling=lenient")])
        assert one.status_code == 200, one.text
        assert one.json()["title"] == "a" and one.headers["content-range"] == "0-0/1"
        for _ in range(2):  # the same string twice: the same rows, parsed once
            rows = await ok(await api.get("/rest/v1/note?select=title&order=title.desc"))
            assert rows == [{"title": "c"}, {"title": "b"}, {"title": "a"}]
        other = await ok(await api.get("/rest/v1/note?select=title&order=title.asc"))
        assert [r["title"] for r in other] == ["a", "b", "c"]


async def test_a_request_under_a_root_path_takes_the_full_stack(fresh: Any) -> None:
    owner = await sign_up(fresh)
    async with client(fresh, owner.headers) as api:
        await make_object(api, "note")
        record = await make_record(api, "note")
    lane = fresh.lane
    scope = {"type": "http", "method": "GET", "path": f"/api/records/{record['id']}",
             "root_path": "/objectry"}
    assert lane.route(scope) is None  # Starlette's router strips the root path itself
    assert lane.route({**scope, "root_path": ""})["path_params"] == {"record_id": record["id"]}
    assert lane.route({**scope, "method": "OPTIONS", "root_path": ""}) is None  # 405 there
