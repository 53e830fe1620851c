"""Stored rollups at schema changes (migration 0022): the statement that computes each object's
rollups, and its values, made to fit the schema a metadata write is about to commit.

Between schema changes the triggers of 0022 keep the values (a link made or removed, a linked
record changed, trashed or restored). A schema change can change what a rollup is: a rollup
created, changed or deleted, its relationship or field gone, a field it sums now attached. So
the write's transaction, as it ends, renders each object's statement again from the snapshot it
leaves, and where that differs from the stored one (or one of them is missing) it stores the new
statement and computes the object's values afresh, all in the write's transaction. A read uses
stored values only while the stored statement is the one it renders, so a missed refresh would
cost speed, never a wrong value. Before it stores a statement the refresh takes the
workspace's rollups lock (an advisory lock the triggers take shared before they read the
statements): writes in flight commit first and are counted, later ones wait and compute with
the new statement.

A snapshot loaded with statements that do not fit it (a workspace written before 0022, or
before filtered rollups were stored, or whose refresh did not run) starts a catch-up: the same
refresh in a transaction of its own, in the background, once per process and schema version.
If it stores anything, it moves the schema version, so every process loads the statements.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging

import asyncpg

from objectry.db import tenancy
from objectry.metadata.cache import MetadataCache
from objectry.metadata.loader import load_snapshot
from objectry.metadata.model import Snapshot
from objectry.metadata.repo import bump_schema_version
from objectry.records.query.rollup_statement import current, rollup_statement

log = logging.getLogger("objectry")

# Cheap when the workspace has no rollup (an index of rollup fields): metadata writes of
# workspaces without one pay this query and nothing else.
_ANY = """SELECT EXISTS (SELECT 1 FROM fields WHERE tenant_id = $1 AND type = 'rollup')
              OR EXISTS (SELECT 1 FROM rollup_statements WHERE tenant_id = $1)"""

# Taken shared by the triggers of 0022 before they read the workspace's statements.
_EXCLUSIVE = "SELECT pg_advisory_xact_lock(hashtext('objectry.rollups'), hashtext($1))"

_STORE = """
    INSERT INTO rollup_statements (tenant_id, object_id, statement, forward, backward, reads)
    VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (tenant_id, object_id) DO UPDATE
    SET statement = EXCLUDED.statement, forward = EXCLUDED.forward, backward = EXCLUDED.backward,
        reads = EXCLUDED.reads
"""
_KEPT = ("SELECT object_id, statement, reads IS NOT NULL AS complete FROM rollup_statements"
         " WHERE tenant_id = $1")
_STORE_READS = "UPDATE rollup_statements SET reads = $3 WHERE tenant_id = $1 AND object_id = $2"

# The most links an object's fill may read in a metadata write. The fill runs in the write's
# request under its statement timeout (15 s): it took 2.2 s for 300,000 links (100,000
# companies) and 6.7 s for 900,000. Above this the object's rollups are not stored and are
# aggregated at read time, as before migration 0022: the same values, read more slowly.
FILL_LIMIT = 300_000

# Whether the relationships feeding an object have more than $4 links (reading at most $4 + 1).
_TOO_MANY = """
    SELECT count(*) > $4 FROM (
        SELECT 1 FROM relationship_records
        WHERE tenant_id = $1 AND (relationship_id = any($2::text[])
                                  OR relationship_id = any($3::text[]))
        LIMIT $4 + 1) AS feeding
"""


async def refresh(conn: asyncpg.Connection, tenant_id: str) -> bool:
    """Fit the workspace's stored rollups to the schema as `conn`'s transaction leaves it;
    whether it stored or dropped anything."""
    if not await conn.fetchval(_ANY, tenant_id):
        return False
    snapshot = await load_snapshot(conn, tenant_id)
    # As stored, with or without `reads` (the snapshot leaves out those without).
    stored = {r["object_id"]: r for r in await conn.fetch(_KEPT, tenant_id)}
    changed = False
    locked = False
    for obj in snapshot.objects:
        statement = rollup_statement(snapshot, obj)
        row = stored.get(obj.id)
        if statement is None:
            if row is None:
                continue
        elif row is not None and statement.sql == row["statement"]:
            if not row["complete"]:
                # Stored before 0023, without its reads: the values are this statement's, so
                # they stay; the triggers read either form of the row correctly: no lock.
                await conn.execute(_STORE_READS, tenant_id, obj.id, list(statement.reads))
                changed = True
            continue
        elif await conn.fetchval(_TOO_MANY, tenant_id, list(statement.forward),
                                 list(statement.backward), FILL_LIMIT):
            statement = None  # too big to fill here: aggregated at read time
            if row is None:
                continue
        if not locked:  # the workspace's writes in flight commit first, the next ones wait
            await conn.execute(_EXCLUSIVE, tenant_id)
            locked = True
        await conn.execute("DELETE FROM record_rollups WHERE tenant_id = $1 AND object_id = $2",
                           tenant_id, obj.id)
        if statement is None:
            await conn.execute("DELETE FROM rollup_statements WHERE tenant_id = $1"
                               " AND object_id = $2", tenant_id, obj.id)
            continue
        await conn.execute(_STORE, tenant_id, obj.id, statement.sql, list(statement.forward),
                           list(statement.backward), list(statement.reads))
        # Every record of the object with a link that feeds it; the others have no row and
        # read the value over no records. No trigger computes meanwhile: they wait for the lock.
        await conn.execute(statement.fill, tenant_id)
    return locked or changed


# (workspace, schema version) pairs a catch-up started for in this process, and the catch-ups
# running. The pairs are forgotten past a bound: a second catch-up of the same version finds
# nothing to do.
_tried: set[tuple[str, int]] = set()
_running: set[asyncio.Task[None]] = set()


def catch_up(cache: MetadataCache, snapshot: Snapshot) -> None:
    """Start the catch-up when an object's stored statement is not the one the compiler
    renders for `snapshot` (its reads then aggregate, correct but slower)."""
    if tenancy.holding() or all(rollup_statement(snapshot, o) is None or current(snapshot, o)
                                for o in snapshot.objects):
        return  # (loaded in a held transaction: what it has not committed yet)
    key = (snapshot.tenant_id, snapshot.version)
    if key in _tried:
        return
    if len(_tried) >= 10_000:
        _tried.clear()
    _tried.add(key)
    # In a context of its own: the request's (its held transaction, its workspace turn) is not
    # the catch-up's.
    task = asyncio.get_running_loop().create_task(_catch_up(cache, snapshot.tenant_id),
                                                  context=contextvars.Context())
    _running.add(task)
    task.add_done_callback(_running.discard)


async def _catch_up(cache: MetadataCache, tenant_id: str) -> None:
    try:
        async with tenancy.transaction(cache.pool, tenant_id) as conn:
            # The rollups lock first, then the workspace's row (to move the version), as a
            # metadata write takes them as it ends (its refresh, then its version): taken the
            # other way round, each waited for the other. A metadata write whose refresh ran
            # commits first, so this one renders from the schema it left; a second catch-up
            # finds nothing to do.
            await conn.execute(_EXCLUSIVE, tenant_id)
            changed = await refresh(conn, tenant_id)
            if changed:
                await bump_schema_version(conn, tenant_id)
        if changed:
            cache.invalidate(tenant_id)
    except Exception:  # the next schema version's load tries again (this one's is memoised)
        log.warning("stored rollups of workspace %s: catch-up failed", tenant_id, exc_info=True)


async def stop() -> None:
    """Let the running catch-ups finish (shutdown, before the pool closes)."""
    if _running:
        await asyncio.wait(list(_running), timeout=10)
