"""SQL for the metadata tables. Table and column names come from this module's own tables,
never from a request; every value is a bound parameter."""

from __future__ import annotations

from typing import Any

import asyncpg

from objectry.web.pagination import PageRequest

# The columns each table exposes through the API (and accepts in inserts/updates).
COLUMNS: dict[str, tuple[str, ...]] = {
    "objects": ("id", "name", "label", "plural_name", "plural_label", "description", "icon",
                "primary_field_id", "permissions", "views", "created_at", "updated_at",
                "created_by"),
    "fields": ("id", "name", "label", "type", "config", "description", "category",
               "created_at", "updated_at", "created_by"),
    "object_fields": ("id", "object_id", "field_id", "display_order", "is_required",
                      "is_visible", "is_readonly", "is_unique", "is_indexed", "field_overrides",
                      "created_at", "updated_at"),
    "relationships": ("id", "name", "from_object_id", "to_object_id", "type", "from_label",
                      "to_label", "on_delete", "created_at", "created_by"),
    "relationship_records": ("id", "relationship_id", "from_record_id", "to_record_id",
                             "relationship_metadata", "created_at", "created_by"),
    "applications": ("id", "name", "label", "description", "icon", "config", "published_at",
                     "created_at", "updated_at", "created_by"),
}
_HAS_UPDATED_AT = {"objects", "fields", "object_fields", "applications"}


def _select(table: str, alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + c for c in COLUMNS[table])


def _checked(table: str, values: dict[str, Any]) -> list[str]:
    columns = list(values)
    unknown = set(columns) - set(COLUMNS[table]) - {"tenant_id", "rel_type", "from_object_id",
                                                    "to_object_id"}
    assert not unknown, f"not a column of {table}: {unknown}"
    return columns


async def insert(conn: asyncpg.Connection, table: str, values: dict[str, Any]) -> dict[str, Any]:
    columns = _checked(table, values)
    marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
           f" RETURNING {_select(table)}")
    return dict(await conn.fetchrow(sql, *values.values()))


async def update(conn: asyncpg.Connection, table: str, tenant_id: str, item_id: str,
                 values: dict[str, Any]) -> dict[str, Any] | None:
    columns = _checked(table, values)
    sets = [f"{c} = ${i}" for i, c in enumerate(columns, start=3)]
    if table in _HAS_UPDATED_AT:
        sets.append("updated_at = now()")
    sql = (f"UPDATE {table} SET {', '.join(sets)} WHERE tenant_id = $1 AND id = $2"
           f" RETURNING {_select(table)}")
    row = await conn.fetchrow(sql, tenant_id, item_id, *values.values())
    return dict(row) if row else None


async def get(conn: asyncpg.Connection, table: str, tenant_id: str, item_id: str,
              *, for_update: bool = False) -> dict[str, Any] | None:
    lock = " FOR UPDATE" if for_update else ""
    sql = f"SELECT {_select(table)} FROM {table} WHERE tenant_id = $1 AND id = $2{lock}"
    row = await conn.fetchrow(sql, tenant_id, item_id)
    return dict(row) if row else None


async def get_by_name(conn: asyncpg.Connection, table: str, tenant_id: str, name: str
                      ) -> dict[str, Any] | None:
    sql = f"SELECT {_select(table)} FROM {table} WHERE tenant_id = $1 AND name = $2"
    row = await conn.fetchrow(sql, tenant_id, name)
    return dict(row) if row else None


async def delete(conn: asyncpg.Connection, table: str, tenant_id: str, item_id: str) -> bool:
    result = await conn.execute(f"DELETE FROM {table} WHERE tenant_id = $1 AND id = $2",
                                tenant_id, item_id)
    return result != "DELETE 0"


async def list_page(conn: asyncpg.Connection, table: str, tenant_id: str, page: PageRequest,
                    *, where: dict[str, Any] | None = None, either: tuple[str, str, Any] | None
                    = None, key: str = "created_at", extra_sql: str = "") -> list[dict[str, Any]]:
    """One keyset page ordered by (key, id). `where` is column = value; `either` is
    (col_a, col_b, value) for "col_a = value OR col_b = value"."""
    args: list[Any] = [tenant_id]
    clauses = ["t.tenant_id = $1"]
    for column, value in (where or {}).items():
        _checked(table, {column: value})
        args.append(value)
        clauses.append(f"t.{column} = ${len(args)}")
    if either is not None:
        args.append(either[2])
        clauses.append(f"(t.{either[0]} = ${len(args)} OR t.{either[1]} = ${len(args)})")
    if page.after is not None:
        args.extend(page.after)
        clauses.append(f"(t.{key}, t.id) > (${len(args) - 1}, ${len(args)})")
    args.append(page.limit + 1)
    sql = (f"SELECT {_select(table, 't')} FROM {table} t WHERE {' AND '.join(clauses)}"
           f"{extra_sql} ORDER BY t.{key}, t.id LIMIT ${len(args)}")
    return [dict(r) for r in await conn.fetch(sql, *args)]


async def bump_schema_version(conn: asyncpg.Connection, tenant_id: str) -> int:
    """Every metadata change moves the workspace's version and tells every process (on commit)."""
    version = await conn.fetchval(
        "UPDATE workspaces SET schema_version = schema_version + 1 WHERE id = $1"
        " RETURNING schema_version", tenant_id)
    await conn.execute("SELECT pg_notify('objectry_metadata', $1)", tenant_id)
    return version
