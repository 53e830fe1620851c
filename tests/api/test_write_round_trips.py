"""Round trips of a one-record create on a direct connection, counted at the protocol
(tests/support/round_trips.py): a /rest/v1 insert that shows nothing is its one INSERT in
autocommit, as /api/records create is; a batch that must commit together keeps its
transaction (an autonumber taken, or rows read back for the representation: a representation
is the INSERT's own rows unless it embeds, computes or could pass the answer's byte cap)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from objectry.settings import DIRECT
from tests.api.builders import add_field, ok
from tests.api.conftest import client
from tests.api.test_pooler import bearer, noted_with_token
from tests.conftest import running_app, settings_for
from tests.support.round_trips import Counter, counting_relay


async def _trips(counter: Any, api: Any, path: str, body: Any, headers: dict[str, str]) -> float:
    before = counter.round_trips
    for _ in range(4):
        await ok(await api.post(path, json=body, headers=headers), 201)
    return (counter.round_trips - before) / 4


@asynccontextmanager
async def _token_client(database_url: str) -> AsyncIterator[tuple[Any, Counter]]:
    """A client with an API token (records:read and write) of an app connected directly
    through a relay that counts its round trips, and the counter."""
    async with counting_relay(database_url) as (url, counter):
        settings = settings_for(url, database_pooler=DIRECT, direct_database_url=database_url,
                                open_signup=True)
        async with running_app(settings) as app:
            _, token = await noted_with_token(app, ["records:read", "records:write"])
            async with client(app, bearer(token)) as api:
                yield api, counter


async def test_a_create_is_one_round_trip_unless_it_must_commit_with_more(database_url: str
                                                                            ) -> None:
    async with counting_relay(database_url) as (url, counter):
        settings = settings_for(url, database_pooler=DIRECT, direct_database_url=database_url,
                                open_signup=True, max_response_bytes=8192)
        async with running_app(settings) as app:
            account, token = await noted_with_token(app, ["records:read", "records:write"])
            async with client(app, bearer(token)) as api:
                # Warm: one record and several are two statements, each prepared on first use.
                await ok(await api.post("/rest/v1/note", json={"title": "warm"}), 201)
                await ok(await api.post("/rest/v1/note", json=[{"title": "w"}] * 2), 201)
                assert await _trips(counter, api, "/rest/v1/note", {"title": "t"}, {}) == 1
                assert await _trips(counter, api, "/rest/v1/note", [{"title": "a"},
                                                                    {"title": "b"}], {}) == 1
                assert await _trips(counter, api, "/api/records", {
                    "object": "note", "data": {"title": "t"}}, {}) == 1
                shown = await _trips(counter, api, "/rest/v1/note", {"title": "t"},
                                     {"Prefer": "return=representation"})
                assert shown == 1  # the rows the INSERT returned are the representation
                # A body whose representation could pass the answer's cap (8192 here) is read
                # back inside the insert's transaction: BEGIN, INSERT, read, COMMIT.
                large = await _trips(counter, api, "/rest/v1/note", [{"title": "x" * 200}] * 4,
                                     {"Prefer": "return=representation"})
                assert large >= 4
            async with client(app, account.headers) as owner:
                await add_field(owner, "note", "n", "autonumber")
            async with client(app, bearer(token)) as api:
                await ok(await api.post("/rest/v1/note", json={"title": "warm"}), 201)
                numbered = await _trips(counter, api, "/rest/v1/note", {"title": "t"}, {})
                assert numbered >= 4  # BEGIN, the numbers taken, the INSERT, COMMIT


async def test_a_patch_by_id_that_answers_with_its_row_is_one_statement(database_url: str
                                                                         ) -> None:
    """supabase-js's `.update(values).eq('id', id).select()`: BEGIN, the UPDATE (with its
    history event, returning the row written), COMMIT; the transaction only so that an answer
    over the byte cap writes nothing. It read the record, wrote it and read it again before."""
    async with _token_client(database_url) as (api, counter):
        [made] = await ok(await api.post("/rest/v1/note", json={"title": "a"},
                                         headers={"Prefer": "return=representation"}),
                          201)
        shown = {"Prefer": "return=representation"}
        for select in ("*", "title"):
            params = {"id": f"eq.{made['id']}", "select": select}
            await ok(await api.patch("/rest/v1/note", json={"title": "warm"},
                                     params=params, headers=shown))
            before = counter.round_trips
            answer = await ok(await api.patch("/rest/v1/note", json={"title": select},
                                              params=params, headers=shown))
            assert counter.round_trips - before == 3
            assert answer == await ok(await api.get("/rest/v1/note", params=params))
            assert answer[0]["title"] == select
        single = await api.patch("/rest/v1/note", json={"title": "one"},
                                 params={"id": f"eq.{made['id']}", "select": "id,title"},
                                 headers={**shown,
                                          "Accept": "application/vnd.pgrst.object+json"})
        assert await ok(single) == {"id": made["id"], "title": "one"}


async def test_a_delete_by_id_is_one_statement(database_url: str) -> None:
    """supabase-js's `.delete().eq('id', id)` and DELETE /api/records/{id} of a record whose
    object's relationships take nothing along: the UPDATE that trashes it, with its history
    event, in autocommit. They were BEGIN, the record (locked), the UPDATE, the event, COMMIT
    (and /api's the cascade look-up)."""
    async with _token_client(database_url) as (api, counter):
        made = await ok(await api.post("/rest/v1/note", json=[{"title": "a"}] * 5,
                                       headers={"Prefer": "return=representation"}),
                        201)
        await ok(await api.delete("/rest/v1/note", params={"id": f"eq.{made[0]['id']}"}),
                 204)  # warm: the statement prepared
        for i, record in enumerate(made[1:]):
            before = counter.round_trips
            if i % 2:
                await ok(await api.delete(f"/api/records/{record['id']}"), 204)
            else:
                await ok(await api.delete("/rest/v1/note",
                                          params={"id": f"eq.{record['id']}"}), 204)
            assert counter.round_trips - before == 1
        left = await ok(await api.get("/rest/v1/note", params={
            "id": f"in.({','.join(r['id'] for r in made)})"}))
        assert left == []
