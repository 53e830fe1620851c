"""Bounded reads: an answer larger than OBJECTRY_MAX_RESPONSE_BYTES is refused with 400
`response_too_large` (reads, expand, and writes that answer with their rows, which are then
rolled back), embedding nests at most OBJECTRY_MAX_EMBED_DEPTH levels, and a query may ask for
at most 20 embeds. PostgreSQL stops such a read itself, so the rows never reach Python."""

from __future__ import annotations

from typing import Any

import pytest

from objectry.records.query import bounded
from objectry.settings import Settings
from tests.api.builders import add_field, make_object, ok, relate
from tests.api.conftest import client, refused, sign_up
from tests.conftest import running_app, settings_for

CAP = 30_000
BODY = "x" * 1000  # each note: about 1.2 kB as sized (and sent)
NOTES = 40


@pytest.fixture(scope="module")
async def small(database_url):
    """An app whose answers may be at most 30 kB, and embeds at most 2 levels deep."""
    settings = settings_for(database_url, open_signup=True, max_response_bytes=CAP,
                            max_embed_depth=2)
    async with running_app(settings) as application:
        yield application


@pytest.fixture(scope="module")
async def notes(small, owner_db):
    """40 notes; the first is linked (`links`, N:N) to the 39 others."""
    account = await sign_up(small)
    async with client(small, account.headers) as api:
        await make_object(api, "note", plural_name="notes")
        await add_field(api, "note", "title")
        await add_field(api, "note", "body", "long_text")
        rel = await relate(api, "links", "note", "note", "N:N")
        made = await ok(await api.post("/rest/v1/note", json=[
            {"title": f"n{i:02}", "body": BODY} for i in range(NOTES)],
            headers={"Prefer": "return=representation"}, params={"select": "id"}), 201)
        ids = [row["id"] for row in made]
        await owner_db.execute(
            """INSERT INTO relationship_records (tenant_id, id, relationship_id, rel_type,
                   from_object_id, to_object_id, from_record_id, to_record_id)
               SELECT $1, 'rrec_' || substr(md5(t), 1, 16), $2, 'N:N', o.id, o.id, $3, t
               FROM unnest($4::text[]) AS t, objects o
               WHERE o.tenant_id = $1 AND o.name = 'note'""",
            account.workspace_id, rel["id"], ids[0], ids[1:])
        yield api, ids


