"""SQL of `audit_log`: one entry inserted (who acted looked up in the same statement), and
newest-first keyset pages with the list's filters."""

from __future__ import annotations

from dataclasses import astuple, dataclass
from datetime import datetime
from typing import Any

import asyncpg

from objectry import sqltext

# The actor's e-mail and the token's name are copied as they are now, in the same round trip:
# the entry keeps naming them after the account changes its e-mail or the token is gone.
_TYPES = ("text", "text", "text", "text", "text", "text", "text", "text", "text", "jsonb")


def insert_sql(first: int = 1, source: str | None = None, target_name: str | None = None
               ) -> str:
    """INSERT of one entry whose values (an Entry's fields, in order) are parameters `first`…
    `first + 9`; with `source`, a step of a larger statement that writes the entry only if
    `source` (a CTE of that statement) yields a row, so it commits with that change or not at
    all (metadata/repo.py insert_link, delete_link). `target_name`: SQL over `source` naming
    the target when the entry names none (a deleted link's relationship)."""
    p = [f"${first + i}::{t}" for i, t in enumerate(_TYPES)]
    if target_name is not None:
        p[5] = f"COALESCE({p[5]}, {target_name})"
    values = (f"{', '.join(p)}, (SELECT email FROM users WHERE id = {p[6]}),"
              f" (SELECT name FROM api_tokens WHERE tenant_id = {p[0]} AND id = {p[8]}"
              f" AND {p[7]} = 'token')")
    rows = f"VALUES ({values})" if source is None else f"SELECT {values} FROM {source}"
    return ("INSERT INTO audit_log (tenant_id, id, kind, action, target_id, target_name,"
            " actor_user_id, credential_type, credential_id, changes, actor_email,"
            f" credential_name) {rows}")


_INSERT = insert_sql()
_COLUMNS = ("id, at, kind, action, target_id, target_name, actor_user_id, actor_email,"
            " credential_type, credential_id, credential_name, changes")


@dataclass(frozen=True, slots=True)
class Entry:
    tenant_id: str
    id: str
    kind: str
    action: str
    target_id: str
    target_name: str | None
    actor_user_id: str | None
    credential_type: str
    credential_id: str | None
    changes: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Filters:
    kinds: list[str] | None = None
    actions: list[str] | None = None
    actor_column: str | None = None  # "actor_user_id", "credential_id" or "actor_email"
    actor: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


async def insert(conn: asyncpg.Connection, entry: Entry) -> None:
    await conn.execute(_INSERT, *astuple(entry))


def _conditions(filters: Filters, args: list[Any]) -> list[str]:
    """SQL conditions for the filters that are set, their values appended to `args`."""
    conditions = []

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    if filters.kinds:
        conditions.append(f"kind = any({arg(filters.kinds)}::text[])")
    if filters.actions:
        conditions.append(f"action = any({arg(filters.actions)}::text[])")
    if filters.actor_column == "actor_email":
        conditions.append(f"lower(actor_email) = lower({arg(filters.actor)})")
    elif filters.actor_column in ("actor_user_id", "credential_id"):
        conditions.append(f"{filters.actor_column} = {arg(filters.actor)}")
    if filters.since is not None:
        conditions.append(f"at >= {arg(filters.since)}")
    if filters.until is not None:
        conditions.append(f"at < {arg(filters.until)}")
    return conditions


async def page(conn: asyncpg.Connection, workspace_id: str, filters: Filters,
               before: tuple[datetime, str] | None, limit: int) -> list[dict[str, Any]]:
    """Entries newest first, those older than `before` (at, id) only; `limit` rows at most."""
    args: list[Any] = [workspace_id]
    conditions = ["tenant_id = $1", *_conditions(filters, args)]
    if before is not None:
        args.extend(before)
        conditions.append(f"(at, id) < (${len(args) - 1}, ${len(args)})")
    rows = await conn.fetch(f"SELECT {_COLUMNS} FROM audit_log WHERE {' AND '.join(conditions)}"
                            f" ORDER BY at DESC, id DESC{sqltext.limit(limit)}", *args)
    return [dict(r) for r in rows]
