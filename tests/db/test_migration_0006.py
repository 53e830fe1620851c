"""Migration 0006 on a database that already holds records: the values ANALYZE sampled from
`primary_value` are gone, the trigram index leads with the workspace, reads can be bounded,
and a downgrade brings back the old index."""

from __future__ import annotations

import asyncio

import asyncpg

from objectry.db import migrate
from tests.conftest import NewDatabase

_TRIGRAM = "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_records_primary_value_trgm'"
_SAMPLED = ("SELECT attname FROM pg_stats WHERE tablename = 'records'"
            " AND attname IN ('primary_value', 'data') ORDER BY attname")


async def _records(conn: asyncpg.Connection) -> None:
    await conn.execute("INSERT INTO workspaces (id, name) VALUES ('wsp_a', 'a')")
    await conn.execute("INSERT INTO objects (tenant_id, id, name, label)"
                       " VALUES ('wsp_a', 'obj_a', 'a', 'A')")
    await conn.execute(
        """INSERT INTO records (tenant_id, id, object_id, data, primary_value)
           SELECT 'wsp_a', 'rec_' || g, 'obj_a', jsonb_build_object('fld_x', g), 'secret ' || g
           FROM generate_series(1, 500) AS g""")
    await conn.execute("ANALYZE records")


async def test_0006_forgets_sampled_values_and_leads_the_trigram_index_by_workspace(
        new_database: NewDatabase):
    url = await new_database()
    await asyncio.to_thread(migrate.upgrade, url, "0005")
    conn = await asyncpg.connect(url)
    try:
        await _records(conn)
        assert [r[0] for r in await conn.fetch(_SAMPLED)] == ["data", "primary_value"]
        assert "(primary_value gin_trgm_ops)" in await conn.fetchval(_TRIGRAM)
        await asyncio.to_thread(migrate.upgrade, url, "head")
        await conn.execute("ANALYZE records")
        assert [r[0] for r in await conn.fetch(_SAMPLED)] == ["data"]  # gathered before; kept
        assert "(tenant_id, object_id, primary_value gin_trgm_ops)" in \
            await conn.fetchval(_TRIGRAM)
        assert await conn.fetchval("SELECT objectry_answer_bytes(5, 5)") == 5
        await asyncio.to_thread(migrate.downgrade, url, "0005")
        assert "(primary_value gin_trgm_ops)" in await conn.fetchval(_TRIGRAM)
        assert await conn.fetchval("SELECT count(*) FROM pg_proc"
                                   " WHERE proname = 'objectry_answer_bytes'") == 0
    finally:
        await conn.close()