def too_large(response: Any) -> None:
    """The /rest/v1 refusal, in PostgREST's shape."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"code", "message", "details", "hint"}
    assert body["code"] == "response_too_large"
    assert response.headers["proxy-status"] == "PostgREST; error=response_too_large"


async def test_a_read_larger_than_the_cap_is_refused_on_both_apis(notes):
    api, _ = notes
    too_large(await api.get("/rest/v1/notes"))
    head = await api.head("/rest/v1/notes")
    assert (head.status_code, head.headers["proxy-status"]) == (
        400, "PostgREST; error=response_too_large")
    refused(await api.get("/api/records", params={"object": "note", "limit": "100"}), 400,
            "response_too_large")
    rows = await ok(await api.get("/rest/v1/notes", params={"limit": "10", "order": "title"}))
    assert [r["title"] for r in rows] == [f"n{i:02}" for i in range(10)]
    assert len(await ok(await api.get("/rest/v1/notes", params={"select": "title"}))) == NOTES
    page = await ok(await api.get("/api/records", params={"object": "note", "limit": "10"}))
    assert len(page["items"]) == 10 and page["next_cursor"]


async def test_embeds_count_and_an_embed_alone_is_bounded(notes):
    api, ids = notes
    first = {"id": f"eq.{ids[0]}"}
    too_large(await api.get("/rest/v1/notes", params={"select": "id,links(*)", **first}))
    linked = await ok(await api.get("/rest/v1/notes", params={"select": "id,links(title)",
                                                              **first}))
    assert len(linked[0]["links"]) == NOTES - 1
    # Aliases multiply an embed that fits once (12 kB) past the cap together.
    one = {"select": "a:links(body)", "a.limit": "12", **first}
    assert len((await ok(await api.get("/rest/v1/notes", params=one)))[0]["a"]) == 12
    three = {"select": "a:links(body),b:links(body),c:links(body)", "a.limit": "12",
             "b.limit": "12", "c.limit": "12", **first}
    too_large(await api.get("/rest/v1/notes", params=three))


async def test_expand_is_bounded_and_asks_each_name_once(notes):
    api, ids = notes
    refused(await api.get(f"/api/records/{ids[0]}", params={"expand": "links"}), 400,
            "response_too_large")
    one = await ok(await api.get(f"/api/records/{ids[1]}", params={"expand": "links,links"}))
    assert one["related"] == {"links": []}


@pytest.mark.parametrize("select", ["links(links(links(id)))", "id,a:links(b:links(c:links(*)))"])
async def test_embedding_nests_at_most_the_configured_depth(notes, select):
    api, _ = notes
    rest = await api.get("/rest/v1/notes", params={"select": select, "limit": "1"})
    assert (rest.status_code, rest.json()["code"]) == (400, "PGRST100")
    assert rest.json()["message"] == "embedding is limited to 2 levels"
    error = refused(await api.get("/api/records", params={"object": "note", "select": select}),
                    400, "bad_request")
    assert error["message"] == "embedding is limited to 2 levels"
    await ok(await api.get("/rest/v1/notes", params={"select": "links(links(id))",
                                                     "limit": "1"}))


async def test_a_query_asks_for_at_most_20_embeds(notes):
    api, ids = notes
    aliases = ",".join(f"e{i}:links(id)" for i in range(21))
    rest = await api.get("/rest/v1/notes", params={"select": aliases})
    assert (rest.status_code, rest.json()["code"]) == (400, "PGRST100")
    assert rest.json()["message"] == "a query may embed at most 20 resources"
    refused(await api.get("/api/records", params={"object": "note", "select": aliases}), 400,
            "bad_request")
    fits = ",".join(f"e{i}:links(id)" for i in range(20))
    row = await ok(await api.get("/rest/v1/notes", params={"select": fits, "id": f"eq.{ids[0]}"}))
    assert len(row[0]) == 20


async def test_a_write_whose_answer_is_too_large_is_refused_and_rolled_back(notes, owner_db):
    api, ids = notes
    rows = [{"title": f"new{i}", "body": BODY} for i in range(30)]
    wanted = {"Prefer": "return=representation"}
    too_large(await api.post("/rest/v1/notes", json=rows, headers=wanted))
    assert await ok(await api.get("/rest/v1/notes", params={"title": "like.new*"})) == []
    too_large(await api.patch("/rest/v1/notes", json={"title": "renamed"},
                              params={"title": "like.n*"}, headers=wanted))
    assert await ok(await api.get("/rest/v1/notes", params={"title": "eq.renamed"})) == []
    too_large(await api.delete("/rest/v1/notes", params={"title": "like.n*"}, headers=wanted))
    left = await ok(await api.get("/rest/v1/notes", params={"select": "id"},
                                  headers={"Prefer": "count=exact"}))
    assert len(left) == NOTES
    await ok(await api.post("/rest/v1/notes", json=rows[:2], headers=wanted), 201)


async def test_a_patch_by_id_whose_answer_is_too_large_writes_nothing(notes):
    """supabase-js's `.update(v).eq('id', id).select()` is answered from the written row (no
    read back), so the cap is measured in Python, still inside the write's transaction."""
    api, ids = notes
    one = {"id": f"eq.{ids[5]}", "select": "*"}
    wanted = {"Prefer": "return=representation"}
    too_large(await api.patch("/rest/v1/notes", json={"body": "z" * CAP}, params=one,
                              headers=wanted))
    [kept] = await ok(await api.get("/rest/v1/notes", params=one))
    assert (kept["title"], kept["body"]) == ("n05", BODY)
    assert kept["version"] == 1
    [shown] = await ok(await api.patch("/rest/v1/notes", json={"title": "n05"}, params=one,
                                       headers=wanted))
    assert shown == {**kept, "version": 2, "updated_at": shown["updated_at"]}
    assert [shown] == await ok(await api.get("/rest/v1/notes", params=one))


async def linked_docs(owner_db: Any, workspace_id: str, rel: str, root: str, count: int
                      ) -> None:
    """`count` docs with a 1 kB body, each linked from `root` through `rel`."""
    await owner_db.execute(
        """WITH o AS (SELECT id FROM objects WHERE tenant_id = $1 AND name = 'doc'),
           made AS (
             INSERT INTO records (tenant_id, id, object_id, data)
             SELECT $1, 'rec_' || substr(md5($1 || g), 1, 16), o.id,
                    jsonb_build_object(f.id, repeat('y', 1000))
             FROM generate_series(1, $4::int) AS g, o,
                  (SELECT id FROM fields WHERE tenant_id = $1 AND name = 'body') AS f
             RETURNING id, object_id)
           INSERT INTO relationship_records (tenant_id, id, relationship_id, rel_type,
               from_object_id, to_object_id, from_record_id, to_record_id)
           SELECT $1, 'rrec_' || substr(md5(made.id), 1, 16), $2, 'N:N', made.object_id,
                  made.object_id, $3, made.id FROM made""",
        workspace_id, rel, root, count)


