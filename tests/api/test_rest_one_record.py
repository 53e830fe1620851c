"""GET /rest/v1/{object}?id=eq.<id> (supabase-js's `.eq('id', id)`): every id shares one
parse, plan and SQL with the id bound as the statement's parameter (records/query/memo.py
`one_record`), so each id must still answer its own record — with other filters, a select of
computed columns, a count, a view, the singular Accept, a miss, another workspace's id — and a
query that only looks like one (the stand-in id written elsewhere in it) is left alone."""

from __future__ import annotations

from typing import Any

from objectry.records.query import memo
from tests.api.builders import add_field, make_object, make_record, ok
from tests.api.conftest import client, sign_up


async def _people(api: Any) -> list[dict[str, Any]]:
    await make_object(api, "person", plural_name="people")
    await add_field(api, "person", "full_name")
    await add_field(api, "person", "age", "number")
    await add_field(api, "person", "older", "formula",
                    {"expression": "{age} + 1", "result_type": "number"})
    return [await make_record(api, "person", full_name=name, age=age)
            for name, age in (("Ada", 36), ("Bo", 41), ("Cy", 29))]


async def _by_id(api: Any, record_id: str, extra: str = "", **headers: str) -> Any:
    return await api.get(f"/rest/v1/people?id=eq.{record_id}{extra}", headers=headers)


async def test_each_id_answers_its_own_record(api: Any) -> None:
    people = await _people(api)
    for person in people + people:  # the second round reads the shared plan
        rows = await ok(await _by_id(api, person["id"], "&select=id,full_name,older"))
        assert rows == [{"id": person["id"], "full_name": person["data"]["full_name"],
                         "older": person["data"]["age"] + 1}]
    ada, bo, _ = people
    assert await ok(await _by_id(api, ada["id"], "&age=gt.40")) == []
    assert [r["full_name"] for r in await ok(await _by_id(api, bo["id"], "&age=gt.40"))] == \
        ["Bo"]
    counted = await _by_id(api, bo["id"], "&select=full_name", Prefer="count=exact")
    assert (counted.json(), counted.headers["content-range"]) == ([{"full_name": "Bo"}],
                                                                   "0-0/1")
    single = await _by_id(api, ada["id"], "&select=full_name",
                          Accept="application/vnd.pgrst.object+json")
    assert (single.status_code, single.json()) == (200, {"full_name": "Ada"})
    missing = await _by_id(api, "rec_1111111111111111", Prefer="count=exact")
    assert (missing.json(), missing.headers["content-range"]) == ([], "*/0")
    view = await ok(await api.post("/api/views", json={
        "object": "person", "name": "over 40", "type": "grid", "filter": "age=gt.40",
        "shared": True}), 201)
    assert await ok(await _by_id(api, ada["id"], f"&view={view['id']}")) == []
    assert len(await ok(await _by_id(api, bo["id"], f"&view={view['id']}"))) == 1


async def test_another_workspace_id_finds_nothing(app: Any, api: Any) -> None:
    ada = (await _people(api))[0]
    stranger = await sign_up(app)
    async with client(app, stranger.headers) as theirs:
        mine = (await _people(theirs))[0]
        assert await ok(await _by_id(theirs, ada["id"])) == []
        assert [r["id"] for r in await ok(await _by_id(theirs, mine["id"]))] == [mine["id"]]
    assert [r["id"] for r in await ok(await _by_id(api, ada["id"]))] == [ada["id"]]


async def test_a_query_holding_the_stand_in_is_left_alone(api: Any) -> None:
    ada = (await _people(api))[0]
    pairs = [("id", f"eq.{ada['id']}"), ("full_name", f"neq.{memo.ONE_ID}")]
    assert memo.one_record(pairs) == (pairs, None)
    assert memo.one_record([("id", f"eq.{ada['id']}"), ("select", "full_name")]) == (
        [("id", f"eq.{memo.ONE_ID}"), ("select", "full_name")], ada["id"])
    assert memo.one_record([("id", "eq.nope")]) == ([("id", "eq.nope")], None)
    rows = await ok(await _by_id(api, ada["id"], f"&full_name=neq.{memo.ONE_ID}"))
    assert [r["id"] for r in rows] == [ada["id"]]
    stand_in = await ok(await _by_id(api, memo.ONE_ID))
    assert stand_in == []


async def test_deletes_and_represented_patches_by_id_touch_their_record_only(app: Any,
                                                                              api: Any) -> None:
    ada, bo, cy = await _people(api)
    stranger = await sign_up(app)
    async with client(app, stranger.headers) as theirs:
        await _people(theirs)
        gone = await theirs.delete(f"/rest/v1/people?id=eq.{ada['id']}")
        assert (gone.status_code, gone.headers["content-range"]) == (204, "*/*")
    for person in (ada, bo):
        answer = await api.delete(f"/rest/v1/people?id=eq.{person['id']}",
                                  headers={"Prefer": "return=representation"})
        assert [r["id"] for r in await ok(answer)] == [person["id"]]
    changed = await api.patch(f"/rest/v1/people?id=eq.{cy['id']}&select=full_name,age",
                              json={"age": 30}, headers={"Prefer": "return=representation"})
    assert await ok(changed) == [{"full_name": "Cy", "age": 30}]
    assert [r["full_name"] for r in await ok(await api.get("/rest/v1/people"))] == ["Cy"]
    trash = await ok(await api.get("/api/records?object=person&trash=only"))
    assert sorted(r["data"]["full_name"] for r in trash["items"]) == ["Ada", "Bo"]
