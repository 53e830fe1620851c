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
_INSERT = """
INSERT INTO audit_log (tenant_id, id, kind, action, target_id, target_name, actor_user_id,
                       credential_type, credential_id, changes, actor_email, credential_name)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
        (SELECT email FROM users WHERE id = $7),
        (SELECT name FROM api_tokens WHERE tenant_id = $1 AND id = $9 AND $8 = 'token'))
"""
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