async def test_aliases_cannot_multiply_a_one_row_read_past_10_mb(app, owner_db):
    """At the default cap: one record linked to 800 records of 1 kB, embedded under 15 aliases,
    would be 12 MB; PostgreSQL stops at 10 MB and the answer is a 400."""
    account = await sign_up(app)
    async with client(app, account.headers) as api:
        await make_object(api, "doc")
        await add_field(api, "doc", "body", "long_text")
        rel = await relate(api, "refs", "doc", "doc", "N:N")
        root = (await ok(await api.post("/rest/v1/doc", json={"body": "root"},
                                        headers={"Prefer": "return=representation"}), 201))[0]
        await linked_docs(owner_db, account.workspace_id, rel["id"], root["id"], 800)
        one = {"id": f"eq.{root['id']}"}
        aliases = ",".join(f"a{i}:refs(body)" for i in range(15))
        too_large(await api.get("/rest/v1/doc", params={"select": aliases, **one}))
        fits = ",".join(f"a{i}:refs(body)" for i in range(5))
        row = await ok(await api.get("/rest/v1/doc", params={"select": fits, **one}))
        assert [len(row[0][f"a{i}"]) for i in range(5)] == [800] * 5


def test_the_bounds_are_settings_read_from_the_environment(monkeypatch):
    assert (Settings().max_embed_depth, Settings().max_response_bytes) == (3, 10 * 1024 * 1024)
    monkeypatch.setenv("OBJECTRY_MAX_EMBED_DEPTH", "5")
    monkeypatch.setenv("OBJECTRY_MAX_RESPONSE_BYTES", "123456")
    settings = Settings.from_env()
    assert (settings.max_embed_depth, settings.max_response_bytes) == (5, 123456)


def test_sizes_are_taken_in_sql_without_printing_small_rows():
    sql = bounded.capped_rows("SELECT 1", ["_e0"], "$3::bigint")
    assert sql.startswith("SELECT q.*, CASE WHEN sum(240 + CASE WHEN "
                          "pg_column_compression(q.data) IS NULL")
    assert 'octet_length(q."_e0"::text)' in sql and sql.endswith("FROM (SELECT 1) q")
    assert "THEN objectry_answer_bytes(sum(" in sql  # called only past the cap


def test_a_limited_page_holds_each_row_to_its_share_without_a_window():
    sql = bounded.capped_rows("SELECT 1", [], "$3::bigint", rows=51)
    assert "OVER" not in sql and sql.endswith('END AS "_bytes" FROM (SELECT 1) q')
    assert "> ($3::bigint / 51) THEN objectry_answer_bytes(240 + CASE" in sql


async def test_a_page_under_the_cap_with_one_large_row_is_answered(small):
    """A limited page first holds each row to its share of the cap (cap / rows, bounded.py);
    one 12 kB note among 1.2 kB ones is over its share of a 10-row page (30 kB / 11), but the
    page, 24 kB, is not: the running total says so and the page is answered, on both APIs,
    alone and beside a count (in a transaction, which a failed first try would have ended)."""
    account = await sign_up(small)
    async with client(small, account.headers) as api:
        await make_object(api, "memo", plural_name="memos")
        await add_field(api, "memo", "title")
        await add_field(api, "memo", "body", "long_text")
        memos = [{"title": f"m{i:02}", "body": "y" * 12_000 if i == 3 else BODY}
                 for i in range(12)]
        await ok(await api.post("/rest/v1/memo", json=memos), 201)
        page = {"order": "title", "limit": "10"}
        for headers in ({}, {"Prefer": "count=exact"}):
            rows = await ok(await api.get("/rest/v1/memos", params=page, headers=headers),
                            200 if not headers else 206)
            assert [len(r["body"]) for r in rows] == [1000] * 3 + [12_000] + [1000] * 6
        for extra in ({}, {"count": "exact"}):
            got = await ok(await api.get("/api/records", params={
                "object": "memo", "limit": "10", "order": "title.asc", **extra}))
            assert [r["data"]["title"] for r in got["items"]] == [f"m{i:02}" for i in range(10)]
        # Over the cap is still refused: 22 memos of 1.2 kB and the large one, 37 kB.
        await ok(await api.post("/rest/v1/memo", json=[
            {"title": f"n{i:02}", "body": BODY} for i in range(10)]), 201)
        too_large(await api.get("/rest/v1/memos", params={"limit": "23"}))
        refused(await api.get("/api/records", params={"object": "memo", "limit": "23"}), 400,
                "response_too_large")
