"""Alembic is the only author of the schema: it downgrades cleanly, and the Supabase rendering
matches it both as text and as the schema it builds."""

from __future__ import annotations

import asyncio

import asyncpg

from objectry.db import migrate, supabase

_CATALOG = {
    "columns": "SELECT table_name, column_name, data_type, is_nullable, column_default"
               " FROM information_schema.columns WHERE table_schema = 'public'",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
    "constraints": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
                   " FROM pg_constraint WHERE connamespace = 'public'::regnamespace",
    "policies": "SELECT tablename, policyname, qual, with_check FROM pg_policies",
    "rls": "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class"
           " WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'",
    "grants": "SELECT table_name, privilege_type FROM information_schema.role_table_grants"
              " WHERE grantee = 'objectry_app'",
    "functions": "SELECT proname, prosecdef FROM pg_proc"
                 " WHERE pronamespace = 'public'::regnamespace",
}


async def catalog(url: str) -> dict[str, set[tuple]]:
    conn = await asyncpg.connect(url)
    try:
        return {name: {tuple(r) for r in await conn.fetch(sql)} for name, sql in _CATALOG.items()}
    finally:
        await conn.close()


def test_supabase_migrations_match_alembic():
    """Fails when someone changes a revision without `objectry supabase`."""
    on_disk = {p.name: p.read_text() for p in sorted(supabase.MIGRATIONS_DIR.glob("*.sql"))}
    assert on_disk == supabase.render(), "run `objectry supabase` and commit the result"


async def test_supabase_migrations_build_the_same_schema(new_database):
    by_alembic, by_files = await new_database(), await new_database()
    await asyncio.to_thread(migrate.upgrade, by_alembic)
    conn = await asyncpg.connect(by_files)
    try:
        for path in sorted(supabase.MIGRATIONS_DIR.glob("*.sql")):
            await conn.execute(path.read_text())
        assert await conn.fetchval("SELECT version_num FROM alembic_version") == \
            migrate.head_revision()
    finally:
        await conn.close()
    assert await catalog(by_files) == await catalog(by_alembic)


async def test_downgrade_to_base_and_back(new_database):
    url = await new_database()
    await asyncio.to_thread(migrate.upgrade, url)
    await asyncio.to_thread(migrate.downgrade, url, "base")
    conn = await asyncpg.connect(url)
    try:
        tables = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        assert [t["tablename"] for t in tables] == ["alembic_version"]
        assert await conn.fetchval("SELECT count(*) FROM alembic_version") == 0
    finally:
        await conn.close()
    await asyncio.to_thread(migrate.upgrade, url)
    assert (await catalog(url))["rls"]
