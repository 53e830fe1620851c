"""POST /api/relationship-records in one statement (metadata/relationships.py `link`): when
the relationship is in the workspace's metadata, the link, both of its history events and its
audit entry are written by one statement that first checks both records are live records of
the relationship's objects. Anything else reads first, so every refusal keeps its status,
details and order; nothing is written by a refused link. DELETE (`unlink`) is one statement
too: the link, its two `unlink` events and its audit entry, or nothing and a 404."""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson

from tests.api.builders import add_field, codes, link, make_object, make_record, ok, relate
from tests.api.conftest import client, counted_owner, sign_up
from tests.conftest import running_app, settings_for


async def _crm(api: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    await make_object(api, "contact")
    await add_field(api, "contact", "full_name")
    await make_object(api, "company")
    await add_field(api, "company", "name")
    rel = await relate(api, "employer", "contact", "company", "1:N")
    ada = await make_record(api, "contact", full_name="Ada Lovelace")
    acme = await make_record(api, "company", name="Acme Corp")
    return rel, ada, acme


async def _written(owner_db: Any, workspace_id: str) -> tuple[int, int, int]:
    """Links, link events and link audit entries in the workspace."""
    return (
        await owner_db.fetchval("SELECT count(*) FROM relationship_records"
                                " WHERE tenant_id = $1", workspace_id),
        await owner_db.fetchval("SELECT count(*) FROM link_events WHERE tenant_id = $1",
                                workspace_id),
        await owner_db.fetchval("SELECT count(*) FROM audit_log WHERE tenant_id = $1"
                                " AND kind = 'link'", workspace_id))


async def test_a_link_writes_its_events_and_audit_entry(api, owner_db, workspace_id):
    rel, ada, acme = await _crm(api)
    made = await link(api, "employer", ada["id"], acme["id"])  # by name too
    assert made["relationship_id"] == rel["id"]
    assert (made["from_record_id"], made["to_record_id"]) == (ada["id"], acme["id"])
    assert set(made) == {"id", "relationship_id", "from_record_id", "to_record_id",
                         "relationship_metadata", "created_at", "created_by"}
    assert await _written(owner_db, workspace_id) == (1, 2, 1)
    entry = (await ok(await api.get("/api/audit", params={"kind": "link"})))["items"][0]
    assert (entry["action"], entry["target"]) == (
        "created", {"id": made["id"], "name": "employer"})
    assert entry["actor"]["email"] is not None and entry["credential"]["type"] == "session"
    history = await ok(await api.get(f"/api/records/{acme['id']}/history"))
    assert [(e["op"], e["record"]["id"]) for e in history["items"][:1]] == [
        ("link", ada["id"])]
    # A record linked to itself has one event, not two.
    await relate(api, "mentor", "contact", "contact", "N:N")
    await link(api, "mentor", ada["id"], ada["id"])
    assert await _written(owner_db, workspace_id) == (2, 3, 2)


async def test_refusals_keep_their_order_and_write_nothing(api, owner_db, workspace_id):
    rel, ada, acme = await _crm(api)
    swapped = await api.post("/api/relationship-records", json={
        "relationship_id": rel["id"], "from_record_id": acme["id"], "to_record_id": ada["id"]})
    assert swapped.status_code == 422
    assert codes(swapped) == [("from_record_id", "wrong_object"),
                              ("to_record_id", "wrong_object")]
    await ok(await api.delete(f"/api/records/{acme['id']}"), 204)  # to the trash
    trashed = await api.post("/api/relationship-records", json={
        "relationship_id": rel["id"], "from_record_id": ada["id"], "to_record_id": acme["id"]})
    assert codes(trashed) == [("to_record_id", "not_found")]
    unknown = await api.post("/api/relationship-records", json={
        "relationship_id": "nope", "from_record_id": ada["id"], "to_record_id": acme["id"]})
    assert codes(unknown) == [("relationship_id", "not_found")]
    assert await _written(owner_db, workspace_id) == (0, 0, 0)
    await ok(await api.post(f"/api/records/{acme['id']}/restore"))
    await link(api, rel["id"], ada["id"], acme["id"])
    twice = await api.post("/api/relationship-records", json={
        "relationship_id": rel["id"], "from_record_id": ada["id"], "to_record_id": acme["id"]})
    assert twice.status_code == 409
    assert codes(twice) == [("to_record_id", "cardinality")]
    assert await _written(owner_db, workspace_id) == (1, 2, 1)


async def test_a_relationship_deleted_behind_the_metadata_is_told_as_missing(
        api, owner_db, workspace_id):
    """The relationship goes without the metadata knowing (straight in the database): the
    statement's foreign key refuses it and the read-first path names it."""
    rel, ada, acme = await _crm(api)
    await owner_db.execute("DELETE FROM relationships WHERE tenant_id = $1 AND id = $2",
                           workspace_id, rel["id"])
    gone = await api.post("/api/relationship-records", json={
        "relationship_id": rel["id"], "from_record_id": ada["id"], "to_record_id": acme["id"]})
    assert gone.status_code == 422
    assert codes(gone) == [("relationship_id", "not_found")]
    assert await _written(owner_db, workspace_id) == (0, 0, 0)


async def test_another_workspaces_records_cannot_be_linked(app, api, owner_db, workspace_id):
    rel, ada, acme = await _crm(api)
    other = await sign_up(app)
    async with client(app, other.headers) as theirs:
        await make_object(theirs, "company")
        await add_field(theirs, "company", "name")
        initech = await make_record(theirs, "company", name="Initech")
        # Their relationship name means nothing here, and our records nothing there.
        refused = await theirs.post("/api/relationship-records", json={
            "relationship_id": rel["id"], "from_record_id": ada["id"],
            "to_record_id": initech["id"]})
        assert codes(refused) == [("relationship_id", "not_found")]
    mixed = await api.post("/api/relationship-records", json={
        "relationship_id": rel["id"], "from_record_id": ada["id"],
        "to_record_id": initech["id"]})
    assert codes(mixed) == [("to_record_id", "not_found")]
    assert await _written(owner_db, workspace_id) == (0, 0, 0)
    assert await _written(owner_db, other.workspace_id) == (0, 0, 0)


async def test_a_link_is_one_round_trip(database_url: str) -> None:
    async with counted_owner(database_url) as (api, counter):
        rel, ada, acme = await _crm(api)
        globex = await make_record(api, "company", name="Globex Inc")
        await link(api, rel["id"], ada["id"], acme["id"])  # warm: prepared once
        before = counter.round_trips
        await link(api, rel["id"], ada["id"], globex["id"])
        assert counter.round_trips - before == 1


async def test_an_unlink_writes_its_events_and_audit_entry_in_one_round_trip(
        database_url: str) -> None:
    async with counted_owner(database_url) as (api, counter):
        rel, ada, acme = await _crm(api)
        globex = await make_record(api, "company", name="Globex Inc")
        warm = await link(api, rel["id"], ada["id"], acme["id"])
        await ok(await api.delete(f"/api/relationship-records/{warm['id']}"), 204)  # prepared
        made = await link(api, rel["id"], ada["id"], globex["id"])
        before = counter.round_trips
        await ok(await api.delete(f"/api/relationship-records/{made['id']}"), 204)
        assert counter.round_trips - before == 1
        await ok(await api.get(f"/api/relationship-records/{made['id']}"), 404)
        entry = (await ok(await api.get("/api/audit", params={"kind": "link"})))["items"][0]
        assert (entry["action"], entry["target"]) == (
            "deleted", {"id": made["id"], "name": "employer"})
        assert entry["credential"]["type"] == "session"
        for record, other in ((ada, globex), (globex, ada)):
            history = await ok(await api.get(f"/api/records/{record['id']}/history"))
            assert [(e["op"], e["record"]["id"]) for e in history["items"][:2]] == [
                ("unlink", other["id"]), ("link", other["id"])]


async def test_an_unlink_of_a_link_that_is_not_there_is_404_and_writes_nothing(
        app, api, owner_db, workspace_id):
    rel, ada, acme = await _crm(api)
    mine = await link(api, rel["id"], ada["id"], acme["id"])
    # A record linked to itself: one unlink event, not two.
    await relate(api, "mentor", "contact", "contact", "N:N")
    itself = await link(api, "mentor", ada["id"], ada["id"])
    assert await _written(owner_db, workspace_id) == (2, 3, 2)
    other = await sign_up(app)
    async with client(app, other.headers) as theirs:
        gone = await theirs.delete(f"/api/relationship-records/{mine['id']}")
        assert (gone.status_code, gone.json()["error"]["code"]) == (404, "not_found")
    assert await _written(owner_db, workspace_id) == (2, 3, 2)
    for ref in ("rrec_nosuchlink0000", "not-a-link-id"):
        missing = await api.delete(f"/api/relationship-records/{ref}")
        assert missing.status_code == 404
        assert missing.json()["error"]["message"] == f"no link {ref!r} in this workspace"
    await ok(await api.delete(f"/api/relationship-records/{itself['id']}"), 204)
    assert await _written(owner_db, workspace_id) == (1, 4, 3)
    again = await api.delete(f"/api/relationship-records/{itself['id']}")
    assert again.status_code == 404
    assert await _written(owner_db, workspace_id) == (1, 4, 3)
    assert await _written(owner_db, other.workspace_id) == (0, 0, 0)


class _Captured:
    """Stands in for a connection to keep the statement a repo function would send to a
    server of `version`."""

    def __init__(self, version: Any = None) -> None:
        self.version = version

    def get_server_version(self) -> Any:
        return self.version

    async def fetchrow(self, sql: str, *args: Any) -> None:
        self.sql, self.args = sql, args


def _records_scans(plan: Any) -> set[str]:
    """The indexes (or Seq Scan) by which a plan reads `records`."""
    found, nodes = set(), [plan]
    while nodes:
        node = nodes.pop()
        if node.get("Relation Name") == "records" and "Scan" in node["Node Type"]:
            found.add(node.get("Index Name", node["Node Type"]))
        nodes += node.get("Plans", [])
    return found


async def test_writes_read_a_record_by_its_key_before_statistics_catch_up(new_database):
    """Right after a workspace's first records, `records` still has the statistics of an
    empty table (analyzed when the field index was made): a PATCH and a link must still read
    each record by its key, not scan a partial index of the object's live records."""
    from objectry.metadata import repo as metadata_repo
    from objectry.records import repo as records_repo

    url = await new_database("objectry_plans")
    async with running_app(settings_for(url, open_signup=True)) as app:
        owner = await sign_up(app)
        async with client(app, owner.headers) as api:
            await make_object(api, "contact")
            name = await add_field(api, "contact", "name", is_indexed=True)
            made = await ok(await api.post("/api/records/bulk", json={
                "object": "contact", "records": [{"data": {"name": f"C{i}"}}
                                                 for i in range(3000)]}), 201)
            rel = await relate(api, "knows", "contact", "contact", "N:N")
    ids = [r["id"] for r in made["items"]]
    object_id = name["object_field"]["object_id"]
    conn = await asyncpg.connect(url, server_settings={"role": "objectry_app"})
    try:
        patch = _Captured(conn.get_server_version())  # its statement depends on the version
        await records_repo.patch_at_version(patch, owner.workspace_id, object_id, ids[7], 1,
                                            {name["object_field"]["field_id"]: "D"}, [], True,
                                            "D", None)
        linking = _Captured()
        await linking.fetchrow(
            metadata_repo._INSERT_LINK,  # noqa: SLF001 (the statement itself)
            owner.workspace_id, "rrec_x", rel["id"], "N:N", object_id, object_id, ids[1],
            ids[2], None, None, owner.workspace_id, "aud_x", "link", "created", "rrec_x",
            "knows", None, "token", None, None)
        await conn.set_type_codec("jsonb", encoder=lambda v: orjson.dumps(v).decode(),
                                  decoder=orjson.loads, schema="pg_catalog")
        await conn.execute("SELECT set_config('app.tenant_id', $1, false)", owner.workspace_id)
        for captured in (patch, linking):
            writes = conn.transaction()  # EXPLAIN ANALYZE runs the writes: rolled back
            await writes.start()
            try:
                plan = await conn.fetchval("EXPLAIN (ANALYZE, FORMAT JSON) " + captured.sql,
                                           *captured.args)
            finally:
                await writes.rollback()
            scans = _records_scans(orjson.loads(plan)[0]["Plan"])
            assert scans and scans <= {"pk_records", "uq_records_tenant_id_id_object_id"}, (
                scans, captured.sql)
    finally:
        await conn.close()
