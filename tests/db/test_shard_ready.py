"""Ready to shard (issue 19): the catalog of a freshly migrated database keeps every tenant
table distributable by `tenant_id` (Citus `create_distributed_table(..., 'tenant_id')`,
colocated). Each check reads pg_catalog and names the table and constraint it finds wrong.

A distributed table's primary key and unique constraints must contain the distribution column
(we require it first, so an index on them serves one workspace's range), and a foreign key
between two distributed tables must join on it; a foreign key to a reference table need not.
docs/SCALING.md says which table is which.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from objectry.db import migrate

# Tables without tenant_id, and why each stays that way (docs/SCALING.md, "Citus"):
GLOBAL_TABLES = {
    # the tenant table itself: distributed by its own id (colocated with the rest) — its RLS
    # policy keys on `id = app.tenant_id`, checked below.
    "workspaces": "tenant",
    # an account signs in before any workspace is known and may belong to several: a
    # reference table (copied to every node), read through workspace_members.
    "users": "reference",
    # revoked JWT ids and failed sign-ins: checked before a workspace is known (by jti, by the
    # hashed account/address key); small, pruned by expiry: reference tables.
    "token_blacklist": "reference",
    "login_attempts": "reference",
    # Alembic's bookkeeping: on the coordinator only.
    "alembic_version": "local",
}

# Unique keys that do not lead with tenant_id, and why.
UNIQUE_EXCEPTIONS = {
    # An API token is found by its hash before its workspace is known (auth/tokens); the
    # SHA-256 of a random secret is unique across workspaces by construction. On Citus this
    # constraint goes (a distributed table's unique key must hold tenant_id): the secret would
    # carry its workspace id, or the hash move to a reference lookup table (docs/SCALING.md).
    ("api_tokens", "uq_api_tokens_token_hash"),
}

# Foreign keys from a tenant table to a global (reference) table: allowed on Citus as they are.
REFERENCE_TARGETS = {"users"}

# Permissive SELECT policies that do not key on app.tenant_id, and why: SECURITY DEFINER
# functions (migrations 0002, 0005, 0011) set `app.definer` for their own statement to look up
# a token, an invitation, memberships or due webhook deliveries across workspaces before one is
# known; the runtime role cannot set it outside them in a way that outlives the function.
DEFINER_POLICY = "definer_lookup"
DEFINER_QUAL = "(current_setting('app.definer'::text, true) = 'on'::text)"

TENANT_QUAL = "(tenant_id = current_setting('app.tenant_id'::text, true))"
WORKSPACE_QUAL = "(id = current_setting('app.tenant_id'::text, true))"


@pytest.fixture
async def catalog(new_database) -> AsyncIterator[asyncpg.Connection]:
    url = await new_database()
    await asyncio.to_thread(migrate.upgrade, url)
    conn = await asyncpg.connect(url)
    try:
        yield conn
    finally:
        await conn.close()


async def _tables(conn: asyncpg.Connection) -> dict[str, bool]:
    """Every ordinary table of the public schema → whether it has a tenant_id column."""
    rows = await conn.fetch(
        "SELECT c.relname, EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid"
        "  AND a.attname = 'tenant_id' AND NOT a.attisdropped) AS tenant"
        " FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'")
    return {r["relname"]: r["tenant"] for r in rows}


async def _tenant_tables(conn: asyncpg.Connection) -> list[str]:
    return sorted(name for name, tenant in (await _tables(conn)).items() if tenant)


async def test_tables_without_tenant_id_are_the_known_global_ones(catalog):
    global_tables = {name for name, tenant in (await _tables(catalog)).items() if not tenant}
    assert global_tables == set(GLOBAL_TABLES), (
        "a table without tenant_id that is not a known global table: add tenant_id, or list it"
        f" in GLOBAL_TABLES with why it is global: {sorted(global_tables ^ set(GLOBAL_TABLES))}")


async def test_every_tenant_table_has_a_primary_key_leading_with_tenant_id(catalog):
    keys = {r["table"]: r for r in await catalog.fetch(
        "SELECT conrelid::regclass::text AS table, conname,"
        " (SELECT attname FROM pg_attribute WHERE attrelid = conrelid AND attnum = conkey[1])"
        "   AS first_column"
        " FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype = 'p'")}
    problems = []
    for table in await _tenant_tables(catalog):
        if table not in keys:
            problems.append(f"{table}: no primary key")
        elif keys[table]["first_column"] != "tenant_id":
            problems.append(f"{table}.{keys[table]['conname']}: primary key starts with"
                            f" {keys[table]['first_column']}, not tenant_id")
    assert not problems, "\n".join(problems)


async def test_every_unique_index_of_a_tenant_table_leads_with_tenant_id(catalog):
    # Unique constraints are unique indexes too; partial and expression indexes included (an
    # expression in first place has attnum 0, so it is reported).
    rows = await catalog.fetch(
        "SELECT t.relname AS table, i.relname AS index, pg_get_indexdef(x.indexrelid) AS def,"
        " (SELECT attname FROM pg_attribute WHERE attrelid = t.oid AND attnum = x.indkey[0])"
        "   AS first_column"
        " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
        " JOIN pg_class t ON t.oid = x.indrelid"
        " WHERE t.relnamespace = 'public'::regnamespace AND x.indisunique")
    tenant = set(await _tenant_tables(catalog))
    problems = [f"{r['table']}.{r['index']}: unique key does not lead with tenant_id ({r['def']})"
                for r in rows
                if r["table"] in tenant and r["first_column"] != "tenant_id"
                and (r["table"], r["index"]) not in UNIQUE_EXCEPTIONS]
    assert not problems, "\n".join(problems)
    present = {(r["table"], r["index"]) for r in rows}
    assert present >= UNIQUE_EXCEPTIONS, "an exception no longer exists: drop it from the list"


async def test_every_foreign_key_of_a_tenant_table_joins_on_tenant_id(catalog):
    rows = await catalog.fetch(
        "SELECT conrelid::regclass::text AS table, conname,"
        " confrelid::regclass::text AS target, pg_get_constraintdef(oid) AS def,"
        " (SELECT attname FROM pg_attribute WHERE attrelid = conrelid AND attnum = conkey[1])"
        "   AS from_column,"
        " (SELECT attname FROM pg_attribute WHERE attrelid = confrelid AND attnum = confkey[1])"
        "   AS to_column"
        " FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype = 'f'")
    tenant = set(await _tenant_tables(catalog))
    problems = []
    for r in rows:
        if r["table"] not in tenant or r["target"] in REFERENCE_TARGETS:
            continue
        # tenant_id → workspaces.id is the tenant column itself; any other target is a tenant
        # table, joined on tenant_id = tenant_id.
        to_tenant = "id" if r["target"] == "workspaces" else "tenant_id"
        if (r["from_column"], r["to_column"]) != ("tenant_id", to_tenant):
            problems.append(f"{r['table']}.{r['conname']}: foreign key to {r['target']} does not"
                            f" lead with tenant_id on both sides ({r['def']})")
    assert not problems, "\n".join(problems)


async def test_every_tenant_table_has_rls_enabled_and_forced(catalog):
    rows = await catalog.fetch(
        "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class"
        " WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'")
    flags = {r["relname"]: (r["relrowsecurity"], r["relforcerowsecurity"]) for r in rows}
    problems = [f"{table}: row-level security enabled={flags[table][0]}"
                f" forced={flags[table][1]} (both must be true)"
                for table in [*await _tenant_tables(catalog), "workspaces"]
                if flags[table] != (True, True)]
    assert not problems, "\n".join(problems)


async def test_every_policy_on_a_tenant_table_keys_on_app_tenant_id(catalog):
    policies = await catalog.fetch(
        "SELECT tablename, policyname, cmd, permissive, qual, with_check FROM pg_policies"
        " WHERE schemaname = 'public'")
    tenant = set(await _tenant_tables(catalog))
    problems = []
    for table in sorted(tenant | {"workspaces"}):
        mine = [p for p in policies if p["tablename"] == table]
        wanted = WORKSPACE_QUAL if table == "workspaces" else TENANT_QUAL
        if not any(p["qual"] == wanted and p["with_check"] == wanted and p["cmd"] == "ALL"
                   for p in mine):
            problems.append(f"{table}: no policy FOR ALL USING/WITH CHECK {wanted}")
        for p in mine:
            if p["qual"] == wanted and p["with_check"] in (wanted, None):
                continue
            if (p["policyname"], p["cmd"], p["qual"]) == (DEFINER_POLICY, "SELECT", DEFINER_QUAL):
                continue  # SECURITY DEFINER lookups across workspaces (see DEFINER_POLICY)
            problems.append(f"{table}.{p['policyname']}: {p['cmd']} policy does not key on"
                            f" app.tenant_id (USING {p['qual']}, WITH CHECK {p['with_check']})")
    assert not problems, "\n".join(problems)
