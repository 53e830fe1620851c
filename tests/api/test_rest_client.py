"""The real `postgrest` PyPI client (postgrest-py) against a running server: uvicorn on a free
127.0.0.1 port, in a thread, over the test database. Nothing here knows our internals."""

from __future__ import annotations

import asyncio
import secrets
import socket
import threading
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import uvicorn
from postgrest import APIError, AsyncPostgrestClient

from tests.api.conftest import PASSWORD
from tests.api.rest_seed import crm


@pytest.fixture(scope="module")
def server(settings) -> Iterator[str]:
    from objectry.main import create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(create_app(settings), log_level="warning", ws="none", http="h11")
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(600):
        if runner.started:
            break
        threading.Event().wait(0.05)
    assert runner.started, "the server did not start"
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    runner.should_exit = True
    thread.join(15)
    sock.close()


async def signed_in(server: str) -> AsyncPostgrestClient:
    """A postgrest client on a fresh workspace holding the CRM (made over HTTP too)."""
    email = f"client-{secrets.token_hex(6)}@example.com"
    # The suite's own timeout for a live server, as elsewhere: under a loaded machine (the whole
    # suite on 2 cores) registering and the CRM's schema took longer than httpx's 5 s default.
    async with httpx.AsyncClient(base_url=server, timeout=30) as http:
        registered = await http.post("/api/auth/register", json={
            "email": email, "password": PASSWORD, "full_name": "Client"})
        assert registered.status_code == 201, registered.text
        tokens = (await http.post("/api/auth/login",
                                  json={"email": email, "password": PASSWORD})).json()
        http.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        await crm(http)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    return AsyncPostgrestClient(f"{server}/rest/v1", headers=headers)


@pytest.fixture(scope="module")
async def pg(server) -> AsyncIterator[AsyncPostgrestClient]:
    """Shared by the tests that change nothing."""
    async with await signed_in(server) as client:
        yield client


@pytest.fixture
async def fresh(server) -> AsyncIterator[AsyncPostgrestClient]:
    async with await signed_in(server) as client:
        yield client


async def test_select_filters_and_order(pg):
    res = await pg.from_("people").select("full_name, age").gte("age", 18) \
        .order("age", desc=True).execute()
    assert [r["full_name"] for r in res.data] == ["Cleo", "Eve", "Ada"]
    res = await pg.table("people").select("full_name").or_("age.lt.18,vip.is.true") \
        .order("full_name").execute()
    assert [r["full_name"] for r in res.data] == ["Ada", "Bob", "Dan"]
    res = await pg.table("people").select("full_name").in_("full_name", ["Ada", "Eve"]) \
        .not_.is_("age", "null").ilike("bio", "%WRITES%").order("full_name").execute()
    assert [r["full_name"] for r in res.data] == ["Ada", "Eve"]
    res = await pg.table("people").select("full_name").contains("tags", ["b"]) \
        .neq("full_name", "Bob").execute()
    assert res.data == [{"full_name": "Ada"}]
    res = await pg.table("people").select("full_name").overlaps("tags", ["a", "c"]) \
        .like("full_name", "%e").execute()
    assert res.data == [{"full_name": "Eve"}]
    res = await pg.table("people").select("full_name").text_search(
        "bio", "chess", options={"config": "english"}).execute()
    assert res.data == [{"full_name": "Bob"}]


async def test_embedding(pg):
    res = await pg.table("people").select("full_name, works_at(company_name), "
                                          "person_deals(title)").eq("full_name", "Ada").execute()
    ada = res.data[0]
    assert ada["works_at"] == {"company_name": "Acme"}
    assert sorted(d["title"] for d in ada["person_deals"]) == ["Big", "Small"]


async def test_range_and_count(pg):
    res = await pg.table("people").select("full_name", count="exact").order("full_name") \
        .range(1, 2).execute()
    assert (res.count, [r["full_name"] for r in res.data]) == (5, ["Bob", "Cleo"])
    head = await pg.table("people").select("*", count="exact", head=True).gt("age", 18) \
        .execute()
    assert head.count == 3
    res = await pg.table("people").select("full_name", count="planned").limit(1).execute()
    assert isinstance(res.count, int) and len(res.data) == 1


async def test_single_and_maybe_single(pg):
    one = await pg.table("people").select("full_name, age").eq("full_name", "Bob").single() \
        .execute()
    assert one.data == {"full_name": "Bob", "age": 17}
    assert await pg.table("people").select("*").eq("full_name", "Nobody").maybe_single() \
        .execute() is None
    with pytest.raises(APIError) as many:
        await pg.table("people").select("*").single().execute()
    assert many.value.code == "PGRST116"


async def test_insert_upsert_update_delete(fresh):
    pg = fresh
    one = await pg.table("deals").insert({"title": "New", "amount": 5}).execute()
    assert one.data[0]["title"] == "New" and one.data[0]["id"].startswith("rec_")
    many = await pg.table("deals").insert([{"title": "A"}, {"title": "B", "amount": 1}]) \
        .execute()
    assert [d["title"] for d in many.data] == ["A", "B"]
    merged = await pg.table("people").upsert(
        [{"email": "ada@x.io", "age": 40}, {"full_name": "Fay", "email": "fay@x.io"}],
        on_conflict="email").execute()
    assert [(r["full_name"], r["age"], r["version"]) for r in merged.data] == [
        ("Ada", 40, 2), ("Fay", None, 1)]
    ignored = await pg.table("people").upsert({"full_name": "Ada 2", "email": "ada@x.io"},
                                              on_conflict="email", ignore_duplicates=True) \
        .execute()
    assert ignored.data == []
    updated = await pg.table("people").update({"vip": False}).eq("full_name", "Dan").execute()
    assert [(r["full_name"], r["vip"]) for r in updated.data] == [("Dan", False)]
    deleted = await pg.table("deals").delete(count="exact").in_("title", ["A", "B"]).execute()
    assert sorted(d["title"] for d in deleted.data) == ["A", "B"] and deleted.count == 2
    left = await pg.table("deals").select("title").order("title").execute()
    assert [d["title"] for d in left.data] == ["Big", "Lost", "New", "Small"]


async def test_errors_arrive_as_api_errors(pg):
    cases = [
        (pg.table("people").select("nope"), "42703"),
        (pg.table("nowhere").select("*"), "PGRST205"),
        (pg.table("people").update({"vip": True}), "21000"),
        (pg.table("people").delete(), "21000"),
        (pg.table("people").insert({"full_name": 1}), "23514"),
        (pg.table("people").insert({"full_name": "X", "email": "ada@x.io"}), "23505"),
        (pg.schema("private").table("people").select("*"), "PGRST106"),
    ]
    for builder, code in cases:
        with pytest.raises(APIError) as error:
            await builder.execute()
        assert error.value.code == code, error.value


async def test_concurrent_clients(pg):
    results = await asyncio.gather(*(pg.table("people").select("full_name").execute()
                                     for _ in range(10)))
    assert all(len(r.data) == 5 for r in results)
