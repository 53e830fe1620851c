"""Metadata lists: `limit` above the page cap is capped however large (only a non-number is a
400), and a cursor is client input — a crafted one whose key has the wrong type for the list's
order is a 400, never a 500."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.api.builders import add_field, link, make_object, make_record, ok, relate
from tests.api.conftest import client, refused, sign_up
from tests.conftest import running_app, settings_for

CAP = 2  # the app of this module caps pages at 2 items, so 3 of each thing make two pages
HUGE = ["99999999999999999999", "9" * 5000, " 1001 "]
CREATED_AT_LISTS = ["/api/objects", "/api/fields", "/api/relationships",
                    "/api/relationship-records", "/api/applications", "/api/tokens"]
LISTS = [*CREATED_AT_LISTS, "/api/object-fields"]


@pytest.fixture(scope="module")
async def api(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = settings_for(database_url, max_page_size=CAP, open_signup=True)
    async with running_app(settings) as application:
        account = await sign_up(application)
        async with client(application, account.headers) as signed_in:
            await three_of_each(signed_in)
            yield signed_in


async def three_of_each(api: httpx.AsyncClient) -> None:
    for name in ("alpha", "beta", "gamma"):
        await make_object(api, name)
        await add_field(api, name, f"{name}_title")  # a field and its attachment
        await ok(await api.post("/api/applications", json={
            "name": name, "label": name.title(), "config": {"objects": [], "navigation": []}}),
            201)
        await ok(await api.post("/api/tokens", json={"name": name, "scopes": ["admin"]}), 201)
    records = [await make_record(api, "alpha", alpha_title=str(i)) for i in range(3)]
    target = await make_record(api, "beta", beta_title="b")
    for source, to in (("alpha", "beta"), ("beta", "gamma"), ("gamma", "alpha")):
        rel = await relate(api, f"{source}_{to}", source, to, "N:N")
        if source == "alpha":
            for record in records:
                await link(api, rel["id"], record["id"], target["id"])


def crafted(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps([key, "x"]).encode()).decode().rstrip("=")


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("limit", HUGE, ids=["20 digits", "5000 digits", "spaced"])
async def test_a_huge_limit_is_capped(api, path, limit):
    first = await ok(await api.get(path, params={"limit": limit}))
    assert len(first["items"]) == CAP and first["next_cursor"], first
    rest = await ok(await api.get(path, params={"limit": limit,
                                                "cursor": first["next_cursor"]}))
    ids = [item["id"] for item in first["items"] + rest["items"]]
    assert len(ids) == len(set(ids)) >= 3


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("limit", ["ten", "1e3", "-1", "0", "1.5", "\u0663" * 10])
async def test_a_limit_that_is_no_positive_number_is_400(api, path, limit):
    refused(await api.get(path, params={"limit": limit}), 400, "bad_request")


@pytest.mark.parametrize("path", CREATED_AT_LISTS)
@pytest.mark.parametrize("key", [1, 1.5, True, None, {"a": 1}, [], "not a date",
                                 "0001-01-01T00:00:00-14:00", "9999-12-31T23:59:59+14:00"],
                         ids=repr)
async def test_a_created_at_cursor_needs_a_time(api, path, key):
    response = await api.get(path, params={"cursor": crafted(key)})
    assert response.status_code in (200, 400), response.text
    if not isinstance(key, str) or key == "not a date":
        refused(response, 400, "bad_request")


@pytest.mark.parametrize("key", ["2026-01-01T00:00:00+00:00", "1", 1.5, True, None, {"a": 1},
                                 2**31, -(2**31) - 1, 10**30], ids=repr)
async def test_a_display_order_cursor_needs_an_integer(api, key):
    refused(await api.get("/api/object-fields", params={"cursor": crafted(key)}), 400,
            "bad_request")


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("cursor", ["", "%%%", "bm90IGpzb24", crafted("x")[:-3],
                                    base64.urlsafe_b64encode(b"[1]").decode()])
async def test_a_cursor_that_does_not_decode_is_400(api, path, cursor):
    response = await api.get(path, params={"cursor": cursor})
    if cursor == "":
        assert response.status_code == 200  # an empty cursor is the first page
        return
    refused(response, 400, "bad_request")
