"""PATCH /api/records/{id} in one statement (records/service.py `_patch_at_once`): when the
patch's field names belong to one object only and its values are valid on their own, the
record is locked, merged, versioned and given its history event without being read first.
Everything the read-then-write path answers must stay as it was: the data, primary value,
history, the 404 / 412 / 400 order, workspaces apart, races."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from tests.api.builders import add_field, codes, make_object, make_record, ok
from tests.api.conftest import client, counted_owner, sign_up
from tests.conftest import running_app, settings_for


async def _server_major(database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return int(conn.get_server_version().major)
    finally:
        await conn.close()


async def _crm(api: Any) -> None:
    """contact (name, its first text field, the primary; email unique, age, required tier)
    and lead, which shares `name` with contact: a patch naming only `name` cannot tell the
    object, so it reads first."""
    await make_object(api, "contact")
    name = await add_field(api, "contact", "name")
    await add_field(api, "contact", "email", "email", is_unique=True)
    await add_field(api, "contact", "age", "number")
    await add_field(api, "contact", "tier", "text", is_required=True)
    await make_object(api, "lead")
    await ok(await api.post("/api/object-fields", json={
        "object_id": "lead", "field_id": name["object_field"]["field_id"]}), 201)


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[Any]:
    async with running_app(settings_for(database_url, open_signup=True)) as app:
        yield app


async def _patch(api: Any, record: dict[str, Any], data: dict[str, Any],
                 version: int | None = None) -> Any:
    headers = {} if version is None else {"If-Match": f'"{version}"'}
    return await api.patch(f"/api/records/{record['id']}", json={"data": data},
                           headers=headers)


async def test_a_patch_writes_what_reading_first_would(app: Any) -> None:
    owner = await sign_up(app)
    async with client(app, owner.headers) as api:
        await _crm(api)
        record = await make_record(api, "contact", name="Ada", email="ada@x.io", age=30,
                                   tier="gold")
        aged = await ok(await _patch(api, record, {"age": 31}, version=1))
        assert aged["version"] == 2 and aged["primary_value"] == "Ada"
        assert aged["data"] == {"name": "Ada", "email": "ada@x.io", "age": 31, "tier": "gold"}
        renamed = await ok(await _patch(api, record, {"name": "Ada L", "age": None}))
        assert renamed["version"] == 3 and renamed["primary_value"] == "Ada L"
        assert renamed["data"] == {"name": "Ada L", "email": "ada@x.io", "tier": "gold"}
        same = await ok(await _patch(api, record, {"tier": "gold"}, version=3))
        assert same["version"] == 4
        got = await ok(await api.get(f"/api/records/{record['id']}"))
        assert got == same
        history = await ok(await api.get(f"/api/records/{record['id']}/history"))
        assert [e["changes"] for e in history["items"]][:3] == [
            {}, {"name": ["Ada", "Ada L"], "age": [31, None]}, {"age": [30, 31]}]
        found = await ok(await api.get("/api/records", params={"object": "contact",
                                                               "q": "Ada L"}))
        assert [r["id"] for r in found["items"]] == [record["id"]]  # primary_value searched


async def test_refusals_keep_their_order(app: Any) -> None:
    owner = await sign_up(app)
    async with client(app, owner.headers) as api:
        await _crm(api)
        record = await make_record(api, "contact", name="Bo", email="bo@x.io", tier="a")
        other = await make_record(api, "contact", name="Cy", email="cy@x.io", tier="a")
        missing = {"id": "rec_0000000000000000"}
        # A missing record is a 404 even with a bad value; a stale version a 412 even with one.
        assert (await _patch(api, missing, {"age": "old"})).status_code == 404
        assert (await _patch(api, missing, {"age": 3})).status_code == 404
        stale = await _patch(api, record, {"age": "old"}, version=7)
        assert stale.status_code == 412 and stale.headers["etag"] == '"1"'
        assert (await _patch(api, record, {"age": 3}, version=7)).status_code == 412
        bad = await _patch(api, record, {"age": "old", "tier": None, "nope": 1}, version=1)
        assert bad.status_code == 422
        assert codes(bad) == [("age", "type"), ("tier", "required"), ("nope", "unknown_field")]
        taken = await _patch(api, other, {"email": "BO@x.io"})
        assert taken.status_code == 409 and codes(taken) == [("email", "unique")]
        # A lead's record patched with a contact-only field: not a field of its object.
        lead = await make_record(api, "lead", name="Di")
        assert codes(await _patch(api, lead, {"age": 4})) == [("age", "unknown_field")]
        # Nothing above changed anything.
        for kept in (record, other, lead):
            got = await ok(await api.get(f"/api/records/{kept['id']}"))
            assert got["version"] == 1 and got["data"] == kept["data"]


async def test_another_workspace_cannot_patch_a_record(app: Any) -> None:
    first, second = await sign_up(app), await sign_up(app)
    async with client(app, first.headers) as api:
        await _crm(api)
        record = await make_record(api, "contact", name="Ed", tier="a")
    async with client(app, second.headers) as api:
        await _crm(api)  # the same object and field names, other ids
        assert (await _patch(api, record, {"age": 9}, version=1)).status_code == 404
        assert (await _patch(api, record, {"age": 9})).status_code == 404
    async with client(app, first.headers) as api:
        got = await ok(await api.get(f"/api/records/{record['id']}"))
        assert got["version"] == 1 and "age" not in got["data"]


async def test_racing_patches_at_one_version_write_once(app: Any) -> None:
    owner = await sign_up(app)
    async with client(app, owner.headers) as api:
        await _crm(api)
        record = await make_record(api, "contact", name="Flo", tier="a")
        answers = await asyncio.gather(*(_patch(api, record, {"age": n}, version=1)
                                         for n in range(8)))
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200] + [412] * 7
        winner = next(a.json() for a in answers if a.status_code == 200)
        got = await ok(await api.get(f"/api/records/{record['id']}"))
        assert got["version"] == 2 and got["data"]["age"] == winner["data"]["age"]
        history = await ok(await api.get(f"/api/records/{record['id']}/history"))
        assert [e["op"] for e in history["items"]] == ["update", "create"]


async def test_a_patch_is_one_round_trip_when_its_fields_tell_the_object(database_url: str
                                                                           ) -> None:
    async with counted_owner(database_url) as (api, counter):
        await _crm(api)
        record = await make_record(api, "contact", name="Gus", tier="a")
        # Warm: each statement is prepared on its first use (a round trip of its own).
        await ok(await _patch(api, record, {"age": 1}, version=1))
        await ok(await _patch(api, record, {"name": "F"}, version=2))
        assert (await _patch(api, record, {"age": 0}, version=1)).status_code == 412

        async def trips(data: dict[str, Any], version: int, status: int) -> int:
            before = counter.round_trips
            answer = await _patch(api, record, data, version)
            assert answer.status_code == status, answer.text
            return counter.round_trips - before

        assert await trips({"age": 2}, 3, 200) == 1
        # A mismatch: the locking form (PostgreSQL 15-17) tells it at once; PostgreSQL 18's
        # UPDATE returns only what it wrote, and the read-then-write path reads the version.
        assert await trips({"age": 3}, 3, 412) == (1 if await _server_major(database_url) < 18
                                                    else 2)
        # `name` is contact's and lead's: the record is read to learn its object.
        assert await trips({"name": "G"}, 4, 200) == 2
