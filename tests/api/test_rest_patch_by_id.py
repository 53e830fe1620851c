"""PATCH /rest/v1/{object}?id=eq.<id> asking for no row back (supabase-js's
`.update(values).eq('id', id)`) is one statement, as /api's PATCH (rest/writes.py
`_by_id_alone`): the same data, history and headers as the filtered path, one round trip
instead of a transaction of four, and every other case as before (another object's or
workspace's record, a missing one, refused values, a duplicate, representation)."""

from __future__ import annotations

from typing import Any

from tests.api.builders import add_field, make_object, make_record, ok
from tests.api.conftest import client, counted_owner, sign_up


async def _people(api: Any) -> None:
    await make_object(api, "person", plural_name="people")
    await add_field(api, "person", "full_name")
    await add_field(api, "person", "email", "email", is_unique=True)
    await add_field(api, "person", "age", "number")
    await add_field(api, "person", "tier", "text", is_required=True)
    await add_field(api, "person", "code", "text", is_readonly=True)


async def _patch(api: Any, record_id: str, values: dict[str, Any], obj: str = "person",
                 **headers: str) -> Any:
    return await api.patch(f"/rest/v1/{obj}?id=eq.{record_id}", json=values, headers=headers)


async def test_a_patch_by_id_writes_what_the_filtered_path_would(api: Any) -> None:
    await _people(api)
    ada = await make_record(api, "person", full_name="Ada", email="ada@x.io", age=30,
                            tier="gold")
    answer = await _patch(api, ada["id"], {"age": 31, "full_name": "Ada L"})
    assert (answer.status_code, answer.content) == (204, b"")
    assert answer.headers["content-range"] == "0-0/*"
    counted = await _patch(api, ada["id"], {"age": None}, Prefer="count=exact")
    assert (counted.status_code, counted.headers["content-range"]) == (204, "0-0/1")
    got = await ok(await api.get(f"/api/records/{ada['id']}"))
    assert (got["version"], got["primary_value"], got["data"]) == (
        3, "Ada L", {"full_name": "Ada L", "email": "ada@x.io", "tier": "gold"})
    history = await ok(await api.get(f"/api/records/{ada['id']}/history"))
    assert [e["changes"] for e in history["items"]][:2] == [
        {"age": [31, None]}, {"full_name": ["Ada", "Ada L"], "age": [30, 31]}]
    # The same request with a representation asked for takes the filtered path: same record.
    shown = await ok(await _patch(api, ada["id"], {"age": 32}, Prefer="return=representation"))
    assert [(r["full_name"], r["age"]) for r in shown] == [("Ada L", 32)]


async def test_refusals_and_misses_answer_as_before(app: Any, api: Any) -> None:
    await _people(api)
    ada = await make_record(api, "person", full_name="Ada", email="ada@x.io", tier="a")
    bo = await make_record(api, "person", full_name="Bo", email="bo@x.io", tier="a")
    bad = await _patch(api, ada["id"], {"age": "old", "tier": None})
    assert (bad.status_code, bad.json()["code"]) == (400, "23514")
    assert {d["field"] for d in bad.json()["details"]} == {"age", "tier"}
    clash = await _patch(api, bo["id"], {"email": "ADA@x.io"})
    assert (clash.status_code, clash.json()["code"]) == (409, "23505")
    # A read-only field sent back with the value the record holds is accepted (read first).
    assert (await _patch(api, ada["id"], {"code": None, "age": 5})).status_code == 204
    readonly = await _patch(api, ada["id"], {"code": "X"})
    assert (readonly.status_code, readonly.json()["code"]) == (400, "23514")
    missing = await _patch(api, "rec_0000000000000000", {"age": 1})
    assert (missing.status_code, missing.headers["content-range"]) == (204, "*/*")
    await make_object(api, "pet", plural_name="pets")
    await add_field(api, "pet", "nickname")
    rex = await make_record(api, "pet", nickname="Rex")
    # A person's id on the pets table matches no pet: nothing written.
    other_table = await _patch(api, ada["id"], {"nickname": "x"}, obj="pet")
    assert (other_table.status_code, other_table.headers["content-range"]) == (204, "*/*")
    for record, data in ((ada, {"full_name": "Ada", "email": "ada@x.io", "tier": "a",
                                "age": 5}),
                         (bo, {"full_name": "Bo", "email": "bo@x.io", "tier": "a"}),
                         (rex, {"nickname": "Rex"})):
        assert (await ok(await api.get(f"/api/records/{record['id']}")))["data"] == data
    stranger = await sign_up(app)
    async with client(app, stranger.headers) as theirs:
        await _people(theirs)
        answer = await _patch(theirs, ada["id"], {"age": 99})
        assert (answer.status_code, answer.headers["content-range"]) == (204, "*/*")
    assert (await ok(await api.get(f"/api/records/{ada['id']}")))["data"]["age"] == 5


async def test_a_patch_by_id_is_one_round_trip(database_url: str) -> None:
    async with counted_owner(database_url) as (api, counter):
        await _people(api)
        ada = await make_record(api, "person", full_name="Ada", tier="a")
        for age in (1, 2):  # warm: each statement is prepared on its first use
            assert (await _patch(api, ada["id"], {"age": age})).status_code == 204

        async def trips(values: dict[str, Any], **headers: str) -> int:
            before = counter.round_trips
            answer = await _patch(api, ada["id"], values, **headers)
            assert answer.status_code in (200, 204), answer.text
            return counter.round_trips - before

        assert await trips({"age": 3}) == 1
        assert await trips({"age": 4}, Prefer="return=representation") > 1  # filtered path
        got = await ok(await api.get(f"/api/records/{ada['id']}"))
        assert (got["data"]["age"], got["version"]) == (4, 5)
