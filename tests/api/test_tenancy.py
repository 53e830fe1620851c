"""Workspaces never see each other: by query, and by PostgreSQL row-level security."""

from __future__ import annotations

import asyncpg
import pytest

from objectry.auth.workspaces import create_workspace
from objectry.db import tenancy
from tests.api.builders import add_field, make_object, make_record, ok, relate
from tests.api.conftest import client, sign_up


async def test_rls_hides_other_workspaces_even_without_a_tenant_filter(app, api, workspace_id):
    await make_object(api, "secret")
    await add_field(api, "secret", "code")
    await make_record(api, "secret", code="s3cr3t")
    pool = app.state.objectry.pool
    other = await create_workspace(pool, "other")
    async with tenancy.transaction(pool, other) as conn:
        # No WHERE tenant_id at all: row-level security alone must hide the rows.
        assert await conn.fetchval("SELECT count(*) FROM records") == 0
        assert await conn.fetchval("SELECT count(*) FROM objects") == 0
        assert await conn.fetchval("SELECT count(*) FROM workspaces") == 1
        assert await conn.fetchval("SELECT current_user") == "objectry_app"
    async with tenancy.transaction(pool, workspace_id) as conn:
        assert await conn.fetchval("SELECT count(*) FROM records") == 1


async def test_runtime_role_cannot_bypass_rls(app):
    async with app.state.objectry.pool.acquire() as conn:
        role = await conn.fetchrow(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert (role["rolsuper"], role["rolbypassrls"]) == (False, False)
        owned = await conn.fetchval(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner"
            " WHERE r.rolname = 'objectry_app'")
        assert owned == 0
        with pytest.raises(Exception, match="row-level security"):
            async with conn.transaction():
                await conn.execute("SELECT set_config('app.tenant_id', 'wsp_x', true)")
                await conn.execute("INSERT INTO objects (tenant_id, id, name, label)"
                                   " VALUES ('wsp_y', 'obj_y', 'y', 'y')")


async def test_every_tenant_table_has_rls(owner_db):
    tenant_tables = {r["table_name"] for r in await owner_db.fetch(
        "SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t"
        " USING (table_schema, table_name) WHERE c.column_name = 'tenant_id'"
        " AND c.table_schema = 'public' AND t.table_type = 'BASE TABLE'")}
    protected = {r["relname"] for r in await owner_db.fetch(
        "SELECT relname FROM pg_class WHERE relrowsecurity AND relforcerowsecurity")}
    assert tenant_tables <= protected
    assert "workspaces" in protected


async def test_other_workspaces_ids_answer_404(app, api):
    await make_object(api, "contact")
    field = await add_field(api, "contact", "name")
    record = await make_record(api, "contact", name="Mine")
    rel = await relate(api, "self_ref", "contact", "contact", "N:N")
    other = await sign_up(app)  # the owner of another workspace
    async with client(app, other.headers) as intruder:
        for path in [f"/api/objects/{field['object_field']['object_id']}",
                     "/api/objects/contact", f"/api/fields/{field['id']}",
                     f"/api/object-fields/{field['object_field']['id']}",
                     f"/api/records/{record['id']}", f"/api/relationships/{rel['id']}",
                     f"/api/records/{record['id']}/history"]:
            assert (await intruder.get(path)).status_code == 404, path
            assert (await intruder.delete(path)).status_code in (404, 405), path
        patched = await intruder.patch(f"/api/records/{record['id']}",
                                       json={"data": {"name": "Theirs"}})
        assert patched.status_code == 404
        listed = await ok(await intruder.get("/api/objects"))
        assert listed["items"] == []
    mine = await ok(await api.get(f"/api/records/{record['id']}"))
    assert mine["data"] == {"name": "Mine"} and mine["version"] == 1


async def test_the_read_view_shows_only_the_scoped_workspace(app, api, workspace_id):
    """records_in_scope (the index-friendly read path) isolates exactly like the policies."""
    await make_object(api, "memo")
    await add_field(api, "memo", "memo_text")
    await make_record(api, "memo", memo_text="mine")
    pool = app.state.objectry.pool
    other = await create_workspace(pool, "other")
    async with tenancy.connection(pool, other) as conn:
        assert await conn.fetchval("SELECT count(*) FROM records_in_scope") == 0
    async with tenancy.connection(pool, workspace_id) as conn:
        assert await conn.fetchval("SELECT count(*) FROM records_in_scope") == 1
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("UPDATE records_in_scope SET version = 9")
