"""The real `supabase` Python client, unchanged, against `objectry serve`: its async client's
`channel().on_postgres_changes(...)` receives an insert that the same client makes through
`.table().insert()` (/rest/v1), in two workspaces. Nothing here knows Objectry's internals."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from supabase import acreate_client

from tests.support.databases import fresh_database
from tests.support.servers import Server, server_env, sign_up

WAIT = 15.0


async def _workspace_key(server: Server) -> str:
    """A workspace with a `deal` object; an API token that reads and writes its records."""
    async with httpx.AsyncClient(base_url=server.url, headers=sign_up(server), timeout=30) as api:
        assert (await api.post("/api/objects", json={
            "name": "deal", "label": "Deal", "plural_name": "deals"})).status_code == 201
        assert (await api.post("/api/objects/deal/fields", json={
            "name": "title", "label": "Title", "type": "text", "config": {}})
                ).status_code == 201
        token = await api.post("/api/tokens", json={
            "name": "app", "scopes": ["records:read", "records:write"]})
        assert token.status_code == 201, token.text
        return str(token.json()["token"])


async def _subscribed(client: Any, on_insert: Any) -> Any:
    """A channel on `deals` INSERTs, once the server has confirmed the join."""
    subscribed: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def on_state(state: Any, error: Exception | None) -> None:
        if not subscribed.done():
            subscribed.set_result(f"{state.value}{error or ''}")

    channel = client.channel("deals-feed").on_postgres_changes(
        "INSERT", schema="public", table="deals", callback=on_insert)
    await channel.subscribe(on_state)
    assert await asyncio.wait_for(subscribed, WAIT) == "SUBSCRIBED"
    return channel


async def _next(queue: asyncio.Queue[dict[str, Any]]) -> dict[str, Any]:
    return (await asyncio.wait_for(queue.get(), WAIT))["data"]


# supabase 2.x passes `timeout`, `verify`... that its own postgrest client calls deprecated.
@pytest.mark.filterwarnings("ignore:The '(timeout|verify|proxy)' parameter is deprecated")
async def test_the_supabase_client_receives_an_insert(server_url, tmp_path):
    """Two workspaces, each with a `deals` table and the same channel name: each client gets
    its own workspace's insert, never the other's."""
    async with fresh_database(server_url, "objectry_sb_realtime") as url:
        server = Server(tmp_path / "data", url, server_env()).start()
        try:
            server.wait_ready()
            clients, feeds = [], []
            for _ in range(2):
                client = await acreate_client(server.url, await _workspace_key(server))
                feed: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
                await _subscribed(client, feed.put_nowait)
                clients.append(client)
                feeds.append(feed)
            (a, b), (a_feed, b_feed) = clients, feeds

            inserted = await a.table("deals").insert({"title": "Acme"}).execute()
            data = await _next(a_feed)
            assert (data["type"], data["table"], data["schema"]) == ("INSERT", "deals", "public")
            assert data["record"] == inserted.data[0]
            theirs = await b.table("deals").insert({"title": "Globex"}).execute()
            assert (await _next(b_feed))["record"] == theirs.data[0]
            # B's own change has reached B, so any leak of A's would have reached it first.
            assert b_feed.empty() and a_feed.empty()
            for client in clients:
                await client.remove_all_channels()
                await client.realtime.close()
                await client.postgrest.aclose()
        finally:
            server.stop()
