"""Ready to shard (issue 19, item 4), from the statement log: every statement the hot path
sends that touches a tenant table says which workspace it means — a `tenant_id` equality, or
`tenant_id` among an INSERT's columns — so on Citus each is routed to one shard, not fanned out
to all of them (RLS alone would give the right rows, at every shard's cost).

A cluster of the test's own with `log_statement = all`; the app in-process over it. Sign-up and
the metadata are set up first; the log is read from there on, through a handful of
representative requests: create, get, list, PATCH, history, /rest/v1 read and write, delete.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from objectry.db.tables import TENANT_TABLES
from tests.api.builders import add_field, make_object, make_record, ok
from tests.api.conftest import client, sign_up
from tests.conftest import running_app, settings_for
from tests.support.cluster import Cluster, private_cluster

PREFIX = "@@ "  # log_line_prefix: an entry starts at a line beginning with it
END_MARK = "objectry_hot_path_end"
# The view reads go through (same tenant filter as the table: docs/ARCHITECTURE.md).
TENANT_RELATIONS = {*TENANT_TABLES, "records_in_scope"}
RELATION = re.compile(r'\b(?:FROM|JOIN|UPDATE)\s+(?:ONLY\s+)?(?:public\.)?"?(\w+)', re.I)
INSERT = re.compile(r'\bINSERT\s+INTO\s+(?:public\.)?"?(\w+)"?\s*\(([^)]*)\)', re.I)
TENANT_EQUALITY = re.compile(r"\btenant_id\s*=|=\s*(?:\w+\.)?tenant_id\b", re.I)
WORKSPACE_EQUALITY = re.compile(r"\bid\s*=", re.I)
LOGGED = re.compile(r"^LOG:\s+(?:statement|execute [^:]+):\s(.*)", re.S)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with private_cluster() as started:
        yield started


def _statements(log: str) -> list[str]:
    entries = ("\n" + log).split("\n" + PREFIX)
    return [m.group(1).strip() for e in entries if (m := LOGGED.match(e))]


def _unscoped(statement: str) -> set[str]:
    """The tenant relations `statement` touches without saying which workspace: an INSERT
    target without tenant_id among its columns; a table read, updated or deleted from in a
    statement with no tenant_id equality."""
    inserts = {(name, "tenant_id" in columns) for name, columns in INSERT.findall(statement)}
    unscoped = {name for name, scoped in inserts if name in TENANT_RELATIONS and not scoped}
    read = set(RELATION.findall(statement))
    if not TENANT_EQUALITY.search(statement):
        unscoped |= read & TENANT_RELATIONS
    # The tenant table itself is keyed by its id (distributed by it on Citus).
    if "workspaces" in read and not WORKSPACE_EQUALITY.search(statement):
        unscoped.add("workspaces")
    return unscoped


async def _log_until(path: Path, mark: str) -> bytes:
    for _ in range(100):  # the server writes its log as it goes; wait for our own last line
        content = path.read_bytes()
        if mark.encode() in content:
            return content
        await asyncio.sleep(0.05)
    raise AssertionError(f"{mark} never reached {path}")


def test_the_checker_tells_scoped_from_unscoped_statements():
    assert _unscoped("SELECT * FROM records WHERE id = $1") == {"records"}
    assert _unscoped("SELECT * FROM records_in_scope r WHERE r.tenant_id = $1") == set()
    assert _unscoped("INSERT INTO records (tenant_id, id) VALUES ($1, $2)") == set()
    assert _unscoped("INSERT INTO records (id) VALUES ($1)") == {"records"}
    assert _unscoped("WITH n AS (INSERT INTO records (tenant_id, id) SELECT $1, id FROM"
                     " unnest($2::text[]) AS u(id) RETURNING id) SELECT * FROM n") == set()
    assert _unscoped("DELETE FROM views WHERE id = $1") == {"views"}
    assert _unscoped("SELECT schema_version FROM workspaces WHERE id = $1") == set()
    assert _unscoped("SELECT count(*) FROM workspaces") == {"workspaces"}
    assert _unscoped("SELECT objectry_token_lookup($1)") == set()
    assert _statements(f"{PREFIX}LOG:  execute <unnamed>: SELECT 1\n\tFROM x\n"
                       f"{PREFIX}DETAIL:  parameters: $1 = 'a'\n") == ["SELECT 1\n\tFROM x"]


async def test_every_hot_path_statement_on_a_tenant_table_names_its_workspace(cluster):
    owner = await asyncpg.connect(cluster.url)
    try:
        await owner.execute("ALTER SYSTEM SET log_statement = 'all'")
        await owner.execute(f"ALTER SYSTEM SET log_line_prefix = '{PREFIX}'")
        await owner.execute("SELECT pg_reload_conf()")
        async with running_app(settings_for(cluster.url, open_signup=True)) as app:
            account = await sign_up(app)
            async with client(app, account.headers) as api:
                await make_object(api, "deal")
                await add_field(api, "deal", "title", is_indexed=True)
                await add_field(api, "deal", "amount", "number")
                log = cluster.directory / "server.log"
                start = len(log.read_bytes())

                record = await make_record(api, "deal", title="Ada", amount=1)
                path = f"/api/records/{record['id']}"
                fetched = await api.get(path)
                await ok(fetched)
                await ok(await api.get("/api/records", params={"object": "deal",
                                                                "title": "eq.Ada"}))
                await ok(await api.patch(path, json={"data": {"amount": 2}},
                                         headers={"If-Match": fetched.headers["etag"]}))
                await ok(await api.get(f"{path}/history"))
                await ok(await api.get("/rest/v1/deal", params={"title": "eq.Ada",
                                                                 "select": "title,amount"}))
                await ok(await api.post("/rest/v1/deal", json={"title": "Bob"}), 201)
                await ok(await api.delete(path), 204)
        await owner.execute(f"SELECT '{END_MARK}'")
        logged = (await _log_until(log, END_MARK))[start:]
        statements = _statements(logged.decode(errors="replace"))
    finally:
        await owner.close()
    assert any("records" in s for s in statements), "the log holds none of the requests"
    problems = [f"{sorted(tables)}: {s}" for s in dict.fromkeys(statements)
                if (tables := _unscoped(s))]
    assert not problems, "statements without a tenant_id equality:\n" + "\n\n".join(problems)
