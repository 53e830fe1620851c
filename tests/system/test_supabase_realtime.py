"""The real `supabase` Python client, unchanged, against `objectry serve`: its async client's
`channel().on_postgres_changes(...)` receives an insert that the same client makes through
`.table().insert()` (/rest/v1). Nothing here knows Objectry's internals."""

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
    async with httpx.AsyncClient(base_url=server.url, headers=sign_up(server)) as api:
        assert (await api.post("/api/objects", json={
            "name": "deal", "label": "Deal", "plural_name": "deals"})).status_code == 201
        assert (await api.post("/api/objects/deal/fields", json={
            "name": "title", "label": "Title", "type": "text", "config": {}})
                ).status_code == 201
        token = await api.post("/api/tokens", json={
            "name": "app", "scopes": ["records:read", "records:write"]})
        assert token.status_code == 201, token.text
        return str(token.json()["token"])


# supabase 2.x passes `timeout`, `verify`... that its own postgrest client calls deprecated.
@pytest.mark.filterwarnings("ignore:The '(timeout|verify|proxy)' parameter is deprecated")
async def test_the_supabase_client_receives_an_insert(server_url, tmp_path):
    async with fresh_database(server_url, "objectry_sb_realtime") as url:
        server = Server(tmp_path / "data", url, server_env()).start()
        try:
            server.wait_ready()
            key = await _workspace_key(server)
            client = await acreate_client(server.url, key)
            subscribed: asyncio.Future[str] = asyncio.get_running_loop().create_future()
            received: asyncio.Future[dict[str, Any]] = (
                asyncio.get_running_loop().create_future())

            def on_state(state: Any, error: Exception | None) -> None:
                if not subscribed.done():
                    subscribed.set_result(f"{state.value}{error or ''}")

            channel = client.channel("deals-feed").on_postgres_changes(
                "INSERT", schema="public", table="deals",
                callback=lambda payload: received.done() or received.set_result(payload))
            await channel.subscribe(on_state)
            assert await asyncio.wait_for(subscribed, WAIT) == "SUBSCRIBED"

            inserted = await client.table("deals").insert({"title": "Acme"}).execute()
            payload = await asyncio.wait_for(received, WAIT)
            data = payload["data"]
            assert (data["type"], data["table"], data["schema"]) == ("INSERT", "deals", "public")
            assert data["record"] == inserted.data[0]
            await client.remove_all_channels()
            await client.realtime.close()
            await client.postgrest.aclose()
        finally:
            server.stop()
